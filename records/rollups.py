"""Count, sum, min and max of one sensor's readings per bucket: from the readings, or from the hourly rollups.

Buckets are numbered, not formatted: a bucket of ``k`` minutes is the
whole number ``minutes since 0000-01-01 DIV k``, computed from the
DATETIME's date and clock fields (MySQL's TO_DAYS, SQLite's whole seconds),
so no session time zone and no fractional second can move a reading into
another bucket. Counting from year 0, every number is positive and integer
division is the floor; every bucket length divides a day and 1970-01-01 is
day 719528, so the buckets are aligned to the Unix epoch too.

``ReadingHour.hour`` (hours since the Unix epoch) comes from the same
arithmetic in the triggers of migration 0005. Every value from outside is
a parameter; the SQL text is built from constants only (hence S608 below).
"""

import functools
from datetime import UTC, date, datetime, timedelta

from django.db import connection

from relayr.db.connections import read

from .models import Reading, ReadingHour

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
EPOCH_ORDINAL = EPOCH.toordinal()
EPOCH_MINUTES = 719528 * 1440  # minutes from 0000-01-01 to 1970-01-01
EPOCH_HOURS = 719528 * 24
READINGS = Reading._meta.db_table
HOURS = ReadingHour._meta.db_table


def _merged(one, other):
    """Two parts of the same bucket, each (count, min, max, sum), as one."""
    return one[0] + other[0], min(one[1], other[1]), max(one[2], other[2]), one[3] + other[3]


def minutes_sql(column):
    """Whole minutes from 0000-01-01 to the DATETIME ``column``, for SQL run with parameters."""
    if connection.vendor == "mysql":
        return f"(TO_DAYS({column}) * 1440 + HOUR({column}) * 60 + MINUTE({column}))"
    # Django's text "YYYY-MM-DD HH:MM:SS.ffffff" cut to the minute: SQLite's date
    # functions count in milliseconds and would round 59.9999 s up. '%s' is then
    # whole seconds since 1970; shifted positive, '/' floors. The SQL always has
    # parameters, so its "%" is doubled.
    return f"((CAST(strftime('%%s', substr({column}, 1, 16)) AS INTEGER) + 62167219200) / 60)"


def _div():
    return "DIV" if connection.vendor == "mysql" else "/"


def _integer():
    return "SIGNED" if connection.vendor == "mysql" else "INTEGER"


def db_time(value):
    return Reading._meta.get_field("recorded_at").get_db_prep_value(value, connection)


# "Thh:mm:00+00:00" for every minute of a day, and each day's "YYYY-MM-DD" once, and the
# recent bucket starts whole: a page of hundreds of buckets would spend more on
# datetime.isoformat than on its query.
CLOCK = tuple(f"T{minute // 60:02d}:{minute % 60:02d}:00+00:00" for minute in range(1440))


@functools.lru_cache(maxsize=4096)
def _day(days):
    return date.fromordinal(EPOCH_ORDINAL + days).isoformat()


