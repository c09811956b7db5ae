"""A real outage: a TCP proxy between gunicorn and MariaDB is cut and restored.

API and admin answer 503 JSON promptly, /livez stays 200, /readyz/local
turns 503 (/readyz says "degraded": there is no peer to compare with), and
the same workers serve again once the database is back.
"""

import json
import time

import pytest

from tests.assertions import assert_error
from tests.support.metrics import sample_sum
from tests.support.tcp_proxy import BLACKHOLE

# django_db: the server must read the test database, not the one DATABASE_URL names.
pytestmark = [pytest.mark.slow, pytest.mark.django_db]

# Short timeouts, and no per-worker response cache answering from memory.
SERVER_ENV = {
    "DATABASE_CONNECT_TIMEOUT": 1,
    "DATABASE_READ_TIMEOUT": 1,
    "DATABASE_BREAKER_MAX_SECONDS": 1,
    "API_CACHE_SECONDS": 0,
}
API = "/api/v1/sensors"


@pytest.fixture
def proxy_and_server(proxied_server):
    proxy, server = proxied_server(SERVER_ENV)
    for _ in range(9):  # every worker holds a database connection
        assert server.get(API).status_code == 200
    return proxy, server


class Response:
    """The bits of a requests.Response the shared assert_error helper reads."""

    def __init__(self, response):
        self.status_code = response.status_code
        self.content = response.content
        self.headers = response.headers

    def __getitem__(self, name):
        return self.headers[name]


def timed_get(server, path, **kwargs):
    started = time.monotonic()
    response = server.get(path, **kwargs)
    return response, time.monotonic() - started


def test_a_reset_database_gives_prompt_503s_and_recovers_without_restart(proxy_and_server):
    proxy, server = proxy_and_server
    workers = server.worker_pids()
    proxy.cut()

    for _ in range(6):
        response, seconds = timed_get(server, API)
        assert_error(Response(response), 503, "database_unavailable")
        assert response.headers["Retry-After"] == "1"
        assert seconds < 1, seconds
    assert server.get("/livez").status_code == 200
    # With no peers to compare with, the outage counts as shared: the instance stays
    # in the Service (tests/relayr/test_readiness_peers.py has the case with peers).
    for probe in ("/readyz", "/healthz"):
        body = server.get(probe).json()
        assert body["status"] == "degraded" and body["checks"]["peers"] == "none configured", body
    body = server.get("/readyz/local").json()
    assert body["error"]["code"] == "not_ready" and body["checks"]["migrations"] == "skipped", body
    admin = server.get("/admin/", cookies={"sessionid": "x" * 32})
    assert_error(Response(admin), 503, "database_unavailable")

    proxy.restore()
    restored = time.monotonic()
    while server.get(API).status_code != 200:
        assert time.monotonic() - restored < 5, "no recovery within 5 s"
    print(f"first 200 {time.monotonic() - restored:.3f} s after the database came back")
    # Every worker's breaker lets a probe through within its longest interval.
    time.sleep(float(SERVER_ENV["DATABASE_BREAKER_MAX_SECONDS"]))
    assert all(server.get(API).status_code == 200 for _ in range(9))
    assert server.get("/readyz").status_code == 200
    assert server.worker_pids() == workers, "workers were replaced"
    metrics = server.get("/metrics").text
    # A worker that met the outage tried once; its circuit breaker answered its later requests
    # without trying until its interval ended (which workers the six reached is up to the kernel).
    errors = sample_sum(metrics, "django_db_new_connection_errors_total")
    opens = sample_sum(metrics, "relayr_database_breaker_opens_total")
    assert 1 <= errors <= 6 and 1 <= opens <= 6, (errors, opens)

    warnings = [json.loads(line) for line in server.stdout_lines() if '"database unavailable"' in line]
    assert any("Traceback" in entry.get("exception", "") for entry in warnings), warnings


def test_a_silent_database_is_bounded_by_the_timeouts(proxy_and_server):
    proxy, server = proxy_and_server
    workers = server.worker_pids()
    proxy.cut(BLACKHOLE)
    for _ in range(2):
        response, seconds = timed_get(server, API)
        assert response.status_code == 503
        # A health check ping (read timeout) then a reconnect (connect timeout), plus slack.
        assert seconds < 4, seconds
    proxy.restore()
    # A worker whose circuit breaker is open asks again within its longest interval.
    deadline = time.monotonic() + float(SERVER_ENV["DATABASE_BREAKER_MAX_SECONDS"]) + 2
    while server.get(API).status_code != 200:
        assert time.monotonic() < deadline, "no recovery"
    assert server.worker_pids() == workers
