"""The shared validator: every kind of bad reading gets its reason, good ones come out clean."""

from datetime import UTC, datetime, timedelta, timezone

import pytest

from records.ingest import CleanReading, SensorIds, Validator
from records.models import Sensor


@pytest.fixture
def sensor(make_sensor):
    return make_sensor(name="boiler, \"east\" 'wing'")


@pytest.fixture
def validator(sensor):
    return Validator(SensorIds())


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("recorded_at", "expected"),
    [
        ("2025-03-01T12:00:00Z", datetime(2025, 3, 1, 12, tzinfo=UTC)),
        ("2025-03-01T12:00:00", datetime(2025, 3, 1, 12, tzinfo=UTC)),
        ("2025-03-01 13:00:00.250+01:00", datetime(2025, 3, 1, 12, 0, 0, 250_000, tzinfo=UTC)),
        (datetime(2025, 3, 1, 14, tzinfo=timezone(timedelta(hours=2))), datetime(2025, 3, 1, 12, tzinfo=UTC)),
    ],
)
def test_good_readings_come_out_clean_in_utc(validator, sensor, recorded_at, expected):
    for value, number in [("21.5", 21.5), (21, 21.0), (-0.25, -0.25), ("1e3", 1000.0)]:
        clean = validator.validate(sensor.name, recorded_at, value)
        assert clean == CleanReading(sensor.id, expected, number)
        assert clean.recorded_at.tzinfo is UTC


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "recorded_at", "value", "reason"),
    [
        ("nope", "2025-03-01T12:00:00Z", "1", "unknown sensor 'nope'"),
        ("", "2025-03-01T12:00:00Z", "1", "sensor must be a non-empty name"),
        (None, "2025-03-01T12:00:00Z", "1", "sensor must be a non-empty name"),
        ("x" * 101, "2025-03-01T12:00:00Z", "1", "longer than 100 characters"),
        ("S", "yesterday", "1", "recorded_at is not an ISO 8601 date-time: 'yesterday'"),
        ("S", "", "1", "recorded_at is not an ISO 8601 date-time"),
        ("S", 1740830400, "1", "recorded_at must be a string"),
        ("S", "0999-12-31T00:00:00Z", "1", "recorded_at is out of range"),
        ("S", "9999-12-31T23:00:00-05:00", "1", "recorded_at is out of range"),
        ("S", "2025-03-01T12:00:00Z", "abc", "value is not a number: 'abc'"),
        ("S", "2025-03-01T12:00:00Z", "", "value is not a number"),
        ("S", "2025-03-01T12:00:00Z", "1_000", "value is not a number"),
        ("S", "2025-03-01T12:00:00Z", "nan", "value must be finite"),
        ("S", "2025-03-01T12:00:00Z", "-inf", "value must be finite"),
        ("S", "2025-03-01T12:00:00Z", float("inf"), "value must be finite"),
        ("S", "2025-03-01T12:00:00Z", "1e999", "value must be finite"),
        ("S", "2025-03-01T12:00:00Z", 2**1024, "value is out of range"),
        ("S", "2025-03-01T12:00:00Z", True, "value must be a number"),
        ("S", "2025-03-01T12:00:00Z", None, "value must be a number"),
        ("S", "2025-03-01T12:00:00Z", [1], "value must be a number"),
        ("S", "x" * 500, "1", "..."),
    ],
)
def test_bad_readings_get_a_reason(validator, sensor, name, recorded_at, value, reason):
    result = validator.validate(sensor.name if name == "S" else name, recorded_at, value)
    assert isinstance(result, str)
    assert reason in result
    assert len(result) < 200


@pytest.mark.django_db
def test_sensor_ids_are_cached_and_a_new_sensor_is_found_after_the_recheck(make_sensor, django_assert_num_queries):
    known = make_sensor()
    sensors = SensorIds(recheck_after=60)
    with django_assert_num_queries(2):  # the catalogue, then one look for the unknown name
        assert sensors.get(known.name) == known.id
        assert sensors.get("later") is None
        assert sensors.get("later") is None
        assert sensors.get(known.name) == known.id
    later = make_sensor(name="later")
    assert sensors.get("later") is None  # remembered as unknown until the recheck
    sensors.recheck_after = 0
    sensors.misses.clear()
    assert sensors.get("later") == later.id


@pytest.mark.django_db
def test_sensor_ids_can_create_unknown_sensors():
    sensors = SensorIds(create_missing={"type": "unknown"})
    created = sensors.get("fresh-device")
    assert Sensor.objects.get(name="fresh-device").id == created
    assert Sensor.objects.get(name="fresh-device").type == "unknown"
    assert SensorIds(create_missing={"type": "unknown"}).get("fresh-device") == created
