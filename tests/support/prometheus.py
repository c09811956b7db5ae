"""A real Prometheus (Debian's package) scraping a test server, and the chart's rules for it.

    with Prometheus(targets=[f"127.0.0.1:{server.port}"], rules=rule_groups) as prometheus:
        prometheus.wait_for_scrapes(2)
        prometheus.query('sum(rate(django_http_requests_total_by_view_transport_method_total[10s]))')
        prometheus.alerts()                       # [{"labels": {...}, "state": "pending"|"firing"}, ...]

It listens on a free port of 127.0.0.1 with its own temporary data directory, scrapes every
second and evaluates rules every second; the test stops it (SIGTERM) and removes the directory.
"""

import contextlib
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import requests
import yaml

from harness.server import free_port
from tests.chart.rendering import NAMESPACE, RELEASE, render

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


class Prometheus:
    def __init__(self, targets, rules=(), interval="1s"):
        self.targets, self.rules, self.interval = list(targets), list(rules), interval
        self.process = None

    def start(self):
        self.workdir = Path(tempfile.mkdtemp(prefix="relayr-prometheus-"))
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
        self._log = open(self.workdir / "prometheus.log", "wb")  # noqa: SIM115 - closed in stop()
        self.process = subprocess.Popen(
            [
                PROMETHEUS,
                f"--config.file={self.workdir / 'prometheus.yml'}",
                f"--storage.tsdb.path={self.workdir / 'data'}",
                f"--web.listen-address=127.0.0.1:{self.port}",
                "--web.enable-lifecycle",
            ],
            stdout=self._log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            self._wait_until_ready()
        except BaseException:
            self.stop()
            raise
        return self

    def _wait_until_ready(self, timeout=30):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"prometheus exited with {self.process.returncode}:\n{self.output()}")
            with contextlib.suppress(requests.RequestException):
                if requests.get(self.base_url + "/-/ready", timeout=2).status_code == 200:
                    return
            time.sleep(0.2)
        raise TimeoutError(f"prometheus not ready after {timeout} s:\n{self.output()}")

    def stop(self):
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=5)
        self._log.close()
        shutil.rmtree(self.workdir, ignore_errors=True)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    def output(self):
        self._log.flush()
        return (self.workdir / "prometheus.log").read_text(errors="replace")

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
