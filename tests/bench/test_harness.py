"""`make bench` itself works: every workload runs against a real gunicorn and the JSON has them all.

Very short durations on tiny data; the figures mean nothing here, only that
the harness starts servers, drives wrk, measures and writes its results.
"""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

from harness.server import database_url

ROOT = Path(__file__).resolve().parents[2]
WORKLOADS = {"L", "L3", "L4", "D3", "W0", "W1", "W2", "W3", "W4", "W5", "W1 nocache", "W2 nocache", "W3 nocache"}
WORKLOADS |= {"W4 nocache", "W5 nocache", "W3 small"}

# Committed data (the servers are other processes); the flush afterwards must
# not let post_migrate recreate content types under new ids, hence serialized_rollback.
pytestmark = [pytest.mark.mysql, pytest.mark.slow, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_the_harness_runs_every_workload(tmp_path):
    if connection.vendor != "mysql":
        pytest.skip("the benchmark runs against MariaDB")
    if shutil.which("wrk") is None:
        if os.environ.get("CI"):
            pytest.fail("wrk is not installed: .ci/run installs it")
        pytest.skip("wrk is not installed (make bench installs it)")
    url = database_url()  # the committed test database: the servers are other processes
    command = [sys.executable, "-m", "bench.run", "--database-url", url, "--small-database-url", url]
    command += ["--sensors", "3", "--per-sensor", "200", "--small-sensors", "3", "--small-per-sensor", "200"]
    command += ["--duration", "1", "--warmup", "0", "--soak-requests", "200", "--soak-checkpoint", "50"]
    command += ["--no-check", "--results-dir", str(tmp_path)]
    run = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=180)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    assert "| W3 small |" in run.stdout and "| target | measured | limit | met |" in run.stdout

    summary = json.loads((tmp_path / "latest.json").read_text())
    assert set(summary["workloads"]) == WORKLOADS
    for name, result in summary["workloads"].items():
        assert result["requests"] > 0, name
        assert len(result["runs_rps"]) == 2, (name, result["runs_rps"])  # the default --rounds, interleaved
        assert result["non_2xx_3xx"] == 0 and result["socket_errors"] == 0, (name, result)
        cpu = result["cpu_us_per_request"]
        assert cpu["app"] > 0 and cpu["wrk"] > 0 and (cpu["database"] or 0) >= 0, (name, cpu)
    assert summary["datasets"]["large"] == {"sensors": 3, "readings": 600}
    assert 0 < summary["cold_start"]["seconds"] < 30
    assert summary["buffer_pool_bytes"] >= 2**20  # the server's own: no --buffer-pool-mb
    assert summary["memory"]["final"]["requests"] >= 200
    assert all(0 < size < 500 for size in summary["memory"]["final"]["rss_mb"].values())
    assert {target["name"] for target in summary["targets"]} >= {"W0 / L", "W3 p50 large / small", "W4 / W3", "W5 / W3"}


def test_the_comparison_serves_every_variant(tmp_path):
    """`make bench-compare`: Django's alternatives and a baseline tree answer every workload without an error."""
    if connection.vendor != "mysql" or shutil.which("wrk") is None:
        pytest.skip("the benchmark runs against MariaDB with wrk")
    command = [sys.executable, "-m", "bench.compare", "--database-url", database_url(), "--baseline", str(ROOT)]
    command += ["--sensors", "3", "--per-sensor", "200", "--duration", "1", "--rounds", "1", "--warmup", "1"]
    command += ["--workers", "1", "--results-dir", str(tmp_path)]
    run = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=240)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    [written] = tmp_path.glob("compare-*.json")
    workloads = json.loads(written.read_text())["workloads"]
    assert {"W1 django-cache", "W3 orm", "W3 nocache @base"} <= set(workloads)
    for name, result in workloads.items():
        assert result["requests"] > 0 and result["non_2xx_3xx"] == 0 and result["socket_errors"] == 0, (name, result)
