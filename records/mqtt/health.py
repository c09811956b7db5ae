"""The consumer's Prometheus metrics and its liveness check, on one small HTTP listener.

- GET /livez: 200 while the consume loop keeps turning (it does even while
  the broker or the database is away: waiting is its job), 503 once it has
  been stuck for ``STUCK_SECONDS``; the chart's liveness probe.
- GET /metrics: this process's metrics in Prometheus text format.

Own registry: the consumer reports only what it does, not the web app's
request metrics that django-prometheus registers at import.
"""

import http.server
import threading
import time

import prometheus_client
from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

from relayr.http.responses import json_body

STUCK_SECONDS = 60.0

REGISTRY = CollectorRegistry()
prometheus_client.ProcessCollector(registry=REGISTRY)

received = Counter("relayr_ingest_messages_received", "MQTT messages received.", registry=REGISTRY)
stored = Counter("relayr_ingest_readings_stored", "Readings written in committed batches.", registry=REGISTRY)
rejected = Counter(
    "relayr_ingest_messages_rejected",
    "Messages sent to the dead-letter topic, by what was wrong: the payload or a reading in it.",
    ["kind"],
    registry=REGISTRY,
)
batch_messages = Histogram(
    "relayr_ingest_batch_messages",
    "Messages per committed batch.",
    buckets=(1, 5, 10, 50, 100, 250, 500, 1000, 2500, 5000),
    registry=REGISTRY,
)
commit_seconds = Histogram(
    "relayr_ingest_commit_seconds",
    "Time to validate and commit one batch.",
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5),
    registry=REGISTRY,
)
newest_reading_age = Gauge(
    "relayr_ingest_newest_reading_age_seconds",
    "Seconds since the recorded_at of the newest reading this consumer stored.",
    registry=REGISTRY,
)
subscribed = Gauge(
    "relayr_ingest_subscribed", "1 while connected to the broker with the subscription granted.", registry=REGISTRY
)
reconnects = Counter("relayr_ingest_broker_disconnects", "Unexpected disconnections.", registry=REGISTRY)
paused = Gauge("relayr_ingest_paused", "1 while consumption waits for the database.", registry=REGISTRY)
database_errors = Counter("relayr_ingest_database_errors", "Batches that failed on the database.", registry=REGISTRY)


class Liveness:
    """The consume loop calls ``beat()`` every turn; /livez reads it."""

    def __init__(self):
        self.last = time.monotonic()
        self.newest = None  # the newest stored recorded_at, as a UNIX time
        newest_reading_age.set_function(self._age)

    def beat(self):
        self.last = time.monotonic()

    def saw(self, timestamp):
        if self.newest is None or timestamp > self.newest:
            self.newest = timestamp

    def alive(self):
        return time.monotonic() - self.last < STUCK_SECONDS

    def _age(self):
        return float("nan") if self.newest is None else time.time() - self.newest


def serve(port, liveness, host="0.0.0.0"):  # noqa: S104 - the kubelet and Prometheus reach the pod's IP
    """Start the listener on a daemon thread; returns the server (``server_address`` has the port)."""

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 - http.server's name
            path = self.path.split("?", 1)[0]
            if path == "/livez":
                ok = liveness.alive()
                self._send(200 if ok else 503, "application/json", json_body({"status": "ok" if ok else "stuck"}))
            elif path == "/metrics":
                self._send(200, prometheus_client.CONTENT_TYPE_LATEST, prometheus_client.generate_latest(REGISTRY))
            else:
                error = {"error": {"code": "not_found", "message": "The consumer serves /livez and /metrics."}}
                self._send(404, "application/json", json_body(error))

        def _send(self, status, content_type, body):
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format, *args):
            pass  # probes and scrapes every few seconds would drown the consumer's own log lines

    server = http.server.ThreadingHTTPServer((host, port), Handler)
    threading.Thread(target=server.serve_forever, name="ingest-health", daemon=True).start()
    return server
