"""Which read replicas may serve reads, decided in each worker process.

A thread in each process asks every replica how far behind its primary it
is (``SHOW REPLICA STATUS``) every DATABASE_REPLICA_CHECK_SECONDS, and
publishes the replicas within DATABASE_REPLICA_MAX_LAG_SECONDS. Requests
only read that tuple: a replica that is down, or slow to answer, never holds
a request up. A request that finds a replica broken takes it out at once
(``mark_down``); the thread's next check that finds it well brings it back.

Until the first check has answered, no replica counts as usable and reads go
to the primary: a replica is used once it is known to be current, not before.
The thread starts on first use in a process, so gunicorn's master (which
imports the app before forking) runs none and each worker runs its own; a
forked child forgets what its parent knew (os.register_at_fork), which costs
requests nothing, where comparing pids would cost a system call per read.
"""

import contextlib
import logging
import os
import threading
import time

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, DatabaseError, ProgrammingError, connections

logger = logging.getLogger(__name__)

# MySQL's parse error: a server older than SHOW REPLICA STATUS (MariaDB 10.5, MySQL 8.0.22).
PARSE_ERROR = 1064
# Group Replication's own channels report no useful lag; the group's flow control bounds it.
GROUP_REPLICATION_CHANNEL = "group_replication_"


def replication_lag(connection):
    """Seconds the server behind ``connection`` trails its primary.

    0 for a server that replicates from nothing through SHOW REPLICA STATUS
    (a managed read endpoint, an InnoDB Cluster member); None when
    replication is stopped or broken, so how far behind it is is unknown.
    """
    with connection.cursor() as cursor:
        try:
            cursor.execute("SHOW REPLICA STATUS")
        except ProgrammingError as error:
            if error.args[:1] != (PARSE_ERROR,):
                raise
            cursor.execute("SHOW SLAVE STATUS")
        columns = [column[0] for column in cursor.description]
        rows = [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]
    lags = [
        row.get("Seconds_Behind_Source", row.get("Seconds_Behind_Master"))
        for row in rows
        if not str(row.get("Channel_Name") or "").startswith(GROUP_REPLICATION_CHANNEL)
    ]
    if any(lag is None for lag in lags):
        return None
    return float(max(lags, default=0))


class ReplicaHealth:
    """The replicas of settings.DATABASES and which of them may serve reads now."""

    def __init__(self):
        self._lock = threading.Lock()
        self._forget()
        os.register_at_fork(after_in_child=self._forget)

    def _forget(self):
        # A forked child inherits the parent's findings but not its thread.
        self._usable = ()
        self._problems = {}
        self._started = False

    @staticmethod
    def aliases():
        return tuple(alias for alias in settings.DATABASES if alias != DEFAULT_DB_ALIAS)

    def usable(self):
        """The replicas known, at the last check, to answer and be current enough."""
        if not self._started:
            self._start()
        return self._usable

    def mark_down(self, alias):
        """A request found ``alias`` broken: no more reads from it until a check finds it well."""
        with self._lock:
            self._usable = tuple(other for other in self._usable if other != alias)
            self._problems[alias] = "failed a read"

    def _start(self):
        with self._lock:
            if self._started:
                return
            self._started = True
            if self.aliases():
                threading.Thread(target=self._watch, name="relayr-replica-health", daemon=True).start()

    def _watch(self):
        checkers = {alias: _Checker(alias) for alias in self.aliases()}
        while True:
            problems = {}
            for alias, checker in checkers.items():
                try:
                    problems[alias] = checker.problem()
                except Exception as error:  # the thread must outlive any surprise, or replicas stay frozen
                    logger.exception("read replica %s: check failed", alias)
                    problems[alias] = f"check failed ({error!r})"
            self._publish(problems)
            time.sleep(settings.DATABASE_REPLICA_CHECK_SECONDS)

    def _publish(self, problems):
        with self._lock:
            for alias, problem in problems.items():
                before = self._problems.get(alias, "not checked yet")
                if problem and problem != before:
                    logger.warning("read replica %s skipped: %s", alias, problem)
                elif not problem and before:
                    logger.info("read replica %s serves reads", alias)
            self._problems = problems
            self._usable = tuple(alias for alias, problem in problems.items() if not problem)


class _Checker:
    """One replica's lag check, on a connection of its own kept between checks."""

    def __init__(self, alias):
        self.alias = alias
        self.connection = None

    def problem(self):
        """Why the replica may not serve reads now, or None when it may."""
        try:
            lag = self._lag()
        except DatabaseError as error:
            return f"unreachable ({error})"
        limit = settings.DATABASE_REPLICA_MAX_LAG_SECONDS
        if lag is None:
            return "not replicating (replication stopped or broken: no Seconds_Behind_Master)"
        if lag > limit:
            return f"{lag:g} s behind its primary, more than {limit:g} s"
        return None

    def _lag(self):
        if self.connection is not None:
            try:
                return replication_lag(self.connection)
            except DatabaseError:
                # A kept connection the server has closed since fails once; a new one decides.
                self._close()
        self.connection = connections.create_connection(self.alias)
        try:
            return replication_lag(self.connection)
        except DatabaseError:
            self._close()
            raise

    def _close(self):
        with contextlib.suppress(DatabaseError):
            self.connection.close()
        self.connection = None


health = ReplicaHealth()
