"""The admin in a real headless Chromium, as a staff member of the viewers group uses it:
log in, the sensors, one sensor's chart, its readings, another sensor picked by typing
its name, a mistyped address, and the lockout after failed logins. Screenshots of each
step go to var/screenshots/admin-*.png."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import Group, User
from selenium.common.exceptions import StaleElementReferenceException, WebDriverException
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.expected_conditions import staleness_of

from tests.support.browser import browser, screenshot, wait_for  # noqa: F401 - the fixture

# Served by a live server thread, so the data must be committed; the seed data
# (sensors, the viewers group) is restored afterwards for the tests that follow.
pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

PASSWORD = "viewer-pass-123"


@pytest.fixture
def sensors(make_sensor, make_readings):
    greenhouse = make_sensor(name="greenhouse-browser", unit="°C", location="greenhouse")
    make_readings(greenhouse, 48, step=timedelta(hours=1))
    roof = make_sensor(name="roof-browser", unit="hPa", location="roof")
    make_readings(roof, 3)
    user = User.objects.create_user("viewer", password=PASSWORD, is_staff=True)
    user.groups.add(Group.objects.get(name="viewers"))
    return greenhouse, roof


def text(driver):
    return driver.find_element("tag name", "body").text


def log_in(driver, base, password):
    driver.get(base + "/admin/login/?next=/admin/")
    driver.find_element("name", "username").send_keys("viewer")
    driver.find_element("name", "password").send_keys(password)
    submit = driver.find_element("css selector", "input[type=submit]")
    submit.click()
    wait_for(driver, replaced(submit))  # the answer has replaced the form


def replaced(element):
    """staleness_of, also when Chrome reports the old document's node in its own words
    ("Node with given id does not belong to the document") mid-navigation."""

    def condition(driver):
        try:
            return staleness_of(element)(driver)
        except WebDriverException as exc:
            return "does not belong to the document" in exc.msg

    return condition


@pytest.fixture
def static_by_name(settings):
    """The live server finds static files by their source names; the manifest's hashed
    names exist only in the collected folder, which WhiteNoise serves under gunicorn."""
    settings.STORAGES = {**settings.STORAGES, "staticfiles": {"BACKEND": STATIC_BY_NAME}}


STATIC_BY_NAME = "django.contrib.staticfiles.storage.StaticFilesStorage"


def test_a_viewer_looks_at_the_data(browser, live_server, static_by_name, sensors):  # noqa: F811
    greenhouse, roof = sensors
    base = live_server.url

    log_in(browser, base, PASSWORD)
    wait_for(browser, lambda d: "Sensor records" in text(d))
    assert "relayr administration" in text(browser)
    screenshot(browser, "admin-1-index")

    browser.get(base + "/admin/records/sensor/")
    assert "greenhouse-browser" in text(browser) and "updated (utc)" in text(browser).lower()
    screenshot(browser, "admin-2-sensors")
    browser.find_element("link text", "greenhouse-browser").click()

    wait_for(browser, lambda d: d.find_elements("css selector", "svg.sensor-chart"))
    chart = browser.find_element("css selector", "svg.sensor-chart")
    assert chart.size["width"] > 400 and chart.size["height"] > 100  # drawn, not just present
    assert browser.find_elements("css selector", "svg.sensor-chart polyline.line")
    assert browser.find_element("id", "stat-last").text == "47 °C at 2025-03-02 23:00:00 UTC"
    assert "time (UTC)" in chart.text or browser.find_elements("css selector", "svg text.axis-title")
    screenshot(browser, "admin-3-chart")
    browser.find_element("link text", "last 7d").click()
    wait_for(
        browser,
        lambda d: (
            "drawn as" in d.find_element("id", "stat-count").text or "48" in d.find_element("id", "stat-count").text
        ),
    )
    screenshot(browser, "admin-4-chart-7d")

    browser.find_element("id", "sensor-readings-link").click()
    wait_for(browser, lambda d: d.find_elements("css selector", ".select2-selection__rendered"))
    assert "greenhouse-browser" in browser.find_element("css selector", ".select2-selection__rendered").text
    rows = browser.find_elements("css selector", "#result_list tbody tr")
    assert len(rows) == 48 and "47 °C" in rows[0].text and "2025-03-02 23:00:00" in rows[0].text
    assert "roof-browser" not in text(browser)
    screenshot(browser, "admin-5-readings-of-a-sensor")

    # Pick another sensor by typing part of its name in the filter's autocomplete.
    browser.find_element("css selector", ".sensor-filter .select2-selection").click()
    search = browser.find_element("css selector", ".select2-search__field")
    search.send_keys("roof-bro")

    def only_option(driver):
        options = driver.find_elements("css selector", ".select2-results__option")
        try:
            return [option.text for option in options] == ["roof-browser"]
        except StaleElementReferenceException:  # the list was redrawn meanwhile
            return False

    wait_for(browser, only_option)
    screenshot(browser, "admin-6-autocomplete")
    search.send_keys(Keys.ENTER)
    wait_for(browser, lambda d: f"sensor__id__exact={roof.pk}" in d.current_url)
    rows = browser.find_elements("css selector", "#result_list tbody tr")
    assert len(rows) == 3 and all("hPa" in row.text for row in rows)
    screenshot(browser, "admin-7-readings-of-another-sensor")

    browser.get(base + "/admin/records/sensr/")
    assert "Page not found" in text(browser) and "relayr administration" in text(browser)
    assert '{"error"' not in browser.page_source
    screenshot(browser, "admin-8-mistyped-url")

    browser.delete_all_cookies()
    for _ in range(5):
        log_in(browser, base, "wrong")
    log_in(browser, base, PASSWORD)  # the right password no longer helps
    wait_for(browser, lambda d: "Too many failed logins" in text(d))
    page = text(browser)
    assert "15 minutes" in page and "axes_reset" in page and "relayr administration" in page
    screenshot(browser, "admin-9-lockout")
