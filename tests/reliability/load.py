"""A bounded, paced HTTP load for the fault scenarios.

A few client threads GET the API's database-backed paths in turn, each on a
new connection, until told to stop, a deadline passes or the shared request
budget is spent. Every request becomes an ``Outcome`` with its start and end
times, so a scenario can ask what happened before, during and after a fault.
"""

import itertools
import threading
import time
from dataclasses import dataclass

import requests

# Every path reads the database; sensor 1 exists in every migrated database (seed migration).
DATABASE_PATHS = ("/api/v1/sensors", "/api/v1/sensors/1", "/api/v1/sensors/1/readings?limit=20", "/sensors")


@dataclass
class Outcome:
    path: str
    request_id: str  # sent as X-Request-ID: the app logs it with the request
    started: float
    finished: float
    status: int | None = None  # None: no HTTP response at all
    content_type: str | None = None
    retry_after: str | None = None
    error_code: str | None = None  # the JSON error body's "code"
    failure: str | None = None  # the client exception's class name when there was no response

    @property
    def ok(self):
        return self.status is not None and 200 <= self.status < 300

    @property
    def clean_503(self):
        """The API's promise for an unavailable database: JSON, its error code, Retry-After."""
        return (
            self.status == 503
            and self.content_type == "application/json"
            and self.error_code == "database_unavailable"
            and self.retry_after is not None
        )

    @property
    def refused(self):
        """Refused before any byte of the request reached the server (nothing listening)."""
        return self.failure == "ConnectionRefused"

    @property
    def duration(self):
        return self.finished - self.started


def _classify_exception(exc):
    """A short name for a client-side failure; refused connections are told apart
    (requests wraps the OSError several layers deep, the message keeps its errno)."""
    if "[Errno 111]" in str(exc) or "Connection refused" in str(exc):
        return "ConnectionRefused"
    return type(exc).__name__


class Load:
    """``threads`` clients pausing ``pause`` seconds between requests; at most ``budget`` requests in all."""

    def __init__(self, base_url, paths=DATABASE_PATHS, threads=4, pause=0.02, budget=3000, timeout=20):
        self.base_url = base_url
        self.paths = paths
        self.threads = threads
        self.pause = pause
        self.budget = budget
        self.timeout = timeout
        self.outcomes = []
        self._lock = threading.Lock()
        self._sent = itertools.count()
        self._ids = itertools.count(1)
        self._stop = threading.Event()
        self._workers = []

    def __enter__(self):
        self.started = time.monotonic()
        for n in range(self.threads):
            thread = threading.Thread(target=self._client, args=(n,), name=f"load-{n}", daemon=True)
            thread.start()
            self._workers.append(thread)
        return self

    def __exit__(self, *exc):
        self.stop()

    def stop(self):
        """Stop sending and wait for the requests in flight (each bounded by ``timeout``)."""
        self._stop.set()
        for thread in self._workers:
            thread.join(timeout=self.timeout + 5)
        return self.outcomes

    def _client(self, n):
        paths = itertools.cycle(self.paths[n % len(self.paths) :] + self.paths[: n % len(self.paths)])
        while not self._stop.is_set() and next(self._sent) < self.budget:
            outcome = self.get(next(paths))
            with self._lock:
                self.outcomes.append(outcome)
            self._stop.wait(self.pause)

    def get(self, path):
        request_id = f"load-{next(self._ids)}"
        headers = {"Connection": "close", "X-Request-ID": request_id}
        started = time.monotonic()
        try:
            response = requests.get(self.base_url + path, timeout=self.timeout, headers=headers)
        except requests.RequestException as exc:
            return Outcome(path, request_id, started, time.monotonic(), failure=_classify_exception(exc))
        outcome = Outcome(
            path,
            request_id,
            started,
            time.monotonic(),
            status=response.status_code,
            content_type=response.headers.get("Content-Type"),
            retry_after=response.headers.get("Retry-After"),
        )
        if response.status_code >= 400:
            try:
                outcome.error_code = response.json()["error"]["code"]
            except (ValueError, KeyError, TypeError):
                outcome.error_code = None
        return outcome

    # --- what happened ----------------------------------------------------

    def between(self, start, end):
        """Outcomes of the requests started at or after ``start`` and ended before ``end`` (monotonic seconds)."""
        return [o for o in self.outcomes if start <= o.started and o.finished < end]

    def answered_between(self, start, end):
        """Outcomes of the requests that ended in (start, end)."""
        return [o for o in self.outcomes if start < o.finished < end]

    def recovery_after(self, moment):
        """Seconds from ``moment`` until the last failed request ended (0 when none failed after it)."""
        failures = [o.finished for o in self.outcomes if not o.ok and o.finished >= moment]
        return max(failures) - moment if failures else 0.0
