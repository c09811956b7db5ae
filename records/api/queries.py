"""The API's SQL, written out rather than built by the ORM on every request.

These queries run on every uncached API request. Building them with the ORM
cost more than the database's own work, so the SQL is fixed text from the
field definitions in ``fields``. They run through Django's cursor (query
counting, metrics and connection handling unchanged) and through
relayr.db.connections.read, which retries a read on a dropped connection.

The SQL text is built here from constants and placeholders only; every
value a client sends is a parameter. Hence the S608 exemptions below.
"""

from django.db import connection

from relayr.db.connections import read

from .fields import READING, SENSOR


def _escape_clause():
    """MySQL's LIKE escapes with a backslash by default (and a backslash in a
    MySQL string literal is itself an escape); SQLite needs it said."""
    return "" if connection.vendor == "mysql" else " ESCAPE '\\'"


def _like(text):
    """A LIKE pattern for "contains", with the wildcards in the text escaped."""
    return "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def _after(fields, name, window, where, params):
    """The keyset condition: rows past the window's start, in its direction."""
    if window.after is not None:
        where.append(f"{fields.column(name)} {'<' if window.descending else '>'} %s")
        params.append(fields.db_value(name, window.after))


def _order(fields, name, window):
    return f"ORDER BY {fields.column(name)}{' DESC' if window.descending else ''} LIMIT %s"


def sensors(*, sensor_type=None, is_active=None, search=None, window=None):
    """Sensors as JSON objects, ordered by id; ``window`` None means all of them (the earlier /sensors)."""
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
    if window is not None:
        _after(SENSOR, "id", window, where, params)
    condition = f"WHERE {' AND '.join(where)}" if where else ""
    sql = f"SELECT {SENSOR.select_sql()} FROM {SENSOR.table} {condition}"  # noqa: S608
    if window is None:
        rows = read(sql + " ORDER BY id", params)
    else:
        rows = read(f"{sql} {_order(SENSOR, 'id', window)}", [*params, window.size])
    return SENSOR.to_json(rows)


def sensor(pk):
    """One sensor as a JSON object, or None."""
    rows = read(f"SELECT {SENSOR.select_sql()} FROM {SENSOR.table} WHERE id = %s", [pk])  # noqa: S608
    return SENSOR.to_json(rows)[0] if rows else None


def readings(sensor_id, window, *, since=None, until=None):
    """A window of one sensor's readings as JSON objects, or None when the sensor does not exist.

    The page walks the (sensor, recorded_at, value) index in the window's
    direction (backwards for newest first) and stops after ``window.size``
    rows, with no sort and no row lookups, at any table size. Only an empty
    page asks whether the sensor exists: a reading implies its sensor.
    (Folding that question into the page's query with a UNION made MariaDB
    build a temporary table for every page.)
    """
    rows = reading_rows(sensor_id, window, since=since, until=until)
    if not rows and not read(f"SELECT 1 FROM {SENSOR.table} WHERE id = %s", [sensor_id]):  # noqa: S608
        return None
    return READING.to_json(rows)


def reading_rows(sensor_id, window, *, since=None, until=None, numbers_as_text=False):
    """The rows of ``readings`` as tuples of READING's fields (an export's chunks)."""
    where, params = ["sensor_id = %s"], [sensor_id]
    for operator, value in ((">=", since), ("<", until)):
        if value is not None:
            where.append(f"recorded_at {operator} %s")
            params.append(READING.db_value("recorded_at", value))
    _after(READING, "recorded_at", window, where, params)
    sql = reading_page_sql(where, descending=window.descending, numbers_as_text=numbers_as_text)
    return read(sql, [*params, window.size])


def reading_page_sql(conditions, *, descending=False, numbers_as_text=False):
    """A readings page's SQL: rows matching every one of ``conditions`` in time
    order, the page size the last parameter."""
    # ORDER BY names the column, not the formatted text, so the index gives the order.
    order = "recorded_at DESC" if descending else "recorded_at"
    condition = " AND ".join(conditions)
    select = READING.select_sql(numbers_as_text)
    return f"SELECT {select} FROM {READING.table} WHERE {condition} ORDER BY {order} LIMIT %s"  # noqa: S608
