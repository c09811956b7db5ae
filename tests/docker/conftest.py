"""Fixtures for the image tests: hadolint, and the figures the real build measures."""

import os
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent.parent
DOCKERFILE = REPO / "docker" / "Dockerfile"
# Installed by `make tools` (.ci/tools.sh, requirements/tools.txt), apart from the app's venv.
HADOLINT = REPO / ".tools" / "venv" / "bin" / "hadolint"


@pytest.fixture(scope="session")
def hadolint():
    if not HADOLINT.exists():
        message = f"{HADOLINT.relative_to(REPO)} is missing: run `make tools`"
        if os.environ.get("CI"):
            pytest.fail(message)  # CI installs the tools: never let a missing linter pass quietly
        pytest.skip(message)
    return HADOLINT


# Figures the real image build measures (tests/docker/test_image.py), printed at the end of the run.
IMAGE_FIGURES = {}


def pytest_terminal_summary(terminalreporter):
    if IMAGE_FIGURES:
        terminalreporter.section("image")
        for name, figure in IMAGE_FIGURES.items():
            terminalreporter.write_line(f"{name}: {figure}")


TAG = "localhost/relayr:image-test"
REVISION = subprocess.run(["git", "rev-parse", "HEAD"], capture_output=True, text=True).stdout.strip() or "unknown"


@pytest.fixture(scope="session")
def built_image():
    """docker/Dockerfile built once per run on the stand-in base (tests marked `image` only)."""
    from tests.support import podman

    IMAGE_FIGURES["stand-in base"] = podman.stand_in_base().strip().splitlines()[-1]
    seconds = podman.build(TAG, version="image-test", revision=REVISION)
    size = podman.inspect(TAG)["Size"]
    IMAGE_FIGURES["build"] = f"{seconds:.0f} s, image {size / 1e6:.0f} MB"
    return TAG
