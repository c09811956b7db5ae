"""A per-process, short-lived cache of API response bodies.

Readings and sensors change rarely next to how often they are read, so each
gunicorn worker keeps the bodies it served for ``API_CACHE_SECONDS`` (a float,
0 turns the cache off) and answers repeats without touching the database.
A change made any way at all (admin, migration, plain SQL) reaches responses
within that bound, and the ETag, a hash of the body, changes with it.

Keys are the absolute URI: the body's ``next`` links carry scheme and host.
At most ``API_CACHE_MAX_ENTRIES`` bodies are kept; since every entry lives
equally long, insertion order is expiry order and the oldest go first.
"""

import functools
import time

from django.conf import settings

from .responses import json_response

_entries = {}  # absolute URI -> (expires at, (body, etag)), oldest first


def clear():
    _entries.clear()


def _lookup(key, now):
    entry = _entries.get(key)
    if entry is None:
        return None
    if entry[0] > now:
        return entry[1]
    del _entries[key]
    return None


def _store(key, entry, now, seconds):
    while _entries:
        oldest = next(iter(_entries))
        if _entries[oldest][0] > now and len(_entries) < settings.API_CACHE_MAX_ENTRIES:
            break
        del _entries[oldest]
    _entries[key] = (now + seconds, entry)


def cached(view):
    """Serve a GET/HEAD view's 200 body from this process's cache while it is fresh.

    Goes inside ``api_view``: only successful bodies are kept (errors and 304s
    are not), and a hit still answers If-None-Match with a 304.
    """

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        seconds = settings.API_CACHE_SECONDS
        if seconds <= 0:
            return view(request, *args, **kwargs)
        key = request.build_absolute_uri()
        now = time.monotonic()
        entry = _lookup(key, now)
        if entry is not None:
            body, etag = entry
            return json_response(request, body, etag)
        response = view(request, *args, **kwargs)
        if response.status_code == 200:
            # The ETag goes with the body: a hit does not hash it again.
            _store(key, (response.content, response["ETag"]), now, seconds)
        return response

    return wrapper
