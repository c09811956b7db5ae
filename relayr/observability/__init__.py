"""Probes, metrics and logs: what Kubernetes, Prometheus and the log pipeline see.

- ``middleware``: near the top of MIDDLEWARE; serves the probes and /metrics ahead
  of host validation, gives every request an id and writes its JSON log line.
- ``request_metrics``: the per-view request series.
- ``probes``: /livez, /readyz (= /healthz) views and the checks behind them.
- ``metrics``: the /metrics view, merged across gunicorn workers.
- ``logs``: the JSON log formatter (used by Django and by gunicorn).
- ``multiprocess``: gunicorn hooks' helpers for the metrics directory.

``logs`` and ``multiprocess`` import nothing from Django: gunicorn's master
loads them before any worker imports the app.
"""
