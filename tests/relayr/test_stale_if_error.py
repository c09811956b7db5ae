"""Serve stale on error (RFC 5861's stale-if-error), for real: one gunicorn
worker, MariaDB behind a TCP proxy that the test cuts.

A body the worker's response cache holds answers 200 instead of the 503
while it is at most API_STALE_IF_ERROR_SECONDS past its freshness, marked
with Age and X-Relayr-Stale; past that bound, and for anything it does not
hold, the client gets the usual 503.
"""

import time

import pytest

from records.models import Sensor
from tests.support.metrics import sample_sum

# Committed changes the server can see; serialized_rollback restores the seed sensors after.
pytestmark = [pytest.mark.slow, pytest.mark.mysql, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

FRESH = 1.0
STALE = 3.0
SERVER_ENV = {
    "API_CACHE_SECONDS": FRESH,
    "API_STALE_IF_ERROR_SECONDS": STALE,
    "DATABASE_CONNECT_TIMEOUT": 1,
    "DATABASE_READ_TIMEOUT": 1,
}
PATH = "/api/v1/sensors?limit=5"


@pytest.fixture
def proxy_and_server(proxied_server):
    return proxied_server(SERVER_ENV, workers=1)  # one worker: every request meets the same cache


def test_a_cached_body_answers_during_an_outage_until_the_stale_bound(proxy_and_server):
    proxy, server = proxy_and_server
    sensor = Sensor.objects.order_by("id").first()
    Sensor.objects.filter(pk=sensor.pk).update(location="before the outage")
    read_at = time.monotonic()
    fresh = server.get(PATH)
    assert fresh.status_code == 200 and "X-Relayr-Stale" not in fresh.headers
    assert fresh.json()["results"][0]["location"] == "before the outage"

    # Changed just before the outage: the stale body may be older than the change,
    # but never by more than the freshness bound plus the stale bound.
    Sensor.objects.filter(pk=sensor.pk).update(location="changed just before")
    proxy.cut()
    assert server.get("/api/v1/sensors?limit=6").status_code == 503, "an uncached URL still fails"

    stale_seen = 0
    while True:
        response = server.get(PATH)
        age = time.monotonic() - read_at
        if response.status_code == 503:
            break
        assert response.status_code == 200
        assert response.content == fresh.content
        assert response.headers["Link"] == fresh.headers["Link"]  # a stale page still links its next one
        assert age <= FRESH + STALE + 0.2, f"a body {age:.2f} s old was served"
        if response.headers.get("X-Relayr-Stale") == "true":
            stale_seen += 1
            assert 0 <= int(response.headers["Age"]) <= FRESH + STALE
            assert response.headers["ETag"] == fresh.headers["ETag"]
        time.sleep(0.1)
    assert stale_seen > 0, "no stale body was served"
    assert age >= FRESH + STALE * 0.8, f"stale serving stopped early, at {age:.2f} s"
    # Once past the bound, it never comes back.
    for _ in range(5):
        assert server.get(PATH).status_code == 503

    metrics = server.get("/metrics").text
    assert sample_sum(metrics, "relayr_api_stale_responses_total") == stale_seen

    proxy.restore()
    deadline = time.monotonic() + 5
    while (response := server.get(PATH)).status_code != 200:
        assert time.monotonic() < deadline
    assert "X-Relayr-Stale" not in response.headers
    assert response.json()["results"][0]["location"] == "changed just before"
