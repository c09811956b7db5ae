"""Gunicorn configuration shared by the container, `make run` and the benchmarks.

The worker count is gunicorn's own WEB_CONCURRENCY convention; the chart
derives it from the pod's CPU allotment, never from the node's core count.

Metrics: every worker writes its samples to PROMETHEUS_MULTIPROC_DIR (in the
pod an emptyDir; a fresh temporary directory when unset), which must be in
the environment before a worker imports prometheus_client. The master empties
it at start and archives each dead worker's files (relayr.observability.multiprocess).

Heartbeat: a sync worker that does not notify its arbiter within ``timeout``
is killed, also in the middle of a request. A streamed export runs longer
than that; it notifies through relayr.heartbeat, to which every worker hands
its notify at start (``post_worker_init``).

Logs: gunicorn's own lines are JSON on stdout like the app's; its access log
is off because the app's middleware writes the one line per request.
"""

import atexit
import os
import shutil
import tempfile

from relayr.settings import environ

# Before anything imports prometheus_client: it picks in-memory or file-backed
# values once, at import, from this variable. Set later, each worker would keep
# its counts to itself and /metrics would merge an empty directory.
metrics_dir = environ.get_str("PROMETHEUS_MULTIPROC_DIR")
metrics_dir_is_ours = not metrics_dir
if metrics_dir_is_ours:
    metrics_dir = tempfile.mkdtemp(prefix="relayr-prometheus-")
    master_pid = os.getpid()

    @atexit.register
    def remove_metrics_dir():
        # Whenever the master exits, also when it stops before serving (the port
        # is taken); never in a worker, which leaves through sys.exit too.
        if os.getpid() == master_pid:
            shutil.rmtree(metrics_dir, ignore_errors=True)


os.environ["PROMETHEUS_MULTIPROC_DIR"] = metrics_dir

from relayr import heartbeat  # noqa: E402
from relayr.observability import logs, multiprocess  # noqa: E402 - needs PROMETHEUS_MULTIPROC_DIR set

wsgi_app = "relayr.wsgi:application"
bind = f"{environ.get_str('HOST', '0.0.0.0')}:{environ.get_int('PORT', 8000)}"  # noqa: S104 - a pod must listen on its IP
workers = environ.get_int("WEB_CONCURRENCY", 2)
# A request slower than this is killed, unless it beats relayr.heartbeat (a streamed
# export); the database timeouts end far sooner.
timeout = environ.get_int("GUNICORN_TIMEOUT", 30)
# Shorter than the pod's terminationGracePeriodSeconds minus its preStop pause.
graceful_timeout = environ.get_int("GUNICORN_GRACEFUL_TIMEOUT", 20)
keepalive = 5
# Load the app once in the master and fork workers from it: a worker then
# boots in a fraction of the CPU (README, Performance), which matters
# because workers are recycled (max_requests) under load, and the workers
# share the app's memory pages. Nothing opens a database connection or a
# metrics file at import time that a fork could share: Django connects on
# first use, and prometheus_client reopens its files in each new process.
preload_app = True
# gunicorn's maximum: the longest valid API URL (three 200-character parameters,
# percent-encoded) fits; longer request lines get gunicorn's 414 (documented in the OpenAPI).
limit_request_line = 8190
# Recycle workers now and then so a slow leak cannot grow without bound.
max_requests = environ.get_int("GUNICORN_MAX_REQUESTS", 10_000)
max_requests_jitter = max_requests // 10
# The heartbeat file lives in memory, not on the (read-only) root filesystem.
worker_tmp_dir = "/dev/shm"  # noqa: S108 - tmpfs in every container, not a shared temp file
# No gunicornc control socket: nothing uses it, its default path is in $HOME
# (read-only in the pod) and every server on a host would share it.
control_socket_disable = True

logconfig_dict = logs.logging_config(environ.get_str("LOG_LEVEL", "INFO"))
logger_class = "relayr.observability.gunicorn_logger.JsonLogger"


def on_starting(server):
    # Runs after the preloaded app is imported: this also removes any file
    # the master's metric objects created.
    multiprocess.empty(metrics_dir)


def child_exit(server, worker):
    multiprocess.archive_dead_process(worker.pid, metrics_dir)


def post_worker_init(worker):
    heartbeat.WORKER.register(worker.notify)
