"""Service-level endpoints: the index and the OpenAPI document."""

import functools

from django.http import HttpResponse

from relayr import __version__
from relayr.http.responses import json_body, json_response

from . import openapi


def index(request):
    links = {
        "sensors": request.build_absolute_uri("/api/v1/sensors"),
        "openapi": request.build_absolute_uri("/api/v1/openapi.json"),
        "docs": request.build_absolute_uri("/api/v1/docs"),
        "admin": request.build_absolute_uri("/admin/"),
        "health": request.build_absolute_uri("/readyz"),
        "metrics": request.build_absolute_uri("/metrics"),
    }
    return json_response({"service": "relayr", "version": __version__, "links": links})


@functools.cache
def _openapi_body():
    return json_body(openapi.document())


def openapi_document(request):
    return HttpResponse(_openapi_body(), content_type="application/json")
