"""manage.py import_readings: formats, all-or-nothing, rejects, conflicts (bad input: test_commands_bad_input.py)."""

import gzip
import io
import json
import sys

import pytest
from django.core.management import CommandError, call_command

from records.models import Reading
from tests.conftest import T0
from tests.records.importing import NAME, csv_line, fails, good_csv, run, values


@pytest.fixture
def sensor(make_sensor):
    return make_sensor(name=NAME)


@pytest.mark.django_db
def test_csv_import_is_idempotent_and_says_what_it_did(tmp_path, sensor):
    summary = run(tmp_path, good_csv(5))
    assert "5 readings (5 new, 0 already stored), 0 bad lines" in summary
    assert values(sensor) == [0.0, 1.0, 2.0, 3.0, 4.0]
    assert "5 readings (0 new, 5 already stored)" in run(tmp_path, good_csv(5, start_value=10))
    assert values(sensor) == [0.0, 1.0, 2.0, 3.0, 4.0]
    assert "(5 new or updated)" in run(tmp_path, good_csv(5, start_value=10), "in.csv", "--on-conflict", "update")
    assert values(sensor) == [10.0, 11.0, 12.0, 13.0, 14.0]


@pytest.mark.django_db
def test_ndjson_gzip_and_stdin(tmp_path, sensor, monkeypatch):
    records = [{"sensor": NAME, "recorded_at": f"2025-03-01T0{n}:00:00+01:00", "value": n} for n in range(3)]
    text = "".join(json.dumps(r) + "\n" for r in records)
    run(tmp_path, text, "day.ndjson")
    run(tmp_path, gzip.compress(good_csv(2).encode()), "day.csv.gz")
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(good_csv(4, start_value=1).encode())))
    call_command("import_readings", "-", "--format", "csv", stdout=io.StringIO())
    stored = Reading.objects.filter(sensor=sensor).order_by("recorded_at").values_list("recorded_at", "value")
    assert stored[0] == (T0.replace(day=28, month=2, hour=23), 0.0)  # +01:00 is an hour ahead of UTC
    # Midnight came first from the NDJSON file; skip keeps that value.
    assert [value for _, value in stored] == [0.0, 1.0, 1.0, 3.0, 4.0, 2.0]
    with pytest.raises(CommandError, match="give --format"):
        call_command("import_readings", "-")


@pytest.mark.django_db
def test_any_bad_line_writes_nothing_and_names_the_first_twenty(tmp_path, sensor):
    bad = "".join(csv_line("ghost", "2025-03-01T00:00:00Z", n) for n in range(25))
    message = fails(tmp_path, good_csv(3) + bad + "x,y\n", "26 bad line(s), nothing imported")
    assert "line 5: unknown sensor 'ghost'" in message
    assert "line 24:" in message and "line 25:" not in message
    assert "... and 6 more" in message


@pytest.mark.django_db
def test_skip_invalid_imports_good_lines_and_rejects_bad_ones_unchanged(tmp_path, sensor):
    bad_lines = ["ghost,2025-03-01T00:00:00Z,1", f"{NAME[:6]},soon,1", "a,b", "\xff\xfe"]
    content = good_csv(2).encode() + b"".join(line.encode("latin-1") + b"\r\n" for line in bad_lines)
    rejects = tmp_path / "rejects.ndjson"
    summary = run(tmp_path, content, "in.csv", "--skip-invalid", str(rejects))
    assert f"2 readings (2 new, 0 already stored), 4 bad line(s) written to {rejects}" in summary
    rows = [json.loads(line) for line in rejects.read_text().splitlines()]
    assert [row["line"] for row in rows] == [4, 5, 6, 7]
    assert [row["input"].encode("utf-8", "surrogateescape") for row in rows] == [
        line.encode("latin-1") for line in bad_lines
    ]
    assert [row["reason"] for row in rows] == [
        "unknown sensor 'ghost'",
        "recorded_at is not an ISO 8601 date-time: 'soon'",
        "expected 3 columns (sensor,recorded_at,value), got 2",
        "not UTF-8 text",
    ]
    assert values(sensor) == [0.0, 1.0]


@pytest.mark.django_db
def test_header_may_reorder_columns_but_must_name_them(tmp_path, sensor):
    run(tmp_path, "value,sensor,recorded_at\n" + f'7.5,"{NAME.replace(chr(34), 2 * chr(34))}",2025-03-01T00:00:00Z\n')
    assert values(sensor) == [7.5]
    fails(tmp_path, "sensor,time,value\n", "line 1: the first line must be the header sensor,recorded_at,value")
    fails(tmp_path, "sensor,recorded_at,value,unit\n", "must be the header")
