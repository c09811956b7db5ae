"""A real Prometheus (Debian's package) scraping a test server, and the chart's rules for it.

    with Prometheus(targets=[f"127.0.0.1:{server.port}"], rules=rule_groups) as prometheus:
        prometheus.wait_for_scrapes(2)
        prometheus.query('sum(rate(django_http_requests_total_by_view_transport_method_total[10s]))')
        prometheus.alerts()                       # [{"labels": {...}, "state": "pending"|"firing"}, ...]

It listens on a free port of 127.0.0.1 with its own temporary data directory, scrapes every
second and evaluates rules every second; the test stops it (SIGTERM) and removes the directory.
"""

import shutil
import time

import requests
import yaml

from harness.server import free_port, wait_until_ready
from tests.chart.rendering import NAMESPACE, RELEASE, render

from .daemon import Daemon

PROMETHEUS = shutil.which("prometheus") or "/usr/bin/prometheus"
PROMTOOL = shutil.which("promtool") or "/usr/bin/promtool"
# The job and namespace labels a ServiceMonitor gives the chart's scrapes: the Service's name
# and the release's namespace, which the rules select on.
JOB = f"{RELEASE}-relayr"


def chart_rule_groups(*values):
    """spec.groups of the chart's PrometheusRule rendered with extra `--set` values."""
    args = ["--set", "metrics.prometheusRule.enabled=true"]
    for value in values:
        args += ["--set", value]
    [rule] = [doc for doc in render(*args) if doc["kind"] == "PrometheusRule"]
    return rule["spec"]["groups"]


class Prometheus(Daemon):
    name = "prometheus"
    stop_timeout = 20

    def __init__(self, targets, rules=(), interval="1s"):
        self.targets, self.rules, self.interval = list(targets), list(rules), interval

    def start(self):
        self.make_workdir()
        (self.workdir / "rules.yaml").write_text(yaml.safe_dump({"groups": self.rules}))
        config = {
            "global": {"scrape_interval": self.interval, "evaluation_interval": self.interval},
            "rule_files": [str(self.workdir / "rules.yaml")],
            "scrape_configs": [
                {
                    "job_name": JOB,
                    "metrics_path": "/metrics",
                    "static_configs": [{"targets": self.targets, "labels": {"namespace": NAMESPACE}}],
                }
            ],
        }
        (self.workdir / "prometheus.yml").write_text(yaml.safe_dump(config))
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.spawn(
            [
                PROMETHEUS,
                f"--config.file={self.workdir / 'prometheus.yml'}",
                f"--storage.tsdb.path={self.workdir / 'data'}",
                f"--web.listen-address=127.0.0.1:{self.port}",
                "--web.enable-lifecycle",
            ]
        )
        try:
            self._wait_until_ready()
        except BaseException:
            self.stop()
            raise
        return self

    def _wait_until_ready(self, timeout=30):
        def ready():
            return requests.get(self.base_url + "/-/ready", timeout=2).status_code == 200

        wait_until_ready("prometheus", self.process, ready, timeout, self.output)

    def api(self, path, **params):
        response = requests.get(f"{self.base_url}/api/v1/{path}", params=params, timeout=10)
        body = response.json()
        assert body["status"] == "success", body
        return body["data"]

    def query(self, expr):
        """The instant vector (or scalar) for ``expr`` now: a list of {"metric", "value"}."""
        return self.api("query", query=expr)["result"]

    def alerts(self):
        return self.api("alerts")["alerts"]

    def targets_up(self):
        return [t for t in self.api("targets")["activeTargets"] if t["health"] == "up"]

    def wait_for(self, condition, timeout=60, interval=0.5, message="condition"):
        """Poll ``condition()`` until it returns something truthy; return that."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            result = condition()
            if result:
                return result
            time.sleep(interval)
        raise TimeoutError(f"{message} not met after {timeout} s; alerts: {self.alerts()}")
