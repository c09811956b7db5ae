"""Sensor endpoints: the catalogue, one sensor, and one sensor's readings."""

from datetime import datetime
from operator import itemgetter

from django.db import connection
from django.db.models import DateTimeField, FloatField, Q, Value

from records.models import Reading, Sensor

from . import pagination, params
from .cache import cached
from .encoding import json_body
from .errors import not_found
from .responses import api_view, json_response

# Only these columns are read; rows become dicts without model instances.
SENSOR_FIELDS = ("id", "name", "type", "unit", "location", "is_active", "created_at", "updated_at")
LIST_PARAMETERS = {"type", "is_active", "search", "limit", "cursor"}
READINGS_PARAMETERS = {"since", "until", "limit", "cursor"}


def sensor_dicts(rows):
    return [dict(zip(SENSOR_FIELDS, row, strict=True)) for row in rows]


def _sensor_id(raw):
    pk = params.parse_id(raw)
    if pk is None:
        raise not_found(f"No sensor with id {raw}.")
    return pk


@api_view
@cached
def sensor_list(request):
    params.check_known(request, LIST_PARAMETERS)
    limit = params.get_limit(request)
    rows = Sensor.objects.order_by("id").values_list(*SENSOR_FIELDS)
    if (sensor_type := params.get_text(request, "type")) is not None:
        rows = rows.filter(type=sensor_type)
    if (is_active := params.get_bool(request, "is_active")) is not None:
        rows = rows.filter(is_active=is_active)
    if search := params.get_text(request, "search"):
        rows = rows.filter(Q(name__icontains=search) | Q(location__icontains=search))
    if (after := pagination.read_cursor(request, "sensors")) is not None:
        rows = rows.filter(id__gt=after)
    results, next_url = pagination.page(request, "sensors", list(rows[: limit + 1]), limit, key=lambda row: row[0])
    return json_response(request, json_body({"results": sensor_dicts(results), "next": next_url}))


@api_view
@cached
def sensor_detail(request, pk):
    params.check_known(request, set())
    rows = list(Sensor.objects.filter(pk=_sensor_id(pk)).values_list(*SENSOR_FIELDS)[:1])
    if not rows:
        raise not_found(f"No sensor with id {pk}.")
    return json_response(request, json_body(sensor_dicts(rows)[0]))


@api_view
@cached
def sensor_readings(request, pk):
    """One query: the page of readings UNION ALL one marker row for the sensor.

    The marker tells an unknown sensor (no marker) from a sensor without
    readings in the window (the marker alone) without a second query. Each
    arm plans on its own index: the readings arm walks (sensor, recorded_at)
    in order and stops after ``limit + 1`` rows, with no sort, at any table size.
    """
    params.check_known(request, READINGS_PARAMETERS)
    sensor_id = _sensor_id(pk)
    limit = params.get_limit(request)
    window = {}
    if (since := params.get_datetime(request, "since")) is not None:
        window["recorded_at__gte"] = since
    if (until := params.get_datetime(request, "until")) is not None:
        window["recorded_at__lt"] = until
    scope = f"readings.{sensor_id}"
    if (after := pagination.read_cursor(request, scope)) is not None:
        window["recorded_at__gt"] = datetime.fromisoformat(after)
    rows = list(_readings_page(sensor_id, window, limit + 1).union(_sensor_marker(sensor_id), all=True))
    readings = [row for row in rows if row[0] is not None]
    if len(readings) == len(rows):
        raise not_found(f"No sensor with id {pk}.")
    readings.sort(key=itemgetter(0))  # a UNION's row order is not guaranteed
    results, next_url = pagination.page(request, scope, readings, limit, key=lambda row: row[0].isoformat())
    body = {"results": [{"recorded_at": at, "value": value} for at, value in results], "next": next_url}
    return json_response(request, json_body(body))


def _readings_page(sensor_id, window, size):
    page = Reading.objects.filter(sensor_id=sensor_id, **window).order_by("recorded_at")[:size]
    if not connection.features.supports_slicing_ordering_in_compound:
        # SQLite allows no LIMIT in a UNION's arm, but allows one inside IN (...).
        page = Reading.objects.filter(pk__in=page.values("pk")).order_by()
    return page.values_list("recorded_at", "value")


def _sensor_marker(sensor_id):
    """One (NULL, NULL) row when the sensor exists: readings never have a NULL time."""
    nothing = (Value(None, output_field=DateTimeField()), Value(None, output_field=FloatField()))
    return Sensor.objects.filter(pk=sensor_id).order_by().values_list(*nothing)


@api_view
@cached
def legacy_sensor_list(request):
    """The earlier Go service's GET /sensors: a bare array of active sensors."""
    rows = Sensor.objects.filter(is_active=True).order_by("id").values_list(*SENSOR_FIELDS)
    return json_response(request, json_body(sensor_dicts(rows)))
