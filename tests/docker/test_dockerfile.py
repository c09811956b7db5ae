"""docker/Dockerfile's invariants, checked without a Docker engine.

hadolint lints it; the other tests read its instructions and hold it to the
issue's requirements: multi-stage on a pinned slim base, non-root numeric
user, gunicorn as PID 1 with the project's config, a build context that
carries every COPY source and none of the local state.
"""

import json
import os
import re
import subprocess
import sys

import pytest

from tests.docker.conftest import DOCKERFILE, REPO

PINNED_SLIM_PYTHON = re.compile(r"^python:3\.11\.\d+-slim-bookworm$")


def test_hadolint_reports_nothing(hadolint):
    result = subprocess.run(
        [hadolint, "--config", ".hadolint.yaml", "--format", "json", "docker/Dockerfile"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert json.loads(result.stdout or "[]") == []
    assert result.returncode == 0, result.stderr


def test_hadolint_silences_only_unpinnable_apt_versions():
    # DL3008 (pin apt versions) is the one rule the Dockerfile may silence:
    # Debian removes superseded versions, so pins would break future builds.
    ignored = re.findall(r"#\s*hadolint ignore=(\S+)", DOCKERFILE.read_text())
    assert ignored, "expected the DL3008 pragmas on the apt-get steps"
    assert {code for codes in ignored for code in codes.split(",")} == {"DL3008"}


def test_multi_stage_on_one_pinned_slim_python(stages):
    assert len(stages) >= 2
    assert stages[0].name == "builder"
    for stage in stages:
        # Same image everywhere: the builder's virtualenv is copied into the runtime stage as is.
        assert PINNED_SLIM_PYTHON.match(stage.image), f"line {stage.line}: {stage.image} is not a pinned slim tag"


def test_runtime_carries_no_compiler(runtime):
    installs = " ".join(run.arguments for run in runtime.all("RUN") if "apt-get install" in run.arguments)
    assert "libmariadb3" in installs
    for build_only in ("gcc", "-dev", "pkg-config", "build-essential"):
        assert build_only not in installs


def test_runtime_installs_the_builders_environment_from_base_requirements(stages, runtime):
    builder = stages[0]
    copied = [c.copy_sources_and_destination()[0] for c in builder.all("COPY")]
    assert copied == [["requirements/base.txt"]]
    assert any(c.flags.get("from") == "builder" for c in runtime.all("COPY"))
    assert "requirements/" not in " ".join(i.arguments for i in runtime.instructions)


def test_runs_as_numeric_non_root_user(runtime):
    # Numeric: Kubernetes' runAsNonRoot can only verify a numeric user.
    assert runtime.last("USER").arguments == "1000:2000"
    assert runtime.instructions.index(runtime.last("USER")) > max(
        runtime.instructions.index(run) for run in runtime.all("RUN")
    ), "USER must come after every RUN: the build steps need root"
    user_setup = " ".join(run.arguments for run in runtime.all("RUN"))
    assert "groupadd --gid 2000" in user_setup
    assert "useradd --uid 1000 --gid 2000" in user_setup


def test_gunicorn_is_pid_1_with_the_projects_config(runtime):
    assert runtime.all("ENTRYPOINT") == [], "an entrypoint wrapper would be PID 1 instead of gunicorn"
    command = runtime.last("CMD").exec_form()
    assert command is not None, "CMD in shell form runs under /bin/sh, which does not pass on SIGTERM"
    assert command[0] == "gunicorn"
    config = command[command.index("--config") + 1]
    assert (REPO / config).is_file()
    assert runtime.last("WORKDIR").arguments == "/app"


def test_exposes_the_port_gunicorn_binds(runtime, tmp_path):
    # In a subprocess: the config module sets process-wide state (PROMETHEUS_MULTIPROC_DIR, logging).
    env = {k: v for k, v in os.environ.items() if k not in ("HOST", "PORT")}
    env["PROMETHEUS_MULTIPROC_DIR"] = str(tmp_path)
    read_bind = "import runpy; print(runpy.run_path('relayr/gunicorn.conf.py')['bind'])"
    bind = subprocess.run(
        [sys.executable, "-c", read_bind], cwd=REPO, env=env, capture_output=True, text=True, check=True, timeout=30
    ).stdout.strip()
    assert runtime.last("EXPOSE").arguments == "8000"
    assert bind == "0.0.0.0:8000"


def test_environment_for_production(runtime):
    env = runtime.env()
    assert env["DJANGO_SETTINGS_MODULE"] == "relayr.settings.prod"
    assert env["PYTHONUNBUFFERED"] == "1"
    assert env["PYTHONDONTWRITEBYTECODE"] == "1"  # the root filesystem is read-only
    assert env["PROMETHEUS_MULTIPROC_DIR"] == "/run/prometheus"
    assert "chown 1000:2000 /run/prometheus" in " ".join(run.arguments for run in runtime.all("RUN"))


def test_no_secret_is_baked_into_the_image(stages):
    for stage in stages:
        for instruction in stage.all("ENV") + stage.all("ARG"):
            for name in instruction.pairs():
                assert not re.search(r"SECRET|PASSWORD|TOKEN", name), f"line {instruction.line}: {name}"


def test_static_files_are_collected_at_build_time(runtime):
    steps = " ".join(run.arguments for run in runtime.all("RUN"))
    assert "manage.py collectstatic --no-input" in steps
    assert "DJANGO_SETTINGS_MODULE=relayr.settings.prod" in steps


def test_every_copy_source_reaches_the_build_context(stages, build_context):
    for stage in stages:
        for copy in stage.all("COPY") + stage.all("ADD"):
            if "from" in copy.flags:
                continue
            sources, _ = copy.copy_sources_and_destination()
            for source in sources:
                assert (REPO / source).exists(), f"line {copy.line}: {source} does not exist"
                assert not build_context.excludes(source), f"line {copy.line}: .dockerignore excludes {source}"
                assert build_context.files(source), f"line {copy.line}: nothing of {source} reaches the context"


def test_every_local_package_the_app_loads_is_copied(runtime, settings):
    copied = {
        source.rstrip("/")
        for copy in runtime.all("COPY")
        if "from" not in copy.flags
        for source in copy.copy_sources_and_destination()[0]
    }
    modules = [*settings.INSTALLED_APPS, settings.ROOT_URLCONF, *settings.MIDDLEWARE]
    local = {name.split(".")[0] for name in modules if (REPO / name.split(".")[0]).is_dir()}
    assert local, "expected the project's own apps among INSTALLED_APPS"
    assert local <= copied, f"not in the image: {sorted(local - copied)}"


@pytest.mark.parametrize(
    "path",
    [
        ".git/HEAD",
        ".venv/bin/python",
        ".tools/bin/helm",
        "var/secret_key",
        "db.sqlite3",
        "staticfiles/admin/css/base.css",
        "tests/conftest.py",
        "helm/relayr/Chart.yaml",
        "bench/results/run.json",
        ".pytest_cache/README.md",
        ".ruff_cache/CACHEDIR.TAG",
        "relayr/__pycache__/urls.cpython-311.pyc",
        "records/api/__pycache__/sensors.cpython-311.pyc",
        "requirements/test.txt",
        "docker/Dockerfile",
    ],
)
def test_local_state_stays_out_of_the_build_context(build_context, path):
    assert build_context.excludes(path)


@pytest.mark.parametrize(
    "path", ["manage.py", "relayr/settings/prod.py", "records/migrations", "requirements/base.txt"]
)
def test_the_app_reaches_the_build_context(build_context, path):
    assert not build_context.excludes(path)
