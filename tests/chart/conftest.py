"""Fixtures for the chart tests: the .tools binaries and the rendered scenarios."""

import os

import pytest

from tests.chart.rendering import SCENARIOS, TOOLS, render

# Figures the scanner tests measure, printed at the end of the run (kubernetes-validate, checkov).
CHECK_COUNTS = {}


def pytest_terminal_summary(terminalreporter):
    if CHECK_COUNTS:
        terminalreporter.section("chart checks")
        for check, counts in CHECK_COUNTS.items():
            terminalreporter.write_line(f"{check}: {counts}")


def require_tool(name):
    """A tool from .tools/bin; missing fails under CI (which installs them) and skips elsewhere."""
    path = TOOLS / name
    if not path.exists():
        message = f".tools/bin/{name} is missing: run `make tools`"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return path


@pytest.fixture(scope="session")
def helm():
    return require_tool("helm")


@pytest.fixture(scope="session")
def default_docs(helm):
    """The default scenario: bundled MySQL, no Ingress."""
    return render()


@pytest.fixture(scope="session", params=SCENARIOS, ids=lambda path: path.stem)
def scenario(request, helm):
    """(name, rendered objects) for every helm/relayr/ci/ values file."""
    return request.param.stem, render("-f", str(request.param))
