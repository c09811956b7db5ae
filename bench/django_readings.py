"""D3, Django's own floor for a readings page: W3's query and JSON in a
function view of a Django project with no middleware.

Between L3 (no Django at all) and W3 (relayr): the same SQL, 101 rows
fetched and 100 written with orjson, through Django's WSGI handler, URL
resolver, request and response objects, signals and database wrapper (its
own MySQL backend, not relayr's). What any Django service pays for a
readings page before its own middleware and checks; issue 11 keeps relayr
inside that request cycle. Served with the project's gunicorn configuration.
"""

import django
import orjson
from django.conf import settings

from relayr.settings import prod

# relayr's production settings but for what makes it relayr: Django's own MySQL
# backend (no ping per request: Django's default), no middleware, this module's one URL.
settings.configure(
    **{name: getattr(prod, name) for name in dir(prod) if name.isupper()}
    | {
        "DATABASES": {
            "default": {**prod.DATABASES["default"], "ENGINE": "django.db.backends.mysql", "CONN_HEALTH_CHECKS": False}
        },
        "MIDDLEWARE": [],
        "ROOT_URLCONF": __name__,
    }
)
django.setup()

from django.core.handlers.wsgi import WSGIHandler  # noqa: E402
from django.db import connection  # noqa: E402
from django.http import HttpResponse  # noqa: E402
from django.urls import path  # noqa: E402

from records.api.queries import reading_page_sql  # noqa: E402

SQL = reading_page_sql(["sensor_id = %s", "recorded_at >= %s"])
PAGE = 100


def readings(request, pk):
    since = request.GET["since"].replace("T", " ").removesuffix("Z")
    with connection.cursor() as cursor:
        cursor.execute(SQL, (pk, since, PAGE + 1))
        rows = cursor.fetchall()
    body = orjson.dumps({"results": [{"recorded_at": at, "value": value} for at, value in rows[:PAGE]], "next": None})
    return HttpResponse(body, content_type="application/json")


urlpatterns = [path("api/v1/sensors/<int:pk>/readings", readings)]
application = WSGIHandler()
