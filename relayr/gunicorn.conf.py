"""Gunicorn configuration shared by the container, `make run` and the benchmarks.

The worker count is gunicorn's own WEB_CONCURRENCY convention; the chart
derives it from the pod's CPU allotment, never from the node's core count.
"""

from relayr.settings import environ

wsgi_app = "relayr.wsgi:application"
bind = f"{environ.get_str('HOST', '0.0.0.0')}:{environ.get_int('PORT', 8000)}"  # noqa: S104 - a pod must listen on its IP
workers = environ.get_int("WEB_CONCURRENCY", 2)
# A request slower than this is killed; the database timeouts end far sooner.
timeout = environ.get_int("GUNICORN_TIMEOUT", 30)
# Shorter than the pod's terminationGracePeriodSeconds minus its preStop pause.
graceful_timeout = environ.get_int("GUNICORN_GRACEFUL_TIMEOUT", 20)
keepalive = 5
# Recycle workers now and then so a slow leak cannot grow without bound.
max_requests = environ.get_int("GUNICORN_MAX_REQUESTS", 10_000)
max_requests_jitter = max_requests // 10
# The heartbeat file lives in memory, not on the (read-only) root filesystem.
worker_tmp_dir = "/dev/shm"  # noqa: S108 - tmpfs in every container, not a shared temp file
