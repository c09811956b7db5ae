"""The reference sensor catalogue, shipped in records/data/sensors.json.

Migrations call these with historical models, so they use only fields that
existed when the seed migration was written.
"""

import json
from pathlib import Path

CATALOGUE = Path(__file__).resolve().parent / "data" / "sensors.json"


def catalogue():
    return json.loads(CATALOGUE.read_text(encoding="utf-8"))


def load_sensors(apps, schema_editor):
    """Idempotent: rows already present (by name) are updated, not duplicated."""
    Sensor = apps.get_model("records", "Sensor")
    db = schema_editor.connection.alias
    for entry in catalogue():
        defaults = {key: value for key, value in entry.items() if key != "name"}
        Sensor.objects.using(db).update_or_create(name=entry["name"], defaults=defaults)


def unload_sensors(apps, schema_editor):
    Sensor = apps.get_model("records", "Sensor")
    names = [entry["name"] for entry in catalogue()]
    Sensor.objects.using(schema_editor.connection.alias).filter(name__in=names).delete()
