"""On MySQL/MariaDB the hourly rollups are stored in (sensor, hour) order.

InnoDB keeps a table's rows in its primary key's order. Keyed by ``id``, one
sensor's hours lie wherever they were first written, interleaved with every
other sensor's, and /aggregates read each through the unique (sensor, hour)
index and then its row: a lookup per hour. Keyed by (sensor_id, hour), a
request's hours are one contiguous range of rows, and the triggers' update
of an hour is one lookup instead of two. Django still addresses a row by
``id``, which stays an auto-increment column with a unique index of its own.

The primary key is the model's unique (sensor, hour) constraint, so the
index Django created for ``reading_hour_uniq`` goes: kept beside an
identical primary key, it only made every write of a new hour dearer. On
MySQL/MariaDB that constraint therefore has no index of its own name: a
later migration that alters it must handle the primary key there (see the
model). SQLite keeps its rowid table and the unique index: it stores
nothing at a scale where this matters.
"""

from django.db import migrations

CLUSTER = (
    "ALTER TABLE records_readinghour DROP PRIMARY KEY, ADD PRIMARY KEY (sensor_id, hour), "
    "ADD UNIQUE KEY records_readinghour_id (id), DROP KEY reading_hour_uniq"
)
UNCLUSTER = (
    "ALTER TABLE records_readinghour DROP PRIMARY KEY, ADD PRIMARY KEY (id), "
    "ADD UNIQUE KEY reading_hour_uniq (sensor_id, hour), DROP KEY records_readinghour_id"
)


def _on_mysql(statement):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "mysql":
            schema_editor.execute(statement, params=None)

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("records", "0006_reading_hour_update_first"),
    ]

    operations = [
        migrations.RunPython(_on_mysql(CLUSTER), _on_mysql(UNCLUSTER), atomic=False),
    ]
