"""Bulk synthetic readings for benchmarks and scale tests.

Rows go in through multi-row INSERT ... IGNORE batches on a raw cursor: a
million model instances would cost more than the database's own work, and
IGNORE makes a re-run with the same options add nothing.
"""

import random
import time
from datetime import UTC, datetime, timedelta

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.db.models.constants import OnConflict

from records.models import Reading, Sensor

BATCH = 5000


class Command(BaseCommand):
    help = "Create synthetic sensors (bench-NNNNN) and regularly spaced readings for each."

    def add_arguments(self, parser):
        parser.add_argument("--sensors", type=int, default=100, help="number of synthetic sensors (default 100)")
        parser.add_argument("--per-sensor", type=int, default=10_000, help="readings per sensor (default 10000)")
        parser.add_argument("--seed", type=int, default=1, help="random seed; the same seed gives the same data")
        parser.add_argument("--start", default="2024-01-01T00:00:00+00:00", help="first reading's time (ISO 8601)")
        parser.add_argument("--interval", type=int, default=60, help="seconds between readings (default 60)")

    def handle(self, *args, sensors, per_sensor, seed, start, interval, **options):
        if sensors < 1 or per_sensor < 0 or interval < 1:
            raise CommandError("--sensors and --interval must be positive and --per-sensor not negative")
        try:
            first = datetime.fromisoformat(start).astimezone(UTC).replace(tzinfo=None)
        except ValueError:
            raise CommandError(f"--start is not an ISO 8601 date-time: {start}") from None
        sensor_ids = self._sensors(sensors)
        # Counted, not taken from the cursor: MySQL and SQLite report ignored rows differently.
        already = Reading.objects.filter(sensor_id__in=sensor_ids).count()
        rng = random.Random(seed)
        total, done, began = sensors * per_sensor, 0, time.monotonic()
        table = Reading._meta.db_table
        sql = (
            f"{connection.ops.insert_statement(on_conflict=OnConflict.IGNORE)} {table} "
            "(sensor_id, recorded_at, value) VALUES (%s, %s, %s)"
        )
        step = timedelta(seconds=interval)
        with connection.cursor() as cursor:
            for sensor_id in sensor_ids:
                value = rng.uniform(0, 100)
                batch = []
                for n in range(per_sensor):
                    value += rng.gauss(0, 1)
                    batch.append((sensor_id, (first + n * step).strftime("%Y-%m-%d %H:%M:%S"), round(value, 3)))
                    if len(batch) == BATCH:
                        done += self._insert(cursor, sql, batch)
                        batch = []
                        self._progress(done, total, began)
                done += self._insert(cursor, sql, batch)
                self._progress(done, total, began)
        added = Reading.objects.filter(sensor_id__in=sensor_ids).count() - already
        self.stdout.write(
            f"\n{added} readings added for {sensors} sensors ({done - added} already there)"
            f" in {time.monotonic() - began:.1f} s"
        )

    def _sensors(self, count):
        names = [f"bench-{n:05d}" for n in range(1, count + 1)]
        Sensor.objects.bulk_create(
            [Sensor(name=name, type="synthetic", unit="u", location=f"rack {n % 20}") for n, name in enumerate(names)],
            ignore_conflicts=True,
        )
        return list(Sensor.objects.filter(name__in=names).order_by("id").values_list("id", flat=True))

    def _insert(self, cursor, sql, batch):
        if not batch:
            return 0
        with transaction.atomic():
            cursor.executemany(sql, batch)
        return len(batch)

    def _progress(self, done, total, began):
        rate = done / max(time.monotonic() - began, 1e-6)
        self.stdout.write(
            f"\r{done:>10}/{total} readings ({100 * done / max(total, 1):5.1f}%), {rate:,.0f}/s", ending=""
        )
        self.stdout.flush()
