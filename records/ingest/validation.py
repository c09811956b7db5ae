"""One reading from outside (sensor name, time, value) judged: clean values, or why not.

Each check returns a reason an operator can act on ("unknown sensor
'boiler-7'"), never raises, so a caller can name the line or message it came
from and go on to the next one. Times follow the API's rule: ISO 8601, and
one without an offset is UTC.
"""

import math
import time
from datetime import UTC, datetime
from typing import NamedTuple

from django.db import DEFAULT_DB_ALIAS, IntegrityError

from records.models import Sensor

MAX_NAME_LENGTH = Sensor._meta.get_field("name").max_length
# MySQL's DATETIME range; the API refuses the same years.
MIN_YEAR, MAX_YEAR = 1000, 9999
SHOWN = 60  # characters of a bad value quoted back in a reason


class CleanReading(NamedTuple):
    sensor_id: int
    recorded_at: datetime  # aware, UTC
    value: float


def shown(raw):
    text = raw if isinstance(raw, str) else repr(raw)
    return repr(text if len(text) <= SHOWN else text[:SHOWN] + "...")


def parse_time(raw):
    """An aware UTC datetime, or the reason ``raw`` is not one."""
    if isinstance(raw, datetime):
        value = raw
    elif isinstance(raw, str):
        try:
            value = datetime.fromisoformat(raw)
        except ValueError:
            return f"recorded_at is not an ISO 8601 date-time: {shown(raw)}"
    else:
        return f"recorded_at must be a string, got {shown(raw)}"
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    elif value.tzinfo is not UTC:
        try:
            value = value.astimezone(UTC)
        except OverflowError:
            return f"recorded_at is out of range: {shown(raw)}"
    if not MIN_YEAR <= value.year <= MAX_YEAR:
        return f"recorded_at is out of range (years {MIN_YEAR}-{MAX_YEAR}): {shown(raw)}"
    return value


def parse_value(raw):
    """A finite float, or the reason ``raw`` is not one. Text is parsed; JSON true/false is not a number."""
    if isinstance(raw, bool) or not isinstance(raw, int | float | str):
        return f"value must be a number, got {shown(raw)}"
    if isinstance(raw, str) and "_" in raw:
        return f"value is not a number: {shown(raw)}"
    try:
        value = float(raw)
    except ValueError:
        return f"value is not a number: {shown(raw)}"
    except OverflowError:
        return f"value is out of range: {shown(raw)}"
    if not math.isfinite(value):
        return f"value must be finite, got {shown(raw)}"
    return value


class SensorIds:
    """Sensor name to id, cached for the caller's life.

    Every sensor is loaded on first use (the catalogue is small next to its
    readings). A name not found is asked for again only after
    ``recheck_after`` seconds, so a long-running consumer sees a sensor added
    meanwhile without a query per message. With ``create_missing`` (field
    values for a new sensor, e.g. ``{"type": "unknown"}``) an unknown name
    becomes a new sensor instead.
    """

    MAX_MISSES = 10_000  # unknown names remembered; the cache starts over beyond

    def __init__(self, using=DEFAULT_DB_ALIAS, create_missing=None, recheck_after=30.0):
        self.using = using
        self.create_missing = create_missing
        self.recheck_after = recheck_after
        self.ids = None
        self.misses = {}

    def get(self, name):
        if self.ids is None:
            self.ids = dict(Sensor.objects.using(self.using).values_list("name", "id").iterator(chunk_size=10_000))
        found = self.ids.get(name)
        if found is not None:
            return found
        if time.monotonic() < self.misses.get(name, 0.0):
            return None
        found = self._fetch(name)
        if found is None:
            if len(self.misses) >= self.MAX_MISSES:
                self.misses.clear()
            self.misses[name] = time.monotonic() + self.recheck_after
        else:
            self.ids[name] = found
            self.misses.pop(name, None)
        return found

    def forget(self, name):
        """Drop a cached id, e.g. after the sensor was deleted."""
        if self.ids is not None:
            self.ids.pop(name, None)

    def _fetch(self, name):
        sensors = Sensor.objects.using(self.using)
        found = sensors.filter(name=name).values_list("id", flat=True).first()
        if found is not None or self.create_missing is None:
            return found
        try:
            return sensors.create(name=name, **self.create_missing).id
        except IntegrityError:  # another process created it first
            return sensors.filter(name=name).values_list("id", flat=True).first()


class Validator:
    """Turns (sensor name, recorded_at, value) into a CleanReading or a reason string."""

    def __init__(self, sensors):
        self.sensors = sensors

    def validate(self, sensor, recorded_at, value):
        if not isinstance(sensor, str) or not sensor:
            return f"sensor must be a non-empty name, got {shown(sensor)}"
        if len(sensor) > MAX_NAME_LENGTH:
            return f"sensor name is longer than {MAX_NAME_LENGTH} characters: {shown(sensor)}"
        when = parse_time(recorded_at)
        if isinstance(when, str):
            return when
        number = parse_value(value)
        if isinstance(number, str):
            return number
        sensor_id = self.sensors.get(sensor)
        if sensor_id is None:
            return f"unknown sensor {shown(sensor)}"
        return CleanReading(sensor_id, when, number)
