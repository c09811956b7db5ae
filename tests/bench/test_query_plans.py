"""On MariaDB the API's queries walk an index in order: no filesort, no temporary table, no full scan.

The SQL explained is the one the views really run, captured from requests.
"""

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from records.models import Sensor

# ANALYZE TABLE commits on MySQL, so these tests run outside a rolled-back
# transaction; the database is flushed after each and the seed data restored.
pytestmark = [pytest.mark.mysql, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture(autouse=True)
def mysql_only():
    if connection.vendor != "mysql":
        pytest.skip("query plans are checked on MariaDB/MySQL")


@pytest.fixture
def bench_sensor():
    call_command("generate_readings", sensors=40, per_sensor=250, stdout=open("/dev/null", "w"))  # noqa: SIM115
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE TABLE records_sensor, records_reading")
        cursor.fetchall()
    # Many sensors, each a small share of the table, as in production: with
    # one or two, reading a whole sensor is rightly cheaper by a full scan.
    return Sensor.objects.get(name="bench-00020").pk


def plan_of(client, url):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    assert len(queries) == 1
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN " + queries[0]["sql"])
        columns = [column[0] for column in cursor.description]
        return [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]


def assert_no_sort_or_scan(plan):
    for step in plan:
        extra = step["Extra"] or ""
        assert "filesort" not in extra and "temporary" not in extra, plan
        if step["table"].startswith("<derived"):
            # The page itself, at most limit + 1 rows, read once by the UNION.
            continue
        assert step["type"] != "ALL", plan


@pytest.mark.parametrize(
    "query",
    ["since=2024-01-01T01:00:00Z&limit=100", "since=2024-01-01T01:00:00Z&until=2024-01-01T03:00:00Z", "limit=500"],
)
def test_readings_walk_the_sensor_time_index(client, bench_sensor, query):
    plan = plan_of(client, f"/api/v1/sensors/{bench_sensor}/readings?{query}")
    assert_no_sort_or_scan(plan)
    readings = [step for step in plan if step["table"] == "records_reading"]
    sensor = [step for step in plan if step["table"] == "records_sensor"]
    assert [step["key"] for step in readings] == ["reading_sensor_time_uniq"], plan
    assert [(step["key"], step["type"]) for step in sensor] == [("PRIMARY", "const")], plan


def test_the_next_page_of_readings_too(client, bench_sensor):
    page = client.get(f"/api/v1/sensors/{bench_sensor}/readings?limit=10").json()
    plan = plan_of(client, page["next"])
    assert_no_sort_or_scan(plan)
    assert [step["key"] for step in plan if step["table"] == "records_reading"] == ["reading_sensor_time_uniq"]


@pytest.mark.parametrize("query", ["limit=100", "limit=2&cursor=next"])
def test_sensor_list_walks_the_primary_key(client, bench_sensor, query):
    url = "/api/v1/sensors?" + query
    if "cursor=next" in query:
        url = client.get("/api/v1/sensors?limit=2").json()["next"]
    plan = plan_of(client, url)
    assert_no_sort_or_scan(plan)
    assert [(step["table"], step["key"]) for step in plan] == [("records_sensor", "PRIMARY")], plan
