"""Reading files line by line: CSV or NDJSON records as (sensor, recorded_at, value), or why not.

Lines are read as bytes with a length cap, so a file that is binary or has
no line ends costs bounded memory and gets a clear reason instead of a
hang. UTF-8 with or without a byte-order mark, LF or CRLF line ends.
"""

import csv
import gzip
import json
import os
from pathlib import PurePath

FORMATS = ("csv", "ndjson")
SUFFIXES = {".csv": "csv", ".ndjson": "ndjson", ".jsonl": "ndjson", ".json": "ndjson"}
COLUMNS = ("sensor", "recorded_at", "value")
MAX_LINE_BYTES = 64 * 1024  # far beyond any real reading's line
BOM = "\ufeff"


class SourceError(Exception):
    """The input as a whole cannot be read (bad header, unknown format): no line is worth trying."""


def format_for(path, chosen):
    if chosen:
        return chosen
    name = PurePath(path)
    suffixes = [s.lower() for s in name.suffixes]
    if suffixes and suffixes[-1] == ".gz":
        suffixes.pop()
    if path == "-" or not suffixes or suffixes[-1] not in SUFFIXES:
        raise SourceError(f"cannot tell the format of {path!r} from its name; give --format {'|'.join(FORMATS)}")
    return SUFFIXES[suffixes[-1]]


def open_binary(path, stdin):
    """(binary stream, its size when progress can be a share of it: a plain file, not a pipe or gzip)."""
    if path == "-":
        return stdin, None
    try:
        handle = open(path, "rb")  # noqa: SIM115 - the caller closes it
        size = os.fstat(handle.fileno()).st_size
    except OSError as error:
        raise SourceError(f"cannot open {path}: {error.strerror}") from None
    if path.lower().endswith(".gz"):
        return gzip.GzipFile(fileobj=handle), None
    return handle, size


def lines(stream):
    """(line number, bytes without the line end) per line; ``None`` for a line over the cap."""
    number = 0
    readline = stream.readline
    while True:
        line = readline(MAX_LINE_BYTES + 1)
        if not line:
            return
        number += 1
        if len(line) > MAX_LINE_BYTES:
            while line and not line.endswith(b"\n"):
                line = readline(MAX_LINE_BYTES)
            yield number, None
            continue
        if line.endswith(b"\n"):
            line = line[:-2] if line.endswith(b"\r\n") else line[:-1]
        yield number, line


def decode(raw, number):
    """The line's text, or a reason; the first line may start with a byte-order mark."""
    if raw is None:
        return None, f"longer than {MAX_LINE_BYTES} bytes"
    try:
        text = raw.decode()
    except UnicodeDecodeError:
        return None, "not UTF-8 text"
    if number == 1 and text.startswith(BOM):
        text = text[1:]
    return text, None


class CsvRecords:
    """Parses data lines after the header; the header may order the three columns any way."""

    def __init__(self):
        self.order = None

    def header(self, text):
        names = [name.strip() for name in next(csv.reader([text]))] if text else []
        if sorted(names) != sorted(COLUMNS):
            shown = text if len(text) <= 80 else text[:80] + "..."
            raise SourceError(f"the first line must be the header {','.join(COLUMNS)}, got {shown!r}")
        self.order = [names.index(column) for column in COLUMNS]

    def parse(self, text):
        if '"' in text:
            try:
                fields = next(csv.reader([text], strict=True))
            except csv.Error as error:
                return None, f"bad CSV quoting: {error}"
        else:
            fields = text.split(",")
        if len(fields) != len(COLUMNS):
            return None, f"expected {len(COLUMNS)} columns ({','.join(COLUMNS)}), got {len(fields)}"
        sensor, recorded_at, value = self.order
        return (fields[sensor], fields[recorded_at], fields[value]), None


class NdjsonRecords:
    """One JSON object per line with exactly the keys sensor, recorded_at and value."""

    def header(self, text):
        raise AssertionError("NDJSON has no header")

    def parse(self, text):
        try:
            record = json.loads(text)
        except ValueError as error:
            return None, f"not JSON: {error}"
        except RecursionError:
            return None, "not JSON: nested too deeply"
        if not isinstance(record, dict):
            return None, f"expected a JSON object with keys {', '.join(COLUMNS)}"
        if record.keys() != set(COLUMNS):
            missing = ", ".join(key for key in COLUMNS if key not in record)
            extra = ", ".join(repr(key[:40]) for key in sorted(record.keys() - set(COLUMNS))[:5])
            problems = [f"missing {missing}" if missing else "", f"unexpected {extra}" if extra else ""]
            return None, "wrong keys: " + "; ".join(p for p in problems if p)
        return (record["sensor"], record["recorded_at"], record["value"]), None


def records_for(fmt):
    return CsvRecords() if fmt == "csv" else NdjsonRecords()
