"""The README's mosquitto_pub command, run as written, and its reading in the API within the cache's bound + 1 s."""

import re
import shlex
import subprocess
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest

from harness.server import GunicornServer
from records.models import Reading, Sensor

pytestmark = [pytest.mark.slow, pytest.mark.mysql]

README = Path(__file__).resolve().parents[3] / "README.md"
CACHE_SECONDS = 5


def readme_commands():
    """The section's mosquitto_pub and curl lines, exactly as the README prints them."""
    section = README.read_text(encoding="utf-8").split("## Live readings over MQTT", 1)[1].split("\n## ", 1)[0]
    publish = re.search(r"^mosquitto_pub .*$", section, re.M).group(0)
    curl = re.search(r"^curl .*$", section, re.M).group(0)
    return publish, curl


def test_a_published_reading_is_in_the_api_within_the_cache_bound(broker, committed, consumers, django_db_blocker):
    publish, curl = readme_commands()
    sensor_name = publish.split("relayr/readings/", 1)[1].split()[0]
    path = re.search(r"http://127\.0\.0\.1:8000(\S+?)'?$", curl).group(1)
    with django_db_blocker.unblock():
        # Seeded by a migration, unless a transactional test emptied the table since.
        sensor, created = Sensor.objects.get_or_create(name=sensor_name, defaults={"type": "temperature"})
    path = path.replace("/sensors/1/", f"/sensors/{sensor.id}/")
    consumers()
    try:
        with GunicornServer(committed.url, workers=1, env={"API_CACHE_SECONDS": CACHE_SECONDS}) as server:
            assert server.get(path).json()["results"] == []  # now in the worker's response cache
            # The README's command, pointed at the test's broker.
            subprocess.run([*shlex.split(publish), "-p", str(broker.port)], check=True, timeout=10)
            published = time.monotonic()
            while not (results := server.get(path).json()["results"]):
                assert time.monotonic() - published < CACHE_SECONDS + 1, "not visible within the cache bound + 1 s"
                time.sleep(0.1)
        assert results == [{"recorded_at": "2025-06-01T12:00:00+00:00", "value": 21.5}]
    finally:
        with django_db_blocker.unblock():
            Reading.objects.filter(sensor__name=sensor_name, recorded_at=datetime(2025, 6, 1, 12, tzinfo=UTC)).delete()
            if created:
                sensor.delete()
