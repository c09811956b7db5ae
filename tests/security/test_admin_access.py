"""The admin: login on every page, viewers read only on every model, guessing locked out."""

import pytest
from django.contrib import admin
from django.contrib.auth.models import Group, User
from django.urls import reverse

from records.models import Sensor

VIEWER_PASSWORD = "viewer-pass-123"


def admin_urls(pk):
    """Every page of every registered model, and the site's own pages."""
    urls = [reverse("admin:index"), reverse("admin:password_change"), reverse("admin:autocomplete")]
    for model in admin.site._registry:
        opts = model._meta
        urls.append(reverse("admin:app_list", args=[opts.app_label]))
        for view in ("changelist", "add"):
            urls.append(reverse(f"admin:{opts.app_label}_{opts.model_name}_{view}"))
        for view in ("change", "delete", "history"):
            urls.append(reverse(f"admin:{opts.app_label}_{opts.model_name}_{view}", args=[pk]))
    return urls


@pytest.fixture
def viewer(db):
    user = User.objects.create_user("viewer", password=VIEWER_PASSWORD, is_staff=True)
    user.groups.add(Group.objects.get(name="viewers"))
    return user


@pytest.mark.django_db
def test_every_admin_page_needs_a_login(client):
    urls = admin_urls(Sensor.objects.order_by("pk").first().pk)
    assert len(urls) > 12
    for url in urls:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith("/admin/login/"), url


def test_viewers_cannot_add_change_or_delete_anything(client, viewer):
    client.force_login(viewer)
    for model in admin.site._registry:
        opts = model._meta
        add = reverse(f"admin:{opts.app_label}_{opts.model_name}_add")
        assert client.post(add, {}).status_code == 403, add
        first = model.objects.order_by("pk").first()
        if first is None:
            continue
        for view in ("change", "delete"):
            url = reverse(f"admin:{opts.app_label}_{opts.model_name}_{view}", args=[first.pk])
            response = client.post(url, {"post": "yes"})
            assert response.status_code in (403, 200), url  # 200: the read-only view page, nothing saved
            assert model.objects.filter(pk=first.pk).exists(), url


def login(client, username, password):
    return client.post("/admin/login/", {"username": username, "password": password, "next": "/admin/"})


def test_repeated_failures_lock_the_account_even_for_the_right_password(client, viewer, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert login(client, "viewer", "wrong").status_code == 200  # the form again, with its error
    locked = login(client, "viewer", "wrong")
    assert locked.status_code == 429
    assert b"locked" in locked.content.lower()
    assert login(client, "viewer", VIEWER_PASSWORD).status_code == 429
    # Locked by username and address together: another account from the same address still logs in.
    User.objects.create_user("other", password="other-pass-123", is_staff=True)
    assert login(client, "other", "other-pass-123").status_code == 302


def test_a_success_before_the_limit_resets_the_count(client, viewer, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        login(client, "viewer", "wrong")
    assert login(client, "viewer", VIEWER_PASSWORD).status_code == 302
    client.logout()
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert login(client, "viewer", "wrong").status_code == 200
