"""Readings the MQTT consumer stores are in /aggregates at once, exactly (the triggers run in its transactions)."""

import pytest

from records.models import Sensor
from tests.records.aggregating import BUCKETS, assert_equal, expected, walk

from .publishing import publish, wait_until

pytestmark = [pytest.mark.slow, pytest.mark.mysql]


def test_consumed_readings_are_aggregated_as_they_are_stored(broker, committed, consumers, client, django_db_blocker):
    (name,) = committed.sensors(1)
    consumers()
    publish(broker, name, 3000)  # 50 minutes, one a second
    wait_until(lambda: committed.count([name]) >= 3000, "3000 readings")
    with django_db_blocker.unblock():
        sensor = Sensor.objects.get(name=name)
        for bucket in BUCKETS:
            got = walk(client, f"/api/v1/sensors/{sensor.pk}/aggregates?bucket={bucket}&limit=500")
            assert_equal(got, expected(sensor, bucket))
