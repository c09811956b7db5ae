"""values.yaml, its schema, the render-time checks and the README's values table agree."""

import pytest
import yaml

from tests.chart import values_table
from tests.chart.rendering import RenderError, render


def test_every_value_has_a_comment():
    comments = values_table.comments_by_path(values_table.VALUES.read_text())
    values = yaml.safe_load(values_table.VALUES.read_text())
    missing = [path for path, _ in values_table.leaves(values) if not values_table.describe(path, comments)]
    assert missing == []


def test_readme_values_table_matches_values_yaml():
    assert values_table.readme_table() == values_table.table(), "run: .venv/bin/python -m tests.chart.values_table"


@pytest.mark.parametrize(
    ("setting", "message"),
    [
        ("web.replicaCount=two", "at '/web/replicaCount': got string, want integer"),
        ("mysql.enabled=maybe", "at '/mysql/enabled': got string, want boolean"),
        ("web.colour=blue", "additional properties 'colour' not allowed"),
        ("podSecurityContext.runAsUser=0", "at '/podSecurityContext/runAsUser'"),
        ("database.replicas.hosts={mysql://r@replica}", "at '/database/replicas/hosts/0'"),
        # A browser's Origin never has a path: this one would never match, so it is refused.
        ("django.corsAllowedOrigins={https://dashboard.example.com/}", "at '/django/corsAllowedOrigins/0'"),
    ],
)
def test_the_schema_rejects_wrong_values_with_a_clear_message(helm, setting, message):
    with pytest.raises(RenderError) as error:
        render("--set", setting)
    assert message in str(error.value)


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        (["mysql.enabled=false"], "mysql.enabled=false needs externalDatabase.host"),
        (["web.terminationGracePeriodSeconds=20"], "must exceed web.preStopSleepSeconds + web.gracefulTimeout (25)"),
        (
            ["autoscaling.enabled=true", "autoscaling.maxReplicas=80"],
            "connection budget 164 (max web pods 81 x WEB_CONCURRENCY 2 + migration Job + 1 spare)"
            " must stay below max_connections 151",
        ),
        (
            ["autoscaling.enabled=true", "autoscaling.maxReplicas=73", "retention.enabled=true"],
            "connection budget 151 (max web pods 74 x WEB_CONCURRENCY 2 + migration Job + retention CronJob + 1 spare)"
            " must stay below max_connections 151",
        ),
    ],
)
def test_impossible_combinations_fail_with_one_message(helm, settings, message):
    with pytest.raises(RenderError) as error:
        render(*[arg for setting in settings for arg in ("--set", setting)])
    assert "relayr: invalid values:" in str(error.value)
    assert message in str(error.value)


def test_replicas_are_left_to_the_autoscaler(helm):
    docs = render("--set", "autoscaling.enabled=true")
    [deployment] = [d for d in docs if d["kind"] == "Deployment"]
    assert "replicas" not in deployment["spec"]
    assert deployment["spec"]["strategy"]["rollingUpdate"]["maxUnavailable"] == 0
