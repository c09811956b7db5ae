"""On MariaDB and MySQL the API's queries walk an index in order: no filesort, no temporary table, no full scan.

The SQL explained is the one the views really run, captured from requests.
The plan is asked for in the traditional table format, which both servers
give: MySQL 9 answers a bare EXPLAIN in its TREE format (explain_format).
"""

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from records.models import Reading, Sensor

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
        cursor.execute("EXPLAIN FORMAT=TRADITIONAL " + queries[0]["sql"])
        columns = [column[0] for column in cursor.description]
        return [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]


def assert_no_sort_or_scan(plan):
    for step in plan:
        extra = step["Extra"] or ""
        assert "filesort" not in extra and "temporary" not in extra, plan
        assert step["type"] != "ALL", plan


def assert_reads_the_page_index_only(plan):
    """One step, on the covering index: "Using index" means no row is looked up."""
    assert_no_sort_or_scan(plan)
    assert [(step["table"], step["key"]) for step in plan] == [("records_reading", "reading_page_idx")], plan
    assert "Using index" in plan[0]["Extra"], plan


@pytest.mark.parametrize(
    "query",
    ["since=2024-01-01T01:00:00Z&limit=100", "since=2024-01-01T01:00:00Z&until=2024-01-01T03:00:00Z", "limit=500"],
)
def test_readings_walk_the_sensor_time_index(client, bench_sensor, query):
    assert_reads_the_page_index_only(plan_of(client, f"/api/v1/sensors/{bench_sensor}/readings?{query}"))


def test_the_next_page_of_readings_too(client, bench_sensor):
    page = client.get(f"/api/v1/sensors/{bench_sensor}/readings?limit=10").json()
    assert_reads_the_page_index_only(plan_of(client, page["next"]))


def handler_reads(client, url):
    """How the request moved through indexes, from the session's status counters:
    Handler_read_prev counts index entries read backwards, Sort_rows rows sorted."""
    names = ("Handler_read_prev", "Handler_read_next", "Sort_rows")

    def counters():
        with connection.cursor() as cursor:
            cursor.execute("SHOW SESSION STATUS WHERE Variable_name IN (%s, %s, %s)", names)
            return {name: int(value) for name, value in cursor.fetchall()}

    before = counters()
    assert client.get(url).status_code == 200
    after = counters()
    return {name: after[name] - before[name] for name in names}


@pytest.mark.parametrize(
    "query", ["limit=100", "until=2024-01-01T03:00:00Z&limit=100", "since=2024-01-01T01:00:00Z&limit=500", "next"]
)
def test_newest_first_reads_the_page_index_backwards(client, bench_sensor, query):
    url = f"/api/v1/sensors/{bench_sensor}/readings?order=desc&" + query
    if query == "next":
        url = client.get(url.replace("next", "limit=100")).json()["next"]
    assert_reads_the_page_index_only(plan_of(client, url))
    # MySQL says "Backward index scan" in the plan, MariaDB does not: its counters tell.
    reads = handler_reads(client, url)
    assert reads["Handler_read_prev"] >= 100 and reads["Handler_read_next"] == 0 and reads["Sort_rows"] == 0, reads


def assert_latest_readings_are_probes(plan):
    """Each sensor's latest reading: one subquery (its fields packed into one text), looking
    its sensor up in a (sensor, recorded_at...) index and stopping at the newest entry."""
    subqueries = [step for step in plan if step["table"] == "records_reading"]
    assert len(subqueries) == 1, plan
    for step in subqueries:
        assert step["select_type"] in ("SUBQUERY", "DEPENDENT SUBQUERY"), plan  # one sensor: its id is a constant
        assert step["type"] == "ref" and step["key"] in ("reading_page_idx", "reading_sensor_time_uniq"), plan
        assert "Using index" in step["Extra"], plan


