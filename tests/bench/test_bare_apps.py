"""The bare apps do the API's work and nothing else: a floor that answered less would flatter the ratios."""

from datetime import timedelta
from urllib.parse import urlencode

import orjson
import pytest
from django.db import connection

from harness.server import database_url
from tests.conftest import T0

# The bare app reads through its own connection: the readings must be committed.
pytestmark = [pytest.mark.mysql, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_l4_answers_the_apis_first_page_of_hourly_buckets(client, make_sensor, make_readings, monkeypatch):
    if connection.vendor != "mysql":
        pytest.skip("the bare apps run W4's statement against MySQL")
    from bench import bare_readings

    sensor = make_sensor()
    make_readings(sensor, 700 * 3, step=timedelta(minutes=20))  # 700 hours: more than one page of 500
    since = T0 + timedelta(minutes=17, seconds=5)  # inside an hour, as W4's windows start
    until = since + timedelta(days=30)
    query = urlencode({"bucket": "1h", "since": since.isoformat(), "until": until.isoformat(), "limit": 500})
    path = f"/api/v1/sensors/{sensor.pk}/aggregates"
    api = client.get(f"{path}?{query}")
    assert api.status_code == 200 and api.json()["next"] is not None

    monkeypatch.setenv("DATABASE_URL", database_url())
    monkeypatch.setattr(bare_readings, "_connection", None)
    try:
        body = b"".join(bare_readings.application({"PATH_INFO": path, "QUERY_STRING": query}, lambda *_: None))
    finally:
        if bare_readings._connection is not None:
            bare_readings._connection.close()
    assert orjson.loads(body)["results"] == api.json()["results"]
    assert len(api.json()["results"]) == 500
