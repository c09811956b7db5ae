"""Service-level endpoints: the index and the OpenAPI document."""

import functools

from relayr import __version__

from . import openapi
from .encoding import json_body
from .responses import api_view, json_response


@api_view
def index(request):
    links = {
        "sensors": request.build_absolute_uri("/api/v1/sensors"),
        "openapi": request.build_absolute_uri("/api/v1/openapi.json"),
        "admin": request.build_absolute_uri("/admin/"),
        "health": request.build_absolute_uri("/readyz"),
        "metrics": request.build_absolute_uri("/metrics"),
    }
    return json_response(request, json_body({"service": "relayr", "version": __version__, "links": links}))


@functools.cache
def _openapi_body():
    return json_body(openapi.document())


@api_view
def openapi_document(request):
    return json_response(request, _openapi_body())
