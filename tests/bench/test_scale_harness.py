"""`make bench-scale` itself works: every workload at every size, the disk and insert figures, the buffer pool put back.

Tiny sizes and durations; the figures mean nothing here, only that the
harness fills its databases, serves each, drives wrk and writes its results.
"""

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

from bench import dataset
from harness.server import database_url

ROOT = Path(__file__).resolve().parents[2]
SIZES = (200, 400)

pytestmark = [pytest.mark.mysql, pytest.mark.slow, pytest.mark.django_db]


@pytest.fixture(autouse=True)
def mariadb():
    """bench-scale fills its databases with MariaDB's sequence engine; SQLite and MySQL skip."""
    if connection.vendor != "mysql" or not connection.mysql_is_mariadb:
        pytest.skip("bench-scale runs against MariaDB")


@pytest.fixture
def scale_url(mariadb):
    """A URL template for the sizes' own databases, dropped afterwards."""
    url = database_url().rsplit("/", 1)[0] + "/test_relayr_scale_{size}"
    yield url
    server, _ = dataset.connect(url.format(size=0), database=False)
    with server, server.cursor() as cursor:
        for size in SIZES:
            cursor.execute(f"DROP DATABASE IF EXISTS test_relayr_scale_{size}")


def pool_bytes(cursor):
    cursor.execute("SELECT @@innodb_buffer_pool_size")
    return cursor.fetchone()[0]


def test_the_scale_harness_runs_every_workload_at_every_size(tmp_path, scale_url):
    if shutil.which("wrk") is None:
        pytest.skip("the benchmark runs against MariaDB with wrk")
    with connection.cursor() as cursor:
        before = pool_bytes(cursor)
    command = [sys.executable, "-m", "bench.scale", "--database-url", scale_url, "--sizes", ",".join(map(str, SIZES))]
    command += ["--duration", "1", "--rounds", "1", "--warmup", "0", "--workers", "1"]
    command += ["--results-dir", str(tmp_path)]
    run = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]

    summary = json.loads((tmp_path / "scale-latest.json").read_text())
    assert summary["buffer_pool_bytes"] == before
    for name in ("W3", "A1h", "A15m"):
        for size in map(str, SIZES):
            result = summary["nocache"][name][size]
            assert result["requests"] > 0 and result["non_2xx_3xx"] == 0 and result["socket_errors"] == 0, (name, size)
    assert [summary["disk"][str(size)]["readings"] for size in SIZES] == list(SIZES)
    assert summary["index_cost"]["us_per_row"]["all indexes"] > 0


def test_buffer_pool_mb_sets_the_pool_for_the_run_and_puts_it_back():
    """As root (make bench-scale on a developer's server) the pool changes and comes back;
    a user without the privilege (CI's) gets one line saying so, and nothing changes."""
    with connection.cursor() as cursor:
        before = pool_bytes(cursor)
    try:
        with dataset.buffer_pool(database_url(), 256, log=lambda line: None) as size, connection.cursor() as cursor:
            assert pool_bytes(cursor) == size == 256 * 2**20
    except SystemExit as refused:
        assert "may not SET GLOBAL innodb_buffer_pool_size" in str(refused)
    with connection.cursor() as cursor:
        assert pool_bytes(cursor) == before
