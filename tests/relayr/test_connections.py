"""The connection contract (relayr.db.connections) on MariaDB, through a real
gunicorn: health-check pings only for idle connections (the first test fails
without the skip), and an API read survives a connection dropped inside the
window (the second fails without the retry)."""

import time

import pytest
from django.db import connection

from harness.server import GunicornServer
from relayr.db.connections import ALIVE_BYPASS_SECONDS

pytestmark = [pytest.mark.slow, pytest.mark.django_db]
API = "/api/v1/sensors/1"


@pytest.fixture
def server(server_database_url):
    if connection.vendor != "mysql":
        pytest.skip("the MySQL backend")
    with GunicornServer(server_database_url, workers=1, env={"API_CACHE_SECONDS": 0}) as server:
        assert server.get(API).status_code == 200, server.output()[-3000:]
        yield server


def pings():
    """Server-wide COM_PING count (MariaDB counts a ping as an admin command)."""
    with connection.cursor() as cursor:
        cursor.execute("SHOW GLOBAL STATUS LIKE 'Com_admin_commands'")
        return int(cursor.fetchone()[1])


def worker_connection_ids():
    with connection.cursor() as cursor:
        cursor.execute("SELECT id FROM information_schema.processlist WHERE db = DATABASE() AND id <> CONNECTION_ID()")
        return [row[0] for row in cursor.fetchall()]


def test_a_busy_connection_is_not_pinged_an_idle_one_is(server):
    before = pings()
    for _ in range(20):
        assert server.get(API).status_code == 200
    assert pings() - before == 0
    time.sleep(ALIVE_BYPASS_SECONDS + 0.2)
    before = pings()
    assert server.get(API).status_code == 200
    assert pings() - before == 1


def test_a_read_on_a_connection_the_server_dropped_is_retried(server):
    [killed] = worker_connection_ids()
    with connection.cursor() as cursor:
        cursor.execute(f"KILL CONNECTION {int(killed)}")
    response = server.get(API)  # at once: inside the window, no ping would catch it
    assert response.status_code == 200, response.text
    assert response.json()["id"] == 1
    [replacement] = worker_connection_ids()
    assert replacement != killed
