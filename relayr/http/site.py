"""The admin's middleware, each stepping aside for API requests.

The API is anonymous and read-only: sessions, CSRF, authentication,
messages, login lockout and static files do nothing for it, yet together
they cost about as much as a whole cached API response. MIDDLEWARE lists
these wrappers below ApiMiddleware; for a request ApiMiddleware marked as
the API's, each passes the request on untouched and its view and exception
hooks do nothing. Any middleware listed without a wrapper runs for every
request (and relayr.http.checks then asks that it sit above ApiMiddleware).
"""

import axes.middleware
import django.contrib.auth.middleware
import django.contrib.messages.middleware
import django.contrib.sessions.middleware
import django.middleware.csrf
import whitenoise.middleware

from .middleware import is_api

HOOKS = ("process_view", "process_exception", "process_template_response")
# Every wrapper made here: relayr.http.checks accepts exactly these below ApiMiddleware.
SITE_ONLY = []


def _skipping_api(hook):
    def skipping(self, request, *args):
        return None if is_api(request) else hook(self, request, *args)

    return skipping


def site_only(middleware):
    """``middleware`` for every request but the API's."""

    def __call__(self, request):
        if is_api(request):
            return self.get_response(request)
        return middleware.__call__(self, request)

    namespace = {
        "__call__": __call__,
        "__doc__": f"{middleware.__module__}.{middleware.__qualname__}, for every request but the API's.",
        "__module__": __name__,
        # Django adapts a synchronous __call__ to an async stack; these wrappers are synchronous.
        "sync_capable": True,
        "async_capable": False,
    }
    for hook in HOOKS:
        if hasattr(middleware, hook):
            namespace[hook] = _skipping_api(getattr(middleware, hook))
    wrapper = type(middleware.__name__, (middleware,), namespace)
    SITE_ONLY.append(wrapper)
    return wrapper


WhiteNoiseMiddleware = site_only(whitenoise.middleware.WhiteNoiseMiddleware)
SessionMiddleware = site_only(django.contrib.sessions.middleware.SessionMiddleware)
CsrfViewMiddleware = site_only(django.middleware.csrf.CsrfViewMiddleware)
AuthenticationMiddleware = site_only(django.contrib.auth.middleware.AuthenticationMiddleware)
MessageMiddleware = site_only(django.contrib.messages.middleware.MessageMiddleware)
AxesMiddleware = site_only(axes.middleware.AxesMiddleware)
