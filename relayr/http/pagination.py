"""Keyset pagination with signed, opaque cursors, in one object.

A ``Paginator`` belongs to one listing. For a request it reads ``limit`` and
``cursor`` into a ``Window`` (the typed key to start after, the direction,
``limit + 1`` rows to fetch: the extra row tells whether another page
exists, without COUNT or OFFSET), lets the caller fetch that window, trims
the page and builds its ``next`` URL. The cursor holds the last item's key,
signed with a salt naming the listing and its direction, so a client can
neither forge one nor replay one from another listing or order. A view
answers with ``response``: the page as JSON, its next URL also in a
``Link`` header (the response cache keeps that header with the body).

What a listing is ordered by is a ``Key``: the item field (a JSON key) and
how its value comes back from a cursor. A listing by another key, or in
descending order, uses the same paginator and the same callers.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, NamedTuple
from urllib.parse import quote, unquote_plus

from django.core import signing

from .errors import invalid_parameter
from .params import get_limit, get_text
from .responses import json_response

# What may stay as it is in a query string (RFC 3986 query characters, "%" of existing escapes).
QUERY_SAFE = "!$&'()*+,;=:@/?-._~%"


def instant(value):
    """A cursor's RFC 3339 text back to the aware datetime the query compares."""
    if not isinstance(value, str):
        raise TypeError("an instant is written as text")
    parsed = datetime.fromisoformat(value)
    if parsed.tzinfo is None:
        raise ValueError("an instant has an offset")
    return parsed


def integer(value):
    if type(value) is not int:
        raise TypeError("an integer key")
    return value


@dataclass(frozen=True)
class Key:
    """The field a listing is ordered by (unique within the listing) and its type."""

    field: str
    parse: Callable[[Any], Any] = integer


class Window(NamedTuple):
    """The rows to fetch: ``size`` of them, ordered by the key, after ``after`` (None: from the start)."""

    after: Any
    size: int
    descending: bool


class Paginator:
    def __init__(self, listing, key):
        self.listing = listing
        self.key = key

    def _signer(self, scope, descending):
        salt = f"relayr.cursor.{self.listing}" + ("" if scope is None else f".{scope}")
        return signing.Signer(salt=salt + (".desc" if descending else ""))

    def window(self, request, *, scope=None, descending=False):
        """The window the request asks for; ``scope`` narrows the listing (one sensor's readings)."""
        limit = get_limit(request)
        raw = get_text(request, "cursor")
        after = None
        if raw is not None:
            try:
                after = self.key.parse(self._signer(scope, descending).unsign_object(raw))
            except (signing.BadSignature, ValueError, TypeError):
                raise invalid_parameter("cursor", "is not a cursor issued for this listing") from None
        return Window(after, limit + 1, descending)

    def page(self, request, fetch, *, scope=None, descending=False):
        """{"results": items, "next": url or None}; ``fetch(window)`` returns the items as JSON objects."""
        window = self.window(request, scope=scope, descending=descending)
        items = fetch(window)
        limit = window.size - 1
        if len(items) <= limit:
            return {"results": items, "next": None}
        items = items[:limit]
        cursor = self._signer(scope, descending).sign_object(items[-1][self.key.field])
        next_url = request.build_absolute_uri(f"{request.path}?{_query_with(request, 'cursor', cursor)}")
        return {"results": items, "next": next_url}

    def response(self, request, fetch, *, scope=None, descending=False):
        """The page as the API's response; when there is a next page, its URL is
        also in ``Link: <url>; rel="next"`` (RFC 8288), for clients that follow
        headers rather than read bodies."""
        page = self.page(request, fetch, scope=scope, descending=descending)
        response = json_response(page)
        if page["next"] is not None:
            response["Link"] = f'<{page["next"]}>; rel="next"'
        return response


def _query_with(request, name, value):
    """The request's own query string with ``name`` set to ``value``.

    Kept as the client wrote it rather than re-encoded from request.GET
    (a deep copy and a urlencode cost more than the rest of building a page):
    bytes outside URL syntax are percent-encoded, the old ``name`` dropped.
    """
    raw = quote(request.META.get("QUERY_STRING", "").encode("iso-8859-1"), safe=QUERY_SAFE)
    kept = [part for part in raw.split("&") if part and unquote_plus(part.partition("=")[0]) != name]
    return "&".join([*kept, f"{name}={quote(value, safe=':')}"])  # a cursor is base64url and ':'
