from django.db import migrations

from records.seed import load_sensors, unload_sensors


class Migration(migrations.Migration):
    dependencies = [("records", "0001_initial")]

    operations = [migrations.RunPython(load_sensors, unload_sensors, elidable=False)]
