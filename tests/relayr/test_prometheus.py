"""A real Prometheus scrapes a 3-worker gunicorn and evaluates the chart's rules and dashboard.

The rules are the chart's PrometheusRule rendered with test-only windows (seconds, not minutes),
never different production defaults. Order matters (one stack per module): healthy first, where
no alert may fire, then the dashboard after traffic, then a database outage through the TCP proxy,
where the database alert must go pending and then firing.
"""

import contextlib
import json
import threading
import time

import pytest
from django.db import connection

from harness.server import GunicornServer, database_url
from tests.chart.rendering import render
from tests.support.metrics import sample_sum
from tests.support.prometheus import JOB, Prometheus, chart_rule_groups
from tests.support.tcp_proxy import TcpProxy

# django_db: so the test database exists when this module runs alone (pytest-django creates it only for tests that ask).
pytestmark = [pytest.mark.slow, pytest.mark.mysql, pytest.mark.django_db]

# The response cache on but short: its panel has hits and misses, and misses still reach the database.
SERVER_ENV = {"DATABASE_CONNECT_TIMEOUT": 1, "DATABASE_READ_TIMEOUT": 1, "API_CACHE_SECONDS": 1}
# Seconds instead of minutes: rates over 10 s of 1 s scrapes; conditions hold 5 s before firing.
TEST_RULES = [
    "metrics.prometheusRule.rateWindow=10s",
    *(
        f"metrics.prometheusRule.for.{name}=5s"
        for name in (
            "high5xxRatio",
            "highLatencyP99",
            "databaseConnectionErrors",
            "degradedMode",
            "targetDown",
            "noReadyPods",
        )
    ),
]
PATHS = ["/api/v1/sensors", "/api/v1/sensors/1", "/api/v1/sensors/1/readings", "/api/v1/sensors/987654"]
REQUESTS = "django_http_requests_total_by_view_transport_method_total"


class Traffic(threading.Thread):
    """Requests to the API's views, about twenty a second, until stopped."""

    def __init__(self, server):
        super().__init__(daemon=True)
        self.server, self.stopped, self.sent = server, threading.Event(), 0

    def run(self):
        while not self.stopped.is_set():
            for path in PATHS:
                with contextlib.suppress(OSError):
                    self.server.get(path, timeout=3)
                self.sent += 1
            self.stopped.wait(0.2)

    def stop(self):
        self.stopped.set()
        self.join(timeout=10)


@pytest.fixture(scope="module")
def stack(request):
    if connection.vendor != "mysql":
        pytest.skip("the outage needs the proxy in front of MariaDB/MySQL")
    request.getfixturevalue("server_database_url")
    settings = connection.settings_dict
    with TcpProxy(settings["HOST"] or "127.0.0.1", settings["PORT"] or 3306) as proxy:
        url = database_url(settings, host=proxy.host, port=proxy.port)
        rules = chart_rule_groups(*TEST_RULES)
        with (
            GunicornServer(url, workers=3, env=SERVER_ENV) as server,
            Prometheus([f"127.0.0.1:{server.port}"], rules) as prometheus,
        ):
            traffic = Traffic(server)
            traffic.start()
            yield proxy, server, prometheus
            traffic.stop()


def test_prometheus_scrapes_the_sum_of_all_workers(stack):
    _, server, prometheus = stack
    assert len(server.worker_pids()) == 3
    prometheus.wait_for(prometheus.targets_up, message="target up")
    for _ in range(30):
        response = server.get("/api/v1/sensors/2")
        assert response.status_code == 200, (response.text, server.output()[-3000:])
    served = sample_sum(server.get("/metrics").text, REQUESTS, view="sensor-detail")

    def scraped():
        [sample] = prometheus.query(f'sum({REQUESTS}{{job="{JOB}", view="sensor-detail"}})') or [None]
        return sample and float(sample["value"][1]) >= served

    prometheus.wait_for(scraped, timeout=15, message=f"{served} sensor-detail requests scraped")


def test_no_alert_fires_while_healthy(stack):
    _, _, prometheus = stack
    # Long enough for every rule to have evaluated over full windows and past every `for`.
    prometheus.wait_for(lambda: prometheus.query("relayr:http_5xx:ratio"), timeout=30, message="ratio recorded")
    time.sleep(12)
    assert prometheus.alerts() == []
    assert [float(s["value"][1]) for s in prometheus.query("relayr:http_5xx:ratio")] == [0.0]


def test_every_dashboard_panel_has_data(stack):
    _, _, prometheus = stack
    [config_map] = [d for d in render("--set", "metrics.grafanaDashboard.enabled=true") if d["kind"] == "ConfigMap"
                    and "grafana_dashboard" in d["metadata"]["labels"]]  # fmt: skip
    dashboard = json.loads(next(iter(config_map["data"].values())))
    variables = {"namespace": "relayr", "job": JOB, "__rate_interval": "10s"}
    empty = []
    for panel in dashboard["panels"]:
        for target in panel.get("targets", []):
            expr = target["expr"]
            for name, value in variables.items():
                expr = expr.replace(f"${name}", value)
            if not prometheus.query(expr):
                empty.append((panel["title"], expr))
    assert dashboard["panels"] and empty == []


def test_a_database_outage_makes_the_database_alert_pending_then_firing(stack):
    proxy, server, prometheus = stack
    proxy.cut()
    try:

        def state():
            alerts = [a for a in prometheus.alerts() if a["labels"]["alertname"] == "RelayrDatabaseConnectionErrors"]
            return alerts and alerts[0]["state"]

        cut = time.monotonic()
        prometheus.wait_for(lambda: state() == "pending", timeout=30, interval=0.2, message="pending")
        pending = time.monotonic() - cut
        prometheus.wait_for(lambda: state() == "firing", timeout=30, interval=0.2, message="firing")
        firing = time.monotonic() - cut
        print(f"database alert pending {pending:.1f} s and firing {firing:.1f} s after the cut")
        assert firing - pending >= 4  # the 5 s `for`, give or take an evaluation
        [alert] = [a for a in prometheus.alerts() if a["labels"]["alertname"] == "RelayrDatabaseConnectionErrors"]
        assert alert["labels"] == {
            "alertname": "RelayrDatabaseConnectionErrors", "severity": "critical", "namespace": "relayr", "job": JOB,
        }  # fmt: skip
        # The scrapes never depended on the database: no pod-down alert.
        fired = {a["labels"]["alertname"] for a in prometheus.alerts()}
        assert not fired & {"RelayrTargetDown", "RelayrNoReadyPods"}, fired
    finally:
        proxy.restore()
    restored = time.monotonic()
    while server.get("/readyz").status_code != 200:
        assert time.monotonic() - restored < 10, "not ready 10 s after the database came back"
        time.sleep(0.2)
