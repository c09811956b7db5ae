"""django-prometheus's MySQL backend, without two costs it adds to every request.

Health checks. With CONN_HEALTH_CHECKS Django pings the server before a
connection's first query in every request, so that a connection the server
dropped is replaced instead of failing the request. Under load that ping
is a second round trip per request, waited for while the CPU is busy: 13%
of a readings request's time under wrk. A connection that served a request
without error less than ``ALIVE_BYPASS_SECONDS`` ago is taken as alive
instead (HikariCP's "alive bypass window", 500 ms there too); an idle one is
still pinged. A connection that dies inside the window fails its next query:
the API retries such a read once on a new connection (records.api.queries),
anything else answers 503 and Django drops the connection at the end of
the request, as before.

Cursors. django-prometheus builds a new cursor class for every cursor; it
is built once per alias here.
"""

import functools
import time

from django_prometheus.db.backends.mysql import base
from django_prometheus.db.common import ExportingCursorWrapper

ALIVE_BYPASS_SECONDS = 0.5

DatabaseFeatures = base.DatabaseFeatures


@functools.cache
def _cursor_class(cursor_class, alias, vendor):
    return ExportingCursorWrapper(cursor_class, alias, vendor)


class DatabaseWrapper(base.DatabaseWrapper):
    alive_until = 0.0

    def create_cursor(self, name=None):
        return _cursor_class(self.CURSOR_CLASS, self.alias, self.vendor)(self.connection.cursor())

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
