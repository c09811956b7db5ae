"""Freshness: a change to the readings, whichever way it is made, is in the very next /aggregates answer.

The triggers change the hourly rollups in the writing transaction, so the
bound is the response cache's API_CACHE_SECONDS and nothing more (the
cache is off in the tests: API_CACHE_SECONDS 0). Each test writes one way,
asks at once, and compares with the plain computation from the readings.
The MQTT consumer's path is tests/records/mqtt/test_aggregates.py.
"""

import io
import json
from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from records.models import Reading, ReadingHour, Sensor
from tests.conftest import T0
from tests.records.aggregating import BUCKETS, assert_equal, expected, walk

pytestmark = pytest.mark.django_db


def assert_fresh(client, sensor):
    for bucket in BUCKETS:
        got = walk(client, f"/api/v1/sensors/{sensor.pk}/aggregates?bucket={bucket}&limit=500")
        assert_equal(got, expected(sensor, bucket))


@pytest.fixture
def sensor(make_sensor, make_readings):
    sensor = make_sensor()
    make_readings(sensor, 300)  # five hours, values 0..299
    return sensor


def test_the_admin(admin_client, client, sensor):
    reading = Reading.objects.filter(sensor=sensor).order_by("recorded_at")[10]
    form = {"sensor": sensor.pk, "recorded_at_0": "2025-03-01", "recorded_at_1": "00:10:00", "value": "-1000"}
    assert admin_client.post(f"/admin/records/reading/{reading.pk}/change/", form).status_code == 302
    assert_fresh(client, sensor)
    added = {**form, "recorded_at_1": "07:30:00", "value": "5.5"}
    assert admin_client.post("/admin/records/reading/add/", added).status_code == 302
    assert_fresh(client, sensor)
    assert admin_client.post(f"/admin/records/reading/{reading.pk}/delete/", {"post": "yes"}).status_code == 302
    assert_fresh(client, sensor)


def test_loaddata(client, sensor, tmp_path):
    fixture = [
        {
            "model": "records.reading",
            "fields": {"sensor": [sensor.name], "recorded_at": f"2025-03-02T00:0{n}:00Z", "value": n},
        }
        for n in range(5)
    ]
    path = tmp_path / "readings.json"
    path.write_text(json.dumps(fixture))
    call_command("loaddata", str(path), verbosity=0)
    assert_fresh(client, sensor)


def test_generate_readings(client):
    call_command("generate_readings", sensors=2, per_sensor=500, stdout=io.StringIO())
    assert_fresh(client, Sensor.objects.get(name="bench-00002"))


def test_import_readings_insert_and_update(client, sensor, tmp_path):
    lines = [f"{sensor.name},2025-03-01T00:{n:02d}:00Z,{n * 100.5}" for n in range(0, 60, 3)]
    path = tmp_path / "in.csv"
    path.write_text("sensor,recorded_at,value\n" + "\n".join([*lines, f"{sensor.name},2025-03-03T00:00:00Z,1"]) + "\n")
    call_command("import_readings", str(path), stdout=io.StringIO())
    assert_fresh(client, sensor)
    call_command("import_readings", str(path), "--on-conflict", "update", stdout=io.StringIO())
    assert_fresh(client, sensor)


def test_prune_readings(client, sensor):
    call_command("prune_readings", before=(T0 + timedelta(minutes=150, seconds=1)).isoformat(), stdout=io.StringIO())
    assert_fresh(client, sensor)


def test_plain_sql(client, sensor):
    with connection.cursor() as cursor:
        cursor.execute("UPDATE records_reading SET value = value * 3 WHERE sensor_id = %s AND value < 100", [sensor.pk])
        cursor.execute("DELETE FROM records_reading WHERE sensor_id = %s AND value > 290", [sensor.pk])
        cursor.execute(
            "INSERT INTO records_reading (sensor_id, recorded_at, value) VALUES (%s, %s, 7.25)",
            [sensor.pk, Reading._meta.get_field("recorded_at").get_db_prep_value(T0 + timedelta(days=9), connection)],
        )
    assert_fresh(client, sensor)


def test_refresh_rollups_recounts_what_bypassed_the_triggers(client, sensor):
    """Rollups lost (as by TRUNCATE, which fires no trigger) or wrong: --rebuild recounts them."""
    ReadingHour.objects.filter(
        sensor=sensor, hour__lt=ReadingHour.objects.filter(sensor=sensor).order_by("hour")[2].hour
    ).delete()
    ReadingHour.objects.filter(sensor=sensor).update(high=-1)
    out = io.StringIO()
    call_command("refresh_rollups", rebuild=True, sensor=sensor.pk, stdout=out)
    assert "recounted 5 stale hours" in out.getvalue()
    assert not ReadingHour.objects.filter(stale=True).exists()
    assert_fresh(client, sensor)


def test_refresh_rollups_recounts_stale_hours_and_drops_empty_ones(client, sensor):
    Reading.objects.filter(sensor=sensor, recorded_at__lt=T0 + timedelta(minutes=90)).delete()
    assert ReadingHour.objects.filter(sensor=sensor, stale=True).count() == 2
    out = io.StringIO()
    call_command("refresh_rollups", stdout=out)
    assert "recounted 2 stale hours (1 without readings, removed)" in out.getvalue()
    rows = ReadingHour.objects.filter(sensor=sensor).order_by("hour")
    assert [(row.readings, row.low, row.high, row.stale) for row in rows[:1]] == [(30, 90.0, 119.0, False)]
    assert_fresh(client, sensor)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_migration_sums_up_the_readings_already_there(client, make_sensor, make_readings):
    """Migration 0005 on a database with readings: triggers first, then the existing readings summed up."""
    executor = MigrationExecutor(connection)
    executor.migrate([("records", "0004_reading_page_index")])
    sensor = make_sensor()
    make_readings(sensor, 200)
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
    assert_fresh(client, sensor)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_triggers_of_either_migration_keep_the_rollups(client, make_sensor, make_readings):
    """0005's upsert triggers (after migrating back), 0006's update-first ones and both on 0007's
    (sensor, hour) primary key count the same: new hours, existing hours and a moved reading."""
    sensor = make_sensor()
    make_readings(sensor, 90)
    try:
        for target in ("0005_reading_hour", "0006_reading_hour_update_first", "0007_reading_hour_clustered"):
            executor = MigrationExecutor(connection)
            executor.migrate([("records", target)])
            last = Reading.objects.filter(sensor=sensor).latest("recorded_at").recorded_at
            make_readings(sensor, 90, start=last + timedelta(minutes=1))
            moved = Reading.objects.filter(sensor=sensor).earliest("recorded_at")
            moved.recorded_at = last + timedelta(hours=7)
            moved.save()
            assert_fresh(client, sensor)
    finally:  # the tests after this one run on the whole schema
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--since", "yesterday"], "--since: is not an ISO 8601 date-time"),
        (["--until", "2025-03-01T00:00:00Z", "--since", "2025-03-01T00:30:00Z"], "--until must be later than --since"),
        (["--since", "0999-01-01"], "--since: is out of range"),
    ],
)
def test_refresh_rollups_refuses_bad_bounds(args, message):
    with pytest.raises(CommandError) as error:
        call_command("refresh_rollups", *args, stdout=io.StringIO())
    assert message in str(error.value)
