"""The API's request pipeline (relayr.http): Django's handler calls every view,
process_exception sees what API views raise, API responses carry no session
or CSRF state, and `manage.py check` guards the middleware order."""

import pytest
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from django.test import Client
from prometheus_client import REGISTRY

from relayr.http.checks import check_middleware_order
from tests.assertions import assert_error

API_PATHS = ["/", "/api/v1/sensors", "/api/v1/sensors/1", "/api/v1/sensors/1/readings", "/sensors", "/sensors/1"]
API_MIDDLEWARE = "relayr.http.middleware.ApiMiddleware"
SEEN = []


class RecordsViews:
    """A middleware that notes every view Django's handler is about to call."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view, args, kwargs):
        SEEN.append(view.__name__)


class RecordsAdminState:
    """The last middleware: notes what the admin's middleware left on a request
    by the time Django's handler calls its view."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view, args, kwargs):
        noted_admin_state.append({name for name in ADMIN_ATTRIBUTES if hasattr(request, name)})


# Left by the authentication and messages middleware.
ADMIN_ATTRIBUTES = ("user", "_messages")
noted_admin_state = []


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("path", "runs_the_admins_middleware"), [("/api/v1/sensors/1", False), ("/admin/login/", True)]
)
def test_only_requests_outside_the_api_run_the_admins_middleware(client, settings, path, runs_the_admins_middleware):
    settings.MIDDLEWARE = [*settings.MIDDLEWARE, f"{__name__}.RecordsAdminState"]
    noted_admin_state.clear()
    assert client.get(path).status_code == 200
    expected = set(ADMIN_ATTRIBUTES) if runs_the_admins_middleware else set()
    assert noted_admin_state == [expected]


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


@pytest.mark.django_db
def test_djangos_handler_calls_api_views(client, settings):
    position = settings.MIDDLEWARE.index(API_MIDDLEWARE)
    settings.MIDDLEWARE = [*settings.MIDDLEWARE[:position], f"{__name__}.RecordsViews", *settings.MIDDLEWARE[position:]]
    SEEN.clear()
    assert client.get("/api/v1/sensors/1").status_code == 200
    assert client.get("/api/v1/sensors?limit=0").status_code == 400
    assert SEEN == ["sensor_detail", "sensor_list"]


@pytest.mark.django_db
def test_process_exception_sees_what_api_views_raise():
    def raised(view):
        return REGISTRY.get_sample_value("django_http_exceptions_total_by_view_total", {"view": view}) or 0

    before = raised("sensor-list")
    assert_error(Client().get("/api/v1/sensors?limit=0"), 400, "invalid_parameter")
    assert raised("sensor-list") == before + 1


def test_the_settings_pass_the_middleware_check():
    assert check_middleware_order() == []
    call_command("check", "--fail-level", "WARNING")


def _moved(middleware, name, offset):
    order = [entry for entry in middleware if entry != name]
    order.insert(order.index(API_MIDDLEWARE) + offset, name)
    return order


@pytest.mark.parametrize(
    ("change", "error"),
    [
        (lambda m: [entry for entry in m if entry != API_MIDDLEWARE], "relayr.E001"),
        (lambda m: _moved(m, "django.middleware.common.CommonMiddleware", 1), "relayr.E002"),
        (lambda m: _moved(m, "relayr.observability.request_metrics.RequestMetricsMiddleware", 1), "relayr.E002"),
        # Cached answers would carry no CORS headers, or another request's.
        (lambda m: _moved(m, "relayr.http.middleware.CorsMiddleware", 1), "relayr.E002"),
        (lambda m: [m[1], m[0], *m[2:]], "relayr.E003"),
        (lambda m: [*m, "django.middleware.locale.LocaleMiddleware"], "relayr.E004"),
        (lambda m: _moved(m, "relayr.http.middleware.ErrorMiddleware", 1), "relayr.E004"),
    ],
)
def test_an_order_that_makes_the_api_skip_something_fails_the_check(settings, change, error):
    settings.MIDDLEWARE = change(list(settings.MIDDLEWARE))
    assert error in [found.id for found in check_middleware_order()]
    with pytest.raises(SystemCheckError, match=error):
        call_command("check")
