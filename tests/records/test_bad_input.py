"""Hand-written bad input the other API tests leave out, each with its exact answer.

In process: every id path, the readings endpoint's parameters, every
endpoint's repeated and unknown parameters, HEAD and OPTIONS everywhere.
Through a real gunicorn: what never reaches Django (over-long request lines
and headers, raw bytes that are not HTTP) is refused by gunicorn itself,
without a 5xx, and the server keeps serving.
"""

import socket
from urllib.parse import parse_qs, urlsplit

import pytest

from harness.server import GunicornServer
from tests.assertions import assert_error
from tests.relayr.conftest import server_database_url  # noqa: F401 - the shared fixture

ID_PATHS = ["/api/v1/sensors/{id}", "/api/v1/sensors/{id}/readings", "/sensors/{id}"]
EVERY_PATH = ["/", "/api/v1/openapi.json", "/api/v1/sensors", *(path.format(id=1) for path in ID_PATHS), "/sensors"]
INJECTIONS = ["' OR 1=1 --", '"; DROP TABLE records_reading; --', "{{ 7*7 }}", "{% debug %}", "${jndi:ldap://x}"]


@pytest.fixture
def sensor(make_sensor, make_readings):
    sensor = make_sensor()
    make_readings(sensor, 3)
    return sensor


@pytest.mark.django_db
@pytest.mark.parametrize("path", ID_PATHS)
@pytest.mark.parametrize("pk", [str(2**63), str(2**64), str(2**64 + 1), "1" + "0" * 30])
def test_ids_beyond_64_bits_are_404_on_every_id_path(client, path, pk):
    assert_error(client.get(path.format(id=pk)), 404, "not_found", mentions=pk)


@pytest.mark.parametrize("limit", ["0", "-1", "501", "abc", "1e3", "9" * 400, ""])
def test_readings_limits(client, sensor, limit):
    response = client.get(f"/api/v1/sensors/{sensor.pk}/readings", {"limit": limit})
    assert_error(response, 400, "invalid_parameter", mentions="limit")


def test_readings_cursor_tampered_truncated_or_garbage(client, sensor):
    url = f"/api/v1/sensors/{sensor.pk}/readings"
    cursor = parse_qs(urlsplit(client.get(url, {"limit": 1}).json()["next"]).query)["cursor"][0]
    value, signature = cursor.split(":", 1)
    for bad in [cursor[:-1], cursor[: len(value)], value + ":" + signature[::-1], "garbage", "a:b:c", "\u00e9" * 8]:
        assert_error(client.get(url, {"cursor": bad}), 400, "invalid_parameter", mentions="cursor")


@pytest.mark.parametrize(
    ("endpoint", "name", "value"),
    [
        ("/api/v1/sensors", "type", "x"),
        ("/api/v1/sensors", "is_active", "true"),
        ("/api/v1/sensors", "search", "x"),
        ("/api/v1/sensors", "cursor", "x"),
        ("/api/v1/sensors/{id}/readings", "since", "2025-01-01T00:00:00Z"),
        ("/api/v1/sensors/{id}/readings", "until", "2025-01-01T00:00:00Z"),
        ("/api/v1/sensors/{id}/readings", "order", "desc"),
        ("/api/v1/sensors/{id}/readings", "limit", "5"),
        ("/api/v1/sensors/{id}/readings", "cursor", "x"),
    ],
)
def test_repeated_parameters_are_400_on_every_endpoint(client, sensor, endpoint, name, value):
    url = endpoint.format(id=sensor.pk) + f"?{name}={value}&{name}={value}"
    assert_error(client.get(url), 400, "invalid_parameter", mentions=f"{name}: given more than once")


@pytest.mark.parametrize("path", ["/api/v1/sensors/{id}/readings", "/api/v1/sensors/{id}", "/sensors/{id}"])
def test_unknown_and_repeated_unknown_parameters_on_the_other_endpoints(client, sensor, path):
    url = path.format(id=sensor.pk)
    assert_error(client.get(url + "?sort=desc"), 400, "unknown_parameter", mentions="sort")
    assert_error(client.get(url + "?x=1&x=2"), 400, "unknown_parameter", mentions="x")


