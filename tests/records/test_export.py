"""format=csv and format=ndjson on /api/v1/sensors/{id}/readings: every row of the window, streamed.

The files are compared with a walk of the JSON pages of the same window.
tests/records/test_export_server.py runs exports under a real gunicorn
(memory, timeout, disconnects, 1,000,000 rows).
"""

import csv
import io
import json
import math
from datetime import timedelta

import pytest

from records.models import Reading
from relayr.http import export
from tests.assertions import assert_error
from tests.conftest import T0
from tests.records.test_readings_api import walk

# Values whose text form is easy to get wrong, and times with and without microseconds.
AWKWARD = [1e-300, -0.0, 0.0, 1.7976931348623157e308, 5e-324, -123456789.12345679, 0.1 + 0.2, 1e22, 42.0]


@pytest.fixture
def small_chunks(monkeypatch):
    """Chunks of 7 rows, so a few dozen readings take several keyset queries."""
    monkeypatch.setattr(export, "CHUNK_ROWS", 7)


@pytest.fixture
def awkward_sensor(make_sensor):
    sensor = make_sensor(name='Büro 3/Nord, "links"')
    rows = []
    for i in range(60):
        at = T0 + timedelta(seconds=i * 61, microseconds=(i * 123457) % 1_000_000 if i % 3 else 0)
        rows.append(Reading(sensor=sensor, recorded_at=at, value=AWKWARD[i % len(AWKWARD)] * (1 if i % 2 else -1)))
    Reading.objects.bulk_create(rows)
    return sensor


def body(response):
    return b"".join(response.streaming_content).decode()


def exported(client, url):
    response = client.get(url)
    assert response.status_code == 200, response.content
    return response, body(response)


def same_values(left, right):
    """Equal floats, and the same sign for zeros."""
    assert len(left) == len(right)
    for a, b in zip(left, right, strict=True):
        assert a == b and math.copysign(1, a) == math.copysign(1, b), (a, b)


@pytest.mark.parametrize(
    "window",
    [
        "",
        "?since=2025-03-01T00:10:00Z",
        "?since=2025-03-01T00:10:00.5Z&until=2025-03-01T00:40:41Z",
        "?order=desc",
        "?order=desc&since=2025-03-01T00:10:00.5Z&until=2025-03-01T00:40:41Z",
    ],
)
def test_csv_and_ndjson_hold_the_rows_of_a_json_walk(client, awkward_sensor, small_chunks, window):
    url = f"/api/v1/sensors/{awkward_sensor.pk}/readings{window}"
    pages = walk(client, url + ("&" if window else "?") + "limit=5")
    assert pages  # every window holds readings
    joiner = "&" if window else "?"

    _, text = exported(client, f"{url}{joiner}format=csv")
    assert text.startswith("recorded_at,value\r\n")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [row["recorded_at"] for row in rows] == [page["recorded_at"] for page in pages]
    same_values([float(row["value"]) for row in rows], [page["value"] for page in pages])

    _, text = exported(client, f"{url}{joiner}format=ndjson")
    assert text.endswith("\n")
    lines = [json.loads(line) for line in text.splitlines()]
    assert [line["recorded_at"] for line in lines] == [page["recorded_at"] for page in pages]
    same_values([line["value"] for line in lines], [page["value"] for page in pages])
    assert all(set(line) == {"recorded_at", "value"} for line in lines)


def test_the_walk_covers_microseconds_and_awkward_values(client, awkward_sensor):
    pages = walk(client, f"/api/v1/sensors/{awkward_sensor.pk}/readings?limit=100")
    times = [page["recorded_at"] for page in pages]
    assert any("." in t for t in times) and any("." not in t for t in times)
    values = {page["value"] for page in pages}
    assert {1e-300, 5e-324, 1.7976931348623157e308} <= values


def test_media_types_and_file_names(client, awkward_sensor):
    url = f"/api/v1/sensors/{awkward_sensor.pk}/readings"
    response, _ = exported(client, f"{url}?format=csv")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="B-ro-3-Nord-links_readings_start_now.csv"'
    response, _ = exported(client, f"{url}?format=ndjson&since=2025-03-01T00:00:00.25Z&until=2025-03-02")
    assert response["Content-Type"] == "application/x-ndjson"
    name = "B-ro-3-Nord-links_readings_20250301T000000.250000Z_20250302T000000Z.ndjson"
    assert response["Content-Disposition"] == f'attachment; filename="{name}"'


def test_json_is_the_default_and_may_be_named(client, awkward_sensor):
    url = f"/api/v1/sensors/{awkward_sensor.pk}/readings?limit=3"
    named, default = client.get(url + "&format=json").json(), client.get(url).json()
    assert named["results"] == default["results"] and len(named["results"]) == 3
    assert "format=json" in named["next"]


def test_an_empty_window_is_the_header_alone(client, make_sensor):
    sensor = make_sensor()
    _, text = exported(client, f"/api/v1/sensors/{sensor.pk}/readings?format=csv")
    assert text == "recorded_at,value\r\n"
    _, text = exported(client, f"/api/v1/sensors/{sensor.pk}/readings?format=ndjson")
    assert text == ""


