"""Block until every migration is applied: app pods start only after the migration Job."""

from django.db import DatabaseError, connection

from records.management.waiting import WaitCommand
from relayr.db.migrations import describe, unapplied_migrations


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
            return describe(pending)
        self.stdout.write("all migrations are applied")
        return None
