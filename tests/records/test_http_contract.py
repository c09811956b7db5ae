"""What every API response promises: JSON, read-only methods, ETags, strict parameters."""

import json

import pytest

from tests.assertions import assert_error

API_PATHS = ["/", "/api/v1/sensors", "/api/v1/sensors/1", "/api/v1/sensors/1/readings", "/sensors", "/sensors/1"]


@pytest.mark.django_db
@pytest.mark.parametrize("path", API_PATHS)
@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_write_methods_are_405_with_allow(client, path, method):
    response = getattr(client, method)(path, data="{}", content_type="application/json")
    assert_error(response, 405, "method_not_allowed", mentions=method.upper())
    assert response["Allow"] == "GET, HEAD, OPTIONS"


@pytest.mark.django_db
@pytest.mark.parametrize("path", API_PATHS)
def test_head_has_get_headers_and_no_body(client, path):
    get = client.get(path)
    head = client.head(path)
    assert head.status_code == get.status_code == 200
    assert head.content == b""
    assert head["ETag"] == get["ETag"]
    assert head["Content-Length"] == str(len(get.content))


@pytest.mark.django_db
def test_options_lists_allowed_methods(client):
    response = client.options("/api/v1/sensors")
    assert response.status_code == 204
    assert response["Allow"] == "GET, HEAD, OPTIONS"


@pytest.mark.django_db
@pytest.mark.parametrize("path", API_PATHS)
def test_etag_and_conditional_get(client, path, settings):
    first = client.get(path)
    assert first["ETag"].startswith('"')
    assert first["Cache-Control"] == f"public, max-age={settings.API_CACHE_CONTROL_MAX_AGE}"
    again = client.get(path, headers={"If-None-Match": first["ETag"]})
    assert again.status_code == 304 and again.content == b""
    assert again["ETag"] == first["ETag"]
    listed = client.get(path, headers={"If-None-Match": f'"other", W/{first["ETag"]}'})
    assert listed.status_code == 304
    assert client.get(path, headers={"If-None-Match": '"stale"'}).status_code == 200
    assert client.get(path, headers={"If-None-Match": "*"}).status_code == 304  # any current representation


@pytest.mark.django_db
def test_bodiless_answers_carry_no_content_type(client):
    """204 and 304 have no body, so nothing to type (RFC 9110 sections 15.3.5, 15.4.5)."""
    options = client.options("/api/v1/sensors")
    etag = client.get("/api/v1/sensors")["ETag"]
    not_modified = client.get("/api/v1/sensors", headers={"If-None-Match": etag})
    assert (options.status_code, not_modified.status_code) == (204, 304)
    assert not options.has_header("Content-Type"), options.headers
    assert not not_modified.has_header("Content-Type"), not_modified.headers


def test_etag_changes_with_the_data(client, make_sensor):
    sensor = make_sensor(location="before")
    etag = client.get(f"/api/v1/sensors/{sensor.pk}")["ETag"]
    sensor.location = "after"
    sensor.save()
    response = client.get(f"/api/v1/sensors/{sensor.pk}", headers={"If-None-Match": etag})
    assert response.status_code == 200 and response["ETag"] != etag


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("query", "name"),
    [
        ("limit=0", "limit"),
        ("limit=-1", "limit"),
        ("limit=501", "limit"),
        ("limit=abc", "limit"),
        ("limit=1.5", "limit"),
        ("limit=%EF%BC%95", "limit"),  # a full-width digit five
        ("limit=" + "9" * 400, "limit"),
        ("limit=5&limit=6", "limit"),
        ("is_active=maybe", "is_active"),
        ("search=a%00b", "search"),
        ("search=" + "x" * 10_000, "search"),
        ("type=" + "x" * 201, "type"),
    ],
)
def test_bad_parameters_are_400_naming_them(client, query, name):
    assert_error(client.get(f"/api/v1/sensors?{query}"), 400, "invalid_parameter", mentions=name)


@pytest.mark.django_db
def test_unknown_parameters_are_refused(client):
    error = assert_error(client.get("/api/v1/sensors?limt=5"), 400, "unknown_parameter", mentions="limt")
    assert "limit" in error["message"]
    assert_error(client.get("/api/v1/sensors/1?x=1"), 400, "unknown_parameter", mentions="x")


@pytest.mark.django_db
@pytest.mark.parametrize(
    "value",
    ["' OR 1=1 --", '"; DROP TABLE records_sensor; --', "{{ 7*7 }}", "{% debug %}", "%s%s%s", "\\"],
)
def test_injection_strings_are_plain_data(client, value):
    for name in ("type", "search"):
        response = client.get("/api/v1/sensors", {name: value})
        assert response.status_code == 200
        assert json.loads(response.content)["results"] == []
    assert client.get("/api/v1/sensors").status_code == 200


@pytest.mark.django_db
def test_invalid_utf8_in_search_is_handled(client):
    response = client.get("/api/v1/sensors?search=%FF%FE")
    assert response.status_code == 200


@pytest.mark.django_db
def test_index_links(client):
    body = json.loads(client.get("/").content)
    assert body["service"] == "relayr"
    assert body["version"]
    assert body["links"]["sensors"] == "http://testserver/api/v1/sensors"
    assert body["links"]["openapi"] == "http://testserver/api/v1/openapi.json"


def test_legacy_list_has_only_active_sensors(client, make_sensor):
    inactive = make_sensor(is_active=False)
    body = json.loads(client.get("/sensors").content)
    assert isinstance(body, list)
    assert inactive.pk not in {row["id"] for row in body}
    assert all(row["is_active"] for row in body)
    assert json.loads(client.get(f"/sensors/{inactive.pk}").content)["name"] == inactive.name
    assert_error(client.get("/sensors/987654"), 404, "not_found")
