"""docker/Dockerfile's invariants that need no container engine: hadolint, and the base image.

Everything about what the build produces (user, command, environment, files, packages, how it
runs) is checked on the real image by tests/docker/test_image.py (`make image-test`).
"""

import json
import re
import subprocess

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


def test_multi_stage_on_one_pinned_slim_python():
    stages = re.findall(r"^FROM (\S+) AS (\w+)$", DOCKERFILE.read_text(), re.MULTILINE)
    assert [name for _, name in stages] == ["builder", "runtime"]
    for image, name in stages:
        # Same image everywhere: the builder's virtualenv is copied into the runtime stage as is.
        assert PINNED_SLIM_PYTHON.match(image), f"{name}: {image} is not a pinned slim tag"


def test_builder_installs_only_base_txt_hash_checked():
    text = DOCKERFILE.read_text()
    assert "COPY requirements/base.txt /tmp/requirements.txt" in text
    (install,) = re.findall(r"pip install .*--requirement /tmp/requirements.txt", text)
    assert "--require-hashes" in install
