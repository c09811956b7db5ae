"""A sensor's readings over a time window, summarised for the admin's chart.

The database does the summing: the window is cut into at most MAX_BUCKETS
buckets of a calendar unit (minute, hour, day, month, in UTC) and each comes
back as count, min, max and average, so a year of one-a-minute readings is a
few hundred rows, never the readings themselves. Every query reads one
sensor's range of the (sensor, recorded_at, value) index and nothing else.
"""

import dataclasses
from datetime import UTC, datetime, timedelta

from django.db.models import Avg, Count, Max, Min
from django.db.models.functions import Trunc

from records.models import Reading

MAX_BUCKETS = 1500
UNITS = (("minute", timedelta(minutes=1)), ("hour", timedelta(hours=1)), ("day", timedelta(days=1)))
MONTH = ("month", timedelta(days=31))
PRESETS = {"1d": timedelta(days=1), "7d": timedelta(days=7), "30d": timedelta(days=30), "365d": timedelta(days=365)}
DEFAULT_PRESET = "1d"
LONGEST = timedelta(days=366 * 20)
INPUT_FORMAT = "%Y-%m-%dT%H:%M"  # what <input type="datetime-local"> sends


@dataclasses.dataclass
class Window:
    since: datetime
    until: datetime
    preset: str | None = None
    error: str | None = None

    @property
    def span(self):
        return self.until - self.since


@dataclasses.dataclass
class Series:
    window: Window
    unit: str  # the bucket's calendar unit
    buckets: list  # (start, count, min, max, avg), ascending
    last: tuple | None  # (recorded_at, value) of the newest reading in the window

    @property
    def count(self):
        return sum(bucket[1] for bucket in self.buckets)

    @property
    def minimum(self):
        return min((bucket[2] for bucket in self.buckets), default=None)

    @property
    def maximum(self):
        return max((bucket[3] for bucket in self.buckets), default=None)

    @property
    def aggregated(self):
        return any(bucket[1] > 1 for bucket in self.buckets)


def _parse(text):
    return datetime.strptime(text, INPUT_FORMAT).replace(tzinfo=UTC)


def window_from(query, sensor):
    """The window the page asks for (``since``/``until`` in UTC, or a ``window`` preset),
    else the last day up to the sensor's newest reading. Bad input keeps the default
    window and says what was wrong; it never fails the page."""
    newest = Reading.objects.filter(sensor=sensor).order_by("-recorded_at").values_list("recorded_at", flat=True)
    end = newest.first()
    end = (end + timedelta(minutes=1)).replace(second=0, microsecond=0) if end else datetime.now(UTC)
    preset = query.get("window") or DEFAULT_PRESET
    default = Window(end - PRESETS[DEFAULT_PRESET], end, DEFAULT_PRESET)
    if "since" in query or "until" in query:
        try:
            since, until = _parse(query.get("since", "")), _parse(query.get("until", ""))
        except ValueError:
            return dataclasses.replace(default, error="From and to must both be dates and times (UTC).")
        if since >= until:
            return dataclasses.replace(default, error="From must be before to.")
        if until - since > LONGEST:
            return dataclasses.replace(default, error="Pick a window of at most 20 years.")
        return Window(since, until)
    if preset not in PRESETS:
        return dataclasses.replace(default, error=f"Unknown window {preset!r}.")
    return Window(end - PRESETS[preset], end, preset)


def bucket_unit(span):
    for unit, length in UNITS:
        if span / length <= MAX_BUCKETS:
            return unit
    return MONTH[0]


def series(sensor, window):
    unit = bucket_unit(window.span)
    readings = Reading.objects.filter(sensor=sensor, recorded_at__gte=window.since, recorded_at__lt=window.until)
    rows = (
        readings.annotate(start=Trunc("recorded_at", unit))
        .values("start")
        .annotate(count=Count("*"), low=Min("value"), high=Max("value"), mean=Avg("value"))
        .order_by("start")
        .values_list("start", "count", "low", "high", "mean")
    )
    last = readings.order_by("-recorded_at").values_list("recorded_at", "value").first()
    return Series(window, unit, list(rows), last)
