"""API requests skip the part of the middleware stack that only the admin needs.

The API is anonymous and read-only: sessions, CSRF, authentication,
messages, login lockout and static files do nothing for it, yet together
they cost about as much as the whole cached API response. This middleware
sits after the security headers, the request log and the request metrics,
and calls an API view directly. What the skipped part did that the API does
need, it does itself:

- ALLOWED_HOSTS is checked, as CommonMiddleware would (DisallowedHost
  becomes the usual 400 JSON);
- ``request.resolver_match`` is set, which names the view in the metrics,
  and an exception the view raises is counted before Django turns it into a 500.

It also serves the response cache (records.api.cache): a fresh body is
answered before the URL is even resolved, the cheapest path a cached
response can take; 200 GET bodies of ``@cacheable`` views are stored.

Any other path (the admin, static files, unknown paths) goes down the full stack.
"""

import functools
import time

from django.conf import settings
from django.urls import Resolver404, get_urlconf, resolve

from relayr.observability.request_metrics import record_exception

from . import cache
from .responses import for_method, json_response

CACHED_METHODS = ("GET", "HEAD")


@functools.lru_cache(maxsize=1024)
def _resolve(path, urlconf):
    """resolve(), remembered: matching the URL patterns and building the match
    cost about as much as the rest of a cached response. Resolver404 is not
    remembered, so unknown paths cannot crowd known ones out."""
    return resolve(path, urlconf)


class ApiLaneMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        key = None
        if settings.API_CACHE_SECONDS > 0 and request.method in CACHED_METHODS:
            # What a body depends on besides the data (its next links are
            # absolute). get_host() validates the Host header, as below.
            key = (request.scheme, request.get_host(), request.path_info, request.META.get("QUERY_STRING", ""))
            hit = cache.lookup(key)
            if hit is not None:
                cache.HIT.inc()
                body, etag, request.resolver_match = hit
                return for_method(request, json_response(request, body, etag))
        try:
            match = _resolve(request.path_info, get_urlconf() or settings.ROOT_URLCONF)
        except Resolver404:
            return self.get_response(request)
        if not getattr(match.func, "takes_api_lane", False):
            return self.get_response(request)
        if key is None:
            request.get_host()
        request.resolver_match = match
        started = time.monotonic()
        try:
            response = match.func(request, *match.args, **match.kwargs)
        except Exception as exception:
            record_exception(request, exception)
            raise
        stores = key is not None and request.method == "GET" and getattr(match.func, "cacheable", False)
        if stores:
            cache.MISS.inc()
        if stores and response.status_code == 200:
            cache.store(key, (response.content, response["ETag"], match), started)
        return response
