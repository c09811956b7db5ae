"""Probes and /metrics through the whole middleware stack, in process."""

import json

import pytest
from django.db.migrations.recorder import MigrationRecorder

from relayr.observability import probes
from tests.assertions import assert_error

POD_IP_HOST = "10.42.0.17:8000"
ENDPOINTS = ["/livez", "/readyz", "/healthz", "/metrics"]


@pytest.fixture(autouse=True)
def forget_applied_migrations():
    probes._migrations_applied.clear()
    yield
    probes._migrations_applied.clear()


def test_livez_touches_no_database(client):
    response = client.get("/livez")  # without the django_db mark, any query would raise
    assert response.status_code == 200
    assert json.loads(response.content) == {"status": "ok"}
    assert response["Cache-Control"] == "no-store"


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/readyz", "/healthz"])
def test_ready_when_database_answers_and_migrations_are_applied(client, path):
    response = client.get(path)
    assert response.status_code == 200, response.content
    assert json.loads(response.content) == {"status": "ok", "checks": {"database": "ok", "migrations": "ok"}}
    assert response["Content-Type"] == "application/json"


@pytest.mark.django_db
def test_not_ready_while_a_migration_is_pending(client):
    latest = MigrationRecorder.Migration.objects.filter(app="records").latest("id")
    latest.delete()
    response = client.get("/readyz")
    assert_error_with_checks(response, "migrations")
    assert f"records.{latest.name}" in json.loads(response.content)["checks"]["migrations"]


@pytest.mark.django_db
def test_migrations_are_checked_once_applied_only(client, django_assert_max_num_queries):
    assert client.get("/readyz").status_code == 200
    with django_assert_max_num_queries(1):  # SELECT 1 only
        assert client.get("/readyz").status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize("path", ENDPOINTS)
def test_probes_answer_whatever_the_host_header(client, path):
    response = client.get(path, HTTP_HOST=POD_IP_HOST)
    assert response.status_code == 200, response.content


@pytest.mark.django_db
def test_other_paths_still_refuse_unknown_hosts(client):
    assert_error(client.get("/api/v1/sensors", HTTP_HOST=POD_IP_HOST), 400, "bad_request")
    admin = client.get("/admin/", HTTP_HOST=POD_IP_HOST)  # the admin answers with a page
    assert admin.status_code == 400 and b"Bad request" in admin.content and b"relayr administration" in admin.content


@pytest.mark.django_db
@pytest.mark.parametrize("path", ENDPOINTS)
def test_probes_set_no_cookie_and_write_nothing(client, path, django_assert_max_num_queries):
    client.cookies["sessionid"] = "not-a-session"
    with django_assert_max_num_queries(3) as queries:  # SELECT 1, the migrations table
        response = client.get(path)
    assert not response.cookies
    assert "Vary" not in response or "Cookie" not in response["Vary"]
    reads = ("SELECT", "SHOW")
    assert all(query["sql"].lstrip().upper().startswith(reads) for query in queries.captured_queries), queries


@pytest.mark.django_db
@pytest.mark.parametrize("path", ENDPOINTS)
def test_probes_answer_head(client, path):
    assert client.head(path).status_code == 200


@pytest.mark.parametrize("path", ENDPOINTS)
def test_probes_are_read_only(client, path):
    response = client.post(path)
    assert_error(response, 405, "method_not_allowed")
    assert response["Allow"] == "GET, HEAD"


@pytest.mark.django_db
def test_metrics_are_prometheus_text(client):
    client.get("/api/v1/sensors")
    response = client.get("/metrics")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain; version=")
    text = response.content.decode()
    assert "django_http_requests_total_by_view_transport_method_total{" in text
    assert "django_db_execute_total{" in text


def assert_error_with_checks(response, failing):
    """A 503 in the API's error shape, plus "checks" naming the failing one."""
    assert response.status_code == 503, response.content
    body = json.loads(response.content)
    assert set(body) == {"error", "checks"}
    assert body["error"]["code"] == "not_ready"
    assert failing in body["error"]["message"]
    assert body["checks"][failing] not in ("ok", "skipped")
