"""The OpenAPI 3.1 description of the API; tests check real responses against it."""

from django.conf import settings

from relayr import __version__
from relayr.http.export import FORMATS

from .aggregates import BUCKETS
from .aggregates import COLUMNS as AGGREGATE_COLUMNS
from .fields import READING, SENSOR


def _error(description):
    return {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
    }


LINK = {
    "description": 'When there is a next page: `<url>; rel="next"` (RFC 8288), the URL of the body\'s `next`.',
    "schema": {"type": "string", "pattern": '^<[^>]+>; rel="next"$'},
}


def _ok(description, schema_ref, *, paged=False):
    headers = {"ETag": {"schema": {"type": "string"}}, "Cache-Control": {"schema": {"type": "string"}}}
    if paged:
        headers["Link"] = LINK
    return {
        "description": description,
        "headers": headers,
        "content": {"application/json": {"schema": {"$ref": schema_ref}}},
    }


def _ok_or_export(description, schema_ref, columns):
    """A page as JSON, or with ``format`` the whole window as CSV or NDJSON (relayr.http.export)."""
    ok = _ok(description, schema_ref, paged=True)
    ok["headers"]["Content-Disposition"] = {
        "schema": {"type": "string"},
        "description": "With format=csv or ndjson: attachment, and a file name naming the sensor and the window.",
    }
    ok["content"]["text/csv"] = {
        "schema": {"type": "string"},
        "description": f"format=csv: the header line `{','.join(columns)}`, then one line per row (CRLF).",
    }
    ok["content"]["application/x-ndjson"] = {
        "schema": {"type": "string"},
        "description": "format=ndjson: one JSON object per line, each like a result of the JSON page.",
    }
    return ok


FORMAT_DESCRIPTION = (
    "`json`: one page. `csv` or `ndjson`: every row of the window in one streamed file, without `ETag`; "
    "`limit` and `cursor` are then refused (400)."
)

ERRORS = {
    "400": _error("A parameter is invalid, repeated or unknown; the message names it."),
    "404": _error("No such sensor."),
    "405": _error("Write methods are refused: the API is read-only."),
    "503": _error("The database is unavailable; retry after the Retry-After seconds."),
}
NOT_MODIFIED = {"description": "The If-None-Match ETag still matches."}
# Answered by gunicorn before the app runs (limit_request_line in relayr/gunicorn.conf.py),
# so it is its HTML page, not the JSON error shape. Every valid request fits.
URI_TOO_LONG = {
    "description": "The request line exceeds 8190 bytes; answered by the HTTP server as HTML.",
    "content": {"text/html": {"schema": {"type": "string"}}},
}


def _query(name, schema, description):
    return {"name": name, "in": "query", "required": False, "schema": schema, "description": description}


def _parameters():
    return {
        "SensorId": {
            "name": "id",
            "in": "path",
            "required": True,
            "schema": {"type": "integer", "minimum": 1},
            "description": "Sensor id.",
        },
        "Limit": _query(
            "limit",
            {"type": "integer", "minimum": 1, "maximum": settings.API_MAX_LIMIT, "default": settings.API_DEFAULT_LIMIT},
            "Page size.",
        ),
        "Cursor": _query("cursor", {"type": "string"}, "Opaque cursor from a previous page's `next`."),
    }


def _schemas():
    return {
        "Error": {
            "type": "object",
            "required": ["error"],
            "properties": {
                "error": {
                    "type": "object",
                    "required": ["code", "message"],
                    "properties": {
                        "code": {"type": "string"},
                        "message": {"type": "string"},
                        "retry_after_ms": {
                            "type": "integer",
                            "description": "With database_unavailable: when to retry, in milliseconds.",
                        },
                    },
                }
            },
        },
        "Sensor": SENSOR.schema(),
        "SensorPage": {
            "type": "object",
            "required": ["results", "next"],
            "properties": {
                "results": {"type": "array", "items": {"$ref": "#/components/schemas/Sensor"}},
                "next": {"type": ["string", "null"], "format": "uri"},
            },
        },
        "SensorArray": {"type": "array", "items": {"$ref": "#/components/schemas/Sensor"}},
        "Reading": READING.schema(),
        "ReadingPage": {
            "type": "object",
            "required": ["results", "next"],
            "properties": {
                "results": {"type": "array", "items": {"$ref": "#/components/schemas/Reading"}},
                "next": {"type": ["string", "null"], "format": "uri"},
            },
        },
        "Aggregate": {
            "type": "object",
            "required": ["start", "count", "min", "max", "avg"],
            "properties": {
                "start": {"type": "string", "format": "date-time", "description": "The bucket's start (UTC)."},
                "count": {"type": "integer", "minimum": 1},
                "min": {"type": "number"},
                "max": {"type": "number"},
                # A sum past the largest double is infinite, which JSON writes as null.
                "avg": {"type": ["number", "null"]},
            },
        },
        "AggregatePage": {
            "type": "object",
            "required": ["results", "next"],
            "properties": {
                "results": {"type": "array", "items": {"$ref": "#/components/schemas/Aggregate"}},
                "next": {"type": ["string", "null"], "format": "uri"},
            },
        },
        "Index": {
            "type": "object",
            "required": ["service", "version", "links"],
            "properties": {
                "service": {"type": "string"},
                "version": {"type": "string"},
                "links": {"type": "object", "additionalProperties": {"type": "string"}},
            },
        },
    }


