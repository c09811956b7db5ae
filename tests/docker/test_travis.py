""".travis.yml can't run here: check it is valid YAML whose commands call
only what exists (Makefile targets, files) and whose shell lines parse, and
that publishing happens only from the main branch and tags.
"""

import re
import subprocess

import pytest
import yaml

from tests.docker.conftest import REPO

PHASES = ("before_install", "install", "before_script", "script", "after_success", "after_script")
MAKEFILE_TARGET = re.compile(r"^([A-Za-z0-9_./ -]+?)\s*::?(?!=)", re.MULTILINE)


def makefile_targets():
    targets = set()
    for names in MAKEFILE_TARGET.findall((REPO / "Makefile").read_text()):
        targets.update(names.split())
    return targets


@pytest.fixture(scope="module")
def travis():
    return yaml.safe_load((REPO / ".travis.yml").read_text())


def jobs(travis):
    return travis["jobs"]["include"]


def job(travis, stage):
    (found,) = [j for j in jobs(travis) if j["stage"] == stage]
    return found


def commands(job):
    for phase in PHASES:
        value = job.get(phase, [])
        yield from [value] if isinstance(value, str) else value


def all_commands(travis):
    return [command for j in [travis, *jobs(travis)] for command in commands(j)]


def test_every_make_target_exists(travis):
    calls = [re.findall(r"\bmake\s+(?:-\S+\s+)*([\w.-]+)", command) for command in all_commands(travis)]
    called = {target for targets in calls for target in targets}
    assert {"test", "chart-check", "tools"} <= called
    assert called <= makefile_targets(), f"missing in the Makefile: {sorted(called - makefile_targets())}"


def test_every_command_is_valid_shell(travis):
    for command in all_commands(travis):
        result = subprocess.run(["bash", "-n", "-c", command], capture_output=True, text=True)
        assert result.returncode == 0, f"{command!r}: {result.stderr}"


def test_the_paths_it_names_exist(travis):
    script = " ".join(all_commands(travis))
    dockerfile = re.search(r"docker build --file (\S+)", script).group(1)
    assert (REPO / dockerfile).is_file()
    chart = re.search(r"helm package (\S+)", script).group(1)
    assert (REPO / chart / "Chart.yaml").is_file()


def test_tests_run_against_mysql(travis):
    test = job(travis, "test")
    assert "mysql" in test["services"]
    assert any(entry.startswith("DATABASE_URL=mysql://") for entry in test["env"])
    assert "make test" in test["script"]


def test_publishes_only_from_main_and_tags(travis):
    conditions = {stage["name"]: stage["if"] for stage in travis["stages"] if isinstance(stage, dict)}
    assert set(conditions) == {"image", "chart"}
    for condition in conditions.values():
        assert "type = push" in condition
        assert "branch = main" in condition
        assert "tag IS present" in condition


def test_image_is_pushed_by_commit_and_git_tag_with_credentials_from_settings(travis):
    image_commands = list(commands(job(travis, "image")))
    script = " ".join(image_commands)
    assert 'docker push "$IMAGE:$TRAVIS_COMMIT"' in script
    assert 'docker push "$IMAGE:$TRAVIS_TAG"' in script
    # The password only ever goes through stdin: never an argument, never a value in this file.
    uses = [command for command in image_commands if "REGISTRY_PASSWORD" in command]
    assert uses == ['echo "$REGISTRY_PASSWORD" | docker login quay.io --username "$REGISTRY_USER" --password-stdin']
    assert not re.search(r"REGISTRY_(USER|PASSWORD)=", (REPO / ".travis.yml").read_text())


def test_tags_push_the_chart_next_to_the_image_the_chart_defaults_to(travis):
    organization = dict(entry.split("=", 1) for entry in travis["env"]["global"])["QUAY_ORGANIZATION"]
    values = yaml.safe_load((REPO / "helm" / "relayr" / "values.yaml").read_text())
    assert values["image"]["repository"] == f"quay.io/{organization}/relayr"
    chart_commands = list(commands(job(travis, "chart")))
    script = " ".join(chart_commands)
    assert 'helm push dist/relayr-*.tgz "oci://quay.io/$QUAY_ORGANIZATION/charts"' in script
    assert '--version "${TRAVIS_TAG#v}" --app-version "${TRAVIS_TAG#v}"' in script
    uses = [command for command in chart_commands if "REGISTRY_PASSWORD" in command]
    assert len(uses) == 1 and 'if [ -n "$TRAVIS_TAG" ]' in uses[0]
    assert '"$REGISTRY_PASSWORD" | .tools/bin/helm registry login quay.io' in uses[0] and "--password-stdin" in uses[0]
