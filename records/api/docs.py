"""The API's docs page: Swagger UI over the OpenAPI document, for a person in a browser.

An HTML page, so relayr/urls.py routes it outside the API pipeline (whose cache
and errors are JSON's). Swagger UI's files come from drf-spectacular-sidecar and
are served by the app like the admin's: the page needs nothing from elsewhere.
"""

from django.shortcuts import render
from django.views.decorators.http import require_safe


@require_safe
def page(request):
    return render(request, "records/api/docs.html")
