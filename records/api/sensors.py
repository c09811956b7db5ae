"""Sensor endpoints: the catalogue, one sensor, and one sensor's readings."""

from datetime import datetime
from operator import itemgetter

from . import pagination, params, queries
from .cache import cacheable
from .encoding import json_body
from .errors import not_found
from .responses import api_view, json_response

SENSOR_FIELDS = ("id", "name", "type", "unit", "location", "is_active", "created_at", "updated_at")
LIST_PARAMETERS = {"type", "is_active", "search", "limit", "cursor"}
READINGS_PARAMETERS = {"since", "until", "limit", "cursor"}


def sensor_dict(row):
    sensor = dict(zip(SENSOR_FIELDS, row, strict=True))
    sensor["is_active"] = bool(sensor["is_active"])  # MySQL and SQLite return 0 or 1
    return sensor


def _sensor_id(raw):
    pk = params.parse_id(raw)
    if pk is None:
        raise not_found(f"No sensor with id {raw}.")
    return pk


@api_view
@cacheable
def sensor_list(request):
    params.check_known(request, LIST_PARAMETERS)
    limit = params.get_limit(request)
    rows = queries.sensor_rows(
        sensor_type=params.get_text(request, "type"),
        is_active=params.get_bool(request, "is_active"),
        search=params.get_text(request, "search"),
        after=pagination.read_cursor(request, "sensors"),
        size=limit + 1,
    )
    results, next_url = pagination.page(request, "sensors", rows, limit, key=itemgetter(0))
    return json_response(request, json_body({"results": [sensor_dict(row) for row in results], "next": next_url}))


@api_view
@cacheable
def sensor_detail(request, pk):
    params.check_known(request, set())
    row = queries.sensor_row(_sensor_id(pk))
    if row is None:
        raise not_found(f"No sensor with id {pk}.")
    return json_response(request, json_body(sensor_dict(row)))


@api_view
@cacheable
def sensor_readings(request, pk):
    params.check_known(request, READINGS_PARAMETERS)
    sensor_id = _sensor_id(pk)
    limit = params.get_limit(request)
    scope = f"readings.{sensor_id}"
    after = pagination.read_cursor(request, scope)
    rows = queries.reading_rows(
        sensor_id,
        since=params.get_datetime(request, "since"),
        until=params.get_datetime(request, "until"),
        after=None if after is None else datetime.fromisoformat(after),
        size=limit + 1,
    )
    if rows is None:
        raise not_found(f"No sensor with id {pk}.")
    results, next_url = pagination.page(request, scope, rows, limit, key=itemgetter(0))
    body = {"results": [{"recorded_at": at, "value": value} for at, value in results], "next": next_url}
    return json_response(request, json_body(body))


@api_view
@cacheable
def legacy_sensor_list(request):
    """The earlier Go service's GET /sensors: a bare array of active sensors."""
    rows = queries.sensor_rows(is_active=True)
    return json_response(request, json_body([sensor_dict(row) for row in rows]))
