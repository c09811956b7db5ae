"""JSON log lines and request ids, in process."""

import json
import logging
import sys

import pytest

from relayr.observability.logs import JsonFormatter, request_id


def format_record(*args, exc_info=None, **extra):
    logger = logging.getLogger("relayr.test")
    record = logger.makeRecord(logger.name, logging.ERROR, __file__, 1, *args, exc_info, extra=extra)
    return JsonFormatter().format(record)


def test_a_traceback_stays_inside_one_json_line():
    try:
        raise ValueError("boom\nsecond line")
    except ValueError:
        line = format_record("failed %s", ("here",), exc_info=sys.exc_info())
    assert "\n" not in line
    entry = json.loads(line)
    assert entry["message"] == "failed here"
    assert entry["level"] == "ERROR"
    assert "Traceback (most recent call last)" in entry["exception"]
    assert "ValueError: boom\nsecond line" in entry["exception"]


def test_extras_and_the_current_request_id_are_fields_but_the_request_object_is_not():
    token = request_id.set("abc-123")
    try:
        entry = json.loads(format_record("hello", (), status=200, request=object()))
    finally:
        request_id.reset(token)
    assert entry["request_id"] == "abc-123"
    assert entry["status"] == 200
    assert "request" not in entry


@pytest.fixture
def request_lines(caplog):
    caplog.set_level(logging.INFO, logger="relayr.request")

    def lines():
        return [record for record in caplog.records if record.name == "relayr.request"]

    return lines


@pytest.mark.django_db
def test_one_request_line_with_method_path_status_duration_and_id(client, request_lines):
    response = client.get("/api/v1/sensors?limit=1")
    [line] = request_lines()
    assert (line.method, line.path, line.status) == ("GET", "/api/v1/sensors", 200)
    assert isinstance(line.duration_ms, float) and line.duration_ms >= 0
    assert len(response["X-Request-ID"]) == 32  # generated; the server test checks it is in the line


def test_a_sane_request_id_is_kept(client):
    response = client.get("/livez", HTTP_X_REQUEST_ID="edge-7f3a:2025/01")
    assert response["X-Request-ID"] == "edge-7f3a:2025/01"


@pytest.mark.parametrize("supplied", ["", "x" * 129, "two words", 'quote"d', "new\nline", "ünïcode"])
def test_an_unusable_request_id_is_replaced(client, supplied):
    response = client.get("/livez", HTTP_X_REQUEST_ID=supplied)
    assert response["X-Request-ID"] != supplied
    assert len(response["X-Request-ID"]) == 32
