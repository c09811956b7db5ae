"""Fault scenarios: a real gunicorn against MariaDB, a real load, a real fault.

They run only under `make reliability` (the ``reliability`` marker is
deselected by default in pyproject.toml) and need MariaDB: the faults are
in the network and the server between the app and its database.
"""

from datetime import timedelta

import pytest
from django.db import connection

from records.models import Reading, Sensor
from tests.conftest import T0

from . import report as scenarios

READINGS_PER_SENSOR = 240


@pytest.fixture(scope="module")
def mysql_settings(django_db_setup, django_db_blocker):
    """The test database's connection settings; the scenarios need MariaDB."""
    with django_db_blocker.unblock():
        if connection.vendor != "mysql":
            pytest.skip("fault scenarios need MariaDB/MySQL (set DATABASE_URL)")
        return dict(connection.settings_dict)


@pytest.fixture(scope="module")
def committed_readings(mysql_settings, django_db_blocker):
    """Readings the server process can see: committed, outside any test transaction."""
    with django_db_blocker.unblock():
        sensors = list(Sensor.objects.order_by("id")[:3])
        Reading.objects.bulk_create(
            Reading(sensor=sensor, recorded_at=T0 + i * timedelta(minutes=1), value=float(i))
            for sensor in sensors
            for i in range(READINGS_PER_SENSOR)
        )
        yield sensors
        Reading.objects.filter(sensor__in=sensors).delete()


def pytest_runtest_logreport(report):
    """Mark each scenario's row passed or failed once its test has run."""
    if report.when != "call" and not report.failed:
        return
    for row in scenarios.ROWS:
        if row.nodeid == report.nodeid and (row.result == "?" or report.failed):
            row.result = "FAIL" if report.failed else "pass"


def pytest_terminal_summary(terminalreporter):
    if not scenarios.ROWS:
        return
    terminalreporter.section("fault scenarios")
    terminalreporter.write_line(scenarios.table(sorted(scenarios.ROWS, key=lambda row: row.scenario)))
