"""The `viewers` group: staff who may browse the admin but change nothing."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

GROUP = "viewers"
PERMISSIONS = [("records", "view_sensor"), ("records", "view_reading")]


def create_group(apps, schema_editor):
    # Permissions are normally created after migrate finishes; on a fresh
    # database they must exist now for the group to reference them.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0, using=schema_editor.connection.alias)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name=GROUP)
    for app_label, codename in PERMISSIONS:
        group.permissions.add(Permission.objects.get(content_type__app_label=app_label, codename=codename))


def delete_group(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name=GROUP).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("records", "0002_seed_sensors"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_group, delete_group)]
