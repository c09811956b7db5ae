"""Sensor endpoints: the catalogue, one sensor, and one sensor's readings."""

from datetime import datetime

from django.db.models import FilteredRelation, Q

from records.models import Sensor

from . import pagination, params
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
def sensor_detail(request, pk):
    params.check_known(request, set())
    rows = list(Sensor.objects.filter(pk=_sensor_id(pk)).values_list(*SENSOR_FIELDS)[:1])
    if not rows:
        raise not_found(f"No sensor with id {pk}.")
    return json_response(request, json_body(sensor_dicts(rows)[0]))


@api_view
def sensor_readings(request, pk):
    """One query: the sensor LEFT JOIN its readings in the window.

    (The join's alias is not "window": that is a reserved word in MariaDB.)

    The join tells an unknown sensor (no row) from a sensor without readings
    in the window (one row of NULLs) without a second query.
    """
    params.check_known(request, READINGS_PARAMETERS)
    sensor_id = _sensor_id(pk)
    limit = params.get_limit(request)
    window = Q()
    if (since := params.get_datetime(request, "since")) is not None:
        window &= Q(readings__recorded_at__gte=since)
    if (until := params.get_datetime(request, "until")) is not None:
        window &= Q(readings__recorded_at__lt=until)
    scope = f"readings.{sensor_id}"
    if (after := pagination.read_cursor(request, scope)) is not None:
        window &= Q(readings__recorded_at__gt=datetime.fromisoformat(after))
    rows = list(
        Sensor.objects.filter(pk=sensor_id)
        .annotate(windowed=FilteredRelation("readings", condition=window))
        .order_by("windowed__recorded_at")
        .values_list("windowed__recorded_at", "windowed__value")[: limit + 1]
    )
    if not rows:
        raise not_found(f"No sensor with id {pk}.")
    if rows[0][0] is None:
        rows = []
    results, next_url = pagination.page(request, scope, rows, limit, key=lambda row: row[0].isoformat())
    body = {"results": [{"recorded_at": at, "value": value} for at, value in results], "next": next_url}
    return json_response(request, json_body(body))


@api_view
def legacy_sensor_list(request):
    """The earlier Go service's GET /sensors: a bare array of active sensors."""
    rows = Sensor.objects.filter(is_active=True).order_by("id").values_list(*SENSOR_FIELDS)
    return json_response(request, json_body(sensor_dicts(rows)))
