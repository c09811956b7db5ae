"""Scenario 5: the database server itself stopped and started under load, its data intact.

It restarts only the server the app is pointed at: the process listening on
the configured port, when it is this machine's MariaDB or the MySQL of
.ci/mysql.sh (tests.support.database_server); any other is refused (skipped,
with the reason). The server is ALWAYS started again (try/finally): run it
only where nothing else needs the server meanwhile
(RELAYR_SKIP_MARIADB_RESTART=1 skips it on MariaDB).
"""

import math
import os
import time

import pytest
from django.db import connection

from harness.server import GunicornServer, database_url
from tests.support.database_server import Refused, local_server

from . import report
from .harness import SERVER_ENV, walk_api
from .load import Load

# django_db: pytest-django creates the test database only for sessions with such a test.
pytestmark = [pytest.mark.reliability, pytest.mark.slow, pytest.mark.mysql, pytest.mark.django_db]

RECOVERY_SECONDS = 2


@pytest.fixture
def database_server(mysql_settings):
    try:
        server = local_server(mysql_settings)
    except Refused as exc:
        pytest.skip(f"refusing to restart the database: {exc}")
    if server.kind == "mariadb" and os.environ.get("RELAYR_SKIP_MARIADB_RESTART"):
        pytest.skip("RELAYR_SKIP_MARIADB_RESTART is set")
    try:
        yield server
    finally:
        server.start()
        # This process's own connection died with the server; Django then skips the test's rollback.
        connection.close()


def test_database_restarted(request, mysql_settings, committed_readings, database_server):
    with GunicornServer(database_url(mysql_settings), workers=3, env=SERVER_ENV) as server:
        workers = server.worker_pids()
        before = walk_api(server)
        with Load(server.base_url, threads=3, pause=0.05) as load:
            time.sleep(1.5)
            stopped_at = time.monotonic()
            try:
                database_server.stop()
            finally:
                database_server.start()
            back_at = time.monotonic()
            time.sleep(RECOVERY_SECONDS + 2)
        after = walk_api(server)
        workers_after = server.worker_pids()
        recovery = load.recovery_after(back_at)
        report.record(
            request,
            f"5. {database_server.name} restarted",
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
