"""Fixtures shared by every test package."""

from datetime import UTC, datetime, timedelta

import pytest
from django.core.management import call_command
from django.db import connection

from records.models import Reading, Sensor

T0 = datetime(2025, 3, 1, tzinfo=UTC)


@pytest.fixture(scope="session", autouse=True)
def collected_static():
    """The admin's pages need the static files manifest (collected at image build time),
    listing every file of this checkout's, not an earlier branch's."""
    call_command("collectstatic", interactive=False, verbosity=0)


def is_mysql():
    return connection.vendor == "mysql"


@pytest.fixture
def make_sensor(db):
    """Creates sensors with unique names; keyword arguments override fields."""
    counter = iter(range(1, 10**6))

    def make(**fields):
        n = next(counter)
        values = {"name": f"test-sensor-{n}", "type": "temperature", "unit": "°C", "location": f"room {n}"}
        values.update(fields)
        return Sensor.objects.create(**values)

    return make


@pytest.fixture
def make_readings(db):
    """count readings for a sensor, one a minute from start, values 0, 1, 2, ..."""

    def make(sensor, count, start=T0, step=timedelta(minutes=1)):
        Reading.objects.bulk_create(
            Reading(sensor=sensor, recorded_at=start + i * step, value=float(i)) for i in range(count)
        )

    return make
