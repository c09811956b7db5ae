"""A sensor with a great many readings, written by one INSERT ... SELECT on the
server's database (a gunicorn under test reads what is committed there).

One reading a second from 2020-01-01 00:00:00 UTC, values n / 7 (most of them
with 16 or 17 significant digits). Works on MariaDB, MySQL and a SQLite file.
"""

import contextlib
import sqlite3

import dj_database_url
import MySQLdb

DIGITS = "(SELECT 0 AS d UNION ALL " + " UNION ALL ".join(f"SELECT {d}" for d in range(1, 10)) + ")"


@contextlib.contextmanager
def _connect(url):
    config = dj_database_url.parse(url)
    if "sqlite" in config["ENGINE"]:
        connection, mysql = sqlite3.connect(config["NAME"]), False
    else:
        connection = MySQLdb.connect(
            host=config["HOST"] or "127.0.0.1",
            port=int(config["PORT"] or 3306),
            user=config["USER"] or "root",
            password=config["PASSWORD"] or "",
            database=config["NAME"],
            charset="utf8mb4",
        )
        mysql = True
    try:
        yield connection, mysql
        connection.commit()
    finally:
        connection.close()


def add_sensor(url, name, readings):
    """Create sensor ``name`` with ``readings`` readings (a power of ten); returns its id."""
    places = len(str(readings)) - 1
    if readings != 10**places:
        raise ValueError("readings must be a power of ten")
    number = " + ".join(f"{10**p} * t{p}.d" for p in range(places)) or "0"
    tables = ", ".join(f"{DIGITS} AS t{p}" for p in range(places)) or "(SELECT 0 AS d) AS t0"
    with _connect(url) as (connection, mysql):
        marker = "%s" if mysql else "?"
        cursor = connection.cursor()
        cursor.execute(
            "INSERT INTO records_sensor (name, type, unit, location, is_active, created_at, updated_at) "  # noqa: S608
            f"VALUES ({marker}, 'bulk', 'u', '', 1, '2020-01-01 00:00:00', '2020-01-01 00:00:00')",
            [name],
        )
        sensor_id = cursor.lastrowid
        at = (
            f"TIMESTAMPADD(SECOND, {number}, '2020-01-01 00:00:00')"
            if mysql
            else f"strftime('%Y-%m-%d %H:%M:%S', '2020-01-01', '+' || ({number}) || ' seconds')"
        )
        cursor.execute(
            f"INSERT INTO records_reading (sensor_id, recorded_at, value) "  # noqa: S608 - built from constants
            f"SELECT {sensor_id}, {at}, ({number}) / 7.0e0 FROM {tables}"
        )
    return sensor_id


def remove_sensor(url, sensor_id):
    """Remove the sensor and its readings. On MySQL every reading goes: the suite's
    committed state holds no other (a transactional test flushes the tables after
    itself), and TRUNCATE is instant where a DELETE of a million rows takes a minute."""
    with _connect(url) as (connection, mysql):
        marker = "%s" if mysql else "?"
        cursor = connection.cursor()
        if mysql:
            # TRUNCATE fires no trigger: the hourly rollups of those readings go the same way.
            cursor.execute("TRUNCATE TABLE records_reading")
            cursor.execute("TRUNCATE TABLE records_readinghour")
        else:
            cursor.execute(f"DELETE FROM records_reading WHERE sensor_id = {marker}", [sensor_id])  # noqa: S608
            cursor.execute(f"DELETE FROM records_readinghour WHERE sensor_id = {marker}", [sensor_id])  # noqa: S608
        cursor.execute(f"DELETE FROM records_sensor WHERE id = {marker}", [sensor_id])  # noqa: S608
