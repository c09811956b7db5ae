"""A sensor's listings (its readings, its aggregates) as streamed CSV or NDJSON files.

A listing view that reads ``format`` (params.get_choice with export.FORMATS)
hands any format but json to ``sensor_export``, with the ``Listing`` its JSON
pages are fetched by; this looks the sensor up (a 404 before any row is
sent, and its name for the file) and streams the window.
"""

from relayr.http import export
from relayr.http.errors import not_found

from . import queries


def _instant(value):
    if value is None:
        return None
    return value.strftime("%Y%m%dT%H%M%S" + (".%f" if value.microsecond else "") + "Z")


def sensor_export(request, export_format, sensor_id, listing, *, what, since=None, until=None):
    """The streamed export of ``listing``, one sensor's ``what`` (e.g. "readings",
    "aggregates-1h"), in the file "<sensor name>_<what>_<since>_<until>"."""
    sensor = queries.sensor(sensor_id)
    if sensor is None:
        raise not_found(f"No sensor with id {sensor_id}.")
    name = export.file_name(sensor["name"], what, _instant(since) or "start", _instant(until) or "now")
    return export.response(request, export_format, listing, name)
