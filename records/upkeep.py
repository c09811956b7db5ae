"""Recounting stale hourly rollups from the readings (refresh_rollups, and prune_readings after it deletes).

Each run of up to a week of one sensor's hours is recounted in its own
short transaction that first locks the hours' rollup rows: a writer of
such an hour (whose trigger must update the row) either committed before,
and is counted, or waits and adds itself to the fresh count after. An hour
left without readings loses its row. Safe beside writers, and to stop and
rerun.
"""

import time

from django.db import transaction
from django.db.models import Max, Min, Q

from . import rollups
from .models import Reading, ReadingHour

BATCH = 1000  # stale hours listed per query
RUN_HOURS = 168  # hours of one sensor recounted in one transaction (one range of readings)


def recount_stale(sensor=None, first=None, last=None, progress=None):
    """Recount the stale hours (of one sensor, of hours [first, last)); returns (recounted, emptied and removed)."""
    stale = ReadingHour.objects.filter(stale=True)
    if sensor is not None:
        stale = stale.filter(sensor_id=sensor)
    if first is not None:
        stale = stale.filter(hour__gte=first)
    if last is not None:
        stale = stale.filter(hour__lt=last)
    recounted, emptied, after = 0, 0, None
    while True:
        # Forward only (the stale index's order): an hour made stale again meanwhile waits for the next run.
        page = stale.order_by("sensor_id", "hour")
        if after is not None:
            page = page.filter(Q(sensor_id__gt=after[0]) | Q(sensor_id=after[0], hour__gt=after[1]))
        batch = list(page.values_list("sensor_id", "hour")[:BATCH])
        if not batch:
            break
        for sensor_id, hours in _runs(batch):
            emptied += _recount_hours(sensor_id, hours)
        recounted, after = recounted + len(batch), batch[-1]
        if progress is not None:
            progress.show(f"recounted {recounted:,} stale hours")
    if progress is not None:
        progress.clear()
    return recounted, emptied


def _recount_hours(sensor_id, hours):
    """Recount a run of one sensor's hours under their rows' locks; returns how many had no readings left."""
    with transaction.atomic():
        rows = ReadingHour.objects.select_for_update().filter(sensor_id=sensor_id, hour__in=hours)
        locked = set(rows.values_list("hour", flat=True))
        counted = rollups.per_hour(sensor_id, min(hours), max(hours) + 1)
        empty = [hour for hour in locked if hour not in counted]
        ReadingHour.objects.filter(sensor_id=sensor_id, hour__in=empty).delete()
        for hour in locked - set(empty):
            readings, total, low, high = counted[hour]
            ReadingHour.objects.filter(sensor_id=sensor_id, hour=hour).update(
                readings=readings, total=total, low=low, high=high, stale=False
            )
    return len(empty)


def _runs(batch):
    """(sensor id, hours) for each stretch of one sensor's stale hours at most RUN_HOURS long."""
    run_sensor, hours = None, []
    for sensor_id, hour in batch:
        if hours and (sensor_id != run_sensor or hour - hours[0] >= RUN_HOURS):
            yield run_sensor, hours
            hours = []
        run_sensor = sensor_id
        hours.append(hour)
    if hours:
        yield run_sensor, hours


def stretches(sensor_id, first=None, last=None):
    """[begin, end) instants of whole hours covering the sensor's readings in the hours [first, last),
    sized as the caller goes so that each one's statement takes a fraction of a second (well under
    DATABASE_READ_TIMEOUT) at any rate of readings: the next one doubles after a quick statement and
    halves after a slow one."""
    readings = Reading.objects.filter(sensor_id=sensor_id)
    if first is not None:
        readings = readings.filter(recorded_at__gte=rollups.instant(first * 3600))
    if last is not None:
        readings = readings.filter(recorded_at__lt=rollups.instant(last * 3600))
    bounds = readings.aggregate(first=Min("recorded_at"), last=Max("recorded_at"))
    if bounds["first"] is None:
        return
    at, end, span = rollups.seconds(bounds["first"]) // 3600, rollups.seconds(bounds["last"]) // 3600, 24
    while at <= end:
        began = time.monotonic()
        yield rollups.instant(at * 3600), rollups.instant((at + span) * 3600)
        took = time.monotonic() - began
        at += span
        if took < 0.25:
            span *= 2
        elif took > 1:
            span = max(1, span // 2)
