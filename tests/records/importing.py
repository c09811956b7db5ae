"""Helpers for the import_readings tests: CSV lines, running the command, asserting nothing was written."""

import io

import pytest
from django.core.management import CommandError, call_command

from records.models import Reading

HEADER = "sensor,recorded_at,value\n"
NAME = 'boiler, "east" wing'  # a name CSV must quote


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
