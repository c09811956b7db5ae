"""Block until the database accepts connections: the pod's first init container."""

import time

from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError, connection


class Command(BaseCommand):
    help = "Wait until the database accepts connections (exit 1 after --timeout seconds)."

    def add_arguments(self, parser):
        parser.add_argument("--timeout", type=float, default=300, help="seconds to wait before failing (default 300)")
        parser.add_argument("--interval", type=float, default=2, help="seconds between attempts (default 2)")

    def handle(self, *args, timeout, interval, **options):
        deadline = time.monotonic() + timeout
        while True:
            try:
                connection.ensure_connection()
                self.stdout.write("database is up")
                return
            except DatabaseError as exc:
                connection.close()
                if time.monotonic() >= deadline:
                    raise CommandError(f"database still unavailable after {timeout:g} s: {exc}") from None
                self.stdout.write(f"waiting for the database: {exc}")
                time.sleep(interval)
