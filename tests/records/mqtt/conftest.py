"""Consumers as real processes against a Mosquitto of the test's own and the MariaDB test database."""

import contextlib
import itertools
import os
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import pytest
import requests
from django.db import connection

from records.models import Reading, Sensor
from tests.support.metrics import sample_sum
from tests.support.mosquitto import Mosquitto
from tests.support.server import BASE_DIR, database_url, free_port

_numbers = itertools.count(1)


class ConsumerProcess:
    """``manage.py consume_readings`` with its own client id, health port and log file."""

    def __init__(self, broker, db_url, client_id=None, env=None):
        self.broker = broker
        self.db_url = db_url
        self.client_id = client_id or f"test-consumer-{uuid.uuid4().hex[:8]}"
        self.extra_env = env or {}
        self.process = None
        self._tmp = tempfile.TemporaryDirectory(prefix="relayr-consumer-")
        self.log_path = Path(self._tmp.name) / "consumer.log"
        self.runs = 0

    def start(self):
        self.port = free_port()
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "relayr.settings.test",
            "DATABASE_URL": self.db_url,
            "MQTT_URL": self.broker.url,
            "MQTT_CLIENT_ID": self.client_id,
            "MQTT_HEALTH_PORT": str(self.port),
            "PYTHONUNBUFFERED": "1",
            **{name: str(value) for name, value in self.extra_env.items()},
        }
        self.runs += 1
        with open(self.log_path, "ab") as log:
            self.process = subprocess.Popen(
                [sys.executable, "manage.py", "consume_readings"], cwd=BASE_DIR, env=env, stdout=log, stderr=log
            )
        self.wait_for(lambda: self.metric("relayr_ingest_subscribed") == 1, "subscribed", timeout=30)
        return self

    def metrics(self):
        return requests.get(f"http://127.0.0.1:{self.port}/metrics", timeout=2).text

    def metric(self, name, **labels):
        try:
            return sample_sum(self.metrics(), name, **labels)
        except requests.RequestException:
            if self.process.poll() is not None:
                raise RuntimeError(f"consumer exited with {self.process.returncode}:\n{self.output()}") from None
            return None

    def wait_for(self, predicate, what, timeout=60):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if predicate():
                return
            time.sleep(0.1)
        raise TimeoutError(f"consumer not {what} after {timeout} s:\n{self.output()[-4000:]}")

    def signal(self, signum):
        self.process.send_signal(signum)

    def wait(self, timeout=60):
        return self.process.wait(timeout=timeout)

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def output(self):
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def close(self):
        self.stop()
        self._tmp.cleanup()


@pytest.fixture
def broker():
    with Mosquitto() as running:
        yield running


@pytest.fixture
def mysql_test_database(django_db_setup, django_db_blocker):
    """The migrated MariaDB test database's settings; the tests write to it from other processes."""
    with django_db_blocker.unblock():
        if connection.vendor != "mysql":
            pytest.skip("the consumer tests run against MariaDB/MySQL")
        return connection.settings_dict


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
