"""`manage.py check` fails when MIDDLEWARE would make an API request skip what it needs.

ApiMiddleware answers cached responses, OPTIONS and refused methods itself,
without the middleware below it. So what the API needs must sit above it,
and below it may sit only middleware that API responses can do without:
the admin's (sessions, CSRF, authentication, messages, login lockout,
static files). Of those, authentication and messages are
relayr.http.admin_only's, which pass the API's requests on without running.
"""

from django.conf import settings
from django.core.checks import Error, register

API_MIDDLEWARE = "relayr.http.middleware.ApiMiddleware"
# What every API response needs, in this order, above ApiMiddleware.
NEEDED_ABOVE = (
    "relayr.http.middleware.CorsMiddleware",  # CORS headers for this request's Origin, cached answers too
    "django.middleware.security.SecurityMiddleware",  # nosniff, Referrer-Policy, HSTS
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "relayr.observability.middleware.ObservabilityMiddleware",  # request id and log line
    "relayr.http.middleware.ErrorMiddleware",  # exceptions as JSON errors
    "relayr.observability.request_metrics.RequestMetricsMiddleware",  # counts cached answers too
    "django.middleware.common.CommonMiddleware",  # ALLOWED_HOSTS
)
# What an API response can do without: it is anonymous, read-only and static-free.
# The API's requests pass the two of relayr.http.admin_only without running them.
ADMIN_ONLY = (
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "relayr.http.admin_only.AuthenticationMiddleware",
    "relayr.http.admin_only.MessageMiddleware",
    "axes.middleware.AxesMiddleware",
)


@register("relayr")
def check_middleware_order(app_configs=None, **kwargs):
    middleware = list(settings.MIDDLEWARE)
    if API_MIDDLEWARE not in middleware:
        return [Error(f"{API_MIDDLEWARE} is not in MIDDLEWARE: the API would run the admin's stack.", id="relayr.E001")]
    position = middleware.index(API_MIDDLEWARE)
    above, below = middleware[:position], middleware[position + 1 :]
    errors = []
    missing = [name for name in NEEDED_ABOVE if name not in above]
    if missing:
        errors.append(
            Error(
                f"{', '.join(missing)} must come before {API_MIDDLEWARE}: API responses it answers itself skip "
                "everything below it.",
                id="relayr.E002",
            )
        )
    elif [name for name in above if name in NEEDED_ABOVE] != list(NEEDED_ABOVE):
        errors.append(Error(f"MIDDLEWARE must list {', '.join(NEEDED_ABOVE)} in this order.", id="relayr.E003"))
    for name in below:
        if name not in ADMIN_ONLY:
            errors.append(
                Error(
                    f"{name} is below {API_MIDDLEWARE}, so API responses answered from the cache skip it.",
                    hint="Move it above; or, if API responses can do without it, add it to ADMIN_ONLY.",
                    id="relayr.E004",
                )
            )
    return errors
