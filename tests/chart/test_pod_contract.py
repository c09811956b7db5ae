"""Run the rendered migration Job and web Deployment as local processes against MariaDB.

The containers' own commands, env (resolved from the same render's ConfigMaps and Secrets)
and probe paths, with only the database address, the port and the metrics directory swapped
for local ones: what the pods will do, minus Kubernetes. `python` and `gunicorn` are the
project venv's, as in the image; the working directory is the repo root, as /app is.
"""

import base64
import os
import subprocess
import time
from pathlib import Path

import dj_database_url
import pytest
import requests

from harness.server import free_port
from tests.chart.rendering import REPO, find

DATABASE_URL = os.environ.get("DATABASE_URL", "")
pytestmark = [
    pytest.mark.mysql,
    pytest.mark.slow,
    pytest.mark.skipif(not DATABASE_URL.startswith("mysql"), reason="the pods run against MySQL; DATABASE_URL is not"),
]
VENV_BIN = Path(REPO / ".venv" / "bin")


def resolve_env(container, docs):
    """The container's environment as Kubernetes would build it from this render."""
    env = {}
    for source in container.get("envFrom", []):
        env.update(find(docs, "ConfigMap", source["configMapRef"]["name"])["data"])
    for entry in container.get("env", []):
        if "value" in entry:
            env[entry["name"]] = entry["value"]
        elif "fieldRef" in entry["valueFrom"]:
            assert entry["valueFrom"]["fieldRef"] == {"fieldPath": "status.podIP"}
            env[entry["name"]] = "127.0.0.1"  # the pod's own address, here this machine's
        else:
            ref = entry["valueFrom"]["secretKeyRef"]
            secret = find(docs, "Secret", ref["name"])
            env[entry["name"]] = base64.b64decode(secret["data"][ref["key"]]).decode()
    return env


@pytest.fixture
def database():
    """A throwaway database on the test server, named for this test; dropped afterwards."""
    import MySQLdb

    server = dj_database_url.parse(DATABASE_URL)
    name = f"test_relayr_podcontract_{os.getpid()}"
    connection = MySQLdb.connect(
        host=server["HOST"] or "127.0.0.1",
        port=int(server["PORT"] or 3306),
        user=server["USER"],
        password=server["PASSWORD"] or "",
    )
    cursor = connection.cursor()
    cursor.execute(f"DROP DATABASE IF EXISTS `{name}`")
    cursor.execute(f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci")
    local = {
        "DATABASE_HOST": server["HOST"] or "127.0.0.1",
        "DATABASE_PORT": str(server["PORT"] or 3306),
        "DATABASE_USER": server["USER"],
        "DATABASE_PASSWORD": server["PASSWORD"] or "",
        "DATABASE_NAME": name,
    }
    yield local
    cursor.execute(f"DROP DATABASE IF EXISTS `{name}`")
    connection.close()


def process_env(container, docs, database, metrics_dir, **extra):
    env = resolve_env(container, docs) | database | extra
    env["PROMETHEUS_MULTIPROC_DIR"] = str(metrics_dir)
    env["DJANGO_SETTINGS_MODULE"] = "relayr.settings.prod"  # set by the image
    env["PATH"] = f"{VENV_BIN}{os.pathsep}{os.environ['PATH']}"
    return env


def run_to_completion(container, env):
    result = subprocess.run(container["command"], cwd=REPO, env=env, capture_output=True, text=True, timeout=180)
    assert result.returncode == 0, f"{container['name']} failed:\n{result.stdout}\n{result.stderr}"
    return result.stdout


def test_job_migrates_then_web_pod_serves_its_probes(default_docs, database, tmp_path):
    job = find(default_docs, "Job")["spec"]["template"]["spec"]
    deployment = find(default_docs, "Deployment")["spec"]["template"]["spec"]

    for container in [*job["initContainers"], *job["containers"]]:
        output = run_to_completion(container, process_env(container, default_docs, database, tmp_path))
    assert "superuser admin created" in output

    for container in deployment["initContainers"]:
        output = run_to_completion(container, process_env(container, default_docs, database, tmp_path))
    assert "all migrations are applied" in output

    [web] = deployment["containers"]
    port = free_port()
    env = process_env(web, default_docs, database, tmp_path, PORT=str(port), HOST="127.0.0.1")
    log = tmp_path / "web.log"
    with log.open("w") as out:
        server = subprocess.Popen(web["command"], cwd=REPO, env=env, stdout=out, stderr=subprocess.STDOUT)
    try:
        declared = {p["name"]: p["containerPort"] for p in web["ports"]}
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while True:
            try:
                if requests.get(base + web["startupProbe"]["httpGet"]["path"], timeout=2).status_code == 200:
                    break
            except requests.RequestException:
                pass  # the master binds before its workers have imported the app
            assert server.poll() is None and time.monotonic() < deadline, log.read_text()
            time.sleep(0.2)
        for kind in ("startupProbe", "livenessProbe", "readinessProbe"):
            probe = web[kind]["httpGet"]
            assert probe["port"] in declared
            response = requests.get(base + probe["path"], timeout=5)
            assert response.status_code == 200, (kind, response.status_code, response.text[:300])
        sensors = requests.get(base + "/api/v1/sensors", timeout=5).json()
        assert sensors["results"], "the migration Job's seed data is missing"
    finally:
        server.terminate()
        server.wait(timeout=30)
