"""Consumers as real processes against a Mosquitto of the test's own and the MariaDB test database."""

import contextlib
import itertools
import signal
import uuid

import pytest
from django.db import connection

from harness.server import database_url
from records.models import Reading, Sensor
from tests.support.consumer import ConsumerProcess
from tests.support.mosquitto import Mosquitto
from tests.support.tcp_proxy import TcpProxy

_numbers = itertools.count(1)


@pytest.fixture
def broker():
    with Mosquitto() as running:
        yield running


def pytest_collection_modifyitems(items):
    """A test using ``mysql_test_database`` is marked django_db(transaction=True, serialized_rollback=True).

    pytest-django creates the test database only for a session holding a test
    so marked (run alone, these modules met the development database); the
    consumers are other processes and see committed rows only; the seed data
    comes back after the flush.
    """
    committed = pytest.mark.django_db(transaction=True, serialized_rollback=True)
    for item in items:
        if "mysql_test_database" in getattr(item, "fixturenames", ()) and not item.get_closest_marker("django_db"):
            item.add_marker(committed)


@pytest.fixture
def mysql_test_database(django_db_setup, django_db_blocker):
    """The migrated MariaDB test database's settings; the tests write to it from other processes."""
    with django_db_blocker.unblock():
        if connection.vendor != "mysql":
            pytest.skip("the consumer tests run against MariaDB/MySQL")
        return connection.settings_dict


@pytest.fixture
def database_proxy(mysql_test_database):
    """``(proxy, url)``: a TcpProxy in front of the test database the test can cut or slow, and its URL."""
    settings = mysql_test_database
    with TcpProxy(settings["HOST"] or "127.0.0.1", settings["PORT"] or 3306) as proxy:
        yield proxy, database_url(settings, host=proxy.host, port=proxy.port)


@pytest.fixture
def committed(mysql_test_database, django_db_blocker):
    """Sensors committed for other processes to see, and a way to read what they stored; all deleted after."""
    names = []

    class Committed:
        url = database_url(mysql_test_database)

        def sensors(self, count, prefix="mqtt"):
            tag = f"{prefix}-{uuid.uuid4().hex[:6]}-{next(_numbers)}"
            created = [f"{tag}-{n}" for n in range(count)]
            with django_db_blocker.unblock():
                Sensor.objects.bulk_create([Sensor(name=name, type="temperature", unit="°C") for name in created])
            names.extend(created)
            return created

        def forget(self, name):
            names.append(name)  # a sensor the consumer created: deleted after the test too

        def readings(self, name):
            with django_db_blocker.unblock():
                rows = Reading.objects.filter(sensor__name=name).order_by("recorded_at")
                return list(rows.values_list("recorded_at", "value"))

        def count(self, names):
            with django_db_blocker.unblock():
                return Reading.objects.filter(sensor__name__in=list(names)).count()

    yield Committed()
    with django_db_blocker.unblock():
        Sensor.objects.filter(name__in=names).delete()


@pytest.fixture
def consumers(broker, committed):
    """Starts consumers on the test broker; every one is stopped after the test."""
    started = []

    def start(db_url=None, **kwargs):
        consumer = ConsumerProcess(broker, db_url or committed.url, **kwargs)
        started.append(consumer)
        return consumer.start()

    yield start
    for consumer in started:
        with contextlib.suppress(Exception):
            consumer.close()


def send_signal_and_wait(consumer, signum=signal.SIGTERM, timeout=30):
    consumer.signal(signum)
    return consumer.wait(timeout)
