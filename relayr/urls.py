"""Top-level routes. Errors answer in the API's JSON shape, or as a page for the admin and browsers."""

from django.conf import settings
from django.contrib import admin
from django.urls import include, path, re_path

from records.admin import pages
from records.api import docs
from relayr.observability import metrics, probes

urlpatterns = [
    # The API (records/api/urls.py): ApiMiddleware serves the paths these patterns match.
    path("", include(settings.API_URLCONF)),
    # The API's docs page is HTML for a person, not one of the API's patterns (whose
    # cached answers are JSON): the middleware below ApiMiddleware serves it as any page.
    re_path(r"^api/v1/docs/?$", docs.page, name="api-docs"),
    # ObservabilityMiddleware answers these four first, whatever the Host header;
    # listed here so the URLconf names every path the service serves.
    path("livez", probes.livez, name="livez"),
    path("readyz", probes.readyz, name="readyz"),
    path("readyz/local", probes.readyz_local, name="readyz-local"),
    path("healthz", probes.readyz, name="healthz"),
    path("metrics", metrics.metrics, name="metrics"),
    path("admin/", admin.site.urls),
]

handler400 = pages.bad_request
handler403 = pages.permission_denied
handler404 = pages.page_not_found
handler500 = pages.server_error
