"""Scenarios 3 and 4: a worker killed, then the whole server stopped, under load.

A killed worker costs only the request it had in flight (a sync worker
serves one at a time) and the metrics still count every response; a SIGTERM
lets every request in flight finish, refuses new connections and exits
within the graceful timeout.
"""

import signal
import time

import pytest

from harness.server import GunicornServer, database_url
from tests.support.metrics import sample_sum
from tests.support.tcp_proxy import TcpProxy

from . import report
from .harness import SERVER_ENV, request_lines
from .load import Load

# django_db: pytest-django creates the test database only for sessions with such a test.
pytestmark = [pytest.mark.reliability, pytest.mark.slow, pytest.mark.mysql, pytest.mark.django_db]

RESPONSES = "django_http_responses_total_by_status_view_method_total"
GRACEFUL_TIMEOUT = 10


def counted_2xx(server):
    text = server.get("/metrics").text
    return sum(sample_sum(text, RESPONSES, status=str(status)) for status in (200, 204))


def test_worker_killed(request, mysql_settings):
    with GunicornServer(database_url(mysql_settings), workers=3, env=SERVER_ENV) as server:
        with Load(server.base_url, threads=4, pause=0.02) as load:
            time.sleep(1.5)
            killed_at = time.monotonic()
            killed = server.kill_worker()
            replacements = server.wait_for_workers(exclude=[killed], timeout=15)
            replaced_at = time.monotonic()
            time.sleep(2)
        scrapes = [counted_2xx(server) for _ in range(6)]  # each scrape lands on any worker
        ok = sum(o.ok for o in load.outcomes)
        failed = [o for o in load.outcomes if not o.ok]
        recovery = max([replaced_at, *(o.finished for o in failed)]) - killed_at
        report.record(
            request,
            "3. worker SIGKILLed",
            load.outcomes,
            recovery,
            f"replaced in {replaced_at - killed_at:.2f} s; metrics count {scrapes[0]:.0f} 2xx, clients got {ok}",
        )

    # A sync worker has at most one request in flight: that one may be lost, nothing else.
    assert len(failed) <= 1, failed
    assert all(o.failure for o in failed), "the app answered an error instead of the dead worker's connection closing"
    assert killed not in replacements and len(replacements) == 3
    # Every scrape agrees, and counts every 2xx clients received, the dead worker's included
    # (plus at most the one response it counted but never sent).
    assert len(set(scrapes)) == 1, scrapes
    assert ok <= scrapes[0] <= ok + len(failed), (scrapes[0], ok)


def test_graceful_shutdown(request, mysql_settings):
    # 30 ms a packet stretches every request to a tenth of a second or more,
    # so the signal always finds requests in flight.
    with TcpProxy(mysql_settings["HOST"] or "127.0.0.1", mysql_settings["PORT"] or 3306) as proxy:
        url = database_url(mysql_settings, host=proxy.host, port=proxy.port)
        env = {**SERVER_ENV, "GUNICORN_GRACEFUL_TIMEOUT": GRACEFUL_TIMEOUT}
        server = GunicornServer(url, workers=3, env=env).start()
        try:
            for _ in range(6):  # every worker connects before the packets slow down
                server.get("/api/v1/sensors")
            proxy.latency = 0.03
            with Load(server.base_url, threads=4, pause=0.05) as load:
                time.sleep(1.5)
                signalled_at = time.monotonic()
                server.process.send_signal(signal.SIGTERM)
                exit_code = server.process.wait(timeout=GRACEFUL_TIMEOUT + 5)
                exited_at = time.monotonic()
                time.sleep(0.5)  # new connections meanwhile must be refused
            began = {entry.get("request_id") for entry in request_lines(server)}
        finally:
            server.stop()
            server.cleanup()
    reached_app = [o for o in load.outcomes if o.request_id in began]
    in_flight = [o for o in reached_app if o.started < signalled_at < o.finished]
    turned_away = [o for o in load.outcomes if o.request_id not in began]
    refused = [o for o in turned_away if o.refused]
    unclean = [o for o in reached_app if not o.ok] + [o for o in turned_away if o.status is not None]
    report.record(
        request,
        "4. SIGTERM to the master",
        load.outcomes,
        exited_at - signalled_at,
        f"{len(in_flight)} in flight at the signal, all answered; {len(turned_away)} never reached the app "
        f"({len(refused)} refused, {len(turned_away) - len(refused)} reset in the listen backlog); exit {exit_code}",
        other=len(unclean),
    )

    assert exit_code == 0
    assert exited_at - signalled_at < GRACEFUL_TIMEOUT
    assert in_flight, "the signal found no request in flight"
    # Every request the app began, it finished and the client received.
    assert not unclean, unclean
    # The others failed to connect or were reset unread: safe to retry elsewhere.
    assert all(o.failure for o in turned_away)
    assert refused, "nothing tried to connect after the listener closed"
