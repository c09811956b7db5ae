"""Fixtures for the image tests: the parsed Dockerfile, its build context, hadolint."""

import os
from pathlib import Path

import pytest

from tests.docker import dockerfile
from tests.docker.build_context import BuildContext

REPO = Path(__file__).resolve().parent.parent.parent
DOCKERFILE = REPO / "docker" / "Dockerfile"
# Installed by `make tools` (.ci/tools.sh, requirements/tools.txt), apart from the app's venv.
HADOLINT = REPO / ".tools" / "venv" / "bin" / "hadolint"


@pytest.fixture(scope="session")
def stages():
    _, parsed = dockerfile.parse(DOCKERFILE.read_text())
    return parsed


@pytest.fixture(scope="session")
def runtime(stages):
    """The stage the image ships: the last one."""
    return stages[-1]


@pytest.fixture(scope="session")
def build_context():
    return BuildContext(REPO)


@pytest.fixture(scope="session")
def hadolint():
    if not HADOLINT.exists():
        message = f"{HADOLINT.relative_to(REPO)} is missing: run `make tools`"
        if os.environ.get("CI"):
            pytest.fail(message)  # CI installs the tools: never let a missing linter pass quietly
        pytest.skip(message)
    return HADOLINT
