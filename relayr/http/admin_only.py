"""Django's authentication and message middleware, for every request but the API's.

They serve the admin. An API request is anonymous and read-only (ApiMiddleware
refuses writes), so neither has anything to do for it, and setting up a
request's user and message storage was the largest part of the admin's
middleware on an uncached API request (README, Performance). MIDDLEWARE lists
each by its name here: a subclass of Django's own class, so the admin's checks
still find it, whose ``__call__`` passes on a request that
ApiMiddleware, above them, has marked as the API's.

The session and CSRF middleware stay Django's own classes: `check --deploy`
looks for them by name, and would stop warning about their cookies' settings.
WhiteNoise and django-axes stay too: each costs an API request one lookup.
"""

from django.contrib.auth import middleware as auth
from django.contrib.messages import middleware as messages

from .middleware import is_api


def admin_only(middleware):
    """``middleware`` (a Django middleware class without process_view) skipped for the API's requests."""

    def __call__(self, request):
        if is_api(request):
            return self.get_response(request)
        return middleware.__call__(self, request)

    doc = f"Django's {middleware.__name__}, skipped for the API's requests."
    return type(middleware.__name__, (middleware,), {"__call__": __call__, "__module__": __name__, "__doc__": doc})


AuthenticationMiddleware = admin_only(auth.AuthenticationMiddleware)
MessageMiddleware = admin_only(messages.MessageMiddleware)
