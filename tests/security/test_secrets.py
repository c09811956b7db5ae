"""Secrets never leave: not in logs, error bodies or metrics, not in the image's files.

Canary values stand in for the secret key, the database password and a
password typed into the admin login; a real gunicorn serves, fails and logs,
and every byte it printed or answered is searched for them.
(DJANGO_SECRET_KEY being required outside development: tests/relayr/test_settings.py.)
"""

import re
import socket

import pytest
import requests

from harness.server import BASE_DIR, GunicornServer
from tests.docker.build_context import BuildContext
from tests.relayr.conftest import server_database_url  # noqa: F401 - the shared fixture

SECRET_KEY = "canary-secret-key-7f3a9c1e5b"
DATABASE_PASSWORD = "canary-db-password-2d8e4b"
TYPED_PASSWORD = "canary-typed-password-9c4f"
PATHS = ["/", "/api/v1/sensors", "/api/v1/sensors?limit=0", "/api/v1/sensors/1", "/nope", "/readyz", "/admin/"]


def answers(server):
    """Status, headers and body of a few requests of every kind, as one text."""
    texts = []
    for path in PATHS:
        response = server.get(path, allow_redirects=False)
        texts.append(f"{response.status_code} {dict(response.headers)}\n{response.text}")
    return "\n".join(texts)


def failed_logins(server, username, password, times):
    session = requests.Session()
    statuses, texts = [], []
    for _ in range(times):
        page = session.get(server.url("/admin/login/"))
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
        data = {"username": username, "password": password, "csrfmiddlewaretoken": token, "next": "/admin/"}
        response = session.post(server.url("/admin/login/"), data=data, allow_redirects=False)
        statuses.append(response.status_code)
        texts.append(f"{response.status_code} {dict(response.headers)}\n{response.text}")
    return statuses, "\n".join(texts)


def assert_nowhere(secret, *texts):
    for text in texts:
        assert secret not in text, text[max(0, text.find(secret) - 300) : text.find(secret) + 100]


@pytest.mark.django_db
def test_secret_key_and_typed_passwords_stay_out(server_database_url):  # noqa: F811
    env = {"DJANGO_SECRET_KEY": SECRET_KEY, "LOG_LEVEL": "DEBUG"}
    with GunicornServer(server_database_url, workers=1, env=env) as server:
        served = answers(server)
        statuses, logins = failed_logins(server, "canary-user", TYPED_PASSWORD, times=6)
        metrics = server.get("/metrics").text
        output = server.output()
    assert statuses == [200] * 4 + [429] * 2, statuses  # the fifth failure locks (AXES_FAILURE_LIMIT 5)
    assert '"path":"/admin/login/"' in output, "the logins left no log lines to search"
    for secret in (SECRET_KEY, TYPED_PASSWORD):
        assert_nowhere(secret, served, logins, metrics, output)


def test_the_database_password_stays_out_when_the_database_fails():
    with socket.socket() as closed:  # a port nobody listens on: every connection is refused
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    url = f"mysql://relayr:{DATABASE_PASSWORD}@127.0.0.1:{port}/relayr"
    with GunicornServer(url, workers=1, env={"DATABASE_CONNECT_TIMEOUT": 1, "LOG_LEVEL": "DEBUG"}) as server:
        served = answers(server)
        metrics = server.get("/metrics").text
        output = server.output()
    assert "503" in served and "database unavailable" in output
    assert_nowhere(DATABASE_PASSWORD, served, metrics, output)


def test_no_local_secret_reaches_the_image():
    """var/ holds `make run`'s generated key and admin password; the build context must carry neither."""
    context = BuildContext(BASE_DIR)
    local_secrets = [p.read_text().strip() for p in (BASE_DIR / "var").glob("*") if p.is_file()]
    local_secrets.append("relayr-ci")  # the CI database password (.ci/run)
    # What .dockerignore lets through: its allow-list (tests/docker checks the list itself).
    files = [p for source in ("manage.py", "relayr", "records", "requirements") for p in context.files(source)]
    assert files
    for path in files:
        text = path.read_text(errors="replace")
        for secret in filter(None, local_secrets):
            assert secret not in text, path
