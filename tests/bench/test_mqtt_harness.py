"""`make bench-mqtt` itself works, on tiny data (the figures mean nothing here)."""

import json
import os
import subprocess
import sys

import pytest
from django.db import connection

from harness.server import database_url
from tests.bench.test_ingest_harness import ROOT

pytestmark = [pytest.mark.mysql, pytest.mark.slow, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_mqtt_bench_stores_every_published_row(tmp_path):
    """Each sensor's 250 messages go out in three mosquitto_pub runs of at most 100 (bench.mqtt_publish's
    publish_files); the run ends only when every row is stored, so a lost run fails it."""
    if connection.vendor != "mysql":
        pytest.skip("the benchmark runs against MariaDB")
    command = [sys.executable, "-m", "bench.mqtt_ingest", "--rows", "1000", "--lines-per-run", "100"]
    command += ["--latency-rate", "100", "--latency-seconds", "1", "--results-dir", str(tmp_path)]
    env = {**os.environ, "BENCH_MQTT_DATABASE_URL": database_url()}
    run = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    [result] = tmp_path.glob("mqtt-*.json")
    result = json.loads(result.read_text())
    assert result["sustain"]["rows"] == 1000
    assert sum(result["sustain"]["stored_by_consumer"]) >= 1000
    assert result["latency"]["stored"] == result["latency"]["published"] > 0
