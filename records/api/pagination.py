"""Keyset pagination with signed, opaque cursors.

A page is fetched with ``limit + 1`` rows to learn whether another exists,
without COUNT or OFFSET. The cursor holds the last row's sort key, signed
with a salt naming the listing (``scope``), so a client can neither forge
one nor replay one from another listing.
"""

from django.core import signing

from .errors import invalid_parameter
from .params import get_text


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
    params = request.GET.copy()
    params["cursor"] = _signer(scope).sign_object(key(rows[-1]))
    return rows, request.build_absolute_uri(f"{request.path}?{params.urlencode()}")
