"""API views skip the admin's middleware but keep host validation and per-view metrics."""

import pytest
from django.test import Client
from prometheus_client import REGISTRY

from tests.assertions import assert_error

API_PATHS = ["/", "/api/v1/sensors", "/api/v1/sensors/1", "/api/v1/sensors/1/readings", "/sensors", "/sensors/1"]


@pytest.mark.django_db
@pytest.mark.parametrize("path", API_PATHS)
def test_a_disallowed_host_is_refused(client, path):
    assert_error(client.get(path, HTTP_HOST="evil.example"), 400, "bad_request")


@pytest.mark.django_db
@pytest.mark.parametrize("path", API_PATHS)
def test_api_responses_carry_no_session_or_csrf_state(client, path):
    response = client.get(path)
    assert response.status_code == 200
    assert not response.cookies
    assert "Cookie" not in response.get("Vary", "")
    assert response["X-Frame-Options"] == "DENY" and response["X-Content-Type-Options"] == "nosniff"


@pytest.mark.django_db
def test_requests_are_still_counted_by_view():
    def count():
        value = REGISTRY.get_sample_value(
            "django_http_requests_total_by_view_transport_method_total",
            {"view": "sensor-detail", "transport": "http", "method": "GET"},
        )
        return value or 0

    before = count()
    Client().get("/api/v1/sensors/1")
    assert count() == before + 1
