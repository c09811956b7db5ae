"""Errors as a person sees them in the admin or a browser, and as API clients parse them."""

import pytest
from django.contrib.auth.models import Group, User
from django.test import Client

from tests.assertions import assert_error

HTML = {"HTTP_ACCEPT": "text/html,application/xhtml+xml,*/*;q=0.8"}


def assert_page(response, status, *texts):
    assert response.status_code == status
    assert response["Content-Type"].startswith("text/html")
    page = response.content.decode()
    assert "relayr administration" in page and '{"error"' not in page
    for text in texts:
        assert text in page, text


@pytest.fixture
def viewer(db):
    user = User.objects.create_user("viewer", password="viewer-pass-123", is_staff=True)
    user.groups.add(Group.objects.get(name="viewers"))
    return user


def test_a_mistyped_admin_address_is_a_page(admin_client):
    assert_page(admin_client.get("/admin/records/sensr/"), 404, "Page not found", "/admin/records/sensr/")


def test_an_unknown_path_is_a_page_for_a_browser_and_json_for_a_client(client, db):
    assert_page(client.get("/no-such-page", **HTML), 404, "Page not found")
    assert_error(client.get("/no-such-page"), 404, "not_found")


@pytest.mark.parametrize("path", ["/api/v1/nothing", "/api/v1/sensors/987654", "/sensors/987654"])
def test_api_paths_keep_the_json_shape_even_for_a_browser(client, db, path):
    assert_error(client.get(path, **HTML), 404, "not_found")


def test_a_forbidden_change_is_a_page(client, viewer):
    client.force_login(viewer)
    assert_page(client.get("/admin/records/sensor/add/"), 403, "Permission denied", "Ask an administrator")


def test_a_csrf_failure_on_the_login_form_is_a_page(db):
    browser = Client(enforce_csrf_checks=True)
    response = browser.post("/admin/login/", {"username": "a", "password": "b"})
    assert_page(response, 403, "Form expired", "Reload the page")


def test_the_lockout_is_a_page_with_its_duration_and_remedy(client, viewer, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        response = client.post("/admin/login/", {"username": "viewer", "password": "wrong", "next": "/admin/"})
    assert_page(response, 429, "Too many failed logins", "for 15 minutes", "axes_reset_username viewer")
