"""The bet relayr makes on MySQL connections, and what covers it, in one place.

Health checks. With CONN_HEALTH_CHECKS Django pings the server before a
connection's first query in every request, so that a connection the server
dropped is replaced instead of failing the request. Under load that ping
is a second round trip per request, waited for while the CPU is busy. A
connection that served a request without error less than
``ALIVE_BYPASS_SECONDS`` ago is taken as alive instead (HikariCP's "alive
bypass window" is as long); an idle one is still pinged
(``SkipsPingWhenRecentlyUsed``, mixed into relayr.db.mysql's backend).

The cover. A connection that dies inside the window fails its next query.
A read is safe to repeat, so ``read()`` runs it once more on a new
connection; anything else answers 503 and Django drops the connection at
the end of the request, as before. Every read the API makes goes through
``read()``. tests/relayr/test_connections.py fails when either half goes.

Replicas. ``read()`` runs on a read replica when relayr.db.routing offers
a usable one. A replica failing the read (unreachable, connection lost, too
many connections) is dropped by this process and the read made again on
another replica or the primary, so no client sees a replica's failure
(tests/relayr/test_replicas.py).
"""

import time

from django.db import DEFAULT_DB_ALIAS, InterfaceError, OperationalError, connection, connections

from . import routing

ALIVE_BYPASS_SECONDS = 0.5
# MySQL client errors for a connection the server closed: 2006 server gone
# away, 2013 lost during a query, 2055 lost (extended), 4031 idle timeout (MySQL 8).
LOST_CONNECTION = {(2006,), (2013,), (2055,), (4031,)}


class SkipsPingWhenRecentlyUsed:
    """A DatabaseWrapper mixin: no health-check ping within ALIVE_BYPASS_SECONDS of a good request."""

    alive_until = 0.0

    def close_if_health_check_failed(self):
        if self.connection is not None and not self.health_check_done and time.monotonic() < self.alive_until:
            self.health_check_done = True
            return
        super().close_if_health_check_failed()

    def close_if_unusable_or_obsolete(self):
        # Runs at the start and the end of every request. At the end, a
        # health_check_done connection without errors was used successfully
        # in this request; at the start the flag is always clear.
        if self.connection is not None and self.health_check_done and not self.errors_occurred:
            self.alive_until = time.monotonic() + ALIVE_BYPASS_SECONDS
        super().close_if_unusable_or_obsolete()


def read(sql, params):
    """The rows of a read, from a usable replica or the primary; on the primary,
    once more on a new connection if the server had dropped this one."""
    alias = routing.alias_for_read()
    while alias != DEFAULT_DB_ALIAS:
        try:
            return _run(connections[alias], sql, params)
        except (OperationalError, InterfaceError) as error:
            routing.replica_failed(alias, error)
        alias = routing.alias_for_read()
    try:
        return _run(connection, sql, params)
    except OperationalError as error:
        if error.args[:1] not in LOST_CONNECTION or connection.in_atomic_block:
            raise
    connection.close()
    return _run(connection, sql, params)


def _run(database, sql, params):
    with database.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()
