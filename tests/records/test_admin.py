"""The admin: login everywhere, viewers read only, fast at any table size."""

import pytest
from django.contrib.auth.models import Group, User
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.conftest import T0

CHANGELISTS = ["/admin/records/sensor/", "/admin/records/reading/"]


@pytest.fixture
def viewer(db):
    user = User.objects.create_user("viewer", password="viewer-pass-123", is_staff=True)
    user.groups.add(Group.objects.get(name="viewers"))
    return user


@pytest.fixture
def reading(make_sensor, make_readings):
    sensor = make_sensor(name="admin-sensor")
    make_readings(sensor, 3)
    return sensor.readings.first()


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/admin/", *CHANGELISTS, "/admin/records/sensor/1/change/", "/admin/auth/user/"])
def test_anonymous_is_sent_to_login(client, path):
    response = client.get(path)
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


def test_viewer_reads_but_cannot_change(client, viewer, reading):
    client.force_login(viewer)
    for path in CHANGELISTS:
        assert client.get(path).status_code == 200
    sensor_url = f"/admin/records/sensor/{reading.sensor_id}/change/"
    page = client.get(sensor_url)
    assert page.status_code == 200 and b'name="_save"' not in page.content
    assert client.post(sensor_url, {"name": "renamed", "type": "x"}).status_code == 403
    assert client.get("/admin/records/sensor/add/").status_code == 403
    assert client.post(f"/admin/records/sensor/{reading.sensor_id}/delete/", {"post": "yes"}).status_code == 403
    assert client.get("/admin/auth/user/").status_code == 403
    reading.sensor.refresh_from_db()
    assert reading.sensor.name == "admin-sensor"


def test_the_admin_says_whose_it_is(admin_client):
    page = admin_client.get("/admin/")
    assert b"relayr administration" in page.content
    assert b"Django administration" not in page.content


def test_superuser_changes_sensor(admin_client, reading):
    url = f"/admin/records/sensor/{reading.sensor_id}/change/"
    data = {"name": "renamed", "type": "temperature", "unit": "K", "location": "lab", "is_active": "on"}
    assert admin_client.post(url, data).status_code == 302
    reading.sensor.refresh_from_db()
    assert (reading.sensor.name, reading.sensor.unit) == ("renamed", "K")


def test_filters_search_and_date_drill_down(admin_client, reading):
    assert b"admin-sensor" in admin_client.get("/admin/records/sensor/?q=admin-sensor&type__exact=temperature").content
    for query in [
        "",
        f"?recorded_at__year={T0.year}",
        f"?recorded_at__year={T0.year}&recorded_at__month={T0.month}",
        f"?recorded_at__year={T0.year}&recorded_at__month={T0.month}&recorded_at__day={T0.day}",
        "?sensor__type=temperature&q=admin-sensor",
    ]:
        response = admin_client.get(f"/admin/records/reading/{query}")
        assert response.status_code == 200, query
        assert b"admin-sensor" in response.content, query
    other_day = admin_client.get(f"/admin/records/reading/?recorded_at__year={T0.year + 1}")
    assert b"admin-sensor" not in other_day.content


def test_reading_form_picks_sensor_by_autocomplete(admin_client, reading):
    page = admin_client.get(f"/admin/records/reading/{reading.pk}/change/")
    assert page.status_code == 200
    assert b"admin-autocomplete" in page.content
    assert page.content.count(b"<option") < 5  # never a select of every sensor
    found = admin_client.get(
        "/admin/autocomplete/",
        {"app_label": "records", "model_name": "reading", "field_name": "sensor", "term": "admin-sen"},
    )
    assert found.status_code == 200
    assert [item["text"] for item in found.json()["results"]] == ["admin-sensor"]


def test_readings_list_never_counts_the_whole_table(admin_client, reading):
    with CaptureQueriesContext(connection) as queries:
        assert admin_client.get("/admin/records/reading/").status_code == 200
    counts = [
        q["sql"] for q in queries.captured_queries if "COUNT(" in q["sql"].upper() and "records_reading" in q["sql"]
    ]
    assert counts, "the paginator still counts, but bounded"
    assert all("LIMIT" in sql.upper() for sql in counts), counts