@functools.lru_cache(maxsize=16384)
def rfc3339(seconds):
    """A bucket start (whole minutes since the epoch, in seconds) as RFC 3339, as datetime.isoformat writes it."""
    days, rest = divmod(seconds, 86400)
    return _day(days) + CLOCK[rest // 60]


def instant(seconds):
    """Seconds since the Unix epoch as an aware datetime."""
    return EPOCH + timedelta(seconds=seconds)


def seconds(when):
    """An aware datetime as whole seconds since the Unix epoch, rounded down."""
    delta = when - EPOCH
    return delta.days * 86400 + delta.seconds


def first_minute(sensor_id, since, until):
    """The minute (from 0000-01-01) of the sensor's first reading in [since, until), or None: one index probe."""
    where, params = _window(sensor_id, since, until)
    sql = f"SELECT {minutes_sql('recorded_at')} FROM {READINGS} WHERE {where} ORDER BY recorded_at LIMIT 1"  # noqa: S608
    rows = read(sql, params)
    return rows[0][0] if rows else None


def readings_query(sensor_id, minutes, since, until):
    """The readings in [since, until) in buckets of ``minutes``, as SQL and parameters for ``sums``.

    One range of the (sensor, recorded_at, value) index, grouped.
    """
    where, params = _window(sensor_id, since, until)
    start = f"({minutes_sql('recorded_at')} {_div()} {int(minutes)}) * {minutes * 60} - {EPOCH_MINUTES * 60}"
    sql = (
        f"SELECT {start} AS start, COUNT(*), MIN(value), MAX(value), SUM(value), 0 "  # noqa: S608
        f"FROM {READINGS} WHERE {where} GROUP BY start"
    )
    return sql, params


def hours_query(sensor_id, hours, first, last):
    """The rollups of the hours [first, last) (hours since the epoch; ``last`` None: all) in buckets
    of ``hours``, as SQL and parameters for ``sums``.

    One range of the (sensor, hour) primary key, grouped. A stale hour's
    figures are not to be trusted: its bucket is only named, for the caller
    to count from the readings.
    """
    where, params = ["sensor_id = %s", "hour >= %s", "(readings > 0 OR stale)"], [sensor_id, first]
    if last is not None:
        where.append("hour < %s")
        params.append(last)
    condition = " AND ".join(where)
    if hours == 1:  # the rows themselves, in the primary key's order: no grouping
        return f"SELECT hour * 3600, readings, low, high, total, stale FROM {HOURS} WHERE {condition}", params  # noqa: S608
    # MySQL sums integers as a DECIMAL: the count is cast back.
    bucket = f"(hour + {EPOCH_HOURS}) {_div()} {int(hours)}"
    sql = (
        f"SELECT ({bucket}) * {hours * 3600} - {EPOCH_HOURS * 3600} AS start, "  # noqa: S608
        f"CAST(SUM(readings) AS {_integer()}), MIN(low), MAX(high), SUM(total), MAX(stale) "
        f"FROM {HOURS} WHERE {condition} GROUP BY start"
    )
    return sql, params


def sums(*queries):
    """({bucket start in Unix seconds: (count, min, max, sum)}, starts of buckets holding a stale
    hour) of ``readings_query`` and ``hours_query`` results, all in one statement (UNION ALL):
    a bucket found by several of them is merged."""
    rows = read(" UNION ALL ".join(sql for sql, _ in queries), [value for _, params in queries for value in params])
    found = {row[0]: row[1:5] for row in rows}
    if len(found) < len(rows):  # parts of one bucket, from the rollups and from the readings
        found = {}
        for row in rows:
            found[row[0]] = _merged(found[row[0]], row[1:5]) if row[0] in found else row[1:5]
    return found, {row[0] for row in rows if row[5]}


def _window(sensor_id, since, until):
    where, params = ["sensor_id = %s"], [sensor_id]
    for operator, value in ((">=", since), ("<", until)):
        if value is not None:
            where.append(f"recorded_at {operator} %s")
            params.append(db_time(value))
    return " AND ".join(where), params


def hours_sql(column):
    """Whole hours from the Unix epoch to the DATETIME ``column``: ``ReadingHour.hour``, as the triggers compute it."""
    return f"({minutes_sql(column)} {_div()} 60 - {EPOCH_HOURS})"


def per_hour(sensor_id, first, last):
    """{hour: (count, sum, min, max)} of one sensor's readings in the hours [first, last), from the readings.

    On the primary, in the caller's transaction (refresh_rollups holds the hours' locks).
    """
    where, params = _window(sensor_id, instant(first * 3600), instant(last * 3600))
    sql = (
        f"SELECT {hours_sql('recorded_at')} AS h, COUNT(*), SUM(value), MIN(value), MAX(value) "  # noqa: S608
        f"FROM {READINGS} WHERE {where} GROUP BY h"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return {hour: (count, total, low, high) for hour, count, total, low, high in cursor.fetchall()}
