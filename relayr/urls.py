"""Top-level routes. Unknown paths and errors answer in the API's JSON shape."""

from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from relayr.http import errors
from relayr.observability import metrics, probes

urlpatterns = [
    # The API (records/api/urls.py): ApiMiddleware serves the paths these patterns match.
    path("", include(settings.API_URLCONF)),
    # ObservabilityMiddleware answers these four first, whatever the Host header;
    # listed here so the URLconf names every path the service serves.
    path("livez", probes.livez, name="livez"),
    path("readyz", probes.readyz, name="readyz"),
    path("readyz/local", probes.readyz_local, name="readyz-local"),
    path("healthz", probes.readyz, name="healthz"),
    path("metrics", metrics.metrics, name="metrics"),
    path("admin/", admin.site.urls),
]

handler400 = errors.bad_request
handler403 = errors.permission_denied
handler404 = errors.page_not_found
handler500 = errors.server_error
