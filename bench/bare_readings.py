"""L3 and L4, the limits for a readings page and for a page of hourly
aggregates: W3's and W4's statements and their JSON with no Django in the
request path.

Served with the project's gunicorn configuration, one mysqlclient connection
per worker, the SQL the API runs (built once at import by the API's own
builders). L3 fetches 101 readings and writes 100; L4 runs W4's one
statement (the window's whole hours from the rollups, 500 of them, and its
leading partial hour from the readings) and writes its 500 buckets, both
with orjson. No middleware, parameter checks, cursor, ETag, metrics or log
line: what such a request costs on this machine before any of relayr's own
work, as L is for /livez.
"""

import os
import re
from datetime import datetime
from urllib.parse import parse_qs

import django
import orjson

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "relayr.settings.prod")
django.setup()  # only to build the SQL text below

from bench.dataset import connect  # noqa: E402
from records import rollups  # noqa: E402
from records.api.queries import reading_page_sql  # noqa: E402

SQL = reading_page_sql(["sensor_id = %s", "recorded_at >= %s"])
PAGE = 100
# W4's statement, as records.api.aggregates builds it for a window that starts inside an hour.
HOURLY_SQL = " UNION ALL ".join(
    [rollups.hours_query(0, 1, 0, 1)[0], rollups.readings_query(0, 60, rollups.EPOCH, rollups.EPOCH)[0]]
)
BUCKETS = 500
PATH = re.compile(r"/api/v1/sensors/(\d+)/(readings|aggregates)")
_connection = None


def _cursor():
    global _connection  # noqa: PLW0603 - one connection per worker, opened after the fork
    if _connection is None:
        _connection, _ = connect(os.environ["DATABASE_URL"])
        _connection.autocommit(True)  # each page its own snapshot, as the API's reads are
    return _connection.cursor()


def _readings(cursor, sensor_id, query):
    since = query["since"][0].replace("T", " ").removesuffix("Z")
    cursor.execute(SQL, (sensor_id, since, PAGE + 1))
    return [{"recorded_at": at, "value": value} for at, value in cursor.fetchall()[:PAGE]]


def _hourly(cursor, sensor_id, query):
    since = rollups.seconds(datetime.fromisoformat(query["since"][0]))
    first = -(-since // 3600)  # the first whole hour at or after since
    edge = (rollups.instant(since).replace(tzinfo=None), rollups.instant(first * 3600).replace(tzinfo=None))
    cursor.execute(HOURLY_SQL, (sensor_id, first, first + BUCKETS, sensor_id, *edge))
    return [
        {"start": rollups.rfc3339(start), "count": count, "min": low, "max": high, "avg": total / count}
        for start, count, low, high, total, _ in sorted(cursor.fetchall())[:BUCKETS]
    ]


def application(environ, start_response):
    sensor_id, what = PATH.fullmatch(environ["PATH_INFO"]).groups()
    cursor = _cursor()
    page = (_readings if what == "readings" else _hourly)(cursor, int(sensor_id), parse_qs(environ["QUERY_STRING"]))
    cursor.close()
    body = orjson.dumps({"results": page, "next": None})
    start_response("200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(body)))])
    return [body]
