"""The OpenAPI document describes what the API really returns."""

import json

import pytest
from django.urls import resolve
from jsonschema import Draft202012Validator, FormatChecker

CASES = [
    # (request path, documented path, expected status)
    ("/", "/", 200),
    ("/api/v1/sensors?limit=2&type=temperature&is_active=true&search=e", "/api/v1/sensors", 200),
    ("/api/v1/sensors?limit=0", "/api/v1/sensors", 400),
    ("/api/v1/sensors/{sensor}", "/api/v1/sensors/{id}", 200),
    ("/api/v1/sensors/987654", "/api/v1/sensors/{id}", 404),
    ("/api/v1/sensors/{sensor}/readings?limit=2", "/api/v1/sensors/{id}/readings", 200),
    ("/api/v1/sensors/{sensor}/readings?order=desc&limit=2", "/api/v1/sensors/{id}/readings", 200),
    ("/api/v1/sensors/{sensor}/readings?since=nope", "/api/v1/sensors/{id}/readings", 400),
    ("/api/v1/sensors/{sensor}/readings?order=up", "/api/v1/sensors/{id}/readings", 400),
    ("/api/v1/sensors/987654/readings", "/api/v1/sensors/{id}/readings", 404),
    ("/sensors", "/sensors", 200),
    ("/sensors/{sensor}", "/sensors/{id}", 200),
]


@pytest.fixture
def document(client, db):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    return json.loads(response.content)


def response_schema(document, path, method, status):
    response = document["paths"][path][method]["responses"][str(status)]
    if "$ref" in response:
        response = document["components"]["responses"][response["$ref"].rsplit("/", 1)[1]]
    ref = response["content"]["application/json"]["schema"]["$ref"]
    # Validate against the whole document so "#/components/..." references resolve.
    return {**document, "$ref": ref}


def test_document_is_openapi_3_1_and_every_path_is_routed(document):
    assert document["openapi"].startswith("3.1")
    for path in document["paths"]:
        resolve(path.replace("{id}", "1"))


@pytest.mark.parametrize(("url", "path", "status"), CASES)
def test_responses_match_the_document(client, document, make_sensor, make_readings, url, path, status):
    sensor = make_sensor()
    make_readings(sensor, 5)
    response = client.get(url.replace("{sensor}", str(sensor.pk)))
    assert response.status_code == status
    schema = response_schema(document, path, "get", status)
    Draft202012Validator(schema, format_checker=FormatChecker()).validate(json.loads(response.content))


@pytest.mark.parametrize("path", ["/api/v1/sensors", "/api/v1/sensors/{id}", "/api/v1/sensors/{id}/readings"])
def test_every_documented_error_has_the_error_shape(client, document, path):
    operation = document["paths"][path]["get"]
    for status in ("400", "404", "405", "503"):
        if status in operation["responses"]:
            schema = response_schema(document, path, "get", status)
            assert schema["$ref"] == "#/components/schemas/Error"
    method_not_allowed = client.post(path.replace("{id}", "1"))
    Draft202012Validator(response_schema(document, path, "get", 405)).validate(json.loads(method_not_allowed.content))


@pytest.mark.parametrize(
    ("url", "path"),
    [
        ("/api/v1/sensors?limit=1", "/api/v1/sensors"),
        ("/api/v1/sensors/{sensor}/readings?order=desc&limit=2", "/api/v1/sensors/{id}/readings"),
        ("/api/v1/sensors/{sensor}/aggregates?bucket=1m&limit=2", "/api/v1/sensors/{id}/aggregates"),
    ],
)
def test_a_pages_link_header_is_the_documented_one(client, document, make_sensor, make_readings, url, path):
    sensor = make_sensor()
    make_readings(sensor, 5)
    response = client.get(url.replace("{sensor}", str(sensor.pk)))
    schema = document["paths"][path]["get"]["responses"]["200"]["headers"]["Link"]["schema"]
    Draft202012Validator(schema).validate(response["Link"])
    assert response["Link"] == f'<{json.loads(response.content)["next"]}>; rel="next"'


def test_documented_query_parameters_are_the_accepted_ones(document):
    from records.api.sensors import LIST_PARAMETERS, READINGS_PARAMETERS

    def query_names(path):
        names = set()
        for parameter in document["paths"][path]["get"]["parameters"]:
            if "$ref" in parameter:
                parameter = document["components"]["parameters"][parameter["$ref"].rsplit("/", 1)[1]]
            if parameter["in"] == "query":
                names.add(parameter["name"])
        return names

    assert query_names("/api/v1/sensors") == LIST_PARAMETERS
    assert query_names("/api/v1/sensors/{id}/readings") == READINGS_PARAMETERS


def test_exports_are_documented_with_their_media_types(client, document, make_sensor):
    operation = document["paths"]["/api/v1/sensors/{id}/readings"]["get"]
    [parameter] = [p for p in operation["parameters"] if p.get("name") == "format"]
    assert parameter["schema"]["enum"] == ["json", "csv", "ndjson"]
    content = operation["responses"]["200"]["content"]
    sensor = make_sensor()
    for export_format in ("csv", "ndjson"):
        response = client.get(f"/api/v1/sensors/{sensor.pk}/readings?format={export_format}")
        assert response["Content-Type"].split(";")[0] in content
