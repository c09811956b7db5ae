"""The API's URL patterns: every route here, and only these, is served by the
API pipeline (settings.API_URLCONF, relayr.http.middleware.ApiMiddleware).
relayr/urls.py includes them at the root. A trailing slash is optional on
every API path."""

from django.urls import re_path

from . import aggregates, sensors, service

urlpatterns = [
    re_path(r"^$", service.index, name="index"),
    re_path(r"^api/v1/openapi\.json$", service.openapi_document, name="openapi"),
    re_path(r"^api/v1/sensors/?$", sensors.sensor_list, name="sensor-list"),
    re_path(r"^api/v1/sensors/(?P<pk>[0-9]+)/?$", sensors.sensor_detail, name="sensor-detail"),
    re_path(r"^api/v1/sensors/(?P<pk>[0-9]+)/readings/?$", sensors.sensor_readings, name="sensor-readings"),
    re_path(r"^api/v1/sensors/(?P<pk>[0-9]+)/aggregates/?$", aggregates.sensor_aggregates, name="sensor-aggregates"),
    # The earlier Go service's read paths, kept for its clients.
    re_path(r"^sensors/?$", sensors.legacy_sensor_list, name="legacy-sensor-list"),
    re_path(r"^sensors/(?P<pk>[0-9]+)/?$", sensors.sensor_detail, name="legacy-sensor-detail"),
]
