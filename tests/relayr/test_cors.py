"""CORS over HTTP: which origins may read the API, which headers scripts see, preflight,
and the response cache answering each origin with its own CORS headers.
The browser's side of it is tests/relayr/test_cors_browser.py."""

import pytest

from harness.server import GunicornServer, free_port
from records.api import openapi
from relayr.http import cache
from tests.assertions import assert_error
from tests.support.metrics import sample_sum
from tests.support.processes import run_django

ALLOWED = "https://dashboard.example"
ALSO_ALLOWED = "http://127.0.0.1:3000"
OTHER = "https://evil.example"
EXPOSED = {"etag", "link", "retry-after", "x-request-id"}
METHODS = "GET, HEAD, OPTIONS"


@pytest.fixture
def origins(settings):
    settings.CORS_ALLOWED_ORIGINS = [ALLOWED, ALSO_ALLOWED]


def listed(value):
    return {item.strip().lower() for item in (value or "").split(",") if item.strip()}


def api_paths(sensor_id):
    """Every path of the OpenAPI document, a real sensor's id in place of {id}."""
    return [path.replace("{id}", str(sensor_id)) for path in openapi.document()["paths"]]


def assert_readable_by(response, origin):
    assert response["Access-Control-Allow-Origin"] == origin
    assert listed(response["Access-Control-Expose-Headers"]) == EXPOSED
    assert "Access-Control-Allow-Credentials" not in response  # the API reads no cookies
    assert "origin" in listed(response["Vary"])


def assert_not_readable(response):
    assert "Access-Control-Allow-Origin" not in response
    assert "Access-Control-Expose-Headers" not in response


@pytest.mark.django_db
def test_an_allowed_origin_may_read_every_api_path(client, origins, make_sensor):
    sensor = make_sensor()
    for path in [*api_paths(sensor.pk), "/api/v1/sensors/", "/sensors/"]:
        for origin in (ALLOWED, ALSO_ALLOWED):
            response = client.get(path, headers={"Origin": origin})
            assert response.status_code < 500, (path, response.status_code)
            assert_readable_by(response, origin)


@pytest.mark.django_db
def test_any_other_origin_gets_no_cors_headers(client, origins):
    for origin in (OTHER, "null", "http://127.0.0.1:3001", "https://dashboard.example.evil.example", "not a url"):
        response = client.get("/api/v1/sensors", headers={"Origin": origin})
        assert response.status_code == 200
        assert_not_readable(response)
        assert "origin" in listed(response["Vary"])  # a shared cache must not reuse the answer across origins


@pytest.mark.django_db
def test_no_origin_is_allowed_by_default(client):
    response = client.get("/api/v1/sensors", headers={"Origin": ALLOWED})
    assert response.status_code == 200
    assert_not_readable(response)
    # No answer differs by Origin, so the middleware took itself out (MiddlewareNotUsed).
    assert "origin" not in listed(response.get("Vary"))


@pytest.mark.django_db
def test_errors_are_readable_too(client, origins):
    """A script sees the API's JSON error, not an opaque network failure."""
    bad = client.get("/api/v1/sensors?limit=0", headers={"Origin": ALLOWED})
    assert_error(bad, 400, "invalid_parameter", "limit")
    missing = client.get("/api/v1/sensors/987654", headers={"Origin": ALLOWED})
    assert_error(missing, 404, "not_found")
    refused = client.post("/api/v1/sensors", headers={"Origin": ALLOWED})
    assert refused.status_code == 405
    for response in (bad, missing, refused):
        assert_readable_by(response, ALLOWED)


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/admin/login/", "/livez", "/readyz", "/metrics"])
def test_the_admin_probes_and_metrics_send_no_cors_headers(client, origins, path):
    response = client.get(path, headers={"Origin": ALLOWED})
    assert response.status_code == 200
    assert_not_readable(response)
    assert "origin" not in listed(response.get("Vary"))


@pytest.mark.django_db
def test_a_preflight_gets_the_apis_answer_to_options_with_cors_headers(client, origins):
    plain = client.options("/api/v1/sensors")
    preflight = client.options(
        "/api/v1/sensors",
        headers={
            "Origin": ALLOWED,
            "Access-Control-Request-Method": "GET",
            "Access-Control-Request-Headers": "if-none-match, x-request-id",
        },
    )
    for response in (plain, preflight):
        assert response.status_code == 204 and response.content == b""
        assert response["Allow"] == METHODS
    assert_readable_by(preflight, ALLOWED)
    assert preflight["Access-Control-Allow-Methods"] == METHODS
    assert {"if-none-match", "x-request-id"} <= listed(preflight["Access-Control-Allow-Headers"])
    assert int(preflight["Access-Control-Max-Age"]) > 0
    assert "Access-Control-Allow-Origin" not in plain


@pytest.mark.django_db
def test_a_preflight_for_a_write_or_from_another_origin_is_not_granted(client, origins):
    write = client.options("/api/v1/sensors", headers={"Origin": ALLOWED, "Access-Control-Request-Method": "POST"})
    assert "POST" not in write["Access-Control-Allow-Methods"]  # the browser then refuses to send it
    other = client.options("/api/v1/sensors", headers={"Origin": OTHER, "Access-Control-Request-Method": "GET"})
    assert other.status_code == 204
    assert "Access-Control-Allow-Origin" not in other and "Access-Control-Allow-Methods" not in other


@pytest.fixture
def cache_on(settings):
    settings.API_CACHE_SECONDS = 60
    cache.clear()
    yield
    cache.clear()


