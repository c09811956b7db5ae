"""GET /api/v1/sensors and /api/v1/sensors/{id}."""

import json
from datetime import datetime

import pytest

from records.models import Sensor
from tests.assertions import assert_error

SENSOR_KEYS = {"id", "name", "type", "unit", "location", "is_active", "created_at", "updated_at"}


def get_json(client, url, status=200, **extra):
    response = client.get(url, **extra)
    assert response.status_code == status, response.content[:300]
    assert response["Content-Type"] == "application/json"
    return json.loads(response.content)


@pytest.mark.django_db
def test_list_is_ordered_by_id_with_every_key(client):
    body = get_json(client, "/api/v1/sensors")
    ids = [row["id"] for row in body["results"]]
    assert ids == sorted(ids) and len(ids) == Sensor.objects.count()
    assert body["next"] is None
    for row in body["results"]:
        assert set(row) == SENSOR_KEYS
        assert datetime.fromisoformat(row["created_at"]).utcoffset() is not None
        assert datetime.fromisoformat(row["updated_at"]).utcoffset() is not None


def test_list_default_limit_is_fifty(client, make_sensor):
    for _ in range(60):
        make_sensor()
    body = get_json(client, "/api/v1/sensors")
    assert len(body["results"]) == 50
    assert body["next"]


def test_filters(client, make_sensor):
    make_sensor(name="Alpha-Probe", type="zz-kind", location="Basement")
    make_sensor(name="beta", type="zz-kind", location="Attic ALPHA wing", is_active=False)
    make_sensor(name="gamma", type="other", location="Garden")

    def names(query):
        return {row["name"] for row in get_json(client, f"/api/v1/sensors?{query}")["results"]}

    assert names("type=zz-kind") == {"Alpha-Probe", "beta"}
    assert names("type=zz-kind&is_active=false") == {"beta"}
    assert names("type=zz-kind&is_active=true") == {"Alpha-Probe"}
    assert names("search=alpha") == {"Alpha-Probe", "beta"}
    assert names("search=GARDEN") == {"gamma"}
    assert names("type=nothing-like-this") == set()


def test_detail(client, make_sensor):
    sensor = make_sensor(name="detail-me", unit="hPa")
    body = get_json(client, f"/api/v1/sensors/{sensor.pk}")
    assert set(body) == SENSOR_KEYS
    assert (body["id"], body["name"], body["unit"], body["is_active"]) == (sensor.pk, "detail-me", "hPa", True)
    assert get_json(client, f"/api/v1/sensors/{sensor.pk}/") == body


@pytest.mark.parametrize("pk", ["999999", "0", str(2**63), "9" * 40])
@pytest.mark.django_db
def test_detail_of_unknown_id_is_404(client, pk):
    assert_error(client.get(f"/api/v1/sensors/{pk}"), 404, "not_found", mentions=pk)


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/api/v1/sensors/-1", "/api/v1/sensors/abc", "/api/v2/sensors", "/nope", "/api"])
def test_unknown_paths_are_json_404(client, path):
    assert_error(client.get(path), 404, "not_found")


def test_each_request_costs_one_query(client, make_sensor, django_assert_num_queries):
    sensor = make_sensor()
    for _ in range(5):
        make_sensor()
    with django_assert_num_queries(1):
        client.get("/api/v1/sensors?limit=2&type=temperature&search=room&is_active=true")
    next_url = json.loads(client.get("/api/v1/sensors?limit=2").content)["next"]
    with django_assert_num_queries(1):
        assert client.get(next_url).status_code == 200
    with django_assert_num_queries(1):
        client.get(f"/api/v1/sensors/{sensor.pk}")
    with django_assert_num_queries(1):
        client.get("/sensors")
