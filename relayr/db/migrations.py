"""Whether the database has every migration the code has: for the readiness
probe and the wait_for_migrations command."""

from django.db import connection
from django.db.migrations.executor import MigrationExecutor


def unapplied_migrations():
    """The (migration, backwards) plan still to run; empty when all are applied."""
    executor = MigrationExecutor(connection)
    return executor.migration_plan(executor.loader.graph.leaf_nodes())


def describe(pending):
    first = pending[0][0]
    return f"{len(pending)} migration(s) pending, first {first.app_label}.{first.name}"
