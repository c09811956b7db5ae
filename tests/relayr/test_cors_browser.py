"""CORS in a real headless Chromium: a page served from another local origin fetches the API.

Two tiny HTTP servers on two ports serve the same page, so it runs in two origins; gunicorn
allows one of them. In the allowed one the page's script reads the body and the exposed
headers, and a conditional GET (which needs a preflight) gets its 304; in the other the
browser rejects the fetch, though the server answered it. Screenshots go to
var/screenshots/cors-*.png.
"""

import contextlib
import http.server
import json
import threading

import pytest

from harness.server import GunicornServer
from tests.relayr.test_cors import listed
from tests.support.browser import browser, screenshot, wait_for  # noqa: F401 - the fixture

pytestmark = [pytest.mark.slow, pytest.mark.django_db]

PAGE = b"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>A dashboard on another origin</title></head>
<body>
<h1>A dashboard on another origin</h1>
<pre id="result">fetching...</pre>
<script>
"use strict";
const api = new URLSearchParams(location.search).get("api");
const headers = (response) => ({
  status: response.status,
  etag: response.headers.get("ETag"),
  link: response.headers.get("Link"),
  requestId: response.headers.get("X-Request-ID"),
  frameOptions: response.headers.get("X-Frame-Options"),  // sent, but not exposed
});
async function run() {
  const response = await fetch(api);
  const first = {...headers(response), body: await response.json()};
  // A header of the script's own: the browser asks with a preflight first.
  const again = await fetch(api, {headers: {"If-None-Match": first.etag}, cache: "no-store"});
  return {ok: true, first, again: headers(again)};
}
run().catch((error) => ({ok: false, error: String(error)})).then((result) => {
  document.getElementById("result").textContent = JSON.stringify(result, null, 1);
  document.body.dataset.result = JSON.stringify(result);
});
</script>
</body></html>
"""


class PageHandler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):  # noqa: N802 - http.server's name
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(PAGE)))
        self.end_headers()
        self.wfile.write(PAGE)

    def log_message(self, *args):
        pass  # quiet


@contextlib.contextmanager
def page_server():
    """The page on a free port of 127.0.0.1, served from a thread; yields its origin."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), PageHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@pytest.fixture(scope="module")
def origins_and_api(server_database_url):
    with page_server() as allowed, page_server() as other:
        env = {"DJANGO_CORS_ALLOWED_ORIGINS": allowed}
        with GunicornServer(server_database_url, workers=1, env=env) as api:
            yield allowed, other, api


def fetched_from(driver, origin, api_url, name):
    driver.get(f"{origin}/?api={api_url}")
    result = wait_for(driver, lambda d: d.find_element("tag name", "body").get_attribute("data-result"))
    screenshot(driver, name)
    return json.loads(result)


def test_the_allowed_origin_reads_the_body_and_the_exposed_headers(browser, origins_and_api):  # noqa: F811
    allowed, _, api = origins_and_api
    path = "/api/v1/sensors?limit=1"
    direct = api.get(path, headers={"Origin": allowed})
    result = fetched_from(browser, allowed, api.url(path), "cors-allowed-origin")
    assert result["ok"], result
    first = result["first"]
    assert first["status"] == 200
    assert first["body"] == direct.json()
    assert first["etag"] == direct.headers["ETag"]
    assert first["link"] == direct.headers["Link"] and 'rel="next"' in first["link"]  # a next page
    assert first["requestId"] and first["requestId"] != direct.headers["X-Request-ID"]
    assert first["frameOptions"] is None and direct.headers["X-Frame-Options"] == "DENY"
    assert result["again"]["status"] == 304 and result["again"]["etag"] == first["etag"]


def test_any_other_origin_is_blocked_by_the_browser(browser, origins_and_api):  # noqa: F811
    _, other, api = origins_and_api
    path = "/api/v1/sensors?limit=1"
    result = fetched_from(browser, other, api.url(path), "cors-other-origin")
    assert result == {"ok": False, "error": "TypeError: Failed to fetch"}
    # The server answered; the browser kept the answer from the script.
    direct = api.get(path, headers={"Origin": other})
    assert direct.status_code == 200 and "Access-Control-Allow-Origin" not in direct.headers
    assert "origin" in listed(direct.headers["Vary"])
