"""On MariaDB no admin page reads every reading: each query the pages run is executed
again under ANALYZE, and the rows it really read from records_reading are counted.

The table holds three times the readings list's count cap, spread over many
sensors as in production; a query that scans it shows up as reading them all.
"""

import json

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from records.admin.filters import CappedCountPaginator
from records.models import Reading, Sensor

# ANALYZE TABLE commits on MySQL, so these tests run outside a rolled-back
# transaction; the database is flushed after each and the seed data restored.
pytestmark = [pytest.mark.mysql, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

SENSORS, PER_SENSOR = 60, 500
TOTAL = SENSORS * PER_SENSOR


@pytest.fixture(autouse=True)
def mysql_only():
    if connection.vendor != "mysql" or not connection.mysql_is_mariadb:
        pytest.skip("ANALYZE FORMAT=JSON is MariaDB's")


@pytest.fixture
def data():
    call_command("generate_readings", sensors=SENSORS, per_sensor=PER_SENSOR, stdout=open("/dev/null", "w"))  # noqa: SIM115
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE TABLE records_sensor, records_reading")
        cursor.fetchall()
    assert Reading.objects.count() == TOTAL > 2 * CappedCountPaginator.COUNT_CAP
    sensor = Sensor.objects.get(name="bench-00030")
    return sensor, sensor.readings.order_by("recorded_at").first()


def rows_read(sql):
    """Rows each step of ``sql`` read from records_reading, as executed (loops x rows per loop)."""
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE FORMAT=JSON " + sql)
        plan = json.loads(cursor.fetchone()[0])
    found = []

    def walk(node):
        if isinstance(node, dict):
            table = node.get("table")
            if isinstance(table, dict) and table.get("table_name") == "records_reading":
                found.append((table.get("access_type"), (table.get("r_loops") or 0) * (table.get("r_rows") or 0)))
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(plan)
    return found


def admin_pages(sensor, reading):
    day = reading.recorded_at
    return [
        "/admin/",
        "/admin/records/reading/",
        "/admin/records/reading/?o=1",
        "/admin/records/reading/?p=5",
        "/admin/records/reading/?p=99",  # the last page the count cap offers
        f"/admin/records/reading/?sensor__id__exact={sensor.pk}&p=3",
        f"/admin/records/reading/?sensor__id__exact={sensor.pk}",
        f"/admin/records/reading/?recorded_at__year={day.year}",
        f"/admin/records/reading/?recorded_at__year={day.year}&recorded_at__month={day.month}",
        f"/admin/records/reading/?recorded_at__year={day.year}&recorded_at__month={day.month}&recorded_at__day={day.day}",
        f"/admin/records/reading/{reading.pk}/change/",
        f"/admin/records/sensor/{sensor.pk}/change/",
        f"/admin/records/sensor/{sensor.pk}/change/?window=365d",
        "/admin/records/sensor/",
        "/admin/autocomplete/?app_label=records&model_name=reading&field_name=sensor&term=bench-0003",
    ]


def test_no_admin_page_reads_all_readings(client, data):
    client.force_login(User.objects.create_superuser("plans", "plans@example.com", "plans-pass-123"))
    checked = 0
    for url in admin_pages(*data):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200, url
        for query in queries.captured_queries:
            sql = query["sql"]
            if not sql.lstrip().upper().startswith("SELECT") or "records_reading" not in sql:
                continue
            checked += 1
            for access, rows in rows_read(sql):
                assert access != "ALL", (url, sql)
                assert rows <= CappedCountPaginator.COUNT_CAP + 1, (url, rows, sql)
    assert checked > 20
