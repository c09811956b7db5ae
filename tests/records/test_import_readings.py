"""manage.py import_readings: formats, all-or-nothing, rejects, conflicts, bad input of every kind."""

import gzip
import io
import json
import sys

import pytest
from django.core.management import CommandError, call_command

from records.models import Reading
from tests.conftest import T0

HEADER = "sensor,recorded_at,value\n"
NAME = 'boiler, "east" wing'  # a name CSV must quote


@pytest.fixture
def sensor(make_sensor):
    return make_sensor(name=NAME)


def csv_line(name, when, value):
    quoted = '"' + name.replace('"', '""') + '"' if any(c in name for c in ',"') else name
    return f"{quoted},{when},{value}\n"


def good_csv(count, start_value=0.0):
    lines = [csv_line(NAME, f"2025-03-01T00:{n:02d}:00Z", start_value + n) for n in range(count)]
    return HEADER + "".join(lines)


def run(tmp_path, content, name="in.csv", *args):
    path = tmp_path / name
    path.write_bytes(content if isinstance(content, bytes) else content.encode())
    out = io.StringIO()
    call_command("import_readings", str(path), *args, stdout=out)
    return out.getvalue()


def values(sensor):
    return list(Reading.objects.filter(sensor=sensor).order_by("recorded_at").values_list("value", flat=True))


def fails(tmp_path, content, *mentions, name="in.csv"):
    """The import refuses the whole input, names the problems, and writes nothing."""
    before = Reading.objects.count()
    with pytest.raises(CommandError) as error:
        run(tmp_path, content, name)
    for text in mentions:
        assert text in str(error.value)
    assert Reading.objects.count() == before
    return str(error.value)


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


# The hand-written bad input of issue 13, each with its exact outcome.


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["in.csv", "in.ndjson"])
def test_empty_file(tmp_path, sensor, name):
    if name == "in.csv":
        fails(tmp_path, b"", "the input is empty", name=name)
    else:
        assert "0 readings" in run(tmp_path, b"", name)


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["in.csv", "in.ndjson"])
def test_binary_file(tmp_path, sensor, name):
    blob = bytes(range(256)) * 64 + b"\n\x00\x01\x02\n\xff\xd8\xff\xe0PNG\x00\n"
    message = fails(tmp_path, (HEADER.encode() if name == "in.csv" else b"") + blob, "nothing imported", name=name)
    assert "not UTF-8 text" in message or "not JSON" in message or "expected 3 columns" in message


@pytest.mark.django_db
def test_binary_instead_of_a_header(tmp_path, sensor):
    fails(tmp_path, b"\x89PNG\r\n\x1a\n\x00\x00", "line 1: the header sensor,recorded_at,value is not UTF-8 text")


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["in.csv", "in.ndjson"])
def test_byte_order_mark_and_crlf(tmp_path, sensor, name):
    if name == "in.csv":
        content = good_csv(3)
    else:
        content = "".join(
            json.dumps({"sensor": NAME, "recorded_at": f"2025-03-01T00:0{n}:00", "value": n}) + "\n" for n in range(3)
        )
    run(tmp_path, ("\ufeff" + content.replace("\n", "\r\n")).encode(), name)
    assert values(sensor) == [0.0, 1.0, 2.0]


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["in.csv", "in.ndjson"])
def test_ten_megabytes_on_one_line(tmp_path, sensor, name):
    head = HEADER if name == "in.csv" else ""
    message = fails(
        tmp_path, head + "x" * 10_000_000 + "\n" + good_csv(2)[len(HEADER) :], "longer than 65536 bytes", name=name
    )
    assert f"line {2 if head else 1}: longer than" in message
    assert len(message) < 4000


@pytest.mark.django_db
def test_ten_megabytes_without_any_line_end(tmp_path, sensor):
    fails(tmp_path, "s" * 10_000_000, "line 1: the header sensor,recorded_at,value is longer than 65536 bytes")


@pytest.mark.django_db
@pytest.mark.parametrize(("on_conflict", "kept"), [("skip", 1.0), ("update", 2.0)])
def test_duplicate_rows_within_the_file(tmp_path, sensor, on_conflict, kept):
    line = csv_line(NAME, "2025-03-01T00:00:00Z", "{}")
    run(
        tmp_path,
        HEADER + line.format(1.0) + line.format(2.0) + line.format(1.0 if on_conflict == "skip" else 2.0),
        "in.csv",
        "--on-conflict",
        on_conflict,
    )
    assert values(sensor) == [kept]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "name", ['quote"inside', "comma,inside", "'single'", '"', ",", 'both ,"', " padded ", 'ünïcødé, "x"']
)
def test_sensor_names_with_quotes_and_commas(tmp_path, make_sensor, name):
    sensor = make_sensor(name=name)
    run(tmp_path, HEADER + csv_line(name, "2025-03-01T00:00:00Z", 3.5))
    run(tmp_path, json.dumps({"sensor": name, "recorded_at": "2025-03-01T00:01:00Z", "value": 4.5}) + "\n", "in.ndjson")
    assert values(sensor) == [3.5, 4.5]


@pytest.mark.django_db
def test_unterminated_quote_is_a_bad_line(tmp_path, sensor):
    fails(tmp_path, HEADER + '"boiler,2025-03-01T00:00:00Z,1\n', "line 2: bad CSV quoting")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("line", "reason"),
    [
        ("[1, 2, 3]", "expected a JSON object"),
        ('{"sensor": "x"}', "wrong keys: missing recorded_at, value"),
        ('{"sensor": "x", "recorded_at": "2025-03-01", "value": 1, "unit": "C"}', "wrong keys: unexpected 'unit'"),
        (
            '{"sensor": "' + NAME.replace('"', '\\"') + '", "recorded_at": "2025-03-01", "value": NaN}',
            "value must be finite",
        ),
        ('{"sensor": "' + NAME.replace('"', '\\"') + '", "recorded_at": "2025-03-01", "value": "1"}', ""),
        ("{", "not JSON"),
        ("[" * 60_000, "not JSON"),
    ],
)
def test_ndjson_bad_lines(tmp_path, sensor, line, reason):
    if reason:
        fails(tmp_path, line + "\n", f"line 1: {reason}", name="in.ndjson")
    else:
        run(tmp_path, line + "\n", "in.ndjson")
        assert values(sensor) == [1.0]


@pytest.mark.django_db
def test_missing_file_and_unknown_format(tmp_path):
    with pytest.raises(CommandError, match="cannot open .*missing.csv: No such file"):
        call_command("import_readings", str(tmp_path / "missing.csv"))
    with pytest.raises(CommandError, match="cannot tell the format"):
        call_command("import_readings", str(tmp_path / "readings.txt"))
    with pytest.raises(CommandError, match="cannot write"):
        run(tmp_path, good_csv(1), "in.csv", "--skip-invalid", str(tmp_path / "no" / "such" / "dir"))
