"""Block until every migration is applied: app pods start only after the migration Job."""

from django.db import DatabaseError, connection
from django.db.migrations.executor import MigrationExecutor

from records.management.waiting import WaitCommand


def unapplied_migrations():
    executor = MigrationExecutor(connection)
    return executor.migration_plan(executor.loader.graph.leaf_nodes())


class Command(WaitCommand):
    help = "Wait until all migrations are applied (exit 1 after --timeout seconds)."
    default_timeout = 600
    default_interval = 3
    giving_up = "migrations not applied"

    def check(self):
        try:
            pending = unapplied_migrations()
        except DatabaseError as exc:
            connection.close()
            return f"database unavailable: {exc}"
        if pending:
            first = pending[0][0]
            return f"{len(pending)} migration(s) pending, first {first.app_label}.{first.name}"
        self.stdout.write("all migrations are applied")
        return None
