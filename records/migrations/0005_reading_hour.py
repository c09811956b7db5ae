# ruff: noqa: S608 - every statement here is constant text: no value from outside.
"""Hourly rollups of the readings (records.models.ReadingHour), kept by triggers.

Triggers rather than code in the writers: readings arrive through the
admin, loaddata, generate_readings, import_readings, the MQTT consumer,
migrations and plain SQL, and a trigger sees every one of them in the
writing transaction, so a rollup is never behind its readings. Each trigger
does constant work per row (one upsert or one update by the unique key): a
delete or a changed value only subtracts and marks the hour stale, never
recounts it (recounting made oldest-first deletes quadratic).

The triggers are created before the existing readings are summed up
(sensor by sensor, a stretch of hours per statement, so no statement meets
the read timeout on a large table): an hour written to meanwhile is marked
stale (read from the readings until refresh_rollups recomputes it), never
counted twice.

MySQL with binary logging on (its default) lets a user without SUPER create
triggers only with log_bin_trust_function_creators=ON (README, "Hourly
rollups").
"""

import time
from datetime import UTC, datetime, timedelta

import django.db.models.deletion
from django.db import migrations, models

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
# Hours since the Unix epoch of a DATETIME, in whole numbers only: TO_DAYS of
# 1970-01-01 is 719528 (719528 * 24 = 17268672). SQLite's date functions
# count milliseconds (59.9999 s would round up), so its text is cut to the
# minute first; '%s' is then shifted to be positive before dividing.
MYSQL_HOUR = "(TO_DAYS({t}) * 24 + HOUR({t}) - 17268672)"
SQLITE_HOUR = "((CAST(strftime('%s', substr({t}, 1, 16)) AS INTEGER) + 62167219200) / 3600 - 17268672)"

COLUMNS = "sensor_id, hour, readings, total, low, high, stale"


def _mysql(hour):
    add_new = (
        f"INSERT INTO records_readinghour ({COLUMNS}) "
        f"VALUES (NEW.sensor_id, {hour.format(t='NEW.recorded_at')}, 1, NEW.value, NEW.value, NEW.value, FALSE) "
        "ON DUPLICATE KEY UPDATE readings = readings + 1, total = total + NEW.value, "
        "low = LEAST(low, NEW.value), high = GREATEST(high, NEW.value)"
    )
    take_old = (
        "UPDATE records_readinghour SET readings = readings - 1, total = total - OLD.value, stale = TRUE "
        f"WHERE sensor_id = OLD.sensor_id AND hour = {hour.format(t='OLD.recorded_at')}"
    )
    return [
        f"CREATE TRIGGER reading_hour_insert AFTER INSERT ON records_reading FOR EACH ROW {add_new}",
        f"CREATE TRIGGER reading_hour_delete AFTER DELETE ON records_reading FOR EACH ROW {take_old}",
        "CREATE TRIGGER reading_hour_update AFTER UPDATE ON records_reading FOR EACH ROW BEGIN "
        "IF NOT (NEW.sensor_id <=> OLD.sensor_id AND NEW.recorded_at <=> OLD.recorded_at "
        f"AND NEW.value <=> OLD.value) THEN {take_old}; {add_new}; END IF; END",
    ], "ON DUPLICATE KEY UPDATE stale = TRUE"


def _sqlite(hour):
    add_new = (
        f"INSERT INTO records_readinghour ({COLUMNS}) "
        f"VALUES (NEW.sensor_id, {hour.format(t='NEW.recorded_at')}, 1, NEW.value, NEW.value, NEW.value, 0) "
        "ON CONFLICT (sensor_id, hour) DO UPDATE SET readings = readings + 1, total = total + excluded.total, "
        "low = min(low, excluded.low), high = max(high, excluded.high);"
    )
    take_old = (
        "UPDATE records_readinghour SET readings = readings - 1, total = total - OLD.value, stale = 1 "
        f"WHERE sensor_id = OLD.sensor_id AND hour = {hour.format(t='OLD.recorded_at')};"
    )
    return [
        f"CREATE TRIGGER reading_hour_insert AFTER INSERT ON records_reading BEGIN {add_new} END",
        f"CREATE TRIGGER reading_hour_delete AFTER DELETE ON records_reading BEGIN {take_old} END",
        "CREATE TRIGGER reading_hour_update AFTER UPDATE ON records_reading "
        "WHEN NEW.sensor_id IS NOT OLD.sensor_id OR NEW.recorded_at IS NOT OLD.recorded_at "
        f"OR NEW.value IS NOT OLD.value BEGIN {take_old} {add_new} END",
    ], "ON CONFLICT (sensor_id, hour) DO UPDATE SET stale = 1"


