"""Security headers on every response, errors included; no framework or version disclosed."""

import re

import pytest
from django.contrib.auth.models import User
from django.test import Client

from harness.server import GunicornServer
from relayr import __version__
from tests.relayr.conftest import server_database_url  # noqa: F401 - the shared fixture

HEADERS = {"X-Content-Type-Options": "nosniff", "Referrer-Policy": "same-origin", "X-Frame-Options": "DENY"}
# Anything a response could leak about what runs it.
DISCLOSURE = re.compile(r"Traceback|django|Django|python|Python|gunicorn/|WSGIRequest|File \"|\b5\.2\.\d+\b")

RESPONSES = [
    ("get", "/", 200),
    ("get", "/api/v1/sensors", 200),
    ("get", "/api/v1/docs", 200),
    ("get", "/api/v1/sensors?limit=0", 400),
    ("get", "/api/v1/sensors/987654", 404),
    ("get", "/no/such/path", 404),
    ("post", "/api/v1/sensors", 405),
    ("options", "/api/v1/sensors", 204),
    ("head", "/api/v1/sensors", 200),
    ("get", "/livez", 200),
    ("get", "/readyz", 200),
    ("get", "/metrics", 200),
    ("post", "/livez", 405),
    ("get", "/admin/", 302),
    ("get", "/admin/login/", 200),
    ("post", "/admin/login/", 403),  # no CSRF token
]


@pytest.fixture
def csrf_client():
    """A client that sends no CSRF token and gets the checks a browser would."""
    return Client(enforce_csrf_checks=True)


@pytest.mark.django_db
@pytest.mark.parametrize(("method", "path", "status"), RESPONSES)
def test_every_response_carries_the_security_headers(csrf_client, method, path, status):
    response = getattr(csrf_client, method)(path)
    assert response.status_code == status
    for name, value in HEADERS.items():
        assert response.get(name) == value, (name, response.headers)
    assert "Strict-Transport-Security" not in response  # plain HTTP, no TLS proxy configured


@pytest.mark.django_db
def test_host_header_errors_carry_them_too(client):
    response = client.get("/api/v1/sensors", HTTP_HOST="evil.example")
    assert response.status_code == 400
    assert all(response.get(name) == value for name, value in HEADERS.items())


@pytest.mark.django_db
@pytest.mark.parametrize(("method", "path", "status"), [r for r in RESPONSES if r[2] >= 400])
def test_error_bodies_disclose_nothing(csrf_client, method, path, status):
    body = getattr(csrf_client, method)(path).content.decode()
    assert not DISCLOSURE.search(body), body[:500]


@pytest.mark.django_db
def test_the_lockout_page_is_plain(client):
    User.objects.create_user("locked", password="right-password-123", is_staff=True)
    for _ in range(5):
        client.post("/admin/login/", {"username": "locked", "password": "wrong"})
    response = client.post("/admin/login/", {"username": "locked", "password": "wrong"})
    assert response.status_code == 429
    assert all(response.get(name) == value for name, value in HEADERS.items())
    assert not DISCLOSURE.search(response.content.decode())


# --- through gunicorn, configured as the chart does behind a TLS ingress ------


@pytest.fixture(scope="module")
def tls_server(server_database_url):  # noqa: F811
    env = {"DJANGO_BEHIND_TLS_PROXY": "true", "DJANGO_HSTS_SECONDS": "31536000"}
    with GunicornServer(server_database_url, workers=1, env=env) as server:
        yield server


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/", "/api/v1/sensors", "/api/v1/sensors?limit=0", "/nope", "/livez", "/admin/"])
def test_hsts_behind_tls_and_no_version_in_server(tls_server, path):
    response = tls_server.get(path, headers={"X-Forwarded-Proto": "https"}, allow_redirects=False)
    assert response.headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
    for name, value in HEADERS.items():
        assert response.headers.get(name) == value, name
    assert response.headers.get("Server", "gunicorn") == "gunicorn"  # the name alone, no version
    assert __version__ not in response.headers.get("Server", "")
    if response.status_code >= 400:
        assert not DISCLOSURE.search(response.text), response.text[:500]


@pytest.mark.django_db
def test_no_hsts_on_plain_http_even_when_configured(tls_server):
    # Browsers ignore HSTS over HTTP; sending it would only mislead.
    assert "Strict-Transport-Security" not in tls_server.get("/api/v1/sensors").headers
