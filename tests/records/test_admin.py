"""The admin: login everywhere, viewers read only, fast at any table size."""

from datetime import timedelta

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
        f"?sensor__id__exact={reading.sensor_id}",
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


# --- looking at the data ------------------------------------------------------------


@pytest.fixture
def hourly(make_sensor, make_readings):
    """48 hourly readings, values 0..47, ending 2025-03-02T23:00 UTC."""
    sensor = make_sensor(name="chart-sensor", unit="°C")
    make_readings(sensor, 48, step=timedelta(hours=1))
    return sensor


def test_a_sensor_page_charts_its_last_day_with_units_utc_and_figures(client, viewer, hourly):
    client.force_login(viewer)
    page = client.get(f"/admin/records/sensor/{hourly.pk}/change/").content.decode()
    assert "<svg" in page and 'class="line"' in page and "time (UTC)" in page
    assert "Readings, 2025-03-01 23:01:00 to 2025-03-02 23:01:00 UTC" in page
    assert '<dd id="stat-min">24 °C</dd>' in page  # the last day: readings 24..47
    assert '<dd id="stat-max">47 °C</dd>' in page
    assert '<dd id="stat-last">47 °C at 2025-03-02 23:00:00 UTC</dd>' in page
    assert '<dd id="stat-count">24</dd>' in page
    assert f'href="/admin/records/reading/?sensor__id__exact={hourly.pk}"' in page
    assert "<script" not in page.split('class="sensor-readings')[1].split("</section>")[0]
    assert "cdn" not in page.lower() and "https://" not in page


def test_long_windows_come_from_aggregates_not_rows(admin_client, hourly):
    page = admin_client.get(f"/admin/records/sensor/{hourly.pk}/change/?window=365d").content.decode()
    assert '<dd id="stat-count">48, drawn as 2 day averages with their min–max band</dd>' in page
    assert 'class="band"' in page
    assert page.count(",") < 2000  # a few points, not a row per reading
    custom = admin_client.get(
        f"/admin/records/sensor/{hourly.pk}/change/?since=2025-03-01T10:00&until=2025-03-01T12:00"
    ).content.decode()
    assert '<dd id="stat-count">2</dd>' in custom and '<dd id="stat-min">10 °C</dd>' in custom


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("since=yesterday&until=today", "From and to must both be dates and times (UTC)."),
        ("since=2025-03-02T00:00&until=2025-03-01T00:00", "From must be before to."),
        ("since=1900-01-01T00:00&until=2025-03-01T00:00", "Pick a window of at most 20 years."),
        ("window=forever", "Unknown window &#x27;forever&#x27;."),
    ],
)
def test_a_bad_window_says_why_and_shows_the_default(admin_client, hourly, query, message):
    response = admin_client.get(f"/admin/records/sensor/{hourly.pk}/change/?{query}")
    assert response.status_code == 200
    page = response.content.decode()
    assert message in page and '<dd id="stat-count">24</dd>' in page


def test_a_sensor_without_readings_says_so(admin_client, make_sensor):
    sensor = make_sensor(name="silent")
    page = admin_client.get(f"/admin/records/sensor/{sensor.pk}/change/").content.decode()
    assert "No readings in this window." in page


def test_readings_list_filters_by_sensor_with_units_and_utc(client, viewer, hourly, make_sensor, make_readings):
    other = make_sensor(name="other-sensor", unit="hPa")
    make_readings(other, 2)
    client.force_login(viewer)
    page = client.get(f"/admin/records/reading/?sensor__id__exact={hourly.pk}").content.decode()
    assert "Recorded at (UTC)" in page
    assert "47 °C" in page and "2025-03-02 23:00:00" in page
    assert "other-sensor" not in page and "hPa" not in page
    assert 'class="admin-autocomplete"' in page and 'data-field-name="sensor"' in page
    assert f'<option value="{hourly.pk}" selected>chart-sensor</option>' in page
    assert page.count("<option") < 10  # never a list of every sensor
    assert "records/admin/sensor_filter" in page and "select2" in page
    assert client.get("/admin/records/reading/?sensor__id__exact=abc")["Location"].endswith("?e=1")


def test_viewers_can_use_the_sensor_autocomplete(client, viewer, hourly):
    client.force_login(viewer)
    found = client.get(
        "/admin/autocomplete/",
        {"app_label": "records", "model_name": "reading", "field_name": "sensor", "term": "chart"},
    )
    assert found.status_code == 200
    assert [item["text"] for item in found.json()["results"]] == ["chart-sensor"]


def test_no_show_counts_and_no_sorting_by_value(admin_client, hourly):
    page = admin_client.get("/admin/records/reading/").content.decode()
    assert "_facets" not in page
    assert page.count('class="sortable') == 1  # recorded at only


def test_view_site_leads_to_the_api_for_a_person(admin_client):
    page = admin_client.get("/admin/").content.decode()
    link = page.split("View site", 1)[0].rsplit('href="', 1)[1].split('"', 1)[0]
    assert link == "/api/v1/docs"
