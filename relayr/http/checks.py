"""`manage.py check` fails when MIDDLEWARE would make an API request skip what it needs.

ApiMiddleware answers cached responses, OPTIONS and refused methods without
calling the middleware below it, and everything below it steps aside for API
requests. So what the API needs must sit above it, and what sits below it
must be one of relayr.http.site's wrappers: a middleware added below it
unwrapped would run for some API requests and not others.
"""

from django.conf import settings
from django.core.checks import Error, register
from django.utils.module_loading import import_string

API_MIDDLEWARE = "relayr.http.middleware.ApiMiddleware"
# What every API response needs, in this order, above ApiMiddleware.
NEEDED_ABOVE = (
    "django.middleware.security.SecurityMiddleware",  # nosniff, Referrer-Policy, HSTS
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "relayr.observability.middleware.ObservabilityMiddleware",  # request id and log line
    "relayr.http.middleware.ErrorMiddleware",  # exceptions as JSON errors
    "relayr.observability.request_metrics.RequestMetricsMiddleware",  # counts cached answers too
    "django.middleware.common.CommonMiddleware",  # ALLOWED_HOSTS
)


@register("relayr")
def check_middleware_order(app_configs=None, **kwargs):
    from .site import SITE_ONLY

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
        if import_string(name) not in SITE_ONLY:
            errors.append(
                Error(
                    f"{name} is below {API_MIDDLEWARE}, so API requests answered from the cache skip it.",
                    hint="Move it above, or wrap it with relayr.http.site.site_only if only the admin needs it.",
                    id="relayr.E004",
                )
            )
    return errors
