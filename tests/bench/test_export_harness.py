"""`make bench-export` itself works, on tiny data (the figures mean nothing here)."""

import shutil

import pytest

from tests.bench.test_ingest_harness import bench

pytestmark = [pytest.mark.mysql, pytest.mark.slow, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_export_bench_reads_the_same_rows_both_ways(tmp_path):
    if shutil.which("mariadb") is None and shutil.which("mysql") is None:
        pytest.skip("the mariadb client is not installed")
    out, result = bench("bench.export", "--rows", "3000", "--rounds", "1", "--no-check", results=tmp_path)
    assert "relayr's CSV export runs at" in out
    assert result["rows"] == 3000
    assert len(result["runs_seconds"]["mariadb_client"]) == len(result["runs_seconds"]["relayr_csv"]) == 1
    assert result["ratio"] > 0
