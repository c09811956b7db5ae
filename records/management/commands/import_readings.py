"""Load a day's readings from a file: CSV or NDJSON, from PATH or standard input.

Nothing half-done: by default every line is validated before any is
written. Clean rows go to a temporary spool file (encoded once, memory flat
for any input size), and only a file without a bad line is then written, in
batches that each commit. A killed run leaves some batches stored; running
it again stores the rest and skips what is there, so the result equals one
clean run. One transaction for the whole file would avoid even that window,
but would hold a million rows' locks against the MQTT consumer and arrive at
replicas as one huge event. With ``--skip-invalid`` good lines are written
as they come and bad ones go to REJECTS with their reason.
"""

import contextlib
import json
import sys
import tempfile
import time
from itertools import islice

from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError

from records.ingest import ON_CONFLICT_CHOICES, ReadingWriter, SensorIds, Validator
from records.ingest.sources import COLUMNS, FORMATS, SourceError, decode, format_for, lines, open_binary, records_for
from records.management.progress import Progress

SHOWN_PROBLEMS = 20


class Command(BaseCommand):
    help = (
        f"Import readings from a CSV (header {','.join(COLUMNS)}) or NDJSON file, or - for standard input. "
        "By default a file with any bad line writes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", help="the file to read (.csv, .ndjson, .jsonl, optionally .gz), or - for stdin")
        parser.add_argument("--format", choices=FORMATS, help="the input's format (default: from the file name)")
        parser.add_argument(
            "--skip-invalid",
            metavar="REJECTS",
            help="import the good lines; write each bad one as JSON {line, reason, input} to REJECTS",
        )
        parser.add_argument(
            "--on-conflict",
            choices=ON_CONFLICT_CHOICES,
            default="skip",
            help="for a (sensor, recorded_at) already stored: skip keeps its value (default), update replaces it",
        )
        parser.add_argument("--batch-size", type=int, default=10_000, help="readings per committed batch")

    def handle(self, *args, path, format, skip_invalid, on_conflict, batch_size, **options):
        if batch_size < 1:
            raise CommandError("--batch-size must be at least 1")
        began = time.monotonic()
        try:
            fmt = format_for(path, format)
            stream, size = open_binary(path, sys.stdin.buffer)
        except SourceError as error:
            raise CommandError(str(error)) from None
        self.writer = ReadingWriter(on_conflict)
        self.stored = self.new = 0
        self.progress = Progress(sys.stderr, size)
        try:
            with stream, _open_rejects(skip_invalid) as rejects, tempfile.TemporaryFile("w+") as spool:
                good, bad, problems = self._read(stream, fmt, rejects, spool, batch_size)
                if bad and rejects is None:
                    self.progress.clear()
                    more = f"\n... and {bad - len(problems)} more" if bad > len(problems) else ""
                    raise CommandError(f"{path}: {bad} bad line(s), nothing imported:\n" + "\n".join(problems) + more)
                if rejects is None:
                    self._write_spool(spool, good, batch_size)
        except KeyboardInterrupt:
            raise CommandError(self._stopped("interrupted")) from None
        except DatabaseError as error:
            raise CommandError(self._stopped(f"database error: {error}")) from None
        self.progress.clear()
        self.stdout.write(self._summary(path, good, bad, skip_invalid, time.monotonic() - began))

    def _read(self, stream, fmt, rejects, spool, batch_size):
        records = records_for(fmt)
        doing = "validating" if rejects is None else "importing"
        validate = Validator(SensorIds()).validate
        encode = self.writer.encode
        batch, problems, good, bad = [], [], 0, 0
        header_wanted = fmt == "csv"
        tell = stream.tell if self.progress.size else lambda: None
        for number, raw in lines(stream):
            text, reason = decode(raw, number)
            if text == "":
                continue
            if reason is None:
                if header_wanted:
                    try:
                        records.header(text)
                    except SourceError as error:
                        raise CommandError(f"line {number}: {error}") from None
                    header_wanted = False
                    continue
                fields, reason = records.parse(text)
                if reason is None:
                    clean = validate(*fields)
                    if not isinstance(clean, str):
                        good += 1
                        batch.append(encode(clean))
                        if len(batch) == batch_size:
                            self._take(batch, rejects, spool)
                            self.progress.show(f"{doing}: line {number:,}, {good:,} good", tell())
                            batch = []
                        continue
                    reason = clean
            elif header_wanted:
                raise CommandError(f"line {number}: the header {','.join(COLUMNS)} is {reason}")
            bad += 1
            if len(problems) < SHOWN_PROBLEMS:
                problems.append(f"line {number}: {reason}")
            if rejects is not None:
                original = None if raw is None else raw.decode("utf-8", "surrogateescape")
                rejects.write(json.dumps({"line": number, "reason": reason, "input": original}) + "\n")
        if header_wanted:
            raise CommandError(f"the input is empty: a CSV file starts with the header {','.join(COLUMNS)}")
        self._take(batch, rejects, spool)
        return good, bad, problems

    def _take(self, batch, rejects, spool):
        """Clean rows: stored at once with --skip-invalid, else spooled until the whole input proved clean."""
        if rejects is not None:
            self._store(batch)
        elif batch:
            spool.write("\n".join(batch) + "\n")

    def _write_spool(self, spool, total, batch_size):
        spool.seek(0)
        rows = (line.rstrip("\n") for line in spool)
        while batch := list(islice(rows, batch_size)):
            self._store(batch)
            self.progress.show(f"writing: {self.stored:,} of {total:,} readings")

    def _store(self, batch):
        result = self.writer.write_encoded(batch)
        self.stored += result.rows
        self.new += result.inserted or 0

    def _stopped(self, why):
        return (
            f"{why}; {self.stored} reading(s) were stored before it. "
            "Running the same import again stores the rest and leaves the stored ones as they are."
        )

    def _summary(self, path, good, bad, rejects, seconds):
        if self.writer.on_conflict == "skip":
            stored = f"{self.new:,} new, {self.stored - self.new:,} already stored"
        else:
            stored = f"{self.stored:,} new or updated"
        rejected = f"{bad:,} bad line(s) written to {rejects}" if rejects else f"{bad:,} bad lines"
        rate = self.stored / max(seconds, 1e-6)
        name = "standard input" if path == "-" else path
        return f"imported {name}: {good:,} readings ({stored}), {rejected}, in {seconds:.1f} s ({rate:,.0f} readings/s)"


def _open_rejects(path):
    if not path:
        return contextlib.nullcontext()
    try:
        return open(path, "w", encoding="utf-8")  # noqa: SIM115 - the caller's with closes it
    except OSError as error:
        raise CommandError(f"cannot write {path}: {error.strerror}") from None
