"""The API's SQL, written out rather than built by the ORM on every request.

These three queries run on every uncached API request. Building them with
the ORM cost more than the database's own work (about 1 ms of query
compilation), and turning every timestamp into an aware datetime only to
turn it back into text cost more again. So the SQL is fixed text, and the
database formats timestamps as RFC 3339 strings ("+00:00": stored in UTC),
which go into the JSON as they come. They still run through Django's
cursor, so query counting, metrics and connection handling are unchanged.
"""

from django.db import OperationalError, connection

from records.models import Reading, Sensor

# MySQL client errors for a connection the server closed: 2006 server gone
# away, 2013 lost during a query, 2055 lost (extended), 4031 idle timeout (MySQL 8).
LOST_CONNECTION = {(2006,), (2013,), (2055,), (4031,)}

SENSOR_TABLE = Sensor._meta.db_table
READING_TABLE = Reading._meta.db_table


def _timestamp(column):
    """SQL giving an RFC 3339 string, with microseconds only when there are some."""
    if connection.vendor == "mysql":
        return (
            f"IF(MICROSECOND({column}) = 0, DATE_FORMAT({column}, '%%Y-%%m-%%dT%%H:%%i:%%s+00:00'), "
            f"DATE_FORMAT({column}, '%%Y-%%m-%%dT%%H:%%i:%%s.%%f+00:00'))"
        )
    # SQLite keeps Django's text form, "YYYY-MM-DD HH:MM:SS[.ffffff]".
    return f"REPLACE({column}, ' ', 'T') || '+00:00'"


def _sensor_columns():
    return f"id, name, type, unit, location, is_active, {_timestamp('created_at')}, {_timestamp('updated_at')}"


def _fetch(sql, params):
    """Run a read; once more on a new connection if the server had dropped this one.

    relayr.db.mysql trusts a connection used moments ago without pinging it;
    a read is safe to repeat, so losing that bet costs a reconnect, not a 503.
    """
    try:
        return _run(sql, params)
    except OperationalError as error:
        if error.args[:1] not in LOST_CONNECTION or connection.in_atomic_block:
            raise
    connection.close()
    return _run(sql, params)


def _run(sql, params):
    # The SQL text is built here from constants and placeholders only; every
    # value a client sends is a parameter. Hence the S608 exemptions below.
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _escape_clause():
    """MySQL's LIKE escapes with a backslash by default (and a backslash in a
    MySQL string literal is itself an escape); SQLite needs it said."""
    return "" if connection.vendor == "mysql" else " ESCAPE '\\'"


def _like(text):
    """A LIKE pattern for "contains", with the wildcards in the text escaped."""
    return "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def sensor_rows(*, sensor_type=None, is_active=None, search=None, after=None, size=None):
    """Sensors ordered by id: (id, name, type, unit, location, is_active, created_at, updated_at).

    ``size`` None means every matching row (the earlier service's /sensors).
    """
    where, params = [], []
    if sensor_type is not None:
        where.append("type = %s")
        params.append(sensor_type)
    if is_active is not None:
        where.append("is_active = %s")
        params.append(is_active)
    if search:
        # MySQL's utf8mb4 collation and SQLite's LIKE both ignore case, as icontains does.
        where.append(f"(name LIKE %s{_escape_clause()} OR location LIKE %s{_escape_clause()})")
        params += [_like(search)] * 2
    if after is not None:
        where.append("id > %s")
        params.append(after)
    condition = f"WHERE {' AND '.join(where)}" if where else ""
    sql = f"SELECT {_sensor_columns()} FROM {SENSOR_TABLE} {condition} ORDER BY id"  # noqa: S608
    if size is None:
        return _fetch(sql, params)
    return _fetch(sql + " LIMIT %s", [*params, size])


def sensor_row(pk):
    rows = _fetch(f"SELECT {_sensor_columns()} FROM {SENSOR_TABLE} WHERE id = %s", [pk])  # noqa: S608
    return rows[0] if rows else None


def reading_rows(sensor_id, *, since=None, until=None, after=None, size):
    """A page of one sensor's readings, or None when the sensor does not exist.

    The page walks the (sensor, recorded_at, value) index in order and stops
    after ``size`` rows, with no sort and no row lookups, at any table size.
    Only an empty page asks whether the sensor exists: a reading implies its
    sensor. (Folding that question into the page's query with a UNION made
    MariaDB build a temporary table for every page: 170 us more per page.)
    """
    where, params = ["sensor_id = %s"], [sensor_id]
    for operator, value in ((">=", since), ("<", until), (">", after)):
        if value is not None:
            where.append(f"recorded_at {operator} %s")
            params.append(connection.ops.adapt_datetimefield_value(value))
    rows = _fetch(reading_page_sql(where), [*params, size])
    if not rows and not _fetch(f"SELECT 1 FROM {SENSOR_TABLE} WHERE id = %s", [sensor_id]):  # noqa: S608
        return None
    return rows


def reading_page_sql(conditions):
    """A readings page's SQL: (recorded_at, value) rows matching every one of
    ``conditions`` in time order, the page size the last parameter."""
    condition = " AND ".join(conditions)
    # ORDER BY names the column, not the formatted text, so the index gives the order.
    return f"SELECT {_timestamp('recorded_at')}, value FROM {READING_TABLE} WHERE {condition} ORDER BY recorded_at LIMIT %s"  # noqa: S608,E501
