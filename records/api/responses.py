"""How every API view answers: JSON bodies, ETags, caching headers, read-only methods."""

import functools
import hashlib
import logging

from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.http import HttpResponse
from django.views.decorators.csrf import csrf_exempt

from .errors import ApiError, error_response

READ_METHODS = ("GET", "HEAD", "OPTIONS")
ALLOW = ", ".join(READ_METHODS)
DATABASE_RETRY_AFTER = "5"
logger = logging.getLogger(__name__)
# Connection-level failures only: a ProgrammingError is a bug and must surface.
DATABASE_UNAVAILABLE = (OperationalError, InterfaceError)


def etag_for(body):
    return '"' + hashlib.blake2b(body, digest_size=16).hexdigest() + '"'


def json_response(request, body, etag=None):
    """A 200 (or 304 for a matching If-None-Match) for a serialized body; ``etag`` if already known."""
    etag = etag or etag_for(body)
    if etag in _if_none_match(request):
        response = HttpResponse(status=304)
    else:
        response = HttpResponse(body, content_type="application/json")
    response["ETag"] = etag
    response["Cache-Control"] = f"public, max-age={settings.API_CACHE_CONTROL_MAX_AGE}"
    return response


def _if_none_match(request):
    header = request.META.get("HTTP_IF_NONE_MATCH", "")  # request.headers would copy every header
    return {tag.strip().removeprefix("W/") for tag in header.split(",")} if header else set()


def for_method(request, response):
    """A GET response as HEAD wants it: same headers, no body (RFC 9110 section 9.3.2)."""
    if request.method == "HEAD":
        response["Content-Length"] = str(len(response.content))
        response.content = b""
    return response


def database_unavailable():
    return error_response(
        503,
        "database_unavailable",
        "The database is unavailable; retry shortly.",
        {"Retry-After": DATABASE_RETRY_AFTER},
    )


def api_view(view):
    """Read-only JSON endpoint: refuses writes with 405, turns ApiError into JSON.

    An unreachable or slow database answers 503 with Retry-After; the
    connection is then discarded by Django's health checks on the next request.
    """

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.method not in READ_METHODS:
            return error_response(
                405, "method_not_allowed", f"{request.method} is not allowed; this API is read-only.", {"Allow": ALLOW}
            )
        if request.method == "OPTIONS":
            response = HttpResponse(status=204)
            response["Allow"] = ALLOW
            return response
        try:
            response = view(request, *args, **kwargs)
        except ApiError as error:
            return error.response()
        except DATABASE_UNAVAILABLE as exc:
            logger.warning("database unavailable: %s", exc)
            return database_unavailable()
        return for_method(request, response)

    wrapper = csrf_exempt(wrapper)  # nothing here changes state; writes get 405 before any check
    wrapper.takes_api_lane = True  # see records.api.lane
    return wrapper
