"""The shared batch writer on MariaDB/MySQL and SQLite: upserts, idempotent, one transaction per batch."""

import threading
from datetime import UTC, datetime, timedelta, timezone

import pytest
from django.db import OperationalError, connection, transaction

from records.ingest import CleanReading, ReadingWriter, WriteResult
from records.models import Reading
from tests.conftest import T0


def rows(sensor, count, start=T0, value=0.0):
    return [CleanReading(sensor.id, start + timedelta(minutes=n), value + n) for n in range(count)]


def stored(sensor):
    return list(Reading.objects.filter(sensor=sensor).order_by("recorded_at").values_list("recorded_at", "value"))


@pytest.mark.django_db
def test_skip_inserts_once_and_keeps_existing_values(make_sensor):
    sensor = make_sensor()
    writer = ReadingWriter("skip", statement_rows=3)
    assert writer.write(rows(sensor, 10)) == WriteResult(10, 10)
    assert writer.write(rows(sensor, 12, value=100)) == WriteResult(12, 2)
    assert stored(sensor)[:10] == [(T0 + timedelta(minutes=n), float(n)) for n in range(10)]
    assert stored(sensor)[10:] == [(T0 + timedelta(minutes=n), 100.0 + n) for n in (10, 11)]


@pytest.mark.django_db
def test_update_replaces_values_and_is_idempotent(make_sensor):
    sensor = make_sensor()
    ReadingWriter("skip").write(rows(sensor, 5))
    writer = ReadingWriter("update")
    assert writer.write(rows(sensor, 8, value=50)) == WriteResult(8, None)
    assert writer.write(rows(sensor, 8, value=50)) == WriteResult(8, None)
    assert stored(sensor) == [(T0 + timedelta(minutes=n), 50.0 + n) for n in range(8)]


@pytest.mark.django_db
@pytest.mark.parametrize(("on_conflict", "kept"), [("skip", 1.0), ("update", 2.0)])
def test_duplicates_within_one_batch(make_sensor, on_conflict, kept):
    sensor = make_sensor()
    ReadingWriter(on_conflict).write([CleanReading(sensor.id, T0, 1.0), CleanReading(sensor.id, T0, 2.0)])
    assert stored(sensor) == [(T0, kept)]


@pytest.mark.django_db
@pytest.mark.parametrize("microsecond", [0, 1, 250_000])
def test_an_instant_stored_by_the_orm_is_the_same_key_for_the_writer(make_sensor, microsecond):
    sensor = make_sensor()
    when = T0.replace(microsecond=microsecond)
    Reading.objects.create(sensor=sensor, recorded_at=when, value=1.0)
    assert ReadingWriter("skip").write([CleanReading(sensor.id, when, 9.0)]).inserted == 0
    ReadingWriter("update").write([CleanReading(sensor.id, when.astimezone(timezone(timedelta(hours=-7))), 9.0)])
    assert stored(sensor) == [(when, 9.0)]
    assert Reading.objects.filter(sensor=sensor, recorded_at=when).count() == 1


@pytest.mark.django_db
def test_values_round_trip_exactly(make_sensor):
    sensor = make_sensor()
    values = [0.1, -1e-300, 1.7976931348623157e308, 5e-324, 123456789.123456789, -0.0]
    ReadingWriter().write([CleanReading(sensor.id, T0 + timedelta(seconds=n), v) for n, v in enumerate(values)])
    assert [value for _, value in stored(sensor)] == values


@pytest.mark.django_db
def test_a_batch_joins_the_callers_transaction(make_sensor):
    sensor = make_sensor()
    with pytest.raises(RuntimeError), transaction.atomic():
        ReadingWriter().write(rows(sensor, 3))
        raise RuntimeError
    assert stored(sensor) == []


@pytest.mark.django_db
def test_naive_times_are_utc_and_bad_values_are_refused(make_sensor):
    sensor = make_sensor()
    ReadingWriter().write([CleanReading(sensor.id, datetime(2025, 3, 1, 12), 1.0)])
    assert stored(sensor) == [(datetime(2025, 3, 1, 12, tzinfo=UTC), 1.0)]
    with pytest.raises(ValueError, match="finite"):
        ReadingWriter().write([CleanReading(sensor.id, T0, float("nan"))])
    with pytest.raises(ValueError, match="on_conflict"):
        ReadingWriter("replace")
    assert ReadingWriter().write([]) == WriteResult(0, 0)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_writers_side_by_side_do_not_deadlock(make_sensor):
    """Two writers, batches over the same hours in opposite orders (as two MQTT consumers get them)."""
    if connection.vendor != "mysql":
        pytest.skip("row locks and deadlocks: MariaDB/MySQL; SQLite writes one transaction at a time")
    sensors = [make_sensor(), make_sensor()]
    failures, start = [], threading.Barrier(2)

    def write(turn):
        writer = ReadingWriter("skip")
        start.wait()
        try:
            for n in range(40):
                batch = [
                    CleanReading(sensor.id, T0 + timedelta(hours=hour, seconds=2 * n + turn), float(n))
                    for sensor in sensors
                    for hour in range(4)
                ]
                writer.write(batch if turn == 0 else batch[::-1])
        except OperationalError as exc:
            failures.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=write, args=(turn,)) for turn in (0, 1)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    assert Reading.objects.filter(sensor__in=sensors).count() == 2 * 40 * 2 * 4
