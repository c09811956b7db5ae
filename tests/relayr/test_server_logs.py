"""gunicorn's and the app's output: JSON lines only, one per request, no secrets."""

import json

import pytest

from harness.server import GunicornServer

# django_db: pytest-django creates the test database only for sessions with such a test (run alone,
# this module's server met the unmigrated development database and answered 500).
pytestmark = [pytest.mark.slow, pytest.mark.django_db]

SECRET_KEY = "test-secret-key-that-must-never-be-logged"
PASSWORD = "hunter2-must-never-be-logged"
COOKIE = "cookie-value-that-must-never-be-logged"
AUTHORIZATION = "Bearer token-that-must-never-be-logged"


def test_every_line_is_json_one_per_request_and_nothing_secret(server_database_url):
    env = {"DJANGO_SECRET_KEY": SECRET_KEY}
    with GunicornServer(server_database_url, workers=2, env=env) as server:
        secret_headers = {"Cookie": f"sessionid={COOKIE}; csrftoken={COOKIE}", "Authorization": AUTHORIZATION}
        ours = server.get("/api/v1/sensors", headers={**secret_headers, "X-Request-ID": "trace-42"})
        assert ours.headers["X-Request-ID"] == "trace-42"
        generated = server.get(f"/api/v1/sensors?password={PASSWORD}", headers=secret_headers)
        server.request(
            "POST", "/admin/login/", data={"username": "admin", "password": PASSWORD}, headers=secret_headers
        )
        server.get("/no/such/path")
        server.get("/api/v1/sensors", headers={"Host": "evil.example"})
        server.stop()
        output = server.output()
        lines = output.splitlines()

    entries = [json.loads(line) for line in lines]  # every line, gunicorn's included
    assert any(entry["logger"] == "gunicorn.error" and "Booting worker" in entry["message"] for entry in entries)

    requests = [entry for entry in entries if entry["logger"] == "relayr.request"]
    by_id = {entry["request_id"]: entry for entry in requests}
    assert len(by_id) == len(requests), "two lines for one request"
    assert by_id["trace-42"]["status"] == 200
    assert by_id[generated.headers["X-Request-ID"]]["path"] == "/api/v1/sensors"
    seen = [(entry["method"], entry["path"], entry["status"]) for entry in requests if entry["path"] != "/livez"]
    assert sorted(seen) == [  # two workers: their lines interleave
        ("GET", "/api/v1/sensors", 200),
        ("GET", "/api/v1/sensors", 400),  # unknown parameter "password"
        ("GET", "/api/v1/sensors", 400),  # unknown host
        ("GET", "/no/such/path", 404),
        ("POST", "/admin/login/", 403),  # no CSRF token
    ]
    assert all(isinstance(entry["duration_ms"], float) for entry in requests)

    password = server_database_url.partition("://")[2].partition("@")[0].partition(":")[2]
    for secret in (SECRET_KEY, PASSWORD, COOKIE, AUTHORIZATION.split()[1], *([password] if password else [])):
        assert secret not in output
