"""The API docs page: Swagger UI over the OpenAPI document, its files served by the app.

In headless Chromium (under gunicorn, serving the collected static files as in the
image) the rendered page lists exactly the document's operations, and every file it
loaded came from the app. The screenshot is var/screenshots/api-docs.png.
"""

import re

import pytest
from django.apps import apps
from django.contrib.staticfiles import finders

from harness.server import GunicornServer
from relayr.http import cache
from tests.relayr.conftest import server_database_url  # noqa: F401 - the shared fixture
from tests.support.browser import browser, screenshot, wait_for  # noqa: F401 - the fixture

DOCS = "/api/v1/docs"
HTTP_METHODS = {"get", "put", "post", "delete", "options", "head", "patch", "trace"}


def operations(document):
    """(METHOD, path) of every operation the OpenAPI document describes."""
    return {
        (method.upper(), path) for path, item in document["paths"].items() for method in item if method in HTTP_METHODS
    }


def assets(page):
    return re.findall(r'(?:src|href)="(/static/[^"]+)"', page)


@pytest.mark.django_db
def test_the_page_is_html_naming_the_document_and_the_apps_own_files(client):
    response = client.get(DOCS)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/html; charset=utf-8"
    page = response.content.decode()
    assert 'data-openapi-url="/api/v1/openapi.json"' in page
    files = assets(page)
    assert any("swagger-ui-bundle" in name for name in files) and any(name.endswith(".css") for name in files)
    assert "//" not in "".join(files) and "https:" not in page  # nothing from elsewhere
    assert client.get(DOCS + "/").status_code == 200  # a trailing slash is optional, as on the API's paths


def test_collectstatic_takes_swagger_ui_and_leaves_what_no_page_uses():
    """As collectstatic lists files: every finder, the static files app's ignore patterns."""
    patterns = apps.get_app_config("staticfiles").ignore_patterns
    collected = {path for finder in finders.get_finders() for path, _ in finder.list(patterns)}
    assert "drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in collected
    assert "drf_spectacular_sidecar/swagger-ui-dist/swagger-ui.css" in collected
    assert "admin/js/autocomplete.js" in collected
    assert not [path for path in collected if "redoc" in path or "standalone" in path or "oauth2" in path]


@pytest.mark.django_db
def test_the_api_cache_leaves_the_page_alone(client, settings):
    """The page is not one of the API's routes: no JSON cache, ETag or API error in its way."""
    settings.API_CACHE_SECONDS = 60
    cache.clear()
    try:
        first, again = client.get(DOCS), client.get(DOCS)
    finally:
        cache.clear()
    assert first.content == again.content and again["Content-Type"].startswith("text/html")
    assert "ETag" not in again
    assert client.head(DOCS).status_code == 200
    refused = client.post(DOCS)
    assert refused.status_code in (403, 405)  # CSRF refuses a tokenless POST before the view would


@pytest.mark.django_db
def test_the_index_and_the_admin_lead_to_it(client, admin_client):
    assert client.get("/").json()["links"]["docs"] == "http://testserver/api/v1/docs"
    page = admin_client.get("/admin/").content.decode()
    assert f'href="{DOCS}"' in page.split("View site", 1)[0].rsplit("<a ", 1)[1]


@pytest.fixture(scope="module")
def server(server_database_url):  # noqa: F811
    with GunicornServer(server_database_url, workers=1) as server:
        yield server


@pytest.mark.slow
@pytest.mark.django_db
def test_the_rendered_page_lists_every_operation_of_the_document(browser, server):  # noqa: F811
    document = server.get("/api/v1/openapi.json").json()
    expected = operations(document)
    assert len(expected) >= 7

    browser.get(server.url(DOCS))
    wait_for(browser, lambda d: len(d.find_elements("css selector", ".opblock")) >= len(expected))
    shown = set()
    for block in browser.find_elements("css selector", ".opblock"):
        method = block.find_element("css selector", ".opblock-summary-method").text
        path = block.find_element("css selector", ".opblock-summary-path").get_attribute("data-path")
        shown.add((method, path))
    assert shown == expected
    title = browser.find_element("css selector", ".information-container .title").text
    assert document["info"]["title"] in title and document["info"]["version"] in title

    loaded = browser.execute_script("return performance.getEntriesByType('resource').map(entry => entry.name)")
    assert loaded and all(url.startswith(server.base_url + "/") for url in loaded), loaded
    assert server.url("/api/v1/openapi.json") in loaded

    # The whole page in one picture: the window as tall as the document.
    height = browser.execute_script("return document.documentElement.scrollHeight")
    browser.set_window_size(1280, height + 100)
    screenshot(browser, "api-docs")
