"""Retention: delete readings older than a bound, in small batches that never hold locks for long.

Each batch finds the next oldest ids on the time index (continuing from the
last one seen, so rows already deleted are not walked again) and deletes
them by primary key in its own transaction. The batch size adapts so that a
delete takes about ``TARGET_SECONDS``: far under a second of row locks even
on a busy server, and the readers of recent data never wait on it. Stopped
at any point (SIGTERM from a CronJob's deadline, Ctrl-C, SIGKILL), what was
deleted stays deleted and a rerun carries on.
"""

import re
import signal
import sys
import time
from datetime import UTC, datetime, timedelta

from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError
from django.db.models import Q

from records import rollups
from records.ingest.validation import parse_time
from records.management.progress import Progress
from records.models import Reading
from records.upkeep import recount_stale

UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days", "w": "weeks"}
DURATION = re.compile(r"([1-9][0-9]{0,8})([smhdw])")
TARGET_SECONDS = 0.25  # per DELETE statement
FIRST_BATCH = 500


def parse_duration(raw):
    match = DURATION.fullmatch(raw.strip())
    if not match:
        raise CommandError(f"--older-than must be a whole number and a unit (s, m, h, d, w), e.g. 365d; got {raw!r}")
    try:
        return timedelta(**{UNITS[match[2]]: int(match[1])})
    except OverflowError:
        raise CommandError(f"--older-than is too large: {raw!r}") from None


class Command(BaseCommand):
    help = "Delete readings recorded before a bound (--older-than 365d or --before DATE), in short batches."

    def add_arguments(self, parser):
        bound = parser.add_mutually_exclusive_group(required=True)
        bound.add_argument("--older-than", metavar="AGE", help="e.g. 365d, 12w, 36h: delete readings older than this")
        bound.add_argument("--before", metavar="TIME", help="ISO 8601 instant: delete readings recorded before it")
        parser.add_argument("--dry-run", action="store_true", help="count what would be deleted, delete nothing")
        parser.add_argument("--max-batch", type=int, default=10_000, help="most readings per DELETE (default 10000)")

    def handle(self, *args, older_than, before, dry_run, max_batch, **options):
        if max_batch < 1:
            raise CommandError("--max-batch must be at least 1")
        self.max_batch = max_batch
        cutoff = self._cutoff(older_than, before)
        shown = cutoff.isoformat().replace("+00:00", "Z")
        old = Reading.objects.filter(recorded_at__lt=cutoff)
        self.stop = None
        previous = {sig: signal.signal(sig, self._request_stop) for sig in (signal.SIGTERM, signal.SIGINT)}
        try:
            removed, batches, longest, seconds = self._prune(old, delete=not dry_run)
            if removed and not dry_run and not self.stop:
                # The hours emptied or cut into are stale now: recounted (most just removed)
                # so the rollups shrink with the readings and readers meet no stale hour.
                recount_stale(last=rollups.seconds(cutoff) // 3600 + 1)
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)
        if dry_run:
            summary = f"dry run: would delete {removed:,} readings recorded before {shown}"
        else:
            summary = (
                f"deleted {removed:,} readings recorded before {shown} in {batches:,} batches, {seconds:.1f} s "
                f"(longest delete {longest:.2f} s)"
            )
        if self.stop:
            raise CommandError(f"stopped by {self.stop}: {summary}; run again to delete the rest")
        self.stdout.write(summary)

    def _cutoff(self, older_than, before):
        if before is not None:
            cutoff = parse_time(before)
            if isinstance(cutoff, str):
                raise CommandError("--before: " + cutoff.replace("recorded_at ", "", 1))
            return cutoff
        try:
            return datetime.now(UTC) - parse_duration(older_than)
        except OverflowError:
            raise CommandError(f"--older-than reaches before the year 1: {older_than!r}") from None

    def _request_stop(self, signum, frame):
        self.stop = signal.Signals(signum).name

    def _prune(self, old, delete):
        """Walks the old readings in batches, deleting each (or, for a dry run, counting it)."""
        progress = Progress(sys.stderr)
        size, removed, batches, longest = min(FIRST_BATCH, self.max_batch), 0, 0, 0.0
        began, after = time.monotonic(), None
        while not self.stop:
            page = old.order_by("recorded_at", "id")
            if after is not None:
                page = page.filter(Q(recorded_at__gt=after[0]) | Q(recorded_at=after[0], id__gt=after[1]))
            try:
                keys = list(page.values_list("recorded_at", "id")[:size])
                if not keys:
                    break
                started = time.monotonic()
                if delete:
                    deleted, _ = Reading.objects.filter(id__in=[key[1] for key in keys]).delete()
                else:
                    deleted = len(keys)
                took = time.monotonic() - started
            except DatabaseError as error:
                raise CommandError(f"database error after deleting {removed:,} readings: {error}") from None
            after = keys[-1]
            removed, batches, longest = removed + deleted, batches + 1, max(longest, took)
            # Aim each delete at TARGET_SECONDS: grow while under half of it, shrink when over.
            if took < TARGET_SECONDS / 2 or not delete:
                size = min(size * 2, self.max_batch)
            elif took > TARGET_SECONDS:
                size = max(size // 2, 1)
            progress.show(f"{'deleted' if delete else 'counted'} {removed:,} readings, up to {after[0].isoformat()}")
        progress.clear()
        return removed, batches, longest, time.monotonic() - began
