"""docker/Dockerfile built for real with podman and run the way the chart runs it.

`make image-test` runs this module (marker `image`, deselected from `make test`): the build on a
locally made stand-in base (.ci/stand-in-base.sh), `manage.py migrate` in a one-off container like
the Job, then the server read-only as 1000:2000 without capabilities against MariaDB.
"""

import json
import os
import re
import time

import MySQLdb
import pytest
import requests

from harness.server import free_port
from tests.docker.conftest import IMAGE_FIGURES, REVISION
from tests.support import podman
from tests.support.metrics import sample_sum

pytestmark = [
    pytest.mark.image,
    pytest.mark.skipif(not os.environ.get("DATABASE_URL", "").startswith("mysql"), reason="needs DATABASE_URL=mysql"),
]

DATABASE = "test_relayr_image"
REQUESTS = "django_http_requests_total_by_view_transport_method_total"
# The chart's default: longer than gunicorn's graceful timeout plus the preStop pause.
GRACE_SECONDS = 35


@pytest.fixture(scope="module")
def image(built_image):
    return built_image


@pytest.fixture(scope="module")
def database_env():
    """The chart's DATABASE_* variables for a fresh database of this module's own."""
    from django.db import connection

    settings = connection.settings_dict
    server = MySQLdb.connect(
        host=settings["HOST"] or "127.0.0.1", port=int(settings["PORT"] or 3306), user=settings["USER"],
        password=settings["PASSWORD"] or "",
    )  # fmt: skip
    server.cursor().execute(f"DROP DATABASE IF EXISTS {DATABASE}")
    server.cursor().execute(f"CREATE DATABASE {DATABASE} CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci")
    yield {
        "DATABASE_HOST": settings["HOST"] or "127.0.0.1",
        "DATABASE_PORT": str(settings["PORT"] or 3306),
        "DATABASE_NAME": DATABASE,
        "DATABASE_USER": settings["USER"],
        "DATABASE_PASSWORD": settings["PASSWORD"] or "",
    }
    server.cursor().execute(f"DROP DATABASE IF EXISTS {DATABASE}")
    server.close()


@pytest.fixture(scope="module")
def env(database_env):
    return {**database_env, "DJANGO_SECRET_KEY": "test-only-not-secret-image", "DJANGO_ALLOWED_HOSTS": "127.0.0.1"}


@pytest.fixture(scope="module")
def migrated(image, env):
    result = podman.run_once(image, env, "python", "manage.py", "migrate", "--no-input")
    assert result.returncode == 0, result.stdout + result.stderr
    return result


@pytest.fixture(scope="module")
def server(image, env, migrated):
    port = free_port()
    container = podman.Container(image, {**env, "PORT": str(port), "WEB_CONCURRENCY": "3"}, "relayr-image-test")
    container.start()
    container.base_url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            if requests.get(container.base_url + "/livez", timeout=2).status_code == 200:
                break
        except requests.RequestException:
            pass
        assert time.monotonic() < deadline, container.logs()
        time.sleep(0.2)
    yield container
    container.remove()


def get(server, path):
    return requests.get(server.base_url + path, timeout=10)


def test_the_image_config_runs_gunicorn_as_pid_1_for_production(image):
    config = podman.inspect(image)["Config"]
    # Numeric, so Kubernetes' runAsNonRoot can check it; exec form without an entrypoint wrapper.
    assert config["User"] == "1000:2000"
    assert not config.get("Entrypoint")
    assert config["Cmd"] == ["gunicorn", "--config", "relayr/gunicorn.conf.py"]
    assert (config["WorkingDir"], list(config["ExposedPorts"])) == ("/app", ["8000/tcp"])
    env = dict(entry.split("=", 1) for entry in config["Env"])
    assert env["DJANGO_SETTINGS_MODULE"] == "relayr.settings.prod"
    assert env["PYTHONDONTWRITEBYTECODE"] == env["PYTHONUNBUFFERED"] == "1"
    assert env["PROMETHEUS_MULTIPROC_DIR"] == podman.METRICS_DIR
    assert [name for name in env if re.search(r"SECRET|PASSWORD|TOKEN", name)] == []
    assert config["Labels"]["org.opencontainers.image.revision"] == REVISION


