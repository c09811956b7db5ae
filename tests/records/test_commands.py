"""manage.py commands operators run: bulk data, superuser, waiting for the database."""

import io

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command

from records.models import Reading, Sensor
from tests.support.processes import run_django


def manage(*args, env=None):
    """manage.py in a fresh process, as an operator runs it in a pod."""
    return run_django("manage.py", *args, settings="relayr.settings.test", env=env)


@pytest.mark.django_db
def test_generate_readings_is_deterministic_and_idempotent():
    options = {"sensors": 3, "per_sensor": 40, "seed": 7, "interval": 30, "verbosity": 0}
    out = io.StringIO()
    call_command("generate_readings", **options, stdout=out)
    assert "120 readings added for 3 sensors (0 already there)" in out.getvalue()
    synthetic = Reading.objects.filter(sensor__name__startswith="bench-")
    assert synthetic.count() == 120
    assert Sensor.objects.filter(name__startswith="bench-").count() == 3
    values = list(synthetic.order_by("sensor__name", "recorded_at").values_list("recorded_at", "value"))
    out = io.StringIO()
    call_command("generate_readings", **options, stdout=out)
    assert "0 readings added for 3 sensors (120 already there)" in out.getvalue()
    assert synthetic.count() == 120
    synthetic.delete()
    call_command("generate_readings", **options)
    assert list(synthetic.order_by("sensor__name", "recorded_at").values_list("recorded_at", "value")) == values
    first, second = values[0][0], values[1][0]
    assert (second - first).total_seconds() == 30


@pytest.mark.django_db
def test_ensure_superuser_creates_once_and_never_resets(monkeypatch):
    monkeypatch.setenv("DJANGO_SUPERUSER_USERNAME", "boss")
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", "first-password-1")
    call_command("ensure_superuser", verbosity=0)
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", "second-password-2")
    call_command("ensure_superuser", verbosity=0)
    user = User.objects.get(username="boss")
    assert user.is_superuser and user.is_staff
    assert user.check_password("first-password-1")


@pytest.mark.django_db
def test_createsuperuser_noinput_reads_the_environment(monkeypatch):
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", "pod-password-1")
    call_command("createsuperuser", "--noinput", "--username", "podadmin", "--email", "a@example.com", verbosity=0)
    assert User.objects.get(username="podadmin").check_password("pod-password-1")


def test_wait_for_database_gives_up_with_one_line_when_unreachable():
    result = manage(
        "wait_for_database", "--timeout", "1", "--interval", "0.2", env={"DATABASE_URL": "mysql://x:y@127.0.0.1:9/db"}
    )
    assert result.returncode == 1
    assert "database still unavailable after 1 s" in result.stderr
    assert "Traceback" not in result.stderr


def test_wait_for_migrations_waits_on_an_unmigrated_database(tmp_path):
    env = {"DATABASE_URL": f"sqlite:///{tmp_path / 'empty.sqlite3'}"}
    result = manage("wait_for_migrations", "--timeout", "1", "--interval", "0.2", env=env)
    assert result.returncode == 1
    assert "migration(s) pending" in result.stderr
    assert manage("migrate", "--no-input", env=env).returncode == 0
    done = manage("wait_for_migrations", "--timeout", "5", "--interval", "0.2", env=env)
    assert done.returncode == 0 and "all migrations are applied" in done.stdout
    up = manage("wait_for_database", "--timeout", "5", env=env)
    assert up.returncode == 0 and "database is up" in up.stdout
