"""The chart's PrometheusRule: valid for promtool, and every alert proven by promtool's unit tests."""

import os
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from tests.support.prometheus import PROMTOOL, chart_rule_groups

UNIT_TESTS = Path(__file__).with_name("prometheus_rules_test.yaml")


@pytest.fixture(scope="module")
def promtool():
    if not Path(PROMTOOL).exists():
        message = "promtool is missing: apt-get install prometheus (.ci/run installs it)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return PROMTOOL


@pytest.fixture(scope="module")
def rules_dir(helm, tmp_path_factory):
    directory = tmp_path_factory.mktemp("rules")
    (directory / "rules.yaml").write_text(yaml.safe_dump({"groups": chart_rule_groups()}))
    shutil.copy(UNIT_TESTS, directory)
    return directory


def run(promtool, *args, cwd):
    return subprocess.run([promtool, *args], cwd=cwd, capture_output=True, text=True, timeout=120)


def test_promtool_accepts_the_rules(promtool, rules_dir):
    result = run(promtool, "check", "rules", "rules.yaml", cwd=rules_dir)
    assert result.returncode == 0, result.stdout + result.stderr
    count = sum(len(group["rules"]) for group in chart_rule_groups())
    assert f"SUCCESS: {count} rules found" in result.stdout


def test_promtool_unit_tests_pass(promtool, rules_dir):
    result = run(promtool, "test", "rules", UNIT_TESTS.name, cwd=rules_dir)
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_unit_tests_fail_when_a_threshold_moves(promtool, rules_dir, tmp_path):
    """Guard against unit tests that pass whatever the rules say."""
    (tmp_path / "rules.yaml").write_text(
        yaml.safe_dump({"groups": chart_rule_groups("metrics.prometheusRule.errorRatioThreshold=1")})
    )
    shutil.copy(UNIT_TESTS, tmp_path)
    result = run(promtool, "test", "rules", UNIT_TESTS.name, cwd=tmp_path)
    assert result.returncode != 0 and "RelayrHigh5xxRatio" in result.stdout + result.stderr


def test_every_alert_has_a_firing_and_a_silent_case():
    alerts = {rule["alert"] for group in chart_rule_groups() for rule in group["rules"] if "alert" in rule}
    cases = [case for test in yaml.safe_load(UNIT_TESTS.read_text())["tests"] for case in test["alert_rule_test"]]
    firing = {case["alertname"] for case in cases if case["exp_alerts"]}
    silent = {case["alertname"] for case in cases if not case["exp_alerts"]}
    assert alerts == firing == silent
