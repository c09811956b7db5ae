# ruff: noqa: S608 - every statement here is constant text: no value from outside.
"""The MySQL/MariaDB insert and update triggers add to the hour's rollup with an UPDATE first.

Most readings land in an hour that already has a rollup row (one a minute
makes 59 of every 60), and an UPDATE by the unique key is cheaper there
than an INSERT that fails on the key and turns into an update. Only when
the UPDATE finds no row does the trigger insert one, still with ON
DUPLICATE KEY UPDATE for a writer in another transaction that inserted the
same hour meanwhile. SQLite's triggers stay as migration 0005 made them.

The old triggers are swapped for the new ones with both tables locked, so
no reading is written while neither is in place.
"""

from importlib import import_module

from django.db import migrations

_0005 = import_module("records.migrations.0005_reading_hour")

HOUR = _0005.MYSQL_HOUR.format(t="NEW.recorded_at")
ADD_NEW = (
    "UPDATE records_readinghour SET readings = readings + 1, total = total + NEW.value, "
    "low = LEAST(low, NEW.value), high = GREATEST(high, NEW.value) "
    f"WHERE sensor_id = NEW.sensor_id AND hour = {HOUR}; "
    "IF ROW_COUNT() = 0 THEN "
    f"INSERT INTO records_readinghour ({_0005.COLUMNS}) "
    f"VALUES (NEW.sensor_id, {HOUR}, 1, NEW.value, NEW.value, NEW.value, FALSE) "
    "ON DUPLICATE KEY UPDATE readings = readings + 1, total = total + NEW.value, "
    "low = LEAST(low, NEW.value), high = GREATEST(high, NEW.value); "
    "END IF;"
)
TAKE_OLD = (
    "UPDATE records_readinghour SET readings = readings - 1, total = total - OLD.value, stale = TRUE "
    f"WHERE sensor_id = OLD.sensor_id AND hour = {_0005.MYSQL_HOUR.format(t='OLD.recorded_at')};"
)
UPDATE_FIRST = [
    f"CREATE TRIGGER reading_hour_insert AFTER INSERT ON records_reading FOR EACH ROW BEGIN {ADD_NEW} END",
    "CREATE TRIGGER reading_hour_update AFTER UPDATE ON records_reading FOR EACH ROW BEGIN "
    "IF NOT (NEW.sensor_id <=> OLD.sensor_id AND NEW.recorded_at <=> OLD.recorded_at "
    f"AND NEW.value <=> OLD.value) THEN {TAKE_OLD} {ADD_NEW} END IF; END",
]


def _replace(statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor != "mysql":
            return
        schema_editor.execute("LOCK TABLES records_reading WRITE, records_readinghour WRITE", params=None)
        try:
            for name in ("insert", "update"):
                schema_editor.execute(f"DROP TRIGGER IF EXISTS reading_hour_{name}", params=None)
            for statement in statements:
                schema_editor.execute(statement, params=None)
        finally:
            schema_editor.execute("UNLOCK TABLES", params=None)

    return run


def _upsert_first():
    triggers, _ = _0005._mysql(_0005.MYSQL_HOUR)
    return [statement for statement in triggers if "reading_hour_delete" not in statement]


class Migration(migrations.Migration):
    dependencies = [
        ("records", "0005_reading_hour"),
    ]

    operations = [
        migrations.RunPython(_replace(UPDATE_FIRST), _replace(_upsert_first()), atomic=False),
    ]