def _get(operation_id, summary, ok, parameters=(), errors=("405", "503")):
    responses = {"200": ok, "304": NOT_MODIFIED}
    responses.update({code: {"$ref": f"#/components/responses/E{code}"} for code in errors})
    responses["414"] = URI_TOO_LONG
    return {
        "get": {"operationId": operation_id, "summary": summary, "parameters": list(parameters), "responses": responses}
    }


def document():
    ref = "#/components/parameters/"
    sensor_id, limit, cursor = {"$ref": ref + "SensorId"}, {"$ref": ref + "Limit"}, {"$ref": ref + "Cursor"}
    since_until = [
        _query("since", {"type": "string", "format": "date-time"}, "Inclusive lower bound (ISO 8601)."),
        _query("until", {"type": "string", "format": "date-time"}, "Exclusive upper bound (ISO 8601)."),
    ]
    order = _query(
        "order",
        {"type": "string", "enum": ["asc", "desc"], "default": "asc"},
        "`asc`: oldest first; `desc`: newest first. A cursor continues the order it was issued for.",
    )
    export_format = _query("format", {"type": "string", "enum": list(FORMATS), "default": "json"}, FORMAT_DESCRIPTION)
    list_filters = [
        _query("type", {"type": "string", "maxLength": 200}, "Exact sensor type."),
        _query("is_active", {"type": "boolean"}, "Active or inactive sensors only."),
        _query("search", {"type": "string", "maxLength": 200}, "Name or location contains (case-insensitive)."),
    ]
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "relayr",
            "version": __version__,
            "description": "Read-only JSON API over sensors and their readings. Clients must ignore unknown keys.",
        },
        "paths": {
            "/": _get("index", "Service index", _ok("Service name, version and links.", "#/components/schemas/Index")),
            "/api/v1/openapi.json": {
                "get": {
                    "operationId": "openapi",
                    "summary": "This document",
                    "responses": {"200": {"description": "The OpenAPI document.", "content": {"application/json": {}}}},
                }
            },
            "/api/v1/sensors": _get(
                "listSensors",
                "Sensors, ordered by id, paginated",
                _ok("A page of sensors.", "#/components/schemas/SensorPage", paged=True),
                [*list_filters, limit, cursor],
                errors=("400", "405", "503"),
            ),
            "/api/v1/sensors/{id}": _get(
                "getSensor",
                "One sensor",
                _ok("The sensor.", "#/components/schemas/Sensor"),
                [sensor_id],
                errors=("400", "404", "405", "503"),
            ),
            "/api/v1/sensors/{id}/readings": _get(
                "listReadings",
                "One sensor's readings in a time window, oldest or newest first",
                _ok_or_export(
                    "A page of readings, or all of the window's as a file.",
                    "#/components/schemas/ReadingPage",
                    READING.names,
                ),
                [sensor_id, *since_until, order, limit, cursor, export_format],
                errors=("400", "404", "405", "503"),
            ),
            "/api/v1/sensors/{id}/aggregates": _get(
                "listAggregates",
                "Count, min, max and mean of one sensor's readings per time bucket, ascending",
                _ok_or_export(
                    "A page of buckets, or all of the window's as a file; a bucket without readings is left out.",
                    "#/components/schemas/AggregatePage",
                    AGGREGATE_COLUMNS,
                ),
                [
                    sensor_id,
                    {
                        **_query(
                            "bucket",
                            {"type": "string", "enum": list(BUCKETS)},
                            "Bucket length; buckets are aligned to multiples of it since the Unix epoch, in UTC.",
                        ),
                        "required": True,
                    },
                    _query(
                        "since",
                        {"type": "string", "format": "date-time"},
                        "Readings counted from this instant (inclusive; ISO 8601). Default: the sensor's first.",
                    ),
                    _query(
                        "until",
                        {"type": "string", "format": "date-time"},
                        "Readings counted before this instant (exclusive; ISO 8601). Default: no bound.",
                    ),
                    limit,
                    cursor,
                    export_format,
                ],
                errors=("400", "404", "405", "503"),
            ),
            "/sensors": _get(
                "legacyListSensors",
                "All active sensors (earlier service)",
                _ok("Every active sensor.", "#/components/schemas/SensorArray"),
            ),
            "/sensors/{id}": _get(
                "legacyGetSensor",
                "One sensor (earlier service)",
                _ok("The sensor.", "#/components/schemas/Sensor"),
                [sensor_id],
                errors=("400", "404", "405", "503"),
            ),
        },
        "components": {
            "schemas": _schemas(),
            "parameters": _parameters(),
            "responses": {f"E{code}": response for code, response in ERRORS.items()},
        },
    }
