"""L3, the limit for a readings page: W3's query and its JSON with no Django
in the request path.

Served with the project's gunicorn configuration, one mysqlclient connection
per worker, the SQL the API runs (records.api.queries, built once at import),
101 rows fetched and 100 written with orjson. No middleware, parameter
checks, cursor, ETag, metrics or log line: what a readings request costs on
this machine before any of relayr's own work, as L is for /livez.
"""

import os
import re
from urllib.parse import parse_qs

import django
import orjson

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "relayr.settings.prod")
django.setup()  # only to build the SQL text below

from bench.dataset import connect  # noqa: E402
from records.api.queries import reading_page_sql  # noqa: E402

SQL = reading_page_sql(["sensor_id = %s", "recorded_at >= %s"])
PAGE = 100
PATH = re.compile(r"/api/v1/sensors/(\d+)/readings")
_connection = None


def _cursor():
    global _connection  # noqa: PLW0603 - one connection per worker, opened after the fork
    if _connection is None:
        _connection, _ = connect(os.environ["DATABASE_URL"])
        _connection.autocommit(True)  # each page its own snapshot, as the API's reads are
    return _connection.cursor()


def application(environ, start_response):
    sensor_id = int(PATH.fullmatch(environ["PATH_INFO"])[1])
    since = parse_qs(environ["QUERY_STRING"])["since"][0].replace("T", " ").removesuffix("Z")
    cursor = _cursor()
    cursor.execute(SQL, (sensor_id, since, PAGE + 1))
    rows = cursor.fetchall()
    cursor.close()
    body = orjson.dumps({"results": [{"recorded_at": at, "value": value} for at, value in rows[:PAGE]], "next": None})
    start_response("200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(body)))])
    return [body]
