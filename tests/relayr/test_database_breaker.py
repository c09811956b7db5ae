"""The circuit breaker, for real: gunicorn with 3 workers, MariaDB behind a TCP proxy.

While the database is slow or silent a worker waits for a timeout at most
once per probe interval and answers every other request at once with 503
and Retry-After; when the database answers again the workers find out
within the breaker's longest interval.
"""

import concurrent.futures
import time

import pytest

from tests.assertions import assert_error
from tests.support.metrics import sample_sum
from tests.support.tcp_proxy import BLACKHOLE

pytestmark = [pytest.mark.slow, pytest.mark.mysql, pytest.mark.django_db]

CONNECT_TIMEOUT = READ_TIMEOUT = 1
MAX_INTERVAL = 1.0
SERVER_ENV = {
    "DATABASE_CONNECT_TIMEOUT": CONNECT_TIMEOUT,
    "DATABASE_READ_TIMEOUT": READ_TIMEOUT,
    "DATABASE_BREAKER_MAX_SECONDS": MAX_INTERVAL,
    "API_CACHE_SECONDS": 0,  # every request is uncached: each would need the database
}
WORKERS = 3


@pytest.fixture
def proxy_and_server(proxied_server):
    proxy, server = proxied_server(SERVER_ENV, workers=WORKERS)
    warm_up(server)
    return proxy, server


def warm_up(server):
    """Until every worker has served from the database (a busy machine can miss a first connect)."""
    deadline = time.monotonic() + 20
    served = 0
    while served < 3 * WORKERS:
        assert time.monotonic() < deadline, "the server never answered from the database"
        served = served + 1 if server.get("/api/v1/sensors").status_code == 200 else 0


class Response:
    """What tests.assertions.assert_error reads, from a requests.Response."""

    def __init__(self, response):
        self.status_code, self.content, self.headers = response.status_code, response.content, response.headers

    def __getitem__(self, name):
        return self.headers[name]


def timed(server, path):
    started = time.monotonic()
    response = server.get(path, timeout=30)
    return response, time.monotonic() - started


def test_a_slow_database_answers_32_concurrent_requests_within_one_timeout(proxy_and_server):
    proxy, server = proxy_and_server
    proxy.latency = 3.0
    started = time.monotonic()
    with concurrent.futures.ThreadPoolExecutor(32) as pool:
        results = list(pool.map(lambda n: timed(server, f"/api/v1/sensors?limit={n + 1}"), range(32)))
    total = time.monotonic() - started
    slowest = max(seconds for _, seconds in results)
    print(f"32 concurrent requests, slow database: all answered in {total:.2f} s, slowest {slowest:.2f} s")
    assert total <= CONNECT_TIMEOUT + READ_TIMEOUT + 1, total
    for response, _ in results:
        assert response.status_code == 503
        error = assert_error(Response(response), 503, "database_unavailable")
        assert 0 < error["retry_after_ms"] <= MAX_INTERVAL * 1000
        assert int(response.headers["Retry-After"]) == 1
    proxy.latency = 0
    deadline = time.monotonic() + 5
    while server.get("/api/v1/sensors").status_code != 200:
        assert time.monotonic() < deadline


def test_a_silent_database_costs_one_timeout_per_worker_per_probe_and_recovers_fast(proxy_and_server):
    proxy, server = proxy_and_server
    workers = server.worker_pids()
    proxy.cut(BLACKHOLE)
    outage = 4.0
    durations = []

    def client():
        deadline = time.monotonic() + outage
        while time.monotonic() < deadline:
            response, seconds = timed(server, "/api/v1/sensors")
            assert response.status_code == 503
            durations.append(seconds)

    with concurrent.futures.ThreadPoolExecutor(4) as pool:
        for future in [pool.submit(client) for _ in range(4)]:
            future.result()
    waited = [seconds for seconds in durations if seconds >= CONNECT_TIMEOUT / 2]
    print(f"{len(durations)} requests in {outage} s of silence, {len(waited)} waited for a timeout")
    # A probe waits at most a connect and a read timeout, and the interval after it
    # is at least the breaker's base: so per worker at most one waiting request per
    # (timeout + base) seconds, plus the first.
    assert len(waited) <= WORKERS * (outage / (CONNECT_TIMEOUT + 0.25) + 1), (len(waited), len(durations))
    assert len(durations) > 4 * len(waited), "most requests must not wait"

    metrics = server.get("/metrics").text
    assert sample_sum(metrics, "relayr_database_breaker_opens_total") >= WORKERS
    assert sample_sum(metrics, "relayr_database_breaker_state") >= 1, "some worker's breaker is open"

    proxy.restore()
    restored = time.monotonic()
    while server.get("/api/v1/sensors").status_code != 200:
        assert time.monotonic() - restored < 5
    first_ok = time.monotonic() - restored
    print(f"first 200 {first_ok:.2f} s after the database answered again")
    assert first_ok <= CONNECT_TIMEOUT + MAX_INTERVAL, first_ok
    assert server.worker_pids() == workers


def test_a_statement_error_never_opens_the_breaker(proxy_and_server):
    """Bad SQL is not an outage (the readings walk with a cursor for an unknown sensor is
    a 404, not a database error): only connection-level failures count."""
    _, server = proxy_and_server
    for _ in range(6):
        assert server.get("/api/v1/sensors/999999/readings").status_code == 404
    metrics = server.get("/metrics").text
    assert sample_sum(metrics, "relayr_database_breaker_opens_total") == 0
