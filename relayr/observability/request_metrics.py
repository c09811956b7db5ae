"""Request metrics: django-prometheus's per-view series, at a fraction of the cost.

django-prometheus's middleware pair writes a sample per series per request
(by method, by transport, body sizes, charset, latencies before and after
the stack, ...), each a lock and an mmap store in multiprocess mode, plus a
label lookup each: a large share of a cached API response (README,
Performance). This one
middleware records the series the README documents, with django-prometheus's
own metric objects, names and labels (so its dashboards still work):

- django_http_requests_total_by_view_transport_method
- django_http_responses_total_by_status_view_method
- django_http_requests_latency_seconds_by_view_method: everything below this
  middleware, the view and, for the admin, its middleware
- django_http_exceptions_total_by_type and _by_view
- django_http_requests_latency_including_middlewares_seconds: the whole
  stack, observed by ObservabilityMiddleware at its top (``observe_whole_stack``)

Label children are looked up once per combination, not on every request.
"""

import time

from django_prometheus.middleware import Metrics

METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "DELETE", "TRACE", "OPTIONS", "CONNECT", "PATCH"})
UNNAMED_VIEW = "<unnamed view>"

_metrics = Metrics.get_instance()
_children = {}


def _child(metric, *labels):
    key = (metric, labels)
    child = _children.get(key)
    if child is None:
        child = _children[key] = metric.labels(*labels)
    return child


def _view_name(request):
    match = getattr(request, "resolver_match", None)
    return (match.view_name if match is not None else None) or UNNAMED_VIEW


def _method(request):
    return request.method if request.method in METHODS else "<invalid method>"


def observe_whole_stack(seconds):
    _metrics.requests_latency_before.observe(seconds)


class RequestMetricsMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        started = time.perf_counter()
        response = self.get_response(request)
        elapsed = time.perf_counter() - started
        view, method = _view_name(request), _method(request)
        transport = "https" if request.is_secure() else "http"
        _child(_metrics.requests_by_view_transport_method, view, transport, method).inc()
        _child(_metrics.responses_by_status_view_method, str(response.status_code), view, method).inc()
        _child(_metrics.requests_latency_by_view_method, view, method).observe(elapsed)
        return response

    def process_exception(self, request, exception):
        """Every exception a view raises, the API's errors included (relayr.http's
        ErrorMiddleware, above this one, answers them after)."""
        _child(_metrics.exceptions_by_type, type(exception).__name__).inc()
        _child(_metrics.exceptions_by_view, _view_name(request)).inc()
