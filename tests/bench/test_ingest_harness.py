"""`make bench-ingest` and `make bench-prune` themselves work, on tiny data (the figures mean nothing here)."""

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

pytestmark = [pytest.mark.mysql, pytest.mark.slow, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def bench(module, *args, results):
    if connection.vendor != "mysql":
        pytest.skip("the benchmark runs against MariaDB")
    command = [sys.executable, "-m", module, "--database-url", database_url(), *args, "--results-dir", str(results)]
    run = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    [result] = results.glob("*.json")
    return run.stdout, json.loads(result.read_text())


def test_ingest_bench_loads_the_same_rows_both_ways(tmp_path):
    if connection.vendor == "mysql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT @@local_infile")
            if not cursor.fetchone()[0]:
                pytest.skip("the server refuses LOAD DATA LOCAL INFILE (MySQL's default; MariaDB allows it)")
    out, result = bench("bench.ingest", "--rows", "3000", "--rounds", "1", "--no-check", results=tmp_path)
    assert "import_readings runs at" in out
    assert len(result["runs_seconds"]["load_data"]) == len(result["runs_seconds"]["import_readings"]) == 1
    assert result["ratio"] > 0


def test_prune_bench_measures_w3_alone_and_while_pruning(tmp_path):
    if shutil.which("wrk") is None:
        if os.environ.get("CI"):
            pytest.fail("wrk is not installed: .ci/run installs it")
        pytest.skip("wrk is not installed (make bench installs it)")
    args = ["--sensors", "3", "--per-sensor", "300", "--duration", "2", "--rounds", "1", "--warmup", "0", "--no-check"]
    out, result = bench("bench.prune", *args, results=tmp_path)
    assert "p99 while pruning is" in out
    for side in ("alone", "pruning"):
        assert result[side]["requests"] > 0 and result[side]["non_2xx_3xx"] == 0, result[side]
    assert result["prune"][0]["deleted"] >= 0  # tiny data: the prune may be done before wrk starts
