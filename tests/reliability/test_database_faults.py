"""Scenarios 1 and 2: the database unreachable, then slow, behind a TCP proxy.

The app must answer 503 JSON with Retry-After within its database timeouts,
never hang a worker until gunicorn kills it, and serve again by itself
once the network is back, with the same processes.
"""

import math
import time

import pytest

from harness.server import GunicornServer, database_url
from tests.support.tcp_proxy import BLACKHOLE, RESET, TcpProxy

from . import report
from .harness import BREAKER_MAX_SECONDS, READ_TIMEOUT, SERVER_ENV, WORST_DATABASE_WAIT, slowest_request_seconds
from .load import Load

# django_db: pytest-django creates the test database only for sessions with such a test.
pytestmark = [pytest.mark.reliability, pytest.mark.slow, pytest.mark.mysql, pytest.mark.django_db]

OUTAGE_SECONDS = 5
RECOVERY_SECONDS = 2
SETTLE = 0.2  # a request ending this close after a change may have been answered before it


@pytest.fixture
def proxied_server(mysql_settings):
    with TcpProxy(mysql_settings["HOST"] or "127.0.0.1", mysql_settings["PORT"] or 3306) as proxy:
        url = database_url(mysql_settings, host=proxy.host, port=proxy.port)
        with GunicornServer(url, workers=3, env=SERVER_ENV) as server:
            yield proxy, server


def under_fault(server, start_fault, end_fault, seconds, then):
    """Load the server, start the fault, wait ``seconds``, end it, keep loading ``then`` s.

    Returns the load and the monotonic times the fault started and ended.
    """
    with Load(server.base_url, threads=4, pause=0.05) as load:
        time.sleep(1.5)
        started = time.monotonic()
        start_fault()
        time.sleep(seconds)
        ended = time.monotonic()
        end_fault()
        time.sleep(then)
    return load, started, ended


def assert_clean_503s_while(load, started, ended):
    """Fine before the fault, only clean 503s while it lasts, nothing but 2xx or clean 503 at all."""
    assert all(o.ok for o in load.between(0, started)), "failures before the fault"
    # With a black-holed or slow database these are the requests that waited
    # for their timeouts; queued ones may succeed after.
    during = load.answered_between(started + SETTLE, ended)
    assert during and all(o.clean_503 for o in during), [o for o in during if not o.clean_503][:5]
    assert all(o.ok or o.clean_503 for o in load.outcomes), [o for o in load.outcomes if not (o.ok or o.clean_503)][:5]


@pytest.mark.parametrize("mode", [RESET, BLACKHOLE])
def test_database_outage(request, proxied_server, mode):
    proxy, server = proxied_server
    workers = server.worker_pids()
    load, cut_at, restored_at = under_fault(
        server, lambda: proxy.cut(mode), proxy.restore, OUTAGE_SECONDS, then=RECOVERY_SECONDS + 2
    )
    recovery = load.recovery_after(restored_at)
    slowest = slowest_request_seconds(server)
    report.record(
        request,
        f"1. database outage ({mode}, {OUTAGE_SECONDS} s)",
        load.outcomes,
        recovery,
        f"slowest request in the app {slowest:.2f} s",
    )

    assert_clean_503s_while(load, cut_at, restored_at)
    after = load.between(restored_at + RECOVERY_SECONDS, math.inf)
    assert after and all(o.ok for o in after)
    assert recovery <= RECOVERY_SECONDS
    assert slowest <= WORST_DATABASE_WAIT
    assert server.worker_pids() == workers, "a worker was killed or replaced"


def test_slow_database(request, proxied_server):
    latency = 3.0
    proxy, server = proxied_server
    workers = server.worker_pids()

    def slow_down():
        proxy.latency = latency

    def speed_up():
        proxy.latency = 0.0

    load, slowed_at, fixed_at = under_fault(server, slow_down, speed_up, 8, then=WORST_DATABASE_WAIT + 2)
    recovery = load.recovery_after(fixed_at)
    slowest = slowest_request_seconds(server)
    report.record(
        request,
        f"2. slow database (+{latency:.0f} s a packet)",
        load.outcomes,
        recovery,
        f"slowest request in the app {slowest:.2f} s (read timeout {SERVER_ENV['DATABASE_READ_TIMEOUT']} s)",
    )

    assert_clean_503s_while(load, slowed_at, fixed_at)
    assert slowest <= WORST_DATABASE_WAIT, "a request waited on the database longer than its timeouts"
    # A probe in flight when the latency goes still ends by its timeout, and its worker's
    # circuit breaker then waits at most its longest interval before the next probe.
    assert recovery <= READ_TIMEOUT + BREAKER_MAX_SECONDS + SETTLE
    assert all(o.ok for o in load.between(fixed_at + READ_TIMEOUT + BREAKER_MAX_SECONDS + SETTLE, math.inf))
    assert server.worker_pids() == workers, "gunicorn killed a worker stuck on the database"
