"""Streamed exports: every row of a listing's window as CSV or NDJSON, in one response.

A JSON listing answers one page; ``?format=csv`` or ``?format=ndjson`` on
the same URL (read with ``params.get_choice(request, "format", FORMATS)``)
answers the whole window. The rows are fetched in keyset
chunks of CHUNK_ROWS with the listing's own ``fetch(window)`` (the query
its JSON pages run, one index range per chunk), and each chunk is
formatted and sent before the next is read: the worker holds one chunk,
whatever the size of the window. Between chunks the worker beats
relayr.heartbeat, so gunicorn's timeout applies to one chunk, not to the
whole export.

Once the first bytes are sent the status is 200 for good: an export that
fails later (the database goes away) ends without the closing chunk of
the chunked transfer encoding, which HTTP clients report as an error.
``limit`` and ``cursor`` describe a page and are refused with a format.
The response is not cached, carries no ETag (its body exists only as it is
sent) and answers HEAD with its headers alone, without reading a row
(relayr.http.middleware).
"""

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import orjson
from django.http import StreamingHttpResponse

from relayr.heartbeat import WORKER

from .errors import invalid_parameter
from .pagination import Key, Window

CHUNK_ROWS = 5000
MEDIA_TYPES = {"csv": "text/csv; charset=utf-8", "ndjson": "application/x-ndjson"}
FORMATS = ("json", *MEDIA_TYPES)  # for params.get_choice: json, a page, is the default
PAGE_PARAMETERS = ("limit", "cursor")
# What may appear in a file name: anything else in a sensor's name becomes "-".
_unsafe = re.compile(r"[^A-Za-z0-9._-]+")


@dataclass(frozen=True)
class Listing:
    """What an export streams: ``fetch(window)`` returns up to ``window.size`` rows
    (tuples of ``columns``' values, in the listing's order), ``key`` is the
    column the keyset continues from. Every value is a number or a text that
    needs no quoting in CSV (a timestamp): the CSV is written without a
    per-value check. ``fetch_text``, when given, fetches the same rows with
    the numbers already as their exact text, for the CSV."""

    columns: Sequence[str]
    key: Key
    fetch: Callable[[Window], list]
    fetch_text: Callable[[Window], list] | None = None
    descending: bool = False


def file_name(*parts):
    """A file name from ``parts`` (the sensor, the listing, the window), safe in any
    file system and in a quoted header parameter."""
    return "_".join(_unsafe.sub("-", str(part)).strip("-") or "-" for part in parts)


def response(request, export_format, listing, name):
    """The streamed export of ``listing`` as ``export_format``, offered as ``name``.``export_format``."""
    for parameter in PAGE_PARAMETERS:
        if parameter in request.GET:
            raise invalid_parameter(
                parameter, f"does not apply to format={export_format}: an export holds every row of the window"
            )
    encode = _csv if export_format == "csv" else _ndjson
    streamed = StreamingHttpResponse(encode(listing), content_type=MEDIA_TYPES[export_format])
    streamed["Content-Disposition"] = f'attachment; filename="{name}.{export_format}"'
    return streamed


def _chunks(listing, fetch):
    """The listing's rows, CHUNK_ROWS at a time, each chunk one query after the last row's key."""
    position = listing.columns.index(listing.key.field)
    after = None
    while True:
        WORKER.beat()
        rows = fetch(Window(after, CHUNK_ROWS, listing.descending))
        if rows:
            yield rows
        if len(rows) < CHUNK_ROWS:
            return
        after = listing.key.parse(rows[-1][position])


def _csv(listing):
    # A number is the database's exact text (fetch_text) or a float, whose str() is exact too.
    line = ",".join(["%s"] * len(listing.columns)) + "\r\n"
    yield (",".join(listing.columns) + "\r\n").encode()
    for rows in _chunks(listing, listing.fetch_text or listing.fetch):
        yield "".join([line % row for row in rows]).encode()


def _ndjson(listing):
    names, dumps, newline = listing.columns, orjson.dumps, orjson.OPT_APPEND_NEWLINE
    for rows in _chunks(listing, listing.fetch):
        yield b"".join([dumps(dict(zip(names, row, strict=True)), option=newline) for row in rows])
