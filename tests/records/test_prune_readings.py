"""manage.py prune_readings: what it deletes, in batches, what it refuses, and stopping halfway."""

import io
import os
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta

import pytest
from django.core.management import CommandError, call_command

from harness.server import BASE_DIR
from records.models import Reading
from tests.records.test_import_readings_process import COMMITTED, count, manage, url  # noqa: F401 - the shared fixture


def prune(*args):
    out = io.StringIO()
    call_command("prune_readings", *args, stdout=out)
    return out.getvalue()


@pytest.mark.django_db
def test_deletes_only_older_readings_in_batches_and_reruns_delete_nothing(make_sensor, make_readings):
    sensor, other = make_sensor(), make_sensor()
    now = datetime.now(UTC)
    make_readings(sensor, 50, start=now - timedelta(days=400), step=timedelta(hours=1))
    make_readings(other, 30, start=now - timedelta(days=366, minutes=-30), step=timedelta(hours=1))
    make_readings(sensor, 20, start=now - timedelta(days=10), step=timedelta(hours=1))
    assert prune("--older-than", "365d", "--dry-run").startswith("dry run: would delete 74 readings recorded before ")
    assert Reading.objects.count() >= 100
    summary = prune("--older-than", "365d", "--max-batch", "7")
    assert "deleted 74 readings recorded before" in summary
    assert "in 11 batches" in summary  # 7 per batch at most: 10 full ones and the rest
    assert not Reading.objects.filter(recorded_at__lt=now - timedelta(days=365)).exists()
    assert Reading.objects.filter(sensor=sensor).count() == 20 and Reading.objects.filter(sensor=other).count() == 6
    assert "deleted 0 readings" in prune("--older-than", "365d")


@pytest.mark.django_db
def test_before_an_instant(make_sensor, make_readings):
    sensor = make_sensor()
    make_readings(sensor, 10, start=datetime(2025, 1, 1, tzinfo=UTC), step=timedelta(days=1))
    assert "deleted 4 readings recorded before 2025-01-05T00:00:00Z" in prune("--before", "2025-01-05")
    assert "deleted 1 readings recorded before 2025-01-05T23:00:00Z" in prune("--before", "2025-01-06T00:00:00+01:00")


def test_a_bound_is_required_and_only_one():
    with pytest.raises(CommandError, match="one of the arguments --older-than --before is required"):
        call_command("prune_readings")
    with pytest.raises(CommandError, match="not allowed with argument"):
        call_command("prune_readings", "--older-than", "1d", "--before", "2025-01-01")


@pytest.mark.slow
@COMMITTED
def test_sigterm_stops_after_the_batch_in_hand_and_a_rerun_finishes(url):  # noqa: F811
    assert manage(url, "generate_readings", "--sensors", "20", "--per-sensor", "5000").returncode == 0
    total = count(url)
    env = {**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "relayr.settings.test"}
    command = [sys.executable, "manage.py", "prune_readings", "--before", "2030-01-01", "--max-batch", "200"]
    process = subprocess.Popen(
        command, cwd=BASE_DIR, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    deadline = time.monotonic() + 120
    while count(url) == total and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.02)
    process.send_signal(signal.SIGTERM)
    out, err = process.communicate(timeout=60)
    assert process.returncode == 1, out + err
    assert "stopped by SIGTERM: deleted" in err and "run again to delete the rest" in err
    assert "Traceback" not in err
    left = count(url)
    assert 0 < left < total
    again = manage(url, "prune_readings", "--before", "2030-01-01")
    assert again.returncode == 0, again.stderr
    assert f"deleted {left:,} readings" in again.stdout
    assert count(url) == 0
