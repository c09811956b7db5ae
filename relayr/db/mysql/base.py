"""django-prometheus's MySQL backend, without two costs it adds to every request.

Health checks: relayr.db.connections skips the ping for a connection used
moments ago, and says what covers that bet.

Outages: relayr.db.breaker stops contacting a database that failed moments
ago, so requests answer 503 at once instead of each waiting for a timeout.

Cursors: django-prometheus builds a new cursor class for every cursor; it
is built once per alias here.
"""

import functools

from django_prometheus.db.backends.mysql import base
from django_prometheus.db.common import ExportingCursorWrapper

from relayr.db.breaker import GuardedByBreaker
from relayr.db.connections import SkipsPingWhenRecentlyUsed

DatabaseFeatures = base.DatabaseFeatures


@functools.cache
def _cursor_class(cursor_class, alias, vendor):
    return ExportingCursorWrapper(cursor_class, alias, vendor)


class DatabaseWrapper(GuardedByBreaker, SkipsPingWhenRecentlyUsed, base.DatabaseWrapper):
    def create_cursor(self, name=None):
        return _cursor_class(self.CURSOR_CLASS, self.alias, self.vendor)(self.connection.cursor())
