"""Query-string parsing: every bad value becomes a 400 that names its parameter."""

import re
from datetime import UTC, datetime

from django.conf import settings

from .errors import ApiError, invalid_parameter

MAX_TEXT_LENGTH = 200
MAX_ID = 2**63 - 1
# A "+01:00" offset arrives as " 01:00" when the client did not percent-encode "+".
UNENCODED_OFFSET = re.compile(r"(\d\d:\d\d(?::\d\d(?:\.\d+)?)?) (\d\d(?::?\d\d)?)$")


def check_known(request, allowed):
    """Refuse typos such as ?limt=10 instead of silently ignoring them."""
    for name in request.GET:
        if name not in allowed:
            raise ApiError(
                400, "unknown_parameter", f"{name}: unknown parameter; allowed: {', '.join(sorted(allowed))}"
            )


def get_text(request, name):
    values = request.GET.getlist(name)
    if not values:
        return None
    if len(values) > 1:
        raise invalid_parameter(name, "given more than once")
    value = values[0]
    if "\x00" in value:
        raise invalid_parameter(name, "must not contain NUL characters")
    if len(value) > MAX_TEXT_LENGTH:
        raise invalid_parameter(name, f"must be at most {MAX_TEXT_LENGTH} characters")
    return value


def get_limit(request):
    raw = get_text(request, "limit")
    if raw is None:
        return settings.API_DEFAULT_LIMIT
    if not raw.isascii() or not raw.isdigit() or not 1 <= int(raw) <= settings.API_MAX_LIMIT:
        raise invalid_parameter("limit", f"must be an integer from 1 to {settings.API_MAX_LIMIT}")
    return int(raw)


def get_bool(request, name):
    raw = get_text(request, name)
    if raw is None:
        return None
    value = raw.lower()
    if value in ("true", "1"):
        return True
    if value in ("false", "0"):
        return False
    raise invalid_parameter(name, "must be true or false")


def get_choice(request, name, choices):
    """One of ``choices`` (the first when the parameter is absent), exactly as written."""
    raw = get_text(request, name)
    if raw is None:
        return choices[0]
    if raw not in choices:
        raise invalid_parameter(name, f"must be one of {', '.join(choices)}")
    return raw


def get_datetime(request, name):
    """An ISO 8601 instant; one without an offset is taken as UTC."""
    raw = get_text(request, name)
    if raw is None:
        return None
    try:
        value = datetime.fromisoformat(UNENCODED_OFFSET.sub(r"\1+\2", raw))
    except ValueError:
        raise invalid_parameter(name, "must be an ISO 8601 date-time, e.g. 2024-01-31T12:00:00Z") from None
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    try:
        value = value.astimezone(UTC)
    except OverflowError:
        raise invalid_parameter(name, "is out of range") from None
    if value.year < 1000:
        raise invalid_parameter(name, "is out of range")
    return value


def parse_id(raw):
    """A path id, or None when it cannot name a row (too large for a 64-bit key)."""
    value = int(raw)
    return value if 1 <= value <= MAX_ID else None
