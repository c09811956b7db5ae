"""import_readings as an operator runs it: a separate process, killed halfway and run again.

SIGKILL gives the command no chance to clean up: whatever batches it had
committed stay. Running it again must leave exactly what one clean run
leaves. Its terminal progress and its one summary line are checked on the
way.
"""

import os
import pty
import signal
import sqlite3
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta

import MySQLdb
import pytest
from django.db import connection

from harness.server import BASE_DIR, database_url, migrated_sqlite_url
from tests.support.processes import run_django

SENSORS, MINUTES = 5, 20_000
T0 = datetime(2024, 1, 1, tzinfo=UTC)


# Another process writes, so the test database's rows must be committed; the flush afterwards must
# not let post_migrate recreate content types under new ids (tests/bench/test_harness.py), hence
# serialized_rollback.
COMMITTED = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture
def url(tmp_path):
    """A database another process can write to: the test database on MySQL, a SQLite file otherwise."""
    if connection.vendor == "mysql":
        return database_url()
    return migrated_sqlite_url(tmp_path)


def query(url, sql):
    """Runs ``sql`` on its own connection, committed, with no read timeout: counting or deleting a
    hundred thousand rows on a busy shared server can outlast the test settings' 3 s."""
    if url.startswith("sqlite:///"):
        with sqlite3.connect(url.removeprefix("sqlite:///"), timeout=30) as db:
            return db.execute(sql).fetchall()
    settings = connection.settings_dict
    db = MySQLdb.connect(
        host=settings["HOST"] or "127.0.0.1",
        port=int(settings["PORT"] or 3306),
        user=settings["USER"],
        password=settings["PASSWORD"],
        database=settings["NAME"],
    )
    with db, db.cursor() as cursor:
        cursor.execute(sql)
        rows = cursor.fetchall()
        db.commit()
        return rows


def readings(url):
    return query(
        url,
        "SELECT s.name, r.recorded_at, r.value FROM records_reading r JOIN records_sensor s ON s.id = r.sensor_id "
        "WHERE s.name LIKE 'bench-%' ORDER BY s.name, r.recorded_at",
    )


def count(url):
    return query(url, "SELECT COUNT(*) FROM records_reading")[0][0]


def manage(url, *args):
    return run_django("manage.py", *args, settings="relayr.settings.test", env={"DATABASE_URL": url}, timeout=300)


@pytest.mark.slow
@COMMITTED
def test_sigkill_halfway_then_rerun_equals_one_clean_run(url, tmp_path):
    assert manage(url, "generate_readings", "--sensors", str(SENSORS), "--per-sensor", "0").returncode == 0
    path = tmp_path / "day.csv"
    with open(path, "w") as out:
        out.write("sensor,recorded_at,value\n")
        for minute in range(MINUTES):
            stamp = (T0 + timedelta(minutes=minute)).isoformat()
            out.writelines(f"bench-{s:05d},{stamp},{minute % 97 + s / 8}\n" for s in range(1, SENSORS + 1))
    total = SENSORS * MINUTES

    # The first run gets a terminal for its progress and is killed once some batches are committed.
    leader, follower = pty.openpty()
    env = {**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "relayr.settings.test"}
    command = [sys.executable, "manage.py", "import_readings", str(path), "--batch-size", "2000"]
    process = subprocess.Popen(command, cwd=BASE_DIR, env=env, stdout=subprocess.PIPE, stderr=follower)
    os.close(follower)
    try:
        deadline = time.monotonic() + 240
        while count(url) == 0 and process.poll() is None and time.monotonic() < deadline:
            time.sleep(0.02)
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=30)
        terminal = os.read(leader, 65536).decode(errors="replace")
    finally:
        process.kill()
        process.wait()
        os.close(leader)
        process.stdout.close()
    assert process.returncode == -signal.SIGKILL
    assert "\rvalidating: line" in terminal
    partial = count(url)
    assert 0 < partial < total, "killed before any batch or after the last: nothing was halfway"

    again = manage(url, "import_readings", str(path))
    assert again.returncode == 0, again.stderr
    assert again.stderr == ""  # no terminal: no progress, only the summary line
    [summary] = again.stdout.splitlines()
    assert f"{total:,} readings ({total - partial:,} new, {partial:,} already stored), 0 bad lines" in summary

    after_rerun = readings(url)
    query(url, "DELETE FROM records_reading")
    clean = manage(url, "import_readings", str(path))
    assert clean.returncode == 0, clean.stderr
    assert f"({total:,} new, 0 already stored)" in clean.stdout
    assert len(after_rerun) == total
    assert after_rerun == readings(url)
    # Without the read timeout: the teardown's flush would delete these with it (and their triggers).
    query(url, "DELETE FROM records_reading")
