"""A real headless Chromium for tests, driven by selenium through Debian's chromedriver.

    def test_page(browser, live_server):
        browser.get(live_server.url + "/admin/")
        screenshot(browser, "admin-login")      # var/screenshots/admin-login.png

Needs Debian's ``chromium`` and ``chromium-driver`` (``.ci/run`` installs them);
without them the tests that use ``browser`` are skipped with the install command.
The browser keeps nothing between runs (a temporary profile) and talks to no
one but the servers the test opens (no sync, updates or background requests).
Screenshots go to the git-ignored ``var/screenshots/``.
"""

import shutil
import tempfile
from pathlib import Path

import pytest

CHROMEDRIVER = "/usr/bin/chromedriver"
CHROMIUM = "/usr/bin/chromium"
SCREENSHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
    "--window-size=1280,1000",
)
WAIT_SECONDS = 15


def start_browser():
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    profile = tempfile.mkdtemp(prefix="relayr-chromium-")
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in (*FLAGS, f"--user-data-dir={profile}"):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(30)
    driver.relayr_profile = profile
    return driver


def stop_browser(driver):
    try:
        driver.quit()
    finally:
        shutil.rmtree(driver.relayr_profile, ignore_errors=True)


@pytest.fixture
def browser():
    if not (Path(CHROMEDRIVER).exists() and Path(CHROMIUM).exists()):
        pytest.skip("needs Chromium: apt-get install chromium chromium-driver")
    driver = start_browser()
    try:
        yield driver
    finally:
        stop_browser(driver)


def screenshot(driver, name):
    """Save the current page as var/screenshots/<name>.png; returns the path."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    driver.save_screenshot(str(path))
    return path


def wait_for(driver, condition, timeout=WAIT_SECONDS):
    """selenium's WebDriverWait: ``condition(driver)`` until truthy; its value."""
    from selenium.webdriver.support.ui import WebDriverWait

    return WebDriverWait(driver, timeout).until(condition)
