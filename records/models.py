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
