"""The runtime stage replayed here: its build steps succeed on the copied
build context, and its CMD serves as UID 1000 / GID 2000 from a tree that
user cannot write, then stops cleanly on SIGTERM.

What this cannot cover without a Docker engine: apt packages, the builder's
wheel compilation and the base image itself; the same requirements/base.txt
installed in .venv stands in for the builder's /opt/venv.
"""

import json
import os
import shutil
import time
from pathlib import Path

import pytest

from tests.docker.image_tree import Container, ImageTree

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        os.geteuid() != 0 or not shutil.which("setpriv"),
        reason="running the image's build steps and user switch needs root and setpriv",
    ),
]

# The container's runtime settings (from the chart or `docker run -e`); no
# database is needed for the pages requested here.
RUNTIME_ENV = {"DJANGO_SECRET_KEY": "test-only-not-secret-image", "WEB_CONCURRENCY": "2"}


@pytest.fixture(scope="module")
def image(runtime, build_context):
    tree = ImageTree(runtime, build_context).build()
    yield tree
    tree.remove()


@pytest.fixture(scope="module")
def container(image):
    running = Container(image, RUNTIME_ENV).start()
    yield running
    running.stop()


def test_build_steps_collect_static_files_and_compile_bytecode(image):
    app = image.workdir
    manifest = json.loads((app / "staticfiles" / "staticfiles.json").read_text())
    assert "admin/css/base.css" in manifest["paths"]
    pyc = next((app / "relayr" / "__pycache__").glob("urls.*.pyc"))
    # PEP 552 flags: 0b01 = hash-based and unchecked, valid whatever the files' times in the image.
    assert int.from_bytes(pyc.read_bytes()[4:8], "little") == 0b01
    metrics_dir = image.local(image.stage.env()["PROMETHEUS_MULTIPROC_DIR"])
    assert (metrics_dir.stat().st_uid, metrics_dir.stat().st_gid) == (1000, 2000)


def test_serves_as_the_image_user(container):
    status = Path(f"/proc/{container.process.pid}/status").read_text()
    assert "\nUid:\t1000\t" in status
    assert "\nGid:\t2000\t" in status
    response = container.get("/api/v1/openapi.json")
    assert response.status_code == 200, container.output()
    assert "openapi" in response.json()


def test_serves_the_collected_static_files(container, image):
    manifest = json.loads((image.workdir / "staticfiles" / "staticfiles.json").read_text())
    response = container.get("/static/" + manifest["paths"]["admin/css/base.css"])
    assert response.status_code == 200, container.output()
    assert "immutable" in response.headers["Cache-Control"]


def test_migrate_and_wait_for_migrations_run_as_the_image_user(image):
    # The Job's and the init containers' commands: each opens the database, so
    # django-prometheus writes metric files; only the metrics directory may take them.
    data = image.base / "data"  # a volume the user can write, for the SQLite file
    data.mkdir()
    os.chown(data, 1000, 2000)
    env = {**RUNTIME_ENV, "DATABASE_URL": f"sqlite:///{data}/db.sqlite3"}
    for argv in (["python", "manage.py", "migrate", "--no-input"], ["python", "manage.py", "wait_for_migrations"]):
        result = image.run(argv, env)
        assert result.returncode == 0, result.stdout + result.stderr
    assert "all migrations are applied" in result.stdout


def test_writes_nothing_to_the_image_and_stops_on_sigterm(image):
    before = image.snapshot()
    container = Container(image, RUNTIME_ENV).start()
    assert container.get("/api/v1/openapi.json").status_code == 200
    started = time.monotonic()
    assert container.stop() == 0, container.output()
    assert time.monotonic() - started < 10  # idle workers stop at once, not after the graceful timeout
    after = image.snapshot()
    # The metrics directory is the one place the image may write (an emptyDir in the pod; /tmp is the other).
    metrics_dir = image.stage.env()["PROMETHEUS_MULTIPROC_DIR"].lstrip("/")
    changed = {path for path in after.keys() | before.keys() if before.get(path) != after.get(path)}
    assert {path for path in changed if not path.startswith(metrics_dir)} == set()
