"""GET /api/v1/sensors/{id}/readings: time windows, pagination, one query."""

import json
from datetime import datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.assertions import assert_error
from tests.conftest import T0


def readings(client, url):
    response = client.get(url)
    assert response.status_code == 200, response.content
    return json.loads(response.content)


def walk(client, url):
    rows = []
    while url:
        body = readings(client, url)
        rows.extend(body["results"])
        url = body["next"]
    return rows


def test_ascending_with_inclusive_since_and_exclusive_until(client, make_sensor, make_readings):
    sensor = make_sensor()
    make_readings(sensor, 30)
    since = (T0 + timedelta(minutes=5)).isoformat()
    until = (T0 + timedelta(minutes=10)).isoformat()
    body = readings(client, f"/api/v1/sensors/{sensor.pk}/readings?since={since.replace('+', '%2B')}&until={until}")
    assert [row["value"] for row in body["results"]] == [5.0, 6.0, 7.0, 8.0, 9.0]
    assert body["next"] is None
    first = body["results"][0]
    assert set(first) == {"recorded_at", "value"}
    assert datetime.fromisoformat(first["recorded_at"]) == T0 + timedelta(minutes=5)


def test_walk_returns_every_reading_once_in_order(client, make_sensor, make_readings):
    sensor = make_sensor()
    make_readings(sensor, 31)
    make_readings(make_sensor(), 5)  # another sensor's readings never leak in
    rows = walk(client, f"/api/v1/sensors/{sensor.pk}/readings?limit=7")
    assert [row["value"] for row in rows] == [float(i) for i in range(31)]


def test_walk_within_a_window(client, make_sensor, make_readings):
    sensor = make_sensor()
    make_readings(sensor, 40)
    since, until = "2025-03-01T00:10:00Z", "2025-03-01T00:30:00Z"
    rows = walk(client, f"/api/v1/sensors/{sensor.pk}/readings?since={since}&until={until}&limit=6")
    assert [row["value"] for row in rows] == [float(i) for i in range(10, 30)]


@pytest.mark.parametrize("order", ["asc", "desc"])
@pytest.mark.parametrize("window", ["", "&since=2025-03-01T00:07:00Z&until=2025-03-01T00:29:30Z"])
def test_walks_in_either_order_visit_every_reading_once(client, make_sensor, make_readings, order, window):
    sensor = make_sensor()
    make_readings(sensor, 37)
    make_readings(make_sensor(), 5)
    rows = walk(client, f"/api/v1/sensors/{sensor.pk}/readings?order={order}&limit=4{window}")
    expected = [float(i) for i in (range(7, 30) if window else range(37))]
    assert [row["value"] for row in rows] == (expected[::-1] if order == "desc" else expected)
    times = [datetime.fromisoformat(row["recorded_at"]) for row in rows]
    assert times == sorted(set(times), reverse=order == "desc")


def test_ascending_is_the_default_order(client, make_sensor, make_readings):
    sensor = make_sensor()
    make_readings(sensor, 5)
    url = f"/api/v1/sensors/{sensor.pk}/readings?limit=2"
    assert readings(client, url)["results"] == readings(client, url + "&order=asc")["results"]
    assert [row["value"] for row in readings(client, url + "&order=desc")["results"]] == [4.0, 3.0]


@pytest.mark.parametrize(("issued", "used"), [("asc", "desc"), ("desc", "asc"), ("desc", None)])
def test_a_cursor_only_continues_the_order_it_was_issued_for(client, make_sensor, make_readings, issued, used):
    sensor = make_sensor()
    make_readings(sensor, 5)
    url = f"/api/v1/sensors/{sensor.pk}/readings"
    cursor = parse_qs(urlsplit(readings(client, f"{url}?order={issued}&limit=2")["next"]).query)["cursor"][0]
    query = {"cursor": cursor} if used is None else {"cursor": cursor, "order": used}
    assert_error(client.get(url, query), 400, "invalid_parameter", mentions="cursor")


@pytest.mark.parametrize("order", ["up", "DESC", "descending", "", "asc,desc"])
def test_an_unknown_order_is_400_naming_it(client, make_sensor, order):
    sensor = make_sensor()
    error = assert_error(
        client.get(f"/api/v1/sensors/{sensor.pk}/readings", {"order": order}), 400, "invalid_parameter", "order"
    )
    assert error["message"] == "order: must be one of asc, desc"


def test_offsets_and_naive_times(client, make_sensor, make_readings):
    sensor = make_sensor()
    make_readings(sensor, 120)
    url = f"/api/v1/sensors/{sensor.pk}/readings"
    # 01:00+01:00 is 00:00 UTC; an unencoded "+" arrives as a space and is still understood.
    assert readings(client, f"{url}?since=2025-03-01T01:30:00%2B01:00&limit=1")["results"][0]["value"] == 30.0
    assert readings(client, f"{url}?since=2025-03-01T01:30:00+01:00&limit=1")["results"][0]["value"] == 30.0
    assert readings(client, f"{url}?since=2025-03-01T00:45:00&limit=1")["results"][0]["value"] == 45.0


def test_sensor_without_readings_in_window_is_empty(client, make_sensor, make_readings):
    sensor = make_sensor()
    assert readings(client, f"/api/v1/sensors/{sensor.pk}/readings") == {"results": [], "next": None}
    make_readings(sensor, 3)
    assert readings(client, f"/api/v1/sensors/{sensor.pk}/readings?since=2030-01-01T00:00:00Z")["results"] == []


@pytest.mark.django_db
def test_unknown_sensor_is_404(client):
    assert_error(client.get("/api/v1/sensors/987654/readings"), 404, "not_found")
    assert_error(client.get(f"/api/v1/sensors/{2**64}/readings"), 404, "not_found")


@pytest.mark.parametrize(
    "query",
    [
        "since=yesterday",
        "since=2025-13-01",
        "since=2025-02-30T00:00:00Z",
        "until=2025-01-01T25:00:00Z",
        "since=0000-01-01T00:00:00Z",
        "since=0999-12-31T00:00:00Z",
        "until=9999-12-31T23:00:00-05:00",
        "since=2025-01-01T00:00:00%2B99:00",
        "since=",
    ],
)
def test_bad_dates_are_400_naming_the_parameter(client, make_sensor, query):
    sensor = make_sensor()
    name = query.split("=")[0]
    assert_error(client.get(f"/api/v1/sensors/{sensor.pk}/readings?{query}"), 400, "invalid_parameter", mentions=name)


def test_one_query_per_page_and_two_for_an_empty_one(client, make_sensor, make_readings, django_assert_num_queries):
    sensor = make_sensor()
    empty = make_sensor()
    make_readings(sensor, 10)
    next_url = readings(client, f"/api/v1/sensors/{sensor.pk}/readings?limit=3")["next"]
    desc_next_url = readings(client, f"/api/v1/sensors/{sensor.pk}/readings?limit=3&order=desc")["next"]
    for url, queries in [
        (f"/api/v1/sensors/{sensor.pk}/readings?limit=3", 1),
        (next_url, 1),
        (f"/api/v1/sensors/{sensor.pk}/readings?limit=3&order=desc", 1),
        (desc_next_url, 1),
        # An empty page asks whether the sensor exists: 200 with no results, or 404.
        (f"/api/v1/sensors/{empty.pk}/readings", 2),
        ("/api/v1/sensors/987654/readings", 2),
    ]:
        with django_assert_num_queries(queries):
            client.get(url)
