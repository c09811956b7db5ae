"""Scenario 5: MariaDB itself stopped and started under load, its data intact.

It stops the local server with `mariadb-admin shutdown` and starts it again
the way .ci/run does, ALWAYS restoring it (try/finally): run it only where
nothing else needs the server meanwhile (RELAYR_SKIP_MARIADB_RESTART=1 skips it).
"""

import math
import os
import shutil
import subprocess
import time
from pathlib import Path

import pytest
from django.db import connection

from tests.support.server import GunicornServer, database_url

from . import report
from .harness import SERVER_ENV, walk_api
from .load import Load

# django_db: pytest-django creates the test database only for sessions with such a test.
pytestmark = [pytest.mark.reliability, pytest.mark.slow, pytest.mark.mysql, pytest.mark.django_db]

MARIADBD = "/usr/sbin/mariadbd"
RECOVERY_SECONDS = 2


def mariadb_answers():
    ping = ["mariadb-admin", "--protocol=socket", "-uroot", "ping"]
    return subprocess.run(ping, capture_output=True, timeout=10).returncode == 0


def mariadbd_running():
    return subprocess.run(["pgrep", "-x", "mariadbd"], capture_output=True).returncode == 0


def wait_until(condition, timeout):
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError(f"{condition.__name__} still false after {timeout} s")
        time.sleep(0.1)


def start_mariadb():
    Path("/run/mysqld").mkdir(parents=True, exist_ok=True)
    shutil.chown("/run/mysqld", "mysql")
    subprocess.run(
        ["start-stop-daemon", "--start", "--oknodo", "--background", "--exec", MARIADBD, "--", "--user=mysql"],
        check=True,
        timeout=30,
    )
    wait_until(mariadb_answers, 60)


@pytest.fixture
def local_mariadb(mysql_settings):
    if os.environ.get("RELAYR_SKIP_MARIADB_RESTART"):
        pytest.skip("RELAYR_SKIP_MARIADB_RESTART is set")
    local = (mysql_settings["HOST"] or "127.0.0.1") in ("127.0.0.1", "localhost")
    if not (local and os.geteuid() == 0 and Path(MARIADBD).exists() and mariadb_answers()):
        pytest.skip("needs a local MariaDB this user can stop and start (root, socket access)")
    try:
        yield
    finally:
        if not mariadb_answers():
            start_mariadb()
        # This process's own connection died with the server; Django then skips the test's rollback.
        connection.close()


def test_database_restarted(request, mysql_settings, committed_readings, local_mariadb):
    with GunicornServer(database_url(mysql_settings), workers=3, env=SERVER_ENV) as server:
        workers = server.worker_pids()
        before = walk_api(server)
        with Load(server.base_url, threads=3, pause=0.05) as load:
            time.sleep(1.5)
            stopped_at = time.monotonic()
            try:
                subprocess.run(["mariadb-admin", "--protocol=socket", "-uroot", "shutdown"], check=True, timeout=60)
                wait_until(lambda: not mariadbd_running(), 30)
            finally:
                start_mariadb()
            back_at = time.monotonic()
            time.sleep(RECOVERY_SECONDS + 2)
        after = walk_api(server)
        workers_after = server.worker_pids()
        recovery = load.recovery_after(back_at)
        report.record(
            request,
            "5. MariaDB restarted",
            load.outcomes,
            recovery,
            f"down {back_at - stopped_at:.1f} s; {sum(len(page) for page in before)} rows walked, identical after",
        )

    assert all(o.ok for o in load.between(0, stopped_at))
    assert all(o.ok or o.clean_503 for o in load.outcomes), [o for o in load.outcomes if not (o.ok or o.clean_503)]
    assert any(o.clean_503 for o in load.outcomes), "the restart went unnoticed: was it the server the app uses?"
    assert recovery <= RECOVERY_SECONDS
    assert all(o.ok for o in load.between(back_at + RECOVERY_SECONDS, math.inf))
    assert after == before
    assert workers_after == workers, "the app needed new workers"
