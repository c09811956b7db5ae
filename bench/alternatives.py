"""relayr with one custom piece swapped for Django's own, for `python -m bench.compare`.

Never part of the app: gunicorn serves ``bench.alternatives:application``
with ``BENCH_VARIANT`` naming the swap, made once before the workers fork.

- ``django-cache``: relayr's response cache off (API_CACHE_SECONDS=0 in the
  server's environment); every API view under Django's ``cache_page``
  (LocMemCache, per worker, the same lifetime).
- ``orm``: the API's reads through the ORM's ``values_list()`` instead of
  records.api.queries' fixed SQL.
- ``admin-middleware``: API requests run Django's authentication and
  messages middleware too, as Django's own classes do, instead of
  relayr.http.admin_only's, which skip them.
"""

import os

import django
from django.core.handlers.wsgi import WSGIHandler
from django.db.models import OuterRef, Q, Subquery
from django.utils.module_loading import import_string

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "relayr.settings.prod")
django.setup(set_prefix=False)


def _django_cache():
    from django.conf import settings
    from django.views.decorators.cache import cache_page

    from records.api import urls

    for pattern in urls.urlpatterns:
        pattern.callback = cache_page(settings.API_CACHE_CONTROL_MAX_AGE)(pattern.callback)


def _orm():
    from records.api import queries
    from records.api.fields import SENSOR
    from records.models import Reading, Sensor

    # The foreign key leads the ORDER BY, as in the fixed SQL (records/api/fields.py): without it
    # MySQL 9 reads and sorts all of a sensor's readings for each sensor.
    newest = Reading.objects.filter(sensor=OuterRef("pk")).order_by("-sensor_id", "-recorded_at")
    latest = {
        "latest_at": Subquery(newest.values("recorded_at")[:1]),
        "latest_value": Subquery(newest.values("value")[:1]),
    }

    def as_json(rows):
        """Sensors with their latest reading, as the fixed SQL gives them."""
        items = []
        for *fields, at, value in rows.annotate(**latest).values_list(*SENSOR.names, "latest_at", "latest_value"):
            item = dict(zip(SENSOR.names, fields, strict=True))
            item["latest_reading"] = None if at is None else {"recorded_at": at.isoformat(), "value": value}
            items.append(item)
        return items

    def sensors(*, sensor_type=None, is_active=None, search=None, window=None):
        rows = Sensor.objects.order_by("-id" if window is not None and window.descending else "id")
        if sensor_type is not None:
            rows = rows.filter(type=sensor_type)
        if is_active is not None:
            rows = rows.filter(is_active=is_active)
        if search:
            rows = rows.filter(Q(name__icontains=search) | Q(location__icontains=search))
        if window is not None:
            if window.after is not None:
                rows = rows.filter(id__lt=window.after) if window.descending else rows.filter(id__gt=window.after)
            rows = rows[: window.size]
        return as_json(rows)

    def sensor(pk):
        found = as_json(Sensor.objects.filter(pk=pk))
        return found[0] if found else None

    def readings(sensor_id, window, *, since=None, until=None):
        rows = Reading.objects.filter(sensor_id=sensor_id)
        if since is not None:
            rows = rows.filter(recorded_at__gte=since)
        if until is not None:
            rows = rows.filter(recorded_at__lt=until)
        if window.after is not None:
            past = {"recorded_at__lt" if window.descending else "recorded_at__gt": window.after}
            rows = rows.filter(**past)
        order = "-recorded_at" if window.descending else "recorded_at"
        page = rows.order_by(order).values_list("recorded_at", "value")[: window.size]
        # The cursor signs the last item's key: text, as the fixed SQL gives it.
        items = [{"recorded_at": at.isoformat(), "value": value} for at, value in page]
        if not items and not Sensor.objects.filter(pk=sensor_id).exists():
            return None
        return items

    queries.sensors, queries.sensor, queries.readings = sensors, sensor, readings


def _admin_middleware():
    from django.conf import settings

    from relayr.http import admin_only

    def django_own(path):
        if not path.startswith(f"{admin_only.__name__}."):
            return path
        original = import_string(path).__mro__[1]
        return f"{original.__module__}.{original.__qualname__}"

    settings.MIDDLEWARE = [django_own(path) for path in settings.MIDDLEWARE]


VARIANTS = {"django-cache": _django_cache, "orm": _orm, "admin-middleware": _admin_middleware}
VARIANTS[os.environ["BENCH_VARIANT"]]()
application = WSGIHandler()
