"""Hand-written bad input to the two data commands, each with its exact outcome (issue 13).

import_readings: a file that is empty, binary, has a byte-order mark or CRLF
line ends, 10 MB on one line, duplicate rows, sensor names with quotes and
commas, broken quoting and JSON. prune_readings: every malformed bound.
Nothing is ever half-written and no input gets a traceback.
"""

import io
import json
from datetime import UTC, datetime

import pytest
from django.core.management import CommandError, call_command

from records.models import Reading
from tests.records.importing import HEADER, NAME, csv_line, fails, good_csv, run, values


@pytest.fixture
def sensor(make_sensor):
    return make_sensor(name=NAME)


def prune(*args):
    out = io.StringIO()
    call_command("prune_readings", *args, stdout=out)
    return out.getvalue()


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


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--older-than", "365"], "must be a whole number and a unit"),
        (["--older-than", "0d"], "must be a whole number and a unit"),
        (["--older-than=-5d"], "must be a whole number and a unit"),
        (["--older-than", "1.5d"], "must be a whole number and a unit"),
        (["--older-than", "365 days"], "must be a whole number and a unit"),
        (["--older-than", ""], "must be a whole number and a unit"),
        (["--older-than", "365d\x00"], "must be a whole number and a unit"),
        (["--older-than", "9" * 400 + "d"], "must be a whole number and a unit"),
        (["--older-than", "999999999w"], "too large"),
        (["--older-than", "999999999d"], "before the year 1"),
        (["--before", "last year"], "--before: is not an ISO 8601 date-time"),
        (["--before", "0001-01-01"], "--before: is out of range"),
        (["--older-than", "1d", "--max-batch", "0"], "--max-batch must be at least 1"),
    ],
)
def test_bad_bounds_are_refused_and_delete_nothing(make_sensor, make_readings, args, message):
    make_readings(make_sensor(), 5, start=datetime(2000, 1, 1, tzinfo=UTC))
    with pytest.raises(CommandError, match=message.replace(".", r"\.")):
        prune(*args)
    assert Reading.objects.count() >= 5
