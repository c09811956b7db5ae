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

Any other path (the admin, static files, unknown paths) goes down the full stack.
"""

from django.urls import Resolver404, resolve

from relayr.observability.request_metrics import record_exception


class ApiLaneMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            match = resolve(request.path_info)
        except Resolver404:
            return self.get_response(request)
        if not getattr(match.func, "takes_api_lane", False):
            return self.get_response(request)
        request.get_host()
        request.resolver_match = match
        try:
            return match.func(request, *match.args, **match.kwargs)
        except Exception as exception:
            record_exception(request, exception)
            raise