@pytest.mark.parametrize("query", ["limit=100", "limit=2&cursor=next", "type=synthetic&limit=500"])
def test_sensor_list_walks_the_primary_key(client, bench_sensor, query):
    url = "/api/v1/sensors?" + query
    if "cursor=next" in query:
        url = client.get("/api/v1/sensors?limit=2").json()["next"]
    plan = plan_of(client, url)
    assert_no_sort_or_scan(plan)
    [sensors] = [step for step in plan if step["table"] != "records_reading"]
    # Filtered by type, MySQL looks the type up in its index, whose entries are in id order too.
    keys = {"PRIMARY", "records_sensor_type_99c206db"} if "type=" in query else {"PRIMARY"}
    assert (sensors["table"], sensors["key"] in keys) == ("records_sensor", True), plan
    assert_latest_readings_are_probes(plan)


@pytest.mark.parametrize("path", ["/api/v1/sensors?limit=500", "/api/v1/sensors/{id}", "/sensors", "/sensors/{id}"])
def test_latest_readings_read_one_index_entry_per_sensor(client, bench_sensor, path):
    url = path.format(id=bench_sensor)
    assert_latest_readings_are_probes(plan_of(client, url))
    sensors = len(client.get("/sensors").json()) if "{id}" not in path else 1
    reads = handler_reads(client, url)
    # A scan of a sensor's readings would read all 250 of them; the sensors themselves, one entry each.
    assert reads["Handler_read_next"] + reads["Handler_read_prev"] <= sensors + 2, reads
    assert reads["Sort_rows"] == 0, reads


def plans_of(client, url):
    """The plan of every query a request runs."""
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    plans = []
    with connection.cursor() as cursor:
        for query in queries:
            cursor.execute("EXPLAIN FORMAT=TRADITIONAL " + query["sql"])
            columns = [column[0] for column in cursor.description]
            plans.append([dict(zip(columns, row, strict=True)) for row in cursor.fetchall()])
    return plans


# One sensor's readings by time (either index leading with sensor and time), or its hourly
# rollups by their primary key, (sensor, hour) since migration 0007: the rows themselves, in order.
ROLLUPS = ("records_readinghour", "PRIMARY")
SENSOR_TIME_KEYS = {("records_reading", "reading_page_idx"), ("records_reading", "reading_sensor_time_uniq"), ROLLUPS}


def assert_index_ranges(plans):
    """Every step a range or a probe (ref) on a (sensor, time) index: never a scan, never another index."""
    for plan in plans:
        for step in plan:
            assert step["type"] in ("range", "ref") and (step["table"], step["key"]) in SENSOR_TIME_KEYS, plans
    return {(step["table"], step["key"]) for plan in plans for step in plan}


@pytest.mark.parametrize(
    ("query", "rollups"),
    [
        # Whole hours from the rollups; the edges (partial hours) from the readings.
        ("bucket=1h&since=2024-01-01T00:30:00Z&until=2024-01-01T03:10:00Z", True),
        ("bucket=1d&limit=100", True),
        ("bucket=6h&since=2024-01-01T00:00:00Z&until=2024-01-02T00:00:00Z", True),
        ("bucket=5m&since=2024-01-01T01:00:00Z&limit=20", False),
        ("bucket=1m&limit=100", False),
    ],
)
def test_aggregates_read_index_ranges_only(client, bench_sensor, query, rollups):
    used = assert_index_ranges(plans_of(client, f"/api/v1/sensors/{bench_sensor}/aggregates?{query}"))
    assert (ROLLUPS in used) == rollups, used


def test_aggregates_read_a_stale_hour_from_the_readings_by_its_range(client, bench_sensor):
    Reading.objects.filter(pk=Reading.objects.filter(sensor_id=bench_sensor).order_by("recorded_at")[70].pk).delete()
    plans = plans_of(client, f"/api/v1/sensors/{bench_sensor}/aggregates?bucket=1h&since=2024-01-01T00:00:00Z")
    assert len(plans) == 3, plans  # the rollups, the stale hour's readings, a probe for readings after the page
    assert ROLLUPS in assert_index_ranges(plans)