@pytest.mark.parametrize("query", ["format=xml", "format=CSV", "format=", "format=csv&format=csv"])
def test_a_bad_format_is_400_naming_it(client, make_sensor, query):
    sensor = make_sensor()
    response = client.get(f"/api/v1/sensors/{sensor.pk}/readings?{query}")
    assert_error(response, 400, "invalid_parameter", mentions="format")


@pytest.mark.parametrize("name", ["limit", "cursor"])
def test_paging_parameters_are_refused_with_an_export(client, make_sensor, name):
    sensor = make_sensor()
    response = client.get(f"/api/v1/sensors/{sensor.pk}/readings?format=csv&{name}=10")
    assert_error(response, 400, "invalid_parameter", mentions=f"{name}: does not apply to format=csv")


@pytest.mark.django_db
def test_unknown_sensor_and_bad_window_are_json_errors(client, make_sensor):
    assert_error(client.get("/api/v1/sensors/987654/readings?format=csv"), 404, "not_found")
    sensor = make_sensor()
    url = f"/api/v1/sensors/{sensor.pk}/readings?format=ndjson&since=yesterday"
    assert_error(client.get(url), 400, "invalid_parameter", mentions="since")


def test_one_keyset_query_per_chunk(client, make_sensor, make_readings, small_chunks, django_assert_num_queries):
    sensor = make_sensor()
    make_readings(sensor, 20)
    # The sensor, then chunks of 7, 7 and 6 rows: the short one ends the export.
    with django_assert_num_queries(4) as captured:
        _, text = exported(client, f"/api/v1/sensors/{sensor.pk}/readings?format=csv")
    assert len(text.splitlines()) == 21
    chunk_queries = [query["sql"] for query in captured.captured_queries[1:]]
    assert all("ORDER BY recorded_at LIMIT 7" in sql for sql in chunk_queries)
    assert "recorded_at >" not in chunk_queries[0] and all("recorded_at >" in sql for sql in chunk_queries[1:])


def test_head_reads_no_row_and_get_is_never_cached(client, make_sensor, make_readings, settings):
    settings.API_CACHE_SECONDS = 60
    sensor = make_sensor()
    make_readings(sensor, 5)
    url = f"/api/v1/sensors/{sensor.pk}/readings?format=csv"
    response = client.head(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment" in response["Content-Disposition"]
    assert "ETag" not in response
    assert body(response) == ""

    _, first = exported(client, url)
    make_readings(sensor, 1, start=T0 + timedelta(days=1))
    response, second = exported(client, url)
    assert len(second.splitlines()) == len(first.splitlines()) + 1
    assert "ETag" not in response


def test_head_costs_the_sensor_lookup_only(client, make_sensor, make_readings, django_assert_num_queries):
    sensor = make_sensor()
    make_readings(sensor, 5)
    with django_assert_num_queries(1):
        response = client.head(f"/api/v1/sensors/{sensor.pk}/readings?format=ndjson")
        assert body(response) == ""


def test_options_is_unchanged(client, make_sensor):
    sensor = make_sensor()
    response = client.options(f"/api/v1/sensors/{sensor.pk}/readings?format=csv")
    assert response.status_code == 204
    assert response["Allow"] == "GET, HEAD, OPTIONS"


@pytest.mark.parametrize("window", ["bucket=1m", "bucket=5m&since=2025-03-01T00:10:00.5Z&until=2025-03-01T00:40:41Z"])
def test_aggregates_export_holds_the_buckets_of_a_json_walk(client, awkward_sensor, small_chunks, window):
    url = f"/api/v1/sensors/{awkward_sensor.pk}/aggregates?{window}"
    pages = walk(client, url + "&limit=4")
    assert len(pages) >= export.CHUNK_ROWS  # a full chunk at least, so a keyset continuation

    response, text = exported(client, url + "&format=csv")
    assert response["Content-Disposition"].startswith('attachment; filename="B-ro-3-Nord-links_aggregates-')
    assert text.startswith("start,count,min,max,avg\r\n")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [row["start"] for row in rows] == [page["start"] for page in pages]
    assert [int(row["count"]) for row in rows] == [page["count"] for page in pages]
    for name in ("min", "max", "avg"):
        same_values([float(row[name]) for row in rows], [page[name] for page in pages])

    _, text = exported(client, url + "&format=ndjson")
    assert [json.loads(line) for line in text.splitlines()] == pages


def test_aggregates_export_refuses_paging_and_a_bad_format(client, awkward_sensor):
    url = f"/api/v1/sensors/{awkward_sensor.pk}/aggregates?bucket=1h"
    assert_error(client.get(url + "&format=csv&limit=3"), 400, "invalid_parameter", mentions="limit")
    assert_error(client.get(url + "&format=xml"), 400, "invalid_parameter", mentions="format")
