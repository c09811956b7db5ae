"""The loop shared by the commands that hold a pod back until the database is ready."""

import time

from django.core.management.base import BaseCommand, CommandError


class WaitCommand(BaseCommand):
    """Polls ``check()`` until it returns None; fails after ``--timeout`` seconds.

    ``check()`` returns None when ready, else the reason it is not, which is
    printed at each attempt and in the final error.
    """

    default_timeout = 300
    default_interval = 2
    giving_up = "still not ready"

    def add_arguments(self, parser):
        parser.add_argument(
            "--timeout", type=float, default=self.default_timeout, help="seconds to wait before failing (exit 1)"
        )
        parser.add_argument("--interval", type=float, default=self.default_interval, help="seconds between attempts")

    def check(self):
        raise NotImplementedError

    def handle(self, *args, timeout, interval, **options):
        deadline = time.monotonic() + timeout
        while (reason := self.check()) is not None:
            if time.monotonic() >= deadline:
                raise CommandError(f"{self.giving_up} after {timeout:g} s: {reason}")
            self.stdout.write(f"waiting: {reason}")
            time.sleep(interval)
