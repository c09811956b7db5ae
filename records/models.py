"""The sensor catalogue and its readings: the data relayr serves."""

from django.db import models


class SensorManager(models.Manager):
    def get_by_natural_key(self, name):
        return self.get(name=name)


class Sensor(models.Model):
    name = models.CharField(max_length=100, unique=True)
    type = models.CharField(max_length=50, db_index=True)
    unit = models.CharField(max_length=20, blank=True)
    location = models.CharField(max_length=200, blank=True)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = SensorManager()

    class Meta:
        ordering = ["id"]

    def __str__(self):
        return self.name

    def natural_key(self):
        return (self.name,)


class ReadingManager(models.Manager):
    def get_by_natural_key(self, recorded_at, sensor_name):
        return self.get(recorded_at=recorded_at, sensor__name=sensor_name)


class Reading(models.Model):
    # No separate index: the unique (sensor, recorded_at) index leads with sensor.
    sensor = models.ForeignKey(Sensor, on_delete=models.CASCADE, related_name="readings", db_index=False)
    recorded_at = models.DateTimeField()
    value = models.FloatField()

    objects = ReadingManager()

    class Meta:
        ordering = ["sensor_id", "recorded_at"]
        constraints = [
            # One reading per sensor per instant.
            models.UniqueConstraint(fields=["sensor", "recorded_at"], name="reading_sensor_time_uniq"),
        ]
        indexes = [
            # The readings endpoint's page: one sensor's readings in time order,
            # answered from the index alone. Without ``value`` in it, each row
            # of a page costs a primary-key lookup (README, Performance: the
            # database's CPU per page); one more index to write is worth it,
            # since readings are read far more often than written.
            models.Index(fields=["sensor", "recorded_at", "value"], name="reading_page_idx"),
            # The admin lists the newest readings of all sensors and drills down by date.
            models.Index(fields=["recorded_at"], name="reading_time_idx"),
        ]

    def __str__(self):
        return f"{self.sensor_id} @ {self.recorded_at.isoformat()}"

    def natural_key(self):
        return (self.recorded_at.isoformat(), *self.sensor.natural_key())

    natural_key.dependencies = ["records.sensor"]


class ReadingHour(models.Model):
    """One sensor's readings in one UTC hour, summed up: what /aggregates reads instead of the raw rows.

    Kept by database triggers on the readings table (migration 0005), so
    every write, whatever its path, changes these rows in the same
    transaction. A trigger only ever adds to a row in constant time: a
    reading deleted, or changed, subtracts from ``readings`` (exact: an
    integer) and ``total`` and marks the hour ``stale``, because its
    minimum and maximum (and a double's sum, once subtracted from) can only
    be recomputed from the readings. Stale hours are read from the readings
    themselves until ``manage.py refresh_rollups`` recomputes them; an
    emptied hour stays as a stale row with ``readings`` 0 until then.
    """

    sensor = models.ForeignKey(Sensor, on_delete=models.CASCADE, related_name="+", db_index=False)
    hour = models.BigIntegerField(help_text="Hours since the Unix epoch (UTC): the hour is [hour, hour + 1).")
    readings = models.IntegerField()
    total = models.FloatField()
    low = models.FloatField()
    high = models.FloatField()
    stale = models.BooleanField(default=False)

    class Meta:
        # On MySQL/MariaDB this constraint is the table's primary key (migration 0007): rows are
        # stored in (sensor, hour) order, and there is no index named reading_hour_uniq.
        constraints = [models.UniqueConstraint(fields=["sensor", "hour"], name="reading_hour_uniq")]
        indexes = [
            # refresh_rollups finds the stale hours without a scan.
            models.Index(fields=["stale", "sensor", "hour"], name="reading_hour_stale_idx"),
        ]

    def __str__(self):
        return f"{self.sensor_id} @ hour {self.hour}"
