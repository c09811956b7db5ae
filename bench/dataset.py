"""The benchmark's databases: created, migrated and filled once, then reused.

``generate_readings`` inserts with IGNORE, so topping up a partly filled
database adds only what is missing.
"""

import os
import subprocess
import sys
from contextlib import contextmanager
from dataclasses import dataclass

import dj_database_url
import MySQLdb

from harness.server import BASE_DIR


@dataclass
class Dataset:
    url: str
    sensor_ids: list
    readings: int
    first: int  # epoch seconds of the earliest and latest reading
    last: int

    def load_env(self, page):
        """wrk's environment: the ids, and the range where a window still holds a full page."""
        per_sensor = max(self.readings // max(len(self.sensor_ids), 1), 2)
        interval = (self.last - self.first) / (per_sensor - 1)
        return {
            "BENCH_IDS": ",".join(map(str, self.sensor_ids)),
            "BENCH_FIRST": str(self.first),
            "BENCH_LAST": str(max(self.first, int(self.last - page * interval))),
        }


def connect(url, database=True, **extra):
    """A mysqlclient connection for a mysql:// URL, and the database name in it; ``extra`` adds connect options."""
    config = dj_database_url.parse(url)
    options = {
        "host": config["HOST"] or "127.0.0.1",
        "port": int(config["PORT"] or 3306),
        "user": config["USER"] or "root",
        "password": config["PASSWORD"] or "",
        "charset": "utf8mb4",
    }
    if database:
        options["database"] = config["NAME"]
    return MySQLdb.connect(**options, **extra), config["NAME"]


def _manage(url, *args):
    env = {**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "relayr.settings.prod"}
    env.setdefault("DJANGO_SECRET_KEY", "bench-only-not-secret")
    subprocess.run([sys.executable, "manage.py", *args], cwd=BASE_DIR, env=env, check=True)  # noqa: S603


def measure(url):
    connection, _ = connect(url)
    with connection, connection.cursor() as cursor:
        cursor.execute("SELECT id FROM records_sensor WHERE name LIKE 'bench-%%' ORDER BY id")
        ids = [row[0] for row in cursor.fetchall()]
        cursor.execute(
            "SELECT COUNT(*), UNIX_TIMESTAMP(MIN(recorded_at)), UNIX_TIMESTAMP(MAX(recorded_at)) "
            "FROM records_reading WHERE sensor_id IN (SELECT id FROM records_sensor WHERE name LIKE 'bench-%%')"
        )
        count, first, last = cursor.fetchone()
    return Dataset(url, ids, count, int(first or 0), int(last or 0))


def prime(url):
    """Read what the API reads into InnoDB's buffer pool: the readings' page index and the hourly rollups.

    Otherwise the first workload measured after a server start (or a resized
    pool) pays for disk reads that every later one is spared, and ratios
    between workloads depend on their order. A pool smaller than these
    indexes keeps only part of them, as it would in production.
    """
    connection, _ = connect(url)
    with connection, connection.cursor() as cursor:
        for sql in (
            "SELECT COUNT(*), SUM(value) FROM records_reading FORCE INDEX (reading_page_idx)",
            "SELECT SUM(readings), SUM(total) FROM records_readinghour",
        ):
            cursor.execute(sql)
            cursor.fetchall()


def ensure(url, sensors, per_sensor, log=print):
    """Create, migrate and fill the database at ``url`` unless it already holds the data."""
    server, name = connect(url, database=False)
    with server, server.cursor() as cursor:
        cursor.execute(f"CREATE DATABASE IF NOT EXISTS `{name}` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci")
    _manage(url, "migrate", "--no-input", "--verbosity", "0")
    data = measure(url)
    if len(data.sensor_ids) < sensors or data.readings < sensors * per_sensor:
        log(f"generating {sensors} x {per_sensor:,} readings in {name} (once; later runs reuse them)")
        _manage(url, "generate_readings", "--sensors", str(sensors), "--per-sensor", str(per_sensor))
        data = measure(url)
    log(f"{name}: {len(data.sensor_ids)} bench sensors, {data.readings:,} readings")
    return data


@contextmanager
def buffer_pool(url, megabytes, log=print):
    """InnoDB's buffer pool at ``megabytes`` while the block runs (None: as it is); yields its size in bytes."""
    connection, _ = connect(url, database=False)  # a server variable: the database may not exist yet
    with connection, connection.cursor() as cursor:
        cursor.execute("SELECT @@innodb_buffer_pool_size")
        [(before,)] = cursor.fetchall()
        if megabytes is None:
            yield before
            return
        try:
            cursor.execute("SET GLOBAL innodb_buffer_pool_size = %s", [megabytes * 2**20])
        except MySQLdb.OperationalError as error:
            message = f"--buffer-pool-mb: this user may not SET GLOBAL innodb_buffer_pool_size ({error})"
            raise SystemExit(message) from None
        cursor.execute("SELECT @@innodb_buffer_pool_size")
        [(size,)] = cursor.fetchall()
        log(f"InnoDB buffer pool {size / 2**20:,.0f} MB for the run (was {before / 2**20:,.0f} MB)")
        try:
            yield size
        finally:
            cursor.execute("SET GLOBAL innodb_buffer_pool_size = %s", [before])
