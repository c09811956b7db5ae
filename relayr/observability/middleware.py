"""Probes, request ids, the request log line.

It comes before everything in MIDDLEWARE but the header-only middleware, so that:
- /livez, /readyz, /healthz and /metrics are answered before CommonMiddleware
  validates the Host header (the kubelet sends the pod's IP), and before
  sessions, CSRF or authentication run: a probe opens no session and writes
  nothing. ALLOWED_HOSTS stays as strict as configured for every other path.
  These paths are not counted in django-prometheus's request metrics.
- every request, probes included, gets one JSON log line with the final
  status and the whole stack's duration.
"""

import logging
import os
import re
import time

from relayr.http.errors import error_response

from . import logs, metrics, probes, request_metrics

ENDPOINTS = {
    "/livez": probes.livez,
    "/readyz": probes.readyz,
    "/readyz/local": probes.readyz_local,
    "/healthz": probes.readyz,
    "/metrics": metrics.metrics,
}
PROBE_METHODS = ("GET", "HEAD")
REQUEST_ID_HEADER = "X-Request-ID"
# A caller's id is kept if it is short and plain (no spaces, quotes or control characters).
_is_sane_request_id = re.compile(r"[A-Za-z0-9._:@/+=-]{1,128}").fullmatch

request_logger = logging.getLogger("relayr.request")


class ObservabilityMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        started = time.perf_counter()
        supplied = request.META.get("HTTP_X_REQUEST_ID")
        request_id = supplied if supplied and _is_sane_request_id(supplied) else os.urandom(16).hex()
        request.request_id = request_id
        token = logs.request_id.set(request_id)
        try:
            endpoint = ENDPOINTS.get(request.path_info)
            if endpoint is None:
                response = self.get_response(request)
                request_metrics.observe_whole_stack(time.perf_counter() - started)
            elif request.method in PROBE_METHODS:
                response = endpoint(request)
            else:
                response = error_response(
                    405, "method_not_allowed", f"{request.method} is not allowed here.", {"Allow": "GET, HEAD"}
                )
            response[REQUEST_ID_HEADER] = request_id
            request_logger.info(
                "request",
                extra={
                    "method": request.method,
                    "path": request.path,
                    "status": response.status_code,
                    "duration_ms": round((time.perf_counter() - started) * 1000, 2),
                },
            )
            return response
        finally:
            logs.request_id.reset(token)
