"""GET /api/v1/sensors/{id}/aggregates: buckets, windows, pages and bad input, against the plain computation."""

from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from records.models import Reading
from tests.assertions import assert_error
from tests.conftest import T0
from tests.records.aggregating import BUCKETS, assert_equal, expected, walk


def iso(when):
    return when.isoformat().replace("+00:00", "Z")


@pytest.fixture
def sensor(make_sensor):
    """Three days of readings, one every 7 minutes from 00:03, values that are not all whole."""
    sensor = make_sensor()
    Reading.objects.bulk_create(
        Reading(sensor=sensor, recorded_at=T0 + timedelta(minutes=3 + 7 * n), value=(n % 50) * 1.5 - 20.25)
        for n in range(3 * 24 * 60 // 7)
    )
    return sensor


@pytest.mark.parametrize("bucket", list(BUCKETS))
def test_every_bucket_over_the_whole_history(client, sensor, bucket):
    assert_equal(
        walk(client, f"/api/v1/sensors/{sensor.pk}/aggregates?bucket={bucket}&limit=500"), expected(sensor, bucket)
    )


@pytest.mark.parametrize("bucket", list(BUCKETS))
@pytest.mark.parametrize("limit", [1, 7])
def test_pages_of_a_window_with_unaligned_edges(client, sensor, bucket, limit):
    since, until = T0 + timedelta(hours=5, minutes=31, seconds=7), T0 + timedelta(days=2, hours=3, minutes=2)
    url = f"/api/v1/sensors/{sensor.pk}/aggregates?bucket={bucket}&since={iso(since)}&until={iso(until)}&limit={limit}"
    if bucket == "1m" and limit == 1:
        url = url.replace(f"until={iso(until)}", f"until={iso(since + timedelta(hours=3))}")
        until = since + timedelta(hours=3)
    assert_equal(walk(client, url), expected(sensor, bucket, since, until))


def test_buckets_are_aligned_to_the_epoch_in_utc(client, make_sensor):
    sensor = make_sensor()
    Reading.objects.bulk_create(
        [
            Reading(sensor=sensor, recorded_at=datetime(2025, 3, 1, 5, 59, 59, 999999, tzinfo=UTC), value=1.0),
            Reading(sensor=sensor, recorded_at=datetime(2025, 3, 1, 6, tzinfo=UTC), value=2.0),
        ]
    )
    body = client.get(f"/api/v1/sensors/{sensor.pk}/aggregates?bucket=6h&since=2025-03-01T02:00:00%2B02:00").json()
    assert [(row["start"], row["count"]) for row in body["results"]] == [
        ("2025-03-01T00:00:00+00:00", 1),
        ("2025-03-01T06:00:00+00:00", 1),
    ]


def test_readings_before_1970_and_years_apart(client, make_sensor):
    sensor = make_sensor()
    times = [datetime(1969, 12, 31, 23, 59, 59, 500000, tzinfo=UTC), datetime(1970, 1, 1, tzinfo=UTC)]
    times += [datetime(2001, 1, 1, tzinfo=UTC), datetime(2025, 3, 1, 12, 30, tzinfo=UTC)]
    Reading.objects.bulk_create(Reading(sensor=sensor, recorded_at=t, value=float(n)) for n, t in enumerate(times))
    for bucket in BUCKETS:
        assert_equal(
            walk(client, f"/api/v1/sensors/{sensor.pk}/aggregates?bucket={bucket}&limit=1"), expected(sensor, bucket)
        )


def test_a_page_costs_few_queries_however_long_the_window(client, sensor):
    window = "since=2000-01-01T00:00:00Z&until=2100-01-01T00:30:00Z"
    url = f"/api/v1/sensors/{sensor.pk}/aggregates?bucket=1h&{window}&limit=10"
    with CaptureQueriesContext(connection) as queries:
        body = client.get(url).json()
    assert len(body["results"]) == 10 and body["next"]
    assert len(queries) <= 4, [q["sql"] for q in queries]


def test_an_empty_window_and_a_sensor_without_readings(client, sensor, make_sensor):
    empty = client.get(f"/api/v1/sensors/{sensor.pk}/aggregates?bucket=1d&since=2030-01-01T00:00:00Z").json()
    assert empty == {"results": [], "next": None}
    other = make_sensor()
    assert client.get(f"/api/v1/sensors/{other.pk}/aggregates?bucket=1h").json() == {"results": [], "next": None}


@pytest.mark.parametrize(
    ("query", "parameter"),
    [
        ("", "bucket"),
        ("bucket=7m", "bucket"),
        ("bucket=1H", "bucket"),
        ("bucket=1h&bucket=1d", "bucket"),
        ("bucket=1h&since=2025-03-02T00:00:00Z&until=2025-03-01T00:00:00Z", "until"),
        ("bucket=1h&since=2025-03-01T00:00:00Z&until=2025-03-01T00:00:00Z", "until"),
        ("bucket=1h&since=0999-12-31T00:00:00Z", "since"),
        ("bucket=1h&until=yesterday", "until"),
        ("bucket=1h&limit=0", "limit"),
        ("bucket=1h&limit=501", "limit"),
        ("bucket=1h&cursor=forged", "cursor"),
    ],
)
def test_bad_values_name_their_parameter(client, sensor, query, parameter):
    error = assert_error(client.get(f"/api/v1/sensors/{sensor.pk}/aggregates?{query}"), 400, "invalid_parameter")
    assert error["message"].startswith(f"{parameter}:"), error


def test_unknown_parameters_are_refused(client, sensor):
    assert_error(
        client.get(f"/api/v1/sensors/{sensor.pk}/aggregates?bucket=1h&order=desc"), 400, "unknown_parameter", "order"
    )


def test_a_cursor_belongs_to_its_sensor_and_bucket(client, sensor, make_sensor):
    other = make_sensor()
    page = client.get(f"/api/v1/sensors/{sensor.pk}/aggregates?bucket=1h&limit=2").json()
    cursor = page["next"].split("cursor=")[1]
    for url in (
        f"/api/v1/sensors/{sensor.pk}/aggregates?bucket=1d",
        f"/api/v1/sensors/{other.pk}/aggregates?bucket=1h",
    ):
        assert_error(client.get(f"{url}&cursor={cursor}"), 400, "invalid_parameter", "cursor")


@pytest.mark.parametrize("pk", ["999999", "99999999999999999999"])
def test_unknown_sensor(client, db, pk):
    assert_error(client.get(f"/api/v1/sensors/{pk}/aggregates?bucket=1h"), 404, "not_found")


def test_the_last_hours_a_datetime_holds(client, make_sensor):
    sensor = make_sensor()
    times = [datetime(9999, 12, 31, 22, 59, tzinfo=UTC), datetime(9999, 12, 31, 23, 59, 59, 999999, tzinfo=UTC)]
    Reading.objects.bulk_create(Reading(sensor=sensor, recorded_at=t, value=float(n)) for n, t in enumerate(times))
    Reading.objects.filter(sensor=sensor, recorded_at=times[0]).update(value=5.0)  # a stale hour
    for bucket in BUCKETS:
        for since in ("", "&since=9999-12-31T23:30:00Z", "&since=9999-12-31T22:00:00Z"):
            got = walk(client, f"/api/v1/sensors/{sensor.pk}/aggregates?bucket={bucket}{since}")
            bound = datetime.fromisoformat(since[7:]) if since else None
            assert_equal(got, expected(sensor, bucket, since=bound))
