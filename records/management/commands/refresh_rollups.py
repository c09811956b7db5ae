"""Recount hourly rollups from the readings: the stale hours, or with --rebuild every hour of a range.

The triggers keep every rollup in step with its readings, but a delete or
an update can only mark its hour stale (the API then reads that hour from
the readings). This recounts those hours. ``--rebuild`` is for readings
changed without the triggers (TRUNCATE, a bulk load with the triggers
dropped, a restore of the readings table alone): it marks every hour of the
range stale, adds the hours that have readings but no rollup, and recounts.
Safe to run while readings are written, and to stop and rerun
(records.upkeep says why).
"""

import sys
import time

from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError, connection

from records import rollups, upkeep
from records.ingest.validation import parse_time
from records.management.progress import Progress
from records.models import ReadingHour, Sensor


class Command(BaseCommand):
    help = "Recount the hourly rollups that deletes and updates marked stale; --rebuild recounts every hour."

    def add_arguments(self, parser):
        parser.add_argument("--sensor", type=int, metavar="ID", help="only this sensor's hours")
        parser.add_argument("--since", metavar="TIME", help="only hours ending after this ISO 8601 instant")
        parser.add_argument("--until", metavar="TIME", help="only hours starting before this ISO 8601 instant")
        parser.add_argument(
            "--rebuild", action="store_true", help="recount every hour of the range, not only the stale ones"
        )

    def handle(self, *args, sensor, since, until, rebuild, **options):
        first, last = self._hour(since, "--since", up=False), self._hour(until, "--until", up=True)
        if first is not None and last is not None and first >= last:
            raise CommandError("--until must be later than --since")
        began = time.monotonic()
        try:
            if rebuild:
                self._mark_stale(sensor, first, last)
            recounted, emptied = upkeep.recount_stale(sensor, first, last, Progress(sys.stderr))
        except DatabaseError as error:
            raise CommandError(f"database error: {error}") from None
        self.stdout.write(
            f"recounted {recounted:,} stale hours ({emptied:,} without readings, removed) "
            f"in {time.monotonic() - began:.1f} s"
        )

    @staticmethod
    def _hour(raw, option, up):
        """An instant as an hour number: the hour holding it, or with ``up`` the next one unless it is on the hour."""
        if raw is None:
            return None
        when = parse_time(raw)
        if isinstance(when, str):
            raise CommandError(f"{option}: " + when.replace("recorded_at ", "", 1))
        hour = rollups.seconds(when) // 3600
        return hour + 1 if up and rollups.instant(hour * 3600) < when else hour

    def _mark_stale(self, sensor, first, last):
        """Every hour of the range stale, and the hours with readings but no row added (as stale):
        sensor by sensor, a stretch of hours per statement (each well under the read timeout)."""
        sensors = Sensor.objects.order_by("id").values_list("id", flat=True)
        if sensor is not None:
            sensors = sensors.filter(id=sensor)
        if connection.vendor == "mysql":
            upsert = "ON DUPLICATE KEY UPDATE stale = TRUE"
        else:
            upsert = "ON CONFLICT (sensor_id, hour) DO UPDATE SET stale = 1"
        sql = (
            f"INSERT INTO {rollups.HOURS} (sensor_id, hour, readings, total, low, high, stale) "  # noqa: S608
            f"SELECT sensor_id, {rollups.hours_sql('recorded_at')} AS h, COUNT(*), 0, 0, 0, TRUE "
            f"FROM {rollups.READINGS} WHERE sensor_id = %s AND recorded_at >= %s AND recorded_at < %s "
            f"GROUP BY sensor_id, h {upsert}"
        )
        with connection.cursor() as cursor:
            for sensor_id in list(sensors):
                hours = ReadingHour.objects.filter(sensor_id=sensor_id)
                if first is not None:
                    hours = hours.filter(hour__gte=first)
                if last is not None:
                    hours = hours.filter(hour__lt=last)
                hours.update(stale=True)
                for begin, end in upkeep.stretches(sensor_id, first, last):
                    cursor.execute(sql, [sensor_id, rollups.db_time(begin), rollups.db_time(end)])
