"""GET /api/v1/sensors and /api/v1/sensors/{id}."""

import json
from datetime import UTC, datetime, timedelta

import pytest

from records.models import Reading, Sensor
from tests.assertions import assert_error
from tests.conftest import T0

SENSOR_KEYS = {"id", "name", "type", "unit", "location", "is_active", "created_at", "updated_at", "latest_reading"}


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


def test_every_sensor_object_carries_its_latest_reading(client, make_sensor, make_readings):
    quiet, busy = make_sensor(), make_sensor()
    make_readings(busy, 30)
    newest = client.get(f"/api/v1/sensors/{busy.pk}/readings?order=desc&limit=1").json()["results"][0]
    assert newest == {"recorded_at": "2025-03-01T00:29:00+00:00", "value": 29.0}
    listed = {row["id"]: row for row in get_json(client, "/api/v1/sensors?limit=500")["results"]}
    legacy = {row["id"]: row for row in get_json(client, "/sensors")}
    for pk, latest in [(busy.pk, newest), (quiet.pk, None)]:
        assert listed[pk]["latest_reading"] == latest
        assert legacy[pk]["latest_reading"] == latest
        assert get_json(client, f"/api/v1/sensors/{pk}")["latest_reading"] == latest
        assert get_json(client, f"/sensors/{pk}")["latest_reading"] == latest


def test_latest_reading_is_the_newest_by_time_not_by_insertion(client, make_sensor):
    sensor = make_sensor()
    later = T0 + timedelta(days=3, microseconds=250)
    Reading.objects.create(sensor=sensor, recorded_at=later, value=-1.5)
    Reading.objects.create(sensor=sensor, recorded_at=T0, value=7.0)  # inserted after, recorded before
    Reading.objects.create(sensor=make_sensor(), recorded_at=later + timedelta(days=1), value=99.0)  # another's
    latest = get_json(client, f"/api/v1/sensors/{sensor.pk}")["latest_reading"]
    # Formatted as the readings endpoint formats recorded_at: RFC 3339 in UTC, microseconds when there are some.
    assert latest == {"recorded_at": "2025-03-04T00:00:00.000250+00:00", "value": -1.5}
    assert latest == get_json(client, f"/api/v1/sensors/{sensor.pk}/readings?order=desc&limit=1")["results"][0]
    assert datetime.fromisoformat(latest["recorded_at"]) == later.astimezone(UTC)


@pytest.mark.parametrize("value", [0.1 + 0.2, -1e-300, 5e-324, 1.7976931348623157e308, 123456789.0, -0.0, 1 / 3])
def test_latest_reading_carries_the_stored_float_exactly(client, make_sensor, value):
    """The newest reading comes back packed as text and parsed again (records.api.fields.Newest): the same
    double, as the readings endpoint gives it."""
    sensor = make_sensor()
    Reading.objects.create(sensor=sensor, recorded_at=T0, value=value)
    latest = get_json(client, f"/api/v1/sensors/{sensor.pk}")["latest_reading"]
    assert latest == get_json(client, f"/api/v1/sensors/{sensor.pk}/readings")["results"][0]
    assert latest["value"] == value


@pytest.mark.django_db
def test_a_page_costs_one_query_however_many_sensors_it_holds(client, django_assert_num_queries):
    def rows(url):
        with django_assert_num_queries(1):
            body = get_json(client, url)
        return body if isinstance(body, list) else body["results"]

    assert len(rows("/api/v1/sensors?limit=500")) < 50  # the seed sensors
    Sensor.objects.bulk_create(Sensor(name=f"bulk-{n:03}", type="t") for n in range(500))
    Reading.objects.bulk_create(
        Reading(sensor=sensor, recorded_at=T0 + timedelta(minutes=n), value=float(n))
        for sensor in Sensor.objects.filter(name__startswith="bulk-")
        for n in range(3)
    )
    newest = {"recorded_at": "2025-03-01T00:02:00+00:00", "value": 2.0}
    for url in ("/api/v1/sensors?limit=500", "/sensors"):
        page = rows(url)
        assert len(page) >= 500
        bulk = [row["latest_reading"] for row in page if row["name"].startswith("bulk-")]
        assert len(bulk) > 450 and bulk == [newest] * len(bulk)