def create_triggers(apps, schema_editor):
    connection = schema_editor.connection
    hour = MYSQL_HOUR if connection.vendor == "mysql" else SQLITE_HOUR
    triggers, upsert = (_mysql if connection.vendor == "mysql" else _sqlite)(hour)
    for statement in triggers:
        schema_editor.execute(statement, params=None)
    # With parameters, a "%" in the SQL is written twice.
    hour = hour.replace("%", "%%").format(t="recorded_at")
    sum_up = (
        f"INSERT INTO records_readinghour ({COLUMNS}) "
        f"SELECT sensor_id, {hour} AS h, COUNT(*), SUM(value), MIN(value), MAX(value), 0 FROM records_reading "
        f"WHERE sensor_id = %s AND recorded_at >= %s AND recorded_at < %s GROUP BY sensor_id, h {upsert}"
    )
    with connection.cursor() as cursor:
        cursor.execute("SELECT id FROM records_sensor ORDER BY id")
        for (sensor_id,) in cursor.fetchall():
            _sum_up_sensor(connection, cursor, sum_up, sensor_id)


def _sum_up_sensor(connection, cursor, sum_up, sensor_id):
    """The sensor's readings summed up a stretch of whole hours at a time, each statement well under
    the database's read timeout (DATABASE_READ_TIMEOUT) whatever the table's size."""
    cursor.execute("SELECT MIN(recorded_at), MAX(recorded_at) FROM records_reading WHERE sensor_id = %s", [sensor_id])
    first, last = cursor.fetchone()
    if first is None:
        return
    at, end = _hour_of(first), _hour_of(last)
    span = 24
    while at <= end:
        began = time.monotonic()
        bounds = [connection.ops.adapt_datetimefield_value(EPOCH + timedelta(hours=h)) for h in (at, at + span)]
        cursor.execute(sum_up, [sensor_id, *bounds])
        took = time.monotonic() - began
        at += span
        if took < 0.25:
            span *= 2
        elif took > 1:
            span = max(1, span // 2)


def _hour_of(value):
    """Hours since the epoch of a DATETIME as the driver returns it (SQLite: its text)."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    delta = value.replace(tzinfo=UTC) - EPOCH
    return (delta.days * 86400 + delta.seconds) // 3600


def drop_triggers(apps, schema_editor):
    for name in ("insert", "delete", "update"):
        schema_editor.execute(f"DROP TRIGGER IF EXISTS reading_hour_{name}", params=None)


class Migration(migrations.Migration):
    dependencies = [
        ("records", "0004_reading_page_index"),
    ]

    operations = [
        migrations.CreateModel(
            name="ReadingHour",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                (
                    "hour",
                    models.BigIntegerField(help_text="Hours since the Unix epoch (UTC): the hour is [hour, hour + 1)."),
                ),
                ("readings", models.IntegerField()),
                ("total", models.FloatField()),
                ("low", models.FloatField()),
                ("high", models.FloatField()),
                ("stale", models.BooleanField(default=False)),
                (
                    "sensor",
                    models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="records.sensor",
                    ),
                ),
            ],
            options={
                "indexes": [models.Index(fields=["stale", "sensor", "hour"], name="reading_hour_stale_idx")],
                "constraints": [models.UniqueConstraint(fields=("sensor", "hour"), name="reading_hour_uniq")],
            },
        ),
        migrations.RunPython(create_triggers, drop_triggers, atomic=False),
    ]
