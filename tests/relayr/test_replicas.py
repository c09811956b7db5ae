"""Read replicas, for real: a MariaDB primary, a GTID replica of it and gunicorn.

The API's reads go to the replica (its Com_select climbs, the primary's does
not); everything else goes to the primary. A replica that stops replicating,
falls behind, or dies under load is skipped without a failed request, and is
used again once it is back and current.
"""

import re
import time

import pytest
import requests
from django.db import connection

from harness.server import GunicornServer
from tests.reliability.load import DATABASE_PATHS, Load
from tests.support import replication
from tests.support.processes import run_django

pytestmark = [pytest.mark.slow, pytest.mark.mysql, pytest.mark.django_db]

MAX_LAG = 2
CHECK_SECONDS = 0.5
API_PATHS = ("/api/v1/sensors", "/api/v1/sensors/1", "/api/v1/sensors/1/readings?limit=5")
ADMIN_USER, ADMIN_PASSWORD = "replica-admin", "replica-admin-password-9"


@pytest.fixture(scope="module")
def pair(django_db_setup, django_db_blocker):
    # The pair needs nothing of the suite's database, but runs in one of CI's passes: the MariaDB one.
    with django_db_blocker.unblock():
        mariadb = connection.vendor == "mysql" and connection.mysql_is_mariadb
    if not mariadb:
        pytest.skip("runs with the MariaDB suite (DATABASE_URL=mysql://... on MariaDB)")
    if reason := replication.available():
        pytest.skip(reason)
    with replication.ReplicationPair() as pair:
        pair.primary.sql(
            "INSERT INTO relayr.records_reading (sensor_id, recorded_at, value) "
            "SELECT 1, TIMESTAMPADD(MINUTE, seq, '2025-03-01'), seq FROM relayr.seq_0_to_99"
        )
        pair.wait_for_replica()
        yield pair


def app_env(pair):
    return {
        "DATABASE_URL": pair.primary.url(),
        "DATABASE_REPLICA_URLS": pair.replica.url(),
        "DATABASE_REPLICA_MAX_LAG_SECONDS": str(MAX_LAG),
        "DATABASE_REPLICA_CHECK_SECONDS": str(CHECK_SECONDS),
        "API_CACHE_SECONDS": "0",  # every request reaches a database
    }


@pytest.fixture(scope="module")
def server(pair):
    with GunicornServer(pair.primary.url(), workers=2, env=app_env(pair)) as server:
        yield server


def selects_during(pair, action):
    """(primary, replica) Com_select increments while ``action()`` runs."""
    before = pair.primary.status("Com_select"), pair.replica.status("Com_select")
    action()
    return pair.primary.status("Com_select") - before[0], pair.replica.status("Com_select") - before[1]


def get_all(server, count=30, paths=API_PATHS):
    """``count`` API GETs, each on a new connection (so both workers serve some); their bodies."""
    bodies = []
    for n in range(count):
        response = server.get(paths[n % len(paths)])
        assert response.status_code == 200, response.text
        bodies.append(response.json())
    return bodies


