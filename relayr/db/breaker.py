"""A circuit breaker between each worker and its database.

Without it, while the database is slow or gone every request waits the full
connect or read timeout before its 503, so a sync worker answers one request
per timeout and clients queue behind it. With it, a connection-level failure
opens the breaker: for a short interval the worker does not contact the
database at all and answers 503 at once, with the time left as Retry-After.
When the interval ends, the next request is let through as a probe (half
open): success closes the breaker, another failure opens it again for twice
as long, up to ``DATABASE_BREAKER_MAX_SECONDS``. The ceiling is also the
longest a worker can take to notice that the database is back.

State is per process and per database alias: a gunicorn sync worker serves
one request at a time, so no lock is needed, and each worker sees its own
path to the database. Errors a healthy server returns for a bad statement
(syntax, constraint, deadlock) say nothing about its reachability and never
open the breaker.
"""

import enum
import time

from django.conf import settings
from django.db import OperationalError
from django.db.utils import DatabaseErrorWrapper
from django.utils.functional import cached_property
from prometheus_client import Counter, Gauge

# MySQL/MariaDB error numbers that mean "no usable connection": the client could
# not connect (2002, 2003, 2005), the connection broke or timed out (2006, 2013,
# 2055, 4031), TLS failed (2026), or the server refused or is going away (1040
# too many connections, 1053 shutdown in progress, 1927 connection killed).
CONNECTION_ERRORS = frozenset({1040, 1053, 1927, 2002, 2003, 2005, 2006, 2013, 2026, 2055, 4031})


class State(enum.IntEnum):
    CLOSED = 0
    OPEN = 1
    HALF_OPEN = 2


STATE = Gauge(
    "relayr_database_breaker_state",
    "Circuit breaker state per worker and database: 0 closed, 1 open, 2 half-open (probing).",
    ["alias"],
    multiprocess_mode="all",
)
OPENS = Counter("relayr_database_breaker_opens_total", "Times a worker's database circuit breaker opened.", ["alias"])


class DatabaseUnavailable(OperationalError):
    """Raised instead of contacting a database whose breaker is open."""

    def __init__(self, alias, retry_after):
        super().__init__(f"database {alias!r} unavailable: circuit breaker open, next attempt in {retry_after:.3f} s")
        self.retry_after = retry_after


def is_connection_error(exception):
    """True for a driver exception that says the server could not be reached or used."""
    args = getattr(exception, "args", ())
    return bool(args) and args[0] in CONNECTION_ERRORS


class Breaker:
    def __init__(self, alias):
        self.alias = alias
        self.state = State.CLOSED
        self.interval = 0.0
        self.open_until = 0.0
        self.last_error = None  # the cause a DatabaseUnavailable names, so /readyz can tell why
        self._state_metric = STATE.labels(alias)
        self._state_metric.set(State.CLOSED)

    def check(self):
        """Before contacting the database: raise DatabaseUnavailable while open."""
        if self.state is State.CLOSED:
            return
        now = time.monotonic()
        if self.state is State.OPEN:
            if now < self.open_until:
                raise DatabaseUnavailable(self.alias, self.open_until - now) from self.last_error
            self._set(State.HALF_OPEN)

    def succeeded(self):
        if self.state is not State.CLOSED:
            self.interval = 0.0
            self._set(State.CLOSED)

    def failed(self, error=None):
        if error is not None:
            self.last_error = error.with_traceback(None)
        if self.state is State.OPEN:
            return  # a failure already counted (the same request's cleanup)
        base = settings.DATABASE_BREAKER_BASE_SECONDS
        if base <= 0:
            return
        self.interval = min(max(self.interval * 2, base), settings.DATABASE_BREAKER_MAX_SECONDS)
        self.open_until = time.monotonic() + self.interval
        self._set(State.OPEN)
        OPENS.labels(self.alias).inc()

    def retry_after(self):
        """Seconds until the next probe may run (0 when closed)."""
        if self.state is State.CLOSED:
            return 0.0
        return max(self.open_until - time.monotonic(), 0.0)

    def _set(self, state):
        self.state = state
        self._state_metric.set(state)


def retry_after(exception, alias="default"):
    """Seconds a client should wait after ``exception`` before retrying."""
    if isinstance(exception, DatabaseUnavailable):
        return exception.retry_after
    from django.db import connections

    breaker = getattr(connections[alias], "breaker", None)
    seconds = breaker.retry_after() if breaker is not None else 0.0
    return seconds or settings.DATABASE_BREAKER_BASE_SECONDS or 1.0


class BreakerErrorWrapper(DatabaseErrorWrapper):
    """Django's error translation, telling the breaker when the server could not be reached.

    That is a failed connect, or a call that failed after waiting out the read
    timeout. A statement on an open connection that fails at once (the server
    closed it while idle) is not: relayr.db.connections.read() retries it on a
    new connection, and only if that fails is the server unreachable.
    """

    started = 0.0

    def __enter__(self):
        self.started = time.monotonic()

    def __exit__(self, exc_type, exc_value, traceback):
        if exc_type is not None and is_connection_error(exc_value):
            db = self.wrapper
            if db.connection is None or time.monotonic() - self.started >= db.timed_out_after:
                db.breaker.failed(exc_value)
        return super().__exit__(exc_type, exc_value, traceback)


_breakers = {}


class GuardedByBreaker:
    """A DatabaseWrapper mixin: the breaker is asked before every connect and
    cursor, and told about every timeout, failed connect and statement that ran."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Only a statement that ran proves the database answers (a connection alone does not).
        self.execute_wrappers.append(self._record_success)

    def _record_success(self, execute, sql, params, many, context):
        result = execute(sql, params, many, context)
        self.breaker.succeeded()
        return result

    @cached_property
    def breaker(self):
        # One per alias and process, shared by the thread-local wrappers of that alias.
        if self.alias not in _breakers:
            _breakers[self.alias] = Breaker(self.alias)
        return _breakers[self.alias]

    @cached_property
    def timed_out_after(self):
        """How long a failed call must have waited to count as a timeout (just under the read timeout)."""
        return 0.9 * self.settings_dict["OPTIONS"].get("read_timeout", 0) or float("inf")

    @cached_property
    def wrap_database_errors(self):
        return BreakerErrorWrapper(self)

    def ensure_connection(self):
        if self.connection is None:
            self.breaker.check()
        super().ensure_connection()

    def close_if_health_check_failed(self):
        self.breaker.check()  # the first thing a cursor does: fail before any ping
        super().close_if_health_check_failed()

    def is_usable(self):
        started = time.monotonic()
        try:
            self.connection.ping()
        except self.Database.Error as error:
            # A ping that timed out means the server is slow or gone: waiting again
            # to reconnect would double the request's wait. A connection the server
            # closed while idle fails at once and is just replaced.
            if time.monotonic() - started >= self.timed_out_after:
                self.breaker.failed(error)
            return False
        return True
