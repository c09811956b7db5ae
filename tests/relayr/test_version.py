"""relayr's version is written once, in relayr/__init__.py; every other copy is checked here."""

import subprocess
import tomllib
from pathlib import Path

import yaml

from relayr import __version__

ROOT = Path(__file__).resolve().parents[2]


def test_pyproject_and_the_chart_carry_relayrs_version():
    assert tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"] == __version__
    assert yaml.safe_load((ROOT / "helm" / "relayr" / "Chart.yaml").read_text())["appVersion"] == __version__


def test_make_version_prints_it():
    result = subprocess.run(["make", "--silent", "version"], cwd=ROOT, capture_output=True, text=True, check=True)
    assert result.stdout == f"{__version__}\n"


def test_travis_publishes_only_a_tag_that_is_relayrs_version():
    travis = yaml.safe_load((ROOT / ".travis.yml").read_text())
    (image,) = [job for job in travis["jobs"]["include"] if job["stage"] == "image"]
    (check,) = image["before_script"]
    for tag, passes in ((f"v{__version__}", True), ("v0.0.0-not-this", False), ("", True)):
        result = subprocess.run(
            ["bash", "-c", check], cwd=ROOT, env={"PATH": "/usr/bin:/bin", "TRAVIS_TAG": tag}, capture_output=True
        )
        assert (result.returncode == 0) is passes, (tag, result.stdout)
