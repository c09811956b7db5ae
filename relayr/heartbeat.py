"""The web worker's sign of life, for a request that runs longer than gunicorn's ``timeout``.

A gunicorn sync worker tells its arbiter it is alive between requests; the
arbiter kills one that stays silent for ``timeout`` seconds, even in the
middle of a request. A streamed export is one request that may run for
minutes. Instead of raising ``timeout`` for every request, the worker's
``notify`` is registered here (``post_worker_init`` in relayr/gunicorn.conf.py)
and a long loop calls ``WORKER.beat()`` as it goes: the worker is then killed
only when the loop itself stops moving for ``timeout`` seconds.
Outside gunicorn (tests, management commands) nothing is registered and a
beat does nothing.
"""

import time

INTERVAL_SECONDS = 1.0  # far below any sensible timeout; a beat is one utime() on a tmpfs file


class Heartbeat:
    def __init__(self):
        self._notify = None
        self._last = 0.0

    def register(self, notify):
        """``notify``: the worker's own call (gunicorn's Worker.notify)."""
        self._notify = notify

    def beat(self):
        """Notify, at most once per INTERVAL_SECONDS however often it is called."""
        if self._notify is None:
            return
        now = time.monotonic()
        if now - self._last >= INTERVAL_SECONDS:
            self._last = now
            self._notify()


WORKER = Heartbeat()
