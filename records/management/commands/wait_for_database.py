"""Block until the database accepts connections: the pod's first init container."""

from django.db import DatabaseError, connection

from records.management.waiting import WaitCommand
from relayr.db.tls import tls_problem


class Command(WaitCommand):
    help = "Wait until the database accepts connections (exit 1 after --timeout seconds)."
    giving_up = "database still unavailable"

    def check(self):
        try:
            connection.ensure_connection()
        except DatabaseError as exc:
            connection.close()
            return tls_problem(exc) or f"database unavailable: {exc}"
        self.stdout.write("database is up")
        return None
