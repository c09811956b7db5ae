"""Keyset pagination with signed, opaque cursors.

A page is fetched with ``limit + 1`` rows to learn whether another exists,
without COUNT or OFFSET. The cursor holds the last row's sort key, signed
with a salt naming the listing (``scope``), so a client can neither forge
one nor replay one from another listing.
"""

from urllib.parse import quote, unquote_plus

from django.core import signing

from .errors import invalid_parameter
from .params import get_text

# What may stay as it is in a query string (RFC 3986 query characters, "%" of existing escapes).
QUERY_SAFE = "!$&'()*+,;=:@/?-._~%"


def _signer(scope):
    return signing.Signer(salt=f"relayr.cursor.{scope}")


def read_cursor(request, scope):
    """The position after which the page starts, or None for the first page."""
    raw = get_text(request, "cursor")
    if raw is None:
        return None
    try:
        return _signer(scope).unsign_object(raw)
    except (signing.BadSignature, ValueError, TypeError):
        raise invalid_parameter("cursor", "is not a cursor issued for this listing") from None


def page(request, scope, rows, limit, key):
    """Trim the ``limit + 1`` fetched rows to a page and build its ``next`` URL."""
    if len(rows) <= limit:
        return rows, None
    rows = rows[:limit]
    cursor = _signer(scope).sign_object(key(rows[-1]))
    return rows, request.build_absolute_uri(f"{request.path}?{_query_with(request, 'cursor', cursor)}")


def _query_with(request, name, value):
    """The request's own query string with ``name`` set to ``value``.

    Kept as the client wrote it rather than re-encoded from request.GET
    (a deep copy and a urlencode cost more than the rest of building a page):
    bytes outside URL syntax are percent-encoded, the old ``name`` dropped.
    """
    raw = quote(request.META.get("QUERY_STRING", "").encode("iso-8859-1"), safe=QUERY_SAFE)
    kept = [part for part in raw.split("&") if part and unquote_plus(part.partition("=")[0]) != name]
    return "&".join([*kept, f"{name}={quote(value, safe=':')}"])  # a cursor is base64url and ':'
