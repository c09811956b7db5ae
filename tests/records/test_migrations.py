"""Seed data arrives through migrations, idempotently and reversibly."""

from types import SimpleNamespace

import pytest
from django.apps import apps as global_apps
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.db import connection

from records import seed
from records.models import Reading, Sensor


@pytest.mark.django_db
def test_seed_catalogue_is_loaded():
    names = {entry["name"] for entry in seed.catalogue()}
    assert len(names) >= 10
    assert names <= set(Sensor.objects.values_list("name", flat=True))
    cellar = Sensor.objects.get(name="cellar-water-1")
    assert (cellar.type, cellar.unit, cellar.is_active) == ("water_level", "cm", False)


@pytest.mark.django_db
def test_seeding_twice_changes_nothing():
    before = list(Sensor.objects.order_by("id").values_list("id", "name", "type", "unit", "location", "is_active"))
    # load_sensors needs only the editor's connection; SQLite forbids a real
    # schema editor inside the test's transaction.
    seed.load_sensors(global_apps, SimpleNamespace(connection=connection))
    after = list(Sensor.objects.order_by("id").values_list("id", "name", "type", "unit", "location", "is_active"))
    assert after == before


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_migrate_to_zero_and_back():
    call_command("migrate", "records", "zero", verbosity=0)
    assert "records_sensor" not in connection.introspection.table_names()
    assert not Group.objects.filter(name="viewers").exists()
    call_command("migrate", verbosity=0)
    assert Sensor.objects.count() == len(seed.catalogue())
    viewers = Group.objects.get(name="viewers")
    assert set(viewers.permissions.values_list("codename", flat=True)) == {"view_sensor", "view_reading"}


@pytest.mark.django_db
def test_models_and_migrations_agree():
    call_command("makemigrations", "--check", "--dry-run", verbosity=0)


@pytest.mark.django_db
def test_demo_fixture_loads_twice_without_duplicates():
    call_command("loaddata", "demo_readings", verbosity=0)
    count = Reading.objects.count()
    assert count >= 1000
    call_command("loaddata", "demo_readings", verbosity=0)
    assert Reading.objects.count() == count
