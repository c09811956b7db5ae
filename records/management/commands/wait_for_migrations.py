"""Block until every migration is applied: app pods start only after the migration Job."""

import time

from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError, connection
from django.db.migrations.executor import MigrationExecutor


def unapplied_migrations():
    executor = MigrationExecutor(connection)
    return executor.migration_plan(executor.loader.graph.leaf_nodes())


class Command(BaseCommand):
    help = "Wait until all migrations are applied (exit 1 after --timeout seconds)."

    def add_arguments(self, parser):
        parser.add_argument("--timeout", type=float, default=600, help="seconds to wait before failing (default 600)")
        parser.add_argument("--interval", type=float, default=3, help="seconds between checks (default 3)")

    def handle(self, *args, timeout, interval, **options):
        deadline = time.monotonic() + timeout
        while True:
            try:
                pending = unapplied_migrations()
            except DatabaseError as exc:
                connection.close()
                pending = None
                reason = f"database unavailable: {exc}"
            else:
                if not pending:
                    self.stdout.write("all migrations are applied")
                    return
                reason = f"{len(pending)} migration(s) pending, first {pending[0][0].app_label}.{pending[0][0].name}"
            if time.monotonic() >= deadline:
                raise CommandError(f"migrations not applied after {timeout:g} s: {reason}")
            self.stdout.write(f"waiting for migrations: {reason}")
            time.sleep(interval)
