"""Top-level routes. Unknown paths and errors answer in the API's JSON shape."""

from django.contrib import admin
from django.urls import include, path

from records.api import errors

urlpatterns = [
    path("", include("records.urls")),
    path("admin/", admin.site.urls),
]

handler400 = errors.bad_request
handler403 = errors.permission_denied
handler404 = errors.page_not_found
handler500 = errors.server_error
