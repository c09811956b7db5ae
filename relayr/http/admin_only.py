"""Django's session, CSRF, authentication and message middleware, for every request but the API's.

They serve the admin. An API request is anonymous and read-only (ApiMiddleware
refuses writes), so none of them has anything to do for it, and together they
were the largest part of an uncached API request's middleware (README,
Performance). MIDDLEWARE lists each by its name here: a subclass of Django's
own class, so Django's and the admin's checks still find it, whose
``__call__`` and ``process_view`` pass on a request that ApiMiddleware, above
them, has marked as the API's. WhiteNoise and django-axes stay as they are:
each costs an API request one lookup.
"""

from django.contrib.auth import middleware as auth
from django.contrib.messages import middleware as messages
from django.contrib.sessions import middleware as sessions
from django.middleware import csrf

from .middleware import is_api


def admin_only(middleware):
    """``middleware`` (a Django middleware class) skipped for the API's requests."""

    def __call__(self, request):
        if is_api(request):
            return self.get_response(request)
        return middleware.__call__(self, request)

    body = {
        "__call__": __call__,
        "__module__": __name__,
        "__doc__": f"Django's {middleware.__name__}, skipped for the API's requests.",
        "async_capable": False,
    }
    if hasattr(middleware, "process_view"):

        def process_view(self, request, view, args, kwargs):
            if is_api(request):
                return None
            return middleware.process_view(self, request, view, args, kwargs)

        body["process_view"] = process_view
    return type(middleware.__name__, (middleware,), body)


SessionMiddleware = admin_only(sessions.SessionMiddleware)
CsrfViewMiddleware = admin_only(csrf.CsrfViewMiddleware)
AuthenticationMiddleware = admin_only(auth.AuthenticationMiddleware)
MessageMiddleware = admin_only(messages.MessageMiddleware)
