"""Sensor endpoints: the catalogue, one sensor, and one sensor's readings.

Routed by records/api/urls.py, served through relayr.http's pipeline (which
adds ETags, caching, HEAD and OPTIONS and refuses writes); what they raise
becomes the JSON error shape.
"""

from relayr.http import export, params
from relayr.http.errors import not_found
from relayr.http.pagination import Key, Paginator, instant
from relayr.http.responses import json_response

from . import queries
from .exports import sensor_export
from .fields import READING

LIST_PARAMETERS = {"type", "is_active", "search", "limit", "cursor"}
READINGS_PARAMETERS = {"since", "until", "order", "limit", "cursor", "format"}
ORDERS = ("asc", "desc")  # the first is the default
SENSOR_PAGES = Paginator("sensors", Key("id"))
READING_PAGES = Paginator("readings", Key("recorded_at", instant))


def sensor_id_from_path(raw):
    pk = params.parse_id(raw)
    if pk is None:
        raise not_found(f"No sensor with id {raw}.")
    return pk


def sensor_list(request):
    params.check_known(request, LIST_PARAMETERS)
    filters = {
        "sensor_type": params.get_text(request, "type"),
        "is_active": params.get_bool(request, "is_active"),
        "search": params.get_text(request, "search"),
    }
    return SENSOR_PAGES.response(request, lambda window: queries.sensors(**filters, window=window))


def sensor_detail(request, pk):
    params.check_known(request, set())
    sensor = queries.sensor(sensor_id_from_path(pk))
    if sensor is None:
        raise not_found(f"No sensor with id {pk}.")
    return json_response(sensor)


def sensor_readings(request, pk):
    params.check_known(request, READINGS_PARAMETERS)
    sensor_id = sensor_id_from_path(pk)
    since, until = params.get_datetime(request, "since"), params.get_datetime(request, "until")
    descending = params.get_choice(request, "order", ORDERS) == "desc"
    export_format = params.get_choice(request, "format", export.FORMATS)
    if export_format != "json":
        listing = export.Listing(
            READING.names,
            READING_PAGES.key,
            fetch=lambda window: queries.reading_rows(sensor_id, window, since=since, until=until),
            descending=descending,
            fetch_text=lambda window: queries.reading_rows(
                sensor_id, window, since=since, until=until, numbers_as_text=True
            ),
        )
        return sensor_export(request, export_format, sensor_id, listing, what="readings", since=since, until=until)

    def fetch(window):
        readings = queries.readings(sensor_id, window, since=since, until=until)
        if readings is None:
            raise not_found(f"No sensor with id {pk}.")
        return readings

    return READING_PAGES.response(request, fetch, scope=sensor_id, descending=descending)


def legacy_sensor_list(request):
    """The earlier Go service's GET /sensors: a bare array of active sensors."""
    return json_response(queries.sensors(is_active=True))