def eventually(condition, timeout=20, message="condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.2)
    raise AssertionError(f"{message} not met after {timeout} s")


def reads_only_on_replica(pair, server):
    primary, replica = selects_during(pair, lambda: get_all(server, count=12))
    return primary == 0 and replica >= 12


def location_everywhere(server, expected):
    return all(server.get("/api/v1/sensors/1").json()["location"] == expected for _ in range(12))


def test_the_apis_reads_land_on_the_replica(pair, server):
    # Each worker uses the replica once its first check has found it current.
    eventually(lambda: reads_only_on_replica(pair, server), message="reads on the replica")
    primary, replica = selects_during(pair, lambda: get_all(server, count=60))
    assert primary == 0
    assert replica >= 60
    readings = server.get("/api/v1/sensors/1/readings?limit=500").json()
    assert len(readings["results"]) == 100


def test_admin_commands_and_writes_use_the_primary(pair, server):
    # The replica is read-only to the app's account: any write sent there would fail.
    env = {**app_env(pair), "DJANGO_SECRET_KEY": "test-only", "DJANGO_SUPERUSER_USERNAME": ADMIN_USER}
    env["DJANGO_SUPERUSER_PASSWORD"] = ADMIN_PASSWORD

    def commands():
        for command in (["migrate", "--no-input"], ["ensure_superuser"]):
            result = run_django("manage.py", *command, settings="relayr.settings.prod", env=env)
            assert result.returncode == 0, result.stderr

    def admin():
        session = requests.Session()
        login = session.get(server.url("/admin/login/"), timeout=10)
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', login.text).group(1)
        form = {"username": ADMIN_USER, "password": ADMIN_PASSWORD, "csrfmiddlewaretoken": token}
        logged_in = session.post(server.url("/admin/login/?next=/admin/"), data=form, timeout=10)
        assert logged_in.status_code == 200 and "Log out" in logged_in.text, logged_in.text[:500]
        listing = session.get(server.url("/admin/records/sensor/"), timeout=10)
        assert listing.status_code == 200 and "sensor" in listing.text

    for action in (commands, admin):
        primary, replica = selects_during(pair, action)
        assert replica == 0, action.__name__
        assert primary > 0, action.__name__


def test_stopped_replication_moves_reads_to_the_primary(pair, server):
    eventually(lambda: reads_only_on_replica(pair, server), message="reads on the replica")
    pair.replica.sql("STOP SLAVE SQL_THREAD")
    try:
        pair.primary.sql("UPDATE relayr.records_sensor SET location = 'moved while stopped' WHERE id = 1")
        # Every read sees the primary's change: none came from the replica, which lacks it.
        eventually(lambda: location_everywhere(server, "moved while stopped"), timeout=10, message="primary reads")
        primary, replica = selects_during(pair, lambda: get_all(server, count=20))
        assert replica == 0 and primary >= 20
    finally:
        pair.replica.sql("START SLAVE SQL_THREAD")
    pair.wait_for_replica()
    eventually(lambda: reads_only_on_replica(pair, server), message="reads back on the replica")


def test_a_replica_further_behind_than_the_bound_is_skipped(pair, server):
    eventually(lambda: reads_only_on_replica(pair, server), message="reads on the replica")
    pair.replica.sql("STOP SLAVE")
    pair.replica.sql("CHANGE MASTER TO MASTER_DELAY = 600")
    pair.replica.sql("START SLAVE")
    try:
        pair.primary.sql("UPDATE relayr.records_sensor SET location = 'moved, replica delayed' WHERE id = 1")
        eventually(lambda: (pair.replica_status()["Seconds_Behind_Master"] or 0) > MAX_LAG, message="replica lagging")
        eventually(lambda: location_everywhere(server, "moved, replica delayed"), timeout=10, message="primary reads")
        assert pair.replica_status()["Slave_SQL_Running"] == "Yes"  # replicating, only late
    finally:
        pair.replica.sql("STOP SLAVE")
        pair.replica.sql("CHANGE MASTER TO MASTER_DELAY = 0")
        pair.replica.sql("START SLAVE")
    pair.wait_for_replica()
    eventually(lambda: reads_only_on_replica(pair, server), message="reads back on the replica")


def test_a_replica_killed_under_load_fails_no_request_and_is_used_again_after_restart(pair, server):
    eventually(lambda: reads_only_on_replica(pair, server), message="reads on the replica")
    with Load(server.base_url, paths=DATABASE_PATHS, threads=3, pause=0.01, budget=5000, timeout=10) as load:
        time.sleep(1.5)
        killed_at = time.monotonic()
        pair.replica.kill()
        time.sleep(3)
        ready = server.get("/readyz")
    outcomes = load.outcomes
    after_kill = [o for o in outcomes if o.started >= killed_at]
    failed = [(o.path, o.status, o.failure) for o in outcomes if not o.ok]
    assert failed == []
    assert len(outcomes) > 100 and len(after_kill) > 30
    assert ready.status_code == 200, ready.text  # a replica down is not the pod's problem
    assert "read replica replica1 failed a read, reading elsewhere" in server.output()  # retried mid-request
    before = pair.primary.status("Com_select")
    get_all(server, count=10)
    assert pair.primary.status("Com_select") - before >= 10

    pair.replica.start()
    pair.wait_for_replica()
    eventually(lambda: reads_only_on_replica(pair, server), message="reads back on the restarted replica")
