"""The API's reads go to a read replica; everything else goes to the primary.

``ReplicaRouter`` (settings.DATABASE_ROUTERS) sends a read to a replica only
when the caller says a replica may serve it, with the ``REPLICA_OK`` hint.
The API's reads say so, through relayr.db.connections.read, which also
copes with a replica failing under them. The admin, migrations, management
commands and every write give no such hint, so they reach the primary and
see their own writes at once.
"""

import contextlib
import logging
import random

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections, router

from .replicas import health

logger = logging.getLogger(__name__)

REPLICA_OK = "replica_ok"


class ReplicaRouter:
    def db_for_read(self, model, **hints):
        if hints.get(REPLICA_OK):
            usable = health.usable()
            if usable:
                return usable[0] if len(usable) == 1 else random.choice(usable)
        return DEFAULT_DB_ALIAS

    def db_for_write(self, model, **hints):
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints):
        return True  # every alias holds the same data

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == DEFAULT_DB_ALIAS  # replicas receive the schema from their primary


def alias_for_read():
    """The alias a read that a replica may serve should use now."""
    # With the primary alone there is nothing to route, and asking Django's
    # router costs every API read a few microseconds.
    if len(settings.DATABASES) == 1:
        return DEFAULT_DB_ALIAS
    return router.db_for_read(None, **{REPLICA_OK: True})


def replica_failed(alias, error):
    """A read failed on replica ``alias``: this process stops using it until a check finds it well."""
    logger.warning("read replica %s failed a read, reading elsewhere: %s", alias, error)
    health.mark_down(alias)
    with contextlib.suppress(DatabaseError):
        connections[alias].close()
