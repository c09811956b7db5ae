"""A per-process, short-lived cache of API response bodies.

Readings and sensors change rarely next to how often they are read, so each
gunicorn worker keeps the bodies it served for ``API_CACHE_SECONDS`` (a float,
0 turns the cache off) and answers repeats without touching the database.
A change made any way at all (admin, migration, plain SQL) reaches responses
within that bound, and the ETag, a hash of the body, changes with it.

ApiMiddleware looks every API GET and HEAD up here before Django resolves
the URL, and stores 200 GET bodies: every API view's body depends on nothing
but the URL and the data. Keys are scheme, host, path and query string: the
body's ``next`` links carry scheme and host. An ``Entry`` is the body, its ETag
and the headers the view set that go with the body (``KEPT_HEADERS``: a
page's ``Link``), so a hit answers exactly as the first response did.
When the database fails, a body up to ``API_STALE_IF_ERROR_SECONDS`` past
its freshness answers instead of the 503 (RFC 5861's stale-if-error): the
middleware marks it with ``Age`` and ``X-Relayr-Stale: true``.
At most ``API_CACHE_MAX_ENTRIES`` bodies are kept, and the least recently
used go first: a stream of one-off URLs (every readings window is one)
passes through without pushing out the bodies clients keep asking for. An
expired entry goes when it is looked up or reaches the front.
"""

import random
import time
from typing import NamedTuple

from django.conf import settings
from prometheus_client import Counter

STALE_HEADER = "X-Relayr-Stale"
STALE_SERVED = Counter(
    "relayr_api_stale_responses_total", "Cached bodies answered past their freshness because the database failed."
)

_entries = {}  # key -> (expires at, entry, read at), least recently used first
# Lifetimes spread over the last 20% of API_CACHE_SECONDS: entries filled
# together (a warm-up, a burst) do not all expire in the same instant and
# send one worker to the database for all of them at once.
EXPIRY_SPREAD = 0.2


# Requests the cache could answer (an API GET or HEAD while the cache is on), by result:
# the hit ratio is hit / (hit + miss). Children bound once: the hit path stays short.
REQUESTS = Counter("relayr_api_cache_requests", "API requests the response cache could answer, by result.", ["result"])
HIT = REQUESTS.labels(result="hit")
MISS = REQUESTS.labels(result="miss")


# Headers a view sets from the data, kept with the body: the paginator's Link to the next page.
KEPT_HEADERS = ("Link",)


class Entry(NamedTuple):
    """What a hit answers with: the body, its ETag and the view's KEPT_HEADERS."""

    body: bytes
    etag: str
    headers: dict

    @classmethod
    def of(cls, response, etag):
        return cls(response.content, etag, {name: response[name] for name in KEPT_HEADERS if name in response})


def key_for(request):
    """What a body depends on besides the data (its next links are absolute)."""
    return (request.scheme, request.get_host(), request.path_info, request.META.get("QUERY_STRING", ""))


def clear():
    _entries.clear()


def lookup(key):
    """The entry stored under ``key`` while it is fresh, else None."""
    entry = _entries.get(key)
    if entry is None:
        return None
    del _entries[key]
    now = time.monotonic()
    if entry[0] + settings.API_STALE_IF_ERROR_SECONDS > now:
        _entries[key] = entry  # now the most recently used; kept while it may serve as stale
    return entry[1] if entry[0] > now else None


def stale(key):
    """(entry, age in seconds) for a body past its freshness but within
    API_STALE_IF_ERROR_SECONDS of it, to answer instead of an error; else None."""
    entry = _entries.get(key)
    now = time.monotonic()
    if entry is None or entry[0] + settings.API_STALE_IF_ERROR_SECONDS <= now:
        return None
    return entry[1], now - entry[2]


def store(key, entry, since):
    """Keep ``entry`` for API_CACHE_SECONDS from ``since`` (a time.monotonic()
    taken before the data was read, so the bound holds from the read)."""
    now = time.monotonic()
    while _entries:
        oldest = next(iter(_entries))
        useful = _entries[oldest][0] + settings.API_STALE_IF_ERROR_SECONDS > now
        if useful and len(_entries) < settings.API_CACHE_MAX_ENTRIES:
            break
        del _entries[oldest]
    _entries[key] = (since + settings.API_CACHE_SECONDS * (1 - EXPIRY_SPREAD * random.random()), entry, since)