@pytest.mark.parametrize("value", INJECTIONS)
@pytest.mark.parametrize(
    ("endpoint", "name"),
    [
        ("/api/v1/sensors", "limit"),
        ("/api/v1/sensors", "is_active"),
        ("/api/v1/sensors", "cursor"),
        ("/api/v1/sensors/{id}/readings", "since"),
        ("/api/v1/sensors/{id}/readings", "until"),
        ("/api/v1/sensors/{id}/readings", "limit"),
        ("/api/v1/sensors/{id}/readings", "cursor"),
    ],
)
def test_injection_strings_in_typed_parameters_are_400(client, sensor, endpoint, name, value):
    response = client.get(endpoint.format(id=sensor.pk), {name: value})
    assert_error(response, 400, "invalid_parameter", mentions=name)


@pytest.mark.django_db
@pytest.mark.parametrize("value", INJECTIONS)
def test_injection_strings_in_the_path_are_404(client, value):
    assert_error(client.get("/api/v1/sensors/" + value), 404, "not_found")


@pytest.mark.parametrize("query", ["since=a%00b", "until=%FF%FE", "since=" + "2" * 10_000])
def test_nul_invalid_utf8_and_huge_dates_are_400(client, sensor, query):
    name = query.split("=")[0]
    response = client.get(f"/api/v1/sensors/{sensor.pk}/readings?{query}")
    assert_error(response, 400, "invalid_parameter", mentions=name)


@pytest.mark.django_db
@pytest.mark.parametrize("path", EVERY_PATH)
def test_options_on_every_path(client, path):
    response = client.options(path)
    assert response.status_code == 204
    assert response["Allow"] == "GET, HEAD, OPTIONS"
    assert response.content == b""


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("path", "status"),
    [("/api/v1/openapi.json", 200), ("/api/v1/sensors?limit=0", 400), (f"/api/v1/sensors/{2**64}", 404)],
)
def test_head_of_documents_and_errors_has_no_body(client, path, status):
    get, head = client.get(path), client.head(path)
    assert head.status_code == get.status_code == status
    assert head.content == b""
    assert head["Content-Type"] == get["Content-Type"] == "application/json"


@pytest.mark.django_db
@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_the_document_is_read_only(client, method):
    response = getattr(client, method)("/api/v1/openapi.json", data="{}", content_type="application/json")
    assert_error(response, 405, "method_not_allowed", mentions=method.upper())


# --- through gunicorn ------------------------------------------------------


@pytest.fixture(scope="module")
def server(server_database_url):  # noqa: F811
    with GunicornServer(server_database_url, workers=1) as server:
        yield server


def raw_request(server, data):
    """Send bytes as they are (requests would encode them) and read the whole answer."""
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as sock:
        sock.sendall(data)
        answer = b""
        while chunk := sock.recv(65536):
            answer += chunk
    head, _, body = answer.partition(b"\r\n\r\n")
    status = int(head.split(b" ", 2)[1])
    return status, head.decode("latin-1"), body


def request_line(target):
    return b"GET " + target + b" HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("data", "status"),
    [
        # An 8 KB+ URL: gunicorn's limit_request_line (8190) answers before Django.
        (request_line(b"/api/v1/sensors?search=" + b"x" * 9_000), 414),
        (request_line(b"/api/v1/sensors?cursor=" + b"%41" * 3_000), 414),
        # Raw bytes no HTTP client sends unencoded.
        (request_line(b"/api/v1/sensors?search=\xff\xfe"), 400),
        (request_line(b"/api/v1/sensors?search=a\x00b"), 400),
        # A 9 KB header.
        (b"GET /api/v1/sensors HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: " + b"y" * 9_000 + b"\r\n\r\n", 431),
    ],
)
def test_gunicorn_refuses_what_is_not_a_sane_request(server, data, status):
    answer_status, head, body = raw_request(server, data)
    assert answer_status == status, head
    assert b"gunicorn/" not in body and "gunicorn/" not in head  # no version disclosed
    assert b"Traceback" not in body
    assert server.get("/api/v1/sensors").status_code == 200


@pytest.mark.django_db
def test_an_url_just_under_the_limit_reaches_the_app(server):
    target = b"/api/v1/sensors?search=" + b"x" * 8_000
    status, _, body = raw_request(server, request_line(target))
    assert status == 400
    assert b'"invalid_parameter"' in body and b"search" in body
