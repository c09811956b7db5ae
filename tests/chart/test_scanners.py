"""helm lint, kubernetes-validate and checkov over every helm/relayr/ci/ scenario."""

import json
import re
import subprocess

import pytest

from tests.chart.conftest import CHECK_COUNTS, require_tool
from tests.chart.rendering import CHART, REPO, SCENARIOS, helm, render_text

# Kubernetes versions the manifests must validate against; kubernetes-validate 1.37 ships both schemas.
KUBERNETES_VERSIONS = ["1.29.0", "1.35.0"]
# Custom resources have no schema in kubernetes-validate; tests/chart/test_probes.py checks the ServiceMonitor,
# promtool (tests/chart/test_prometheus_rules.py) the PrometheusRule.
CUSTOM_KINDS = {"ServiceMonitor", "PrometheusRule"}


@pytest.fixture(scope="module")
def rendered_dir(tmp_path_factory, helm):
    directory = tmp_path_factory.mktemp("rendered")
    for values in SCENARIOS:
        (directory / f"{values.stem}.yaml").write_text(render_text("-f", str(values)))
    return directory


@pytest.mark.parametrize("values", SCENARIOS, ids=lambda path: path.stem)
def test_helm_lint_strict(helm, values):
    result = subprocess.run(
        [str(helm), "lint", "--strict", str(CHART), "-f", str(values)], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "[WARNING]" not in result.stdout and "[ERROR]" not in result.stdout, result.stdout


@pytest.mark.parametrize("version", KUBERNETES_VERSIONS)
def test_kubernetes_validate_strict(rendered_dir, version):
    tool = require_tool("kubernetes-validate")
    files = sorted(str(path) for path in rendered_dir.glob("*.yaml"))
    result = subprocess.run([str(tool), "--strict", "-k", version, *files], capture_output=True, text=True, timeout=300)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    passed = re.findall(r"^INFO .* passed for resource ", output, re.MULTILINE)
    unknown = re.findall(r"^WARN .* Couldn't find schema for kind (\w+)", output, re.MULTILINE)
    assert set(unknown) <= CUSTOM_KINDS, output
    expected = sum(text.count("\nkind: ") for text in (p.read_text() for p in rendered_dir.glob("*.yaml")))
    assert len(passed) + len(unknown) == expected, output
    without_schema = ", ".join(sorted(set(unknown)))
    CHECK_COUNTS[f"kubernetes-validate --strict {version}"] = (
        f"{len(passed)} objects valid, {len(unknown)} custom resources without schema ({without_schema})"
    )


def test_checkov_finds_nothing(rendered_dir):
    tool = require_tool("checkov")
    result = subprocess.run(
        [str(tool), "-d", str(rendered_dir), "--config-file", str(REPO / ".checkov.yaml"), "-o", "json", "--quiet"],
        capture_output=True,
        text=True,
        timeout=600,
    )
    reports = json.loads(result.stdout)
    reports = reports if isinstance(reports, list) else [reports]
    failed = [
        (check["check_id"], check["resource"], check["file_path"])
        for report in reports
        for check in report["results"]["failed_checks"]
    ]
    assert failed == [] and result.returncode == 0, failed
    summary = {
        key: sum(r["summary"][key] for r in reports) for key in ("passed", "failed", "skipped", "resource_count")
    }
    assert summary["passed"] > 0
    skipped_ids = re.findall(r"^  - (CKV\w+)", (REPO / ".checkov.yaml").read_text(), re.MULTILINE)
    CHECK_COUNTS["checkov"] = (
        f"{summary['passed']} checks passed, {summary['failed']} failed on {summary['resource_count']} resources;"
        f" {len(skipped_ids)} check ids skipped in .checkov.yaml ({', '.join(skipped_ids)})"
    )


def test_helm_template_needs_no_cluster():
    """Guard: the renders above come from `helm template`, never from a live cluster."""
    assert helm("version", "--short").stdout.startswith("v")