@pytest.mark.django_db
def test_cached_answers_carry_the_current_requests_cors_headers(
    client, origins, cache_on, make_sensor, django_assert_num_queries
):
    path = f"/api/v1/sensors/{make_sensor().pk}"
    first = client.get(path, headers={"Origin": ALLOWED})
    assert_readable_by(first, ALLOWED)
    with django_assert_num_queries(0):  # every answer below comes from the cache
        other = client.get(path, headers={"Origin": OTHER})
        anonymous = client.get(path)
        second = client.get(path, headers={"Origin": ALSO_ALLOWED})
        head = client.head(path, headers={"Origin": OTHER})
        revalidated = client.get(path, headers={"Origin": ALSO_ALLOWED, "If-None-Match": first["ETag"]})
    assert other.content == anonymous.content == second.content == first.content
    assert_not_readable(other)
    assert_not_readable(anonymous)
    assert_not_readable(head)
    assert_readable_by(second, ALSO_ALLOWED)
    assert revalidated.status_code == 304
    assert_readable_by(revalidated, ALSO_ALLOWED)


# --- the setting ---------------------------------------------------------------

SHOW_ORIGINS = "import django; from django.conf import settings; django.setup(); print(settings.CORS_ALLOWED_ORIGINS)"


def origins_from(value):
    env = {"DJANGO_SECRET_KEY": "k"}
    if value is not None:
        env["DJANGO_CORS_ALLOWED_ORIGINS"] = value
    return run_django("-c", SHOW_ORIGINS, settings="relayr.settings.prod", env=env, clean=True)


def test_the_setting_reads_a_comma_separated_list_and_is_empty_by_default():
    for value, expected in [
        (None, "[]"),
        ("", "[]"),
        (f" {ALLOWED}, {ALSO_ALLOWED} ,", repr([ALLOWED, ALSO_ALLOWED])),
        ("http://[::1]:8080", repr(["http://[::1]:8080"])),
    ]:
        result = origins_from(value)
        assert result.returncode == 0, result.stderr
        assert result.stdout.strip().splitlines()[-1] == expected


@pytest.mark.parametrize(
    "value", ["https://dashboard.example/", "dashboard.example", "https://Dashboard.example", "ftp://x.example", "*"]
)
def test_a_value_that_is_not_an_origin_stops_start_up_with_one_line(value):
    result = origins_from(f"{ALLOWED},{value}")
    assert result.returncode == 1
    assert result.stderr.strip().count("\n") == 0, result.stderr
    assert "DJANGO_CORS_ALLOWED_ORIGINS" in result.stderr and repr(value) in result.stderr


# --- through gunicorn ------------------------------------------------------------


@pytest.fixture(scope="module")
def cached_server(server_database_url):
    env = {"DJANGO_CORS_ALLOWED_ORIGINS": f"{ALLOWED},{ALSO_ALLOWED}", "API_CACHE_SECONDS": 60}
    with GunicornServer(server_database_url, workers=1, env=env) as server:
        yield server


def cache_hits(server):
    return sample_sum(server.get("/metrics").text, "relayr_api_cache_requests_total", result="hit")


@pytest.mark.slow
@pytest.mark.django_db
def test_one_workers_cache_answers_each_origin_with_its_own_headers(cached_server):
    path = "/api/v1/sensors?limit=2"
    first = cached_server.get(path, headers={"Origin": ALLOWED})
    assert first.status_code == 200
    assert first.headers["Access-Control-Allow-Origin"] == ALLOWED
    hits = cache_hits(cached_server)
    asking = ({"Origin": OTHER}, {}, {"Origin": ALSO_ALLOWED})
    answers = [cached_server.get(path, headers=headers) for headers in asking]
    assert cache_hits(cached_server) == hits + 3
    assert {answer.content for answer in answers} == {first.content}
    assert [answer.headers.get("Access-Control-Allow-Origin") for answer in answers] == [None, None, ALSO_ALLOWED]
    assert listed(answers[2].headers["Access-Control-Expose-Headers"]) == EXPOSED
    assert all("origin" in listed(answer.headers["Vary"]) for answer in answers)


@pytest.mark.slow
@pytest.mark.django_db
def test_a_preflight_over_http(cached_server):
    headers = {"Origin": ALLOWED, "Access-Control-Request-Method": "GET"}
    response = cached_server.request("OPTIONS", "/api/v1/sensors/1/readings", headers=headers)
    assert response.status_code == 204
    assert response.headers["Allow"] == response.headers["Access-Control-Allow-Methods"] == METHODS
    assert response.headers["Access-Control-Allow-Origin"] == ALLOWED


@pytest.mark.slow
def test_a_503_tells_a_script_when_to_retry():
    """The database is a closed port: the API's 503 carries Retry-After, readable by the script."""
    url = f"mysql://relayr@127.0.0.1:{free_port()}/relayr"
    env = {"DJANGO_CORS_ALLOWED_ORIGINS": ALLOWED, "DATABASE_CONNECT_TIMEOUT": 1}
    with GunicornServer(url, workers=1, env=env) as server:
        response = server.get("/api/v1/sensors", headers={"Origin": ALLOWED})
    assert response.status_code == 503
    assert int(response.headers["Retry-After"]) >= 1
    assert response.headers["Access-Control-Allow-Origin"] == ALLOWED
    assert "retry-after" in listed(response.headers["Access-Control-Expose-Headers"])
