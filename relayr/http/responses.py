"""JSON bodies and what the pipeline adds to every successful API response."""

import hashlib

import orjson
from django.conf import settings
from django.http import HttpResponse, HttpResponseNotModified
from django.utils.cache import parse_etags

# orjson: several times faster than the stdlib's json, and it writes aware
# datetimes as RFC 3339 with their offset.
json_body = orjson.dumps


def json_response(data):
    """What an API view returns; the pipeline adds the ETag and caching headers."""
    return HttpResponse(json_body(data), content_type="application/json")


def etag_for(body):
    return '"' + hashlib.blake2b(body, digest_size=16).hexdigest() + '"'


def validated(request, response, etag):
    """A 200 with its ETag and Cache-Control, or 304 when If-None-Match names the ETag.

    Only If-None-Match is evaluated, with Django's parser and weak comparison.
    Django's get_conditional_response would also answer If-Match and
    If-Unmodified-Since, with a bare-text 412, and fails the latter for every
    response without Last-Modified, which no API response has: preconditions
    are for writes, and the API takes none.
    """
    header = request.META.get("HTTP_IF_NONE_MATCH")  # request.headers would copy every header
    if header and any(tag == "*" or tag.removeprefix("W/") == etag for tag in parse_etags(header)):
        response = HttpResponseNotModified()
    response["ETag"] = etag
    response["Cache-Control"] = f"public, max-age={settings.API_CACHE_CONTROL_MAX_AGE}"
    return response


def for_method(request, response):
    """A GET response as HEAD wants it: same headers, no body (RFC 9110 section 9.3.2).
    A streamed export's rows are never read: its length is not known beforehand."""
    if request.method == "HEAD" and response.streaming:
        response.streaming_content = ()
    elif request.method == "HEAD":
        response["Content-Length"] = str(len(response.content))
        response.content = b""
    return response
