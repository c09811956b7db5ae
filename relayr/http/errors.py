"""The one JSON error shape: {"error": {"code": ..., "message": ...}}.

Every error the service returns — bad parameters, unknown ids and paths,
write methods, an unavailable database, Django's own handlers — goes
through ``error_response`` so clients parse a single shape.
"""

import math

from django.db import InterfaceError, OperationalError
from django.http import HttpResponse

from relayr.db import breaker

from .responses import json_body

# Connection-level failures only: a ProgrammingError is a bug and must surface.
DATABASE_UNAVAILABLE = (OperationalError, InterfaceError)


class ApiError(Exception):
    """Raised anywhere in a view; ErrorMiddleware.process_exception answers it."""

    def __init__(self, status, code, message, headers=None):
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.headers = headers or {}

    def response(self):
        return error_response(self.status, self.code, self.message, self.headers)


def error_response(status, code, message, headers=None, details=None, **extra):
    """The error body; ``details`` are documented further keys of the error object
    (clients ignore unknown keys), ``extra`` keys sit beside "error" (the readiness
    probe's "checks")."""
    body = json_body({"error": {"code": code, "message": message, **(details or {})}, **extra})
    response = HttpResponse(body, status=status, content_type="application/json")
    for name, value in (headers or {}).items():
        response[name] = value
    return response


def invalid_parameter(name, message):
    return ApiError(400, "invalid_parameter", f"{name}: {message}")


def not_found(message="Not found."):
    return ApiError(404, "not_found", message)


def method_not_allowed(request, allow):
    return error_response(
        405, "method_not_allowed", f"{request.method} is not allowed; this API is read-only.", {"Allow": allow}
    )


def database_unavailable(exception):
    """503 with when to retry: Retry-After in whole seconds (HTTP's unit), and the
    circuit breaker's own figure in milliseconds in the body for clients that can use it."""
    seconds = breaker.retry_after(exception)
    return error_response(
        503,
        "database_unavailable",
        "The database is unavailable; retry shortly.",
        {"Retry-After": str(max(1, math.ceil(seconds)))},
        details={"retry_after_ms": math.ceil(seconds * 1000)},
    )


# Django's error handlers (relayr/urls.py) and CSRF failure view (settings), in the same shape.


def bad_request(request, exception=None):
    return error_response(400, "bad_request", "The request could not be understood.")


def permission_denied(request, exception=None):
    return error_response(403, "forbidden", "You do not have permission to access this resource.")


def page_not_found(request, exception=None):
    return error_response(404, "not_found", "No such path.")


def server_error(request):
    return error_response(500, "server_error", "Internal server error.")


def csrf_failure(request, reason=""):
    return error_response(403, "csrf_failed", "CSRF verification failed; reload the form and try again.")
