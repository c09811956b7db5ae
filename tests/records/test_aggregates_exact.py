"""Every figure of /aggregates equals the plain computation from the readings, whatever wrote them.

Hypothesis draws readings and a sequence of changes through every kind of
write the project makes (ORM creates, the import/MQTT batch writer's insert
and upsert, deletes, value and time updates, prune_readings, plain SQL,
refresh_rollups), then compares every bucket size over a drawn window with
tests.records.aggregating.expected. No waiting anywhere: the rollups are
kept by triggers in the writing transaction.
"""

import contextlib
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from records.ingest import CleanReading, ReadingWriter
from records.models import Reading
from tests.conftest import T0
from tests.records.aggregating import BUCKETS, assert_equal, expected, walk

# Mostly within ten hours, so hours and buckets hold several readings; some days away.
instants = st.builds(
    lambda minute, second, micro: T0 + timedelta(minutes=minute, seconds=second, microseconds=micro),
    st.one_of(st.integers(0, 600), st.integers(0, 5 * 1440)),
    st.sampled_from([0, 0, 0, 30, 59]),
    st.sampled_from([0, 0, 0, 1, 999999]),
)
values = st.one_of(
    st.floats(min_value=-1e6, max_value=1e6, allow_nan=False, allow_infinity=False),
    st.integers(-50, 50).map(float),
)
operations = st.lists(
    st.one_of(
        st.tuples(st.just("create"), instants, values),
        st.tuples(st.just("insert"), st.lists(st.tuples(instants, values), max_size=10)),
        st.tuples(st.just("upsert"), st.lists(st.tuples(st.integers(0, 99), values), max_size=5)),
        st.tuples(st.just("delete"), st.lists(st.integers(0, 99), max_size=5)),
        st.tuples(st.just("set_value"), st.integers(0, 99), values),
        st.tuples(st.just("move"), st.integers(0, 99), instants),
        st.tuples(st.just("sql"), st.integers(0, 99), values),
        st.tuples(st.just("prune"), instants),
        st.tuples(st.just("refresh"), st.booleans()),
    ),
    min_size=1,
    max_size=8,
)


def apply(sensor, operation):
    kind, *args = operation
    existing = list(Reading.objects.filter(sensor=sensor).order_by("recorded_at"))

    def pick(index):
        return existing[index % len(existing)] if existing else None

    if kind == "create":
        # A duplicate instant is refused, as the admin refuses it.
        with contextlib.suppress(IntegrityError), transaction.atomic():
            Reading.objects.create(sensor=sensor, recorded_at=args[0], value=args[1])
    elif kind == "insert":
        ReadingWriter(on_conflict="skip").write([CleanReading(sensor.pk, when, value) for when, value in args[0]])
    elif kind == "upsert" and existing:
        # Half replace a reading's value, half are new: the writer's INSERT ... ON DUPLICATE KEY / ON CONFLICT.
        rows = {pick(i).recorded_at if i % 2 else pick(i).recorded_at + timedelta(seconds=1): v for i, v in args[0]}
        ReadingWriter(on_conflict="update").write([CleanReading(sensor.pk, when, v) for when, v in rows.items()])
    elif kind == "delete" and existing:
        Reading.objects.filter(id__in=[pick(i).id for i in args[0]]).delete()
    elif kind == "set_value" and existing:
        Reading.objects.filter(id=pick(args[0]).id).update(value=args[1])
    elif kind == "move" and existing:
        with contextlib.suppress(IntegrityError), transaction.atomic():
            Reading.objects.filter(id=pick(args[0]).id).update(recorded_at=args[1])
    elif kind == "sql" and existing:
        with connection.cursor() as cursor:
            cursor.execute("UPDATE records_reading SET value = %s WHERE id = %s", [args[1], pick(args[0]).id])
            cursor.execute("DELETE FROM records_reading WHERE id = %s", [pick(args[0] + 1).id])
    elif kind == "prune":
        call_command("prune_readings", before=args[0].isoformat(), stdout=open("/dev/null", "w"))  # noqa: SIM115
    elif kind == "refresh":
        call_command("refresh_rollups", sensor=sensor.pk, rebuild=args[0], stdout=open("/dev/null", "w"))  # noqa: SIM115


@pytest.mark.django_db
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    first=st.lists(st.tuples(instants, values), min_size=1, max_size=40),
    changes=operations,
    window=st.tuples(st.none() | instants, st.none() | instants),
    limit=st.sampled_from([2, 5, 500]),
)
def test_aggregates_equal_the_readings_after_any_writes(client, make_sensor, first, changes, window, limit):
    sensor = make_sensor()
    ReadingWriter().write([CleanReading(sensor.pk, when, value) for when, value in first])
    for operation in changes:
        apply(sensor, operation)
    since, until = window
    if since is not None and until is not None and since >= until:
        since, until = until, since + timedelta(hours=1)
    query = f"limit={limit}"
    for name, bound in (("since", since), ("until", until)):
        if bound is not None:
            query += f"&{name}={bound.isoformat().replace('+00:00', 'Z')}"
    for bucket in BUCKETS:
        got = walk(client, f"/api/v1/sensors/{sensor.pk}/aggregates?bucket={bucket}&{query}")
        assert_equal(got, expected(sensor, bucket, since, until))