SHIPPED = """
import importlib.util, os, shutil
print(sorted(os.listdir("/app")), shutil.which("gcc"), importlib.util.find_spec("pytest"))
"""
PACKAGES = ["dpkg-query", "--show", "--showformat", "${Package}\\n"]


def test_the_image_ships_the_app_and_no_build_tools_or_local_state(image):
    result = podman.run_once(image, {}, "python", "-c", SHIPPED)
    assert result.stdout.strip() == str(["manage.py", "records", "relayr", "staticfiles"]) + " None None", result.stderr
    # Over its base (the stand-in has Debian's Python headers where the official image has its own).
    added = set(podman.run_once(image, {}, *PACKAGES).stdout.split())
    added -= set(podman.run_once(podman.base_image(), {}, *PACKAGES).stdout.split())
    assert "libmariadb3" in added
    assert [package for package in added if package.endswith("-dev") or package in {"gcc", "pkg-config"}] == []


def test_the_job_command_migrates_as_the_image_user(migrated):
    assert "Applying records." in migrated.stdout


def test_probes_and_the_api_answer(server):
    assert get(server, "/livez").status_code == 200
    assert get(server, "/readyz").status_code == 200, server.logs()
    page = get(server, "/api/v1/sensors").json()
    assert page["results"], "the seed migration's sensors are missing"


WORKERS = """
import os
stats = (open(f"/proc/{pid}/stat").read() for pid in os.listdir("/proc") if pid.isdigit())
print(sum(1 for stat in stats if stat[stat.rindex(")") + 2 :].split()[1] == "1"))
"""


def test_metrics_sum_every_worker(server):
    assert server.exec("python", "-c", WORKERS).stdout.strip() == "3"
    for _ in range(30):  # a new connection each: gunicorn spreads them over the three workers
        assert get(server, "/api/v1/sensors").status_code == 200
    # One worker's own count would be about a third; the scrape merges every worker's files.
    text = get(server, "/metrics").text
    assert sample_sum(text, REQUESTS, view="sensor-list") >= 30
    assert sample_sum(text, "relayr_build_info", version="image-test", revision=REVISION) == 1


def test_the_admin_css_is_served(server):
    login = get(server, "/admin/login/")
    assert login.status_code == 200
    css = re.search(r'href="(/static/admin/css/base\.[0-9a-f]+\.css)"', login.text)
    assert css, login.text[:500]
    response = get(server, css.group(1))
    assert response.status_code == 200 and response.headers["Content-Type"].startswith("text/css")


def test_runs_as_1000_2000_without_capabilities(server):
    status = server.exec("cat", "/proc/1/status").stdout
    assert re.search(r"^Uid:\s+1000\s", status, re.M) and re.search(r"^Gid:\s+2000\s", status, re.M)
    assert re.search(r"^CapEff:\s+0+$", status, re.M), status
    assert re.search(r"^NoNewPrivs:\s+1$", status, re.M), status


WRITE_PROBE = """
import os, sys
for place in sys.argv[1:]:
    try:
        with open(os.path.join(place, ".probe"), "w"):
            pass
        os.remove(os.path.join(place, ".probe"))
        print(place)
    except OSError:
        pass
"""
PLACES = ["/", "/app", "/app/staticfiles", "/opt/venv", "/etc", "/var/tmp", "/home", "/root", "/run", "/tmp"]


def test_nothing_outside_the_tmpfs_mounts_is_writable(server):
    result = server.exec("python", "-c", WRITE_PROBE, *PLACES, podman.METRICS_DIR)
    assert result.stdout.split() == ["/tmp", podman.METRICS_DIR], result.stderr
    # The container's layer: nothing but /etc, where podman itself bind-mounts hosts and resolv.conf.
    diff = podman.podman("diff", "--format", "json", server.name).stdout
    assert json.loads(diff) in ({}, {"changed": ["/etc"]}), diff


def test_sigterm_ends_with_exit_0_inside_the_grace_period(server):
    exit_code, seconds = server.stop(GRACE_SECONDS)
    IMAGE_FIGURES["SIGTERM to exit"] = f"{seconds:.1f} s"
    assert exit_code == 0, server.logs()
    assert seconds < GRACE_SECONDS
