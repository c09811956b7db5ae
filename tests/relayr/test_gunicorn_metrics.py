"""/metrics under gunicorn: every scrape reports every worker, dead ones included."""

import os
import socket
import subprocess
import sys

import pytest

from harness.server import BASE_DIR, SECRET_KEY, GunicornServer
from tests.support.metrics import sample_sum

pytestmark = pytest.mark.slow

REQUESTS = "django_http_requests_total_by_view_transport_method_total"


def counted(server):
    return sample_sum(server.get("/metrics").text, REQUESTS, view="sensor-list")


def metric_files(server):
    return sorted(path.name for path in server.metrics_dir.glob("*.db"))


def test_request_counter_is_exact_on_every_scrape_and_survives_a_killed_worker(server_database_url):
    with GunicornServer(server_database_url, workers=3) as server:
        for _ in range(30):
            assert server.get("/api/v1/sensors").status_code == 200
        assert [counted(server) for _ in range(6)] == [30] * 6

        before = server.worker_pids()
        killed = server.kill_worker(before[0])
        after = server.wait_for_workers(exclude=[killed])
        assert [counted(server) for _ in range(6)] == [30] * 6, (before, after)

        for _ in range(9):
            server.get("/api/v1/sensors")
        assert [counted(server) for _ in range(3)] == [39] * 3
        assert f"counter_{killed}.db" not in metric_files(server)


def test_recycled_workers_leave_no_files_and_lose_no_counts(server_database_url):
    # Each worker exits after 10 or 11 requests: a few recycles each.
    with GunicornServer(server_database_url, workers=2, env={"GUNICORN_MAX_REQUESTS": 10}) as server:
        for _ in range(40):
            assert server.get("/api/v1/sensors").status_code == 200
        server.wait_for_workers()
        # 40 requests, at most 11 per worker's life: three recycles at least.
        assert server.output().count("Autorestarting worker") >= 3
        assert counted(server) == 40
        per_process = [name for name in metric_files(server) if not name.endswith("_archive.db")]
        # At most a counter, a histogram and a per-process gauge file (the circuit
        # breaker's state) per live worker, whatever the recycles.
        assert len(per_process) <= 3 * 2, metric_files(server)


def test_the_metrics_directory_is_emptied_at_start(server_database_url, tmp_path):
    stale = tmp_path / "counter_999999.db"
    stale.write_bytes(b"\0" * 8)
    with GunicornServer(server_database_url, workers=1, env={"PROMETHEUS_MULTIPROC_DIR": tmp_path}) as server:
        assert not stale.exists()
        assert server.get("/metrics").status_code == 200


def test_metrics_work_without_a_metrics_dir_as_make_run_starts_them(server_database_url, tmp_path):
    """`make run` leaves PROMETHEUS_MULTIPROC_DIR unset: the config makes its own, before
    prometheus_client is imported, so the three workers' counts all reach /metrics."""
    env = {"PROMETHEUS_MULTIPROC_DIR": None, "TMPDIR": tmp_path}
    with GunicornServer(server_database_url, workers=3, env=env) as server:
        for _ in range(30):
            assert server.get("/api/v1/sensors").status_code == 200
        text = server.get("/metrics").text
        assert sample_sum(text, REQUESTS, view="sensor-list") == 30
        assert sample_sum(text, "django_http_requests_latency_including_middlewares_seconds_count") >= 30
        [made] = tmp_path.glob("relayr-prometheus-*")
        writers = {path.name.split("_")[-1].removesuffix(".db") for path in made.glob("counter_*.db")}
        # Which workers the kernel hands 30 sequential requests to is its choice (one may get none).
        assert writers & {str(pid) for pid in server.worker_pids()}, writers
    assert not list(tmp_path.glob("relayr-prometheus-*"))


def test_a_taken_port_stops_gunicorn_and_leaves_no_metrics_dir(server_database_url, tmp_path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "relayr.settings.prod",
            "DJANGO_SECRET_KEY": SECRET_KEY,
            "DATABASE_URL": server_database_url,
            "HOST": "127.0.0.1",
            "PORT": str(taken.getsockname()[1]),
            "TMPDIR": str(tmp_path),
        }
        env.pop("PROMETHEUS_MULTIPROC_DIR", None)
        result = subprocess.run(
            [sys.executable, "-m", "gunicorn", "--config", "relayr/gunicorn.conf.py"],
            cwd=BASE_DIR,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
    assert result.returncode != 0
    assert "Address already in use" in result.stdout + result.stderr
    assert not list(tmp_path.glob("relayr-prometheus-*"))
