"""Keyset pagination: every row exactly once, signed cursors, no COUNT/OFFSET."""

import json
from urllib.parse import parse_qs, urlsplit

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from records.models import Sensor
from tests.assertions import assert_error


def walk(client, url, on_page=None):
    seen = []
    while url:
        response = client.get(url)
        assert response.status_code == 200, response.content
        body = json.loads(response.content)
        seen.extend(body["results"])
        url = body["next"]
        if on_page and url:
            on_page()
    return seen


def cursor_of(url):
    return parse_qs(urlsplit(url).query)["cursor"][0]


def test_walk_visits_each_row_once(client, make_sensor):
    for _ in range(23):
        make_sensor()
    rows = walk(client, "/api/v1/sensors?limit=4")
    ids = [row["id"] for row in rows]
    assert ids == sorted(set(ids))
    assert ids == list(Sensor.objects.order_by("id").values_list("id", flat=True))


def test_rows_added_mid_walk_are_visited_once(client, make_sensor):
    for _ in range(10):
        make_sensor()
    added = []

    def add_one():
        added.append(make_sensor().pk)

    ids = [row["id"] for row in walk(client, "/api/v1/sensors?limit=3", on_page=add_one)]
    assert len(ids) == len(set(ids))
    # Every row that existed at the start, and every row added while walking, once.
    assert ids == list(Sensor.objects.order_by("id").values_list("id", flat=True))
    assert set(added) <= set(ids)


def test_filters_carry_through_next(client, make_sensor):
    for n in range(7):
        make_sensor(type="paged" if n % 2 else "other")
    rows = walk(client, "/api/v1/sensors?type=paged&limit=1")
    assert [row["type"] for row in rows] == ["paged"] * 3


@pytest.mark.parametrize(
    "query",
    [
        "search=caf%C3%A9&limit=1",  # percent-encoded UTF-8
        "limit=1&search=caf%c3%a9",  # lower-case escapes, another order
        "search=café&limit=1",  # raw UTF-8 bytes in the request line (not valid HTTP, but sent)
        "search=Caf%C3%A9+lab&limit=1",  # "+" for a space
    ],
)
def test_next_keeps_the_query_as_sent_and_replaces_the_cursor(client, make_sensor, query):
    for n in range(3):
        make_sensor(location=f"Café lab {n}")
    make_sensor(location="elsewhere")
    url, locations = "/api/v1/sensors?" + query, []
    while url:
        body = client.get(url).json()
        locations += [row["location"] for row in body["results"]]
        url = body["next"]
        if url:
            assert url.isascii() and url.count("cursor=") == 1, url
            assert parse_qs(urlsplit(url).query)["search"] == parse_qs(query)["search"]
    assert locations == [f"Café lab {n}" for n in range(3)]


@pytest.mark.parametrize(
    "listing",
    ["/api/v1/sensors?limit=2", "/readings?limit=2", "/readings?order=desc&limit=2", "/aggregates?bucket=1m&limit=2"],
)
def test_every_page_with_a_next_one_links_it_in_a_header(client, make_sensor, make_readings, listing):
    sensor = make_sensor()
    make_readings(sensor, 5)
    url = listing.replace("/readings", f"/api/v1/sensors/{sensor.pk}/readings")
    url = url.replace("/aggregates", f"/api/v1/sensors/{sensor.pk}/aggregates")
    pages = 0
    while url:
        response = client.get(url)
        body, pages = json.loads(response.content), pages + 1
        url = body["next"]
        if url:
            assert response["Link"] == f'<{url}>; rel="next"'  # RFC 8288
        else:
            assert "Link" not in response
    assert pages >= 3


def test_pages_use_neither_count_nor_offset(client, make_sensor):
    for _ in range(5):
        make_sensor()
    with CaptureQueriesContext(connection) as queries:
        walk(client, "/api/v1/sensors?limit=2")
    sql = " ".join(query["sql"].upper() for query in queries.captured_queries)
    assert "COUNT(" not in sql and "OFFSET" not in sql


@pytest.mark.django_db
def test_tampered_truncated_and_foreign_cursors_are_refused(client, make_sensor, make_readings):
    for _ in range(3):
        make_sensor()
    cursor = cursor_of(json.loads(client.get("/api/v1/sensors?limit=1").content)["next"])
    sensor = make_sensor()
    make_readings(sensor, 3)
    readings_cursor = cursor_of(json.loads(client.get(f"/api/v1/sensors/{sensor.pk}/readings?limit=1").content)["next"])
    value, signature = cursor.split(":")
    forged = "OTk5:" + signature  # "999" with the original signature
    for bad in [cursor[:-3], cursor + "x", forged, value, "garbage", readings_cursor, "é" * 10]:
        assert_error(client.get("/api/v1/sensors", {"cursor": bad}), 400, "invalid_parameter", mentions="cursor")
    other = make_sensor()
    assert_error(
        client.get(f"/api/v1/sensors/{other.pk}/readings", {"cursor": readings_cursor}),
        400,
        "invalid_parameter",
        mentions="cursor",
    )
    assert_error(
        client.get(f"/api/v1/sensors/{sensor.pk}/readings", {"cursor": cursor}), 400, "invalid_parameter", "cursor"
    )
