"""The API's middleware; see relayr/http/__init__.py for the whole pipeline."""

import functools
import logging
import time

from corsheaders.conf import conf
from corsheaders.middleware import CorsMiddleware as LibraryCorsMiddleware
from corsheaders.signals import check_request_enabled
from django.conf import settings
from django.core.exceptions import MiddlewareNotUsed
from django.http import HttpResponse
from django.urls import Resolver404, resolve

from . import cache
from .errors import DATABASE_UNAVAILABLE, ApiError, database_unavailable, method_not_allowed
from .responses import etag_for, for_method, validated

READ_METHODS = ("GET", "HEAD", "OPTIONS")
ALLOW = ", ".join(READ_METHODS)
CACHED_METHODS = ("GET", "HEAD")

logger = logging.getLogger(__name__)


class ErrorMiddleware:
    """Turns what views raise into the JSON error shape, for the API and the admin alike.

    Above RequestMetricsMiddleware, so the metrics count an exception before
    it becomes a response here.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, ApiError):
            return exception.response()
        if isinstance(exception, DATABASE_UNAVAILABLE):
            # The broken connection is discarded at the end of the request
            # (CONN_HEALTH_CHECKS), so the next request reconnects by itself.
            logger.warning("database unavailable", exc_info=exception)
            return database_unavailable(exception)
        return None


class CorsMiddleware(LibraryCorsMiddleware):
    """django-cors-headers, leaving the answer to a preflight to the API.

    The library would answer a preflight itself (200, no Allow); here it goes
    on down to ApiMiddleware like any OPTIONS, so a browser's preflight and a
    person's OPTIONS get the same 204 with Allow, plus the CORS headers added
    on the way back. Being outermost, it adds them to every API answer,
    cached ones included, for the current request's Origin.

    With no origin allowed (the default) no answer differs by Origin, so it
    takes itself out of the stack, Django's way (MiddlewareNotUsed), rather
    than look at every request for nothing.
    """

    def __init__(self, get_response):
        allowed = conf.CORS_ALLOWED_ORIGINS or conf.CORS_ALLOWED_ORIGIN_REGEXES or conf.CORS_ALLOW_ALL_ORIGINS
        if not allowed and not check_request_enabled.has_listeners():
            raise MiddlewareNotUsed
        super().__init__(get_response)

    def check_preflight(self, request):
        return None


def _stale_or(error, key):
    """A stale body instead of a database error, when the cache still holds one."""
    found = cache.stale(key)
    if found is None:
        return error
    entry, age = found
    cache.STALE_SERVED.inc()
    response = HttpResponse(entry.body, content_type="application/json", headers=entry.headers)
    response["ETag"] = entry.etag
    response["Age"] = str(int(age))
    response[cache.STALE_HEADER] = "true"
    response["Cache-Control"] = "no-cache"
    return response


@functools.lru_cache(maxsize=1024)
def _resolve(path, urlconf):
    """resolve(), remembered: a cached response costs less than matching the
    URL patterns. Resolver404 is not remembered, so unknown paths cannot
    crowd known ones out."""
    return resolve(path, urlconf)


def api_route(request):
    """The match of ``request``'s path in the API's own URL patterns, or None."""
    try:
        return _resolve(request.path_info, settings.API_URLCONF)
    except Resolver404:
        return None


def is_api(request):
    """Whether ApiMiddleware took ``request`` as the API's (for the middleware below it)."""
    return getattr(request, "api_route", None) is not None


class ApiMiddleware:
    """The API's part of the request cycle; every other request passes through.

    An API request is one whose path matches ``settings.API_URLCONF``, the
    URL patterns relayr/urls.py includes at the root. What is not answered
    here goes on down the stack, and Django's handler resolves the URL and
    calls the view as for any request.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        route = api_route(request)
        if route is None:
            return self.get_response(request)
        # Names the view in the metrics also for the answers given here.
        request.resolver_match = request.api_route = route
        if request.method not in READ_METHODS:
            return method_not_allowed(request, ALLOW)
        if request.method == "OPTIONS":
            response = HttpResponse(status=204)
            del response["Content-Type"]  # no body, nothing to type
            response["Allow"] = ALLOW
            return response
        key = cache.key_for(request) if settings.API_CACHE_SECONDS > 0 and request.method in CACHED_METHODS else None
        hit = cache.lookup(key) if key is not None else None
        if hit is not None:
            cache.HIT.inc()
            etag = hit.etag
            response = HttpResponse(hit.body, content_type="application/json", headers=hit.headers)
        else:
            started = time.monotonic()
            response = self.get_response(request)
            if response.streaming:
                # An export (relayr.http.export): its body exists only as it is sent,
                # so it is neither stored nor hashed into an ETag.
                response["Cache-Control"] = f"public, max-age={settings.API_CACHE_CONTROL_MAX_AGE}"
                return for_method(request, response)
            stores = key is not None and request.method == "GET"
            if stores:
                cache.MISS.inc()
            if response.status_code == 503 and key is not None:
                return for_method(request, _stale_or(response, key))
            if response.status_code != 200:
                return for_method(request, response)
            etag = etag_for(response.content)
            if stores:
                cache.store(key, cache.Entry.of(response, etag), started)
        return for_method(request, validated(request, response, etag))
