"""The per-process response cache: fresh within API_CACHE_SECONDS, new ETags on change, bounded."""

import time
from datetime import UTC, datetime

import pytest
from django.db import connection

from records.models import Reading, Sensor
from relayr.http import cache

SECONDS = 0.3


@pytest.fixture(autouse=True)
def cache_on(settings):
    settings.API_CACHE_SECONDS = SECONDS
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def sensor(db):
    return Sensor.objects.create(name="cache-probe", type="temperature", unit="C", location="lab")


def _sql(statement, *params):
    with connection.cursor() as cursor:
        cursor.execute(statement, params)


def test_a_repeat_is_served_without_a_query(client, sensor, django_assert_num_queries):
    with django_assert_num_queries(1):
        first = client.get(f"/api/v1/sensors/{sensor.pk}")
    with django_assert_num_queries(0):
        again = client.get(f"/api/v1/sensors/{sensor.pk}")
        not_modified = client.get(f"/api/v1/sensors/{sensor.pk}", headers={"If-None-Match": first["ETag"]})
    assert again.content == first.content and again["ETag"] == first["ETag"]
    assert not_modified.status_code == 304 and not_modified["ETag"] == first["ETag"]


def test_a_hit_and_a_head_carry_the_first_responses_link(client, sensor, django_assert_num_queries):
    Sensor.objects.create(name="second", type="t")
    url = "/api/v1/sensors?limit=1"
    with django_assert_num_queries(1):
        first = client.get(url)
    assert first["Link"] == f'<{first.json()["next"]}>; rel="next"'
    with django_assert_num_queries(0):
        hit, head = client.get(url), client.head(url)
    assert hit.content == first.content and head.content == b""
    assert hit["Link"] == head["Link"] == first["Link"]
    whole = client.get("/api/v1/sensors?limit=500"), client.get("/api/v1/sensors?limit=500")
    assert whole[0].json()["next"] is None
    assert "Link" not in whole[0] and "Link" not in whole[1]  # a last page has none, stored or not


def test_an_sql_change_shows_within_the_bound_with_a_new_etag(client, sensor):
    url = f"/api/v1/sensors/{sensor.pk}"
    before = client.get(url)
    _sql("UPDATE records_sensor SET location = %s WHERE id = %s", "roof", sensor.pk)
    assert client.get(url).json()["location"] == "lab"  # still the cached body
    time.sleep(SECONDS + 0.05)
    after = client.get(url, headers={"If-None-Match": before["ETag"]})
    assert after.status_code == 200
    assert after.json()["location"] == "roof"
    assert after["ETag"] != before["ETag"]


def test_new_readings_and_sensors_show_within_the_bound(client, sensor):
    readings_url = f"/api/v1/sensors/{sensor.pk}/readings"
    assert client.get(readings_url).json()["results"] == []
    assert client.get("/api/v1/sensors").json()["results"][-1]["name"] == "cache-probe"
    Reading.objects.create(sensor=sensor, recorded_at=datetime(2024, 1, 1, tzinfo=UTC), value=1.5)
    Sensor.objects.create(name="zz-added", type="humidity")
    time.sleep(SECONDS + 0.05)
    assert client.get(readings_url).json()["results"] == [{"recorded_at": "2024-01-01T00:00:00+00:00", "value": 1.5}]
    assert client.get("/api/v1/sensors").json()["results"][-1]["name"] == "zz-added"


def test_errors_are_not_cached(client, sensor, django_assert_num_queries):
    missing = f"/api/v1/sensors/{sensor.pk + 1000}"
    with django_assert_num_queries(2):
        assert client.get(missing).status_code == 404
        assert client.get(missing).status_code == 404


def test_hosts_get_their_own_next_links(client, sensor, settings):
    settings.ALLOWED_HOSTS = ["a.example", "b.example"]
    Sensor.objects.create(name="second", type="t")
    first = client.get("/api/v1/sensors?limit=1", HTTP_HOST="a.example").json()["next"]
    second = client.get("/api/v1/sensors?limit=1", HTTP_HOST="b.example").json()["next"]
    assert first.startswith("http://a.example/") and second.startswith("http://b.example/")


def test_the_cache_holds_at_most_max_entries(client, sensor, settings):
    settings.API_CACHE_MAX_ENTRIES = 3
    for limit in range(1, 8):
        assert client.get(f"/api/v1/sensors?limit={limit}").status_code == 200
    assert len(cache._entries) == 3


def test_bodies_in_use_outlive_a_stream_of_one_off_urls(client, sensor, settings, django_assert_num_queries):
    settings.API_CACHE_SECONDS = 30  # only the bound on entries is at play here
    settings.API_CACHE_MAX_ENTRIES = 3
    hot = f"/api/v1/sensors/{sensor.pk}"
    client.get(hot)
    for limit in range(1, 8):
        assert client.get(f"/api/v1/sensors?limit={limit}").status_code == 200  # each URL once
        with django_assert_num_queries(0):
            assert client.get(hot).status_code == 200
    assert len(cache._entries) == 3


def test_zero_turns_it_off(client, sensor, settings, django_assert_num_queries):
    settings.API_CACHE_SECONDS = 0
    with django_assert_num_queries(2):
        client.get(f"/api/v1/sensors/{sensor.pk}")
        client.get(f"/api/v1/sensors/{sensor.pk}")


def test_entries_filled_together_expire_spread_within_the_bound(settings):
    settings.API_CACHE_SECONDS = 5.0
    since = time.monotonic()
    for n in range(200):
        cache.store(("http", "h", f"/x/{n}", ""), cache.Entry(b"{}", '"e"', {}), since=since)
    expiries = [expires for expires, *_ in cache._entries.values()]
    assert len(expiries) == 200
    assert all(since + 5.0 * (1 - cache.EXPIRY_SPREAD) <= at <= since + 5.0 for at in expiries)
    assert max(expiries) - min(expiries) > 5.0 * cache.EXPIRY_SPREAD / 2  # spread, not one instant


def test_hits_and_misses_are_counted(client, sensor):
    from prometheus_client import REGISTRY

    def counted(result):
        return REGISTRY.get_sample_value("relayr_api_cache_requests_total", {"result": result}) or 0

    before = counted("hit"), counted("miss")
    client.get(f"/api/v1/sensors/{sensor.pk}")
    client.get(f"/api/v1/sensors/{sensor.pk}")
    client.get("/api/v1/sensors/987654")  # a 404: answered by the view, not stored
    client.get("/admin/login/")  # not an API view: the cache could not have answered it
    assert (counted("hit") - before[0], counted("miss") - before[1]) == (1, 2)
