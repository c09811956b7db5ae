"""The optional retention CronJob runs prune_readings exactly as the migration Job runs migrate."""

import pytest

from tests.chart.rendering import RenderError, find, render
from tests.chart.test_networkpolicy import selects

RETENTION = ("--set", "retention.enabled=true")


def job_pod(docs, kind):
    doc = find(docs, kind)
    spec = doc["spec"]["jobTemplate"]["spec"] if kind == "CronJob" else doc["spec"]
    return spec["template"]


def test_off_by_default(default_docs):
    assert not [doc for doc in default_docs if doc["kind"] == "CronJob"]


def test_cronjob_prunes_on_schedule_without_overlap(helm):
    docs = render(*RETENTION, "--set", "retention.olderThan=30d", "--set", "retention.schedule=0 4 * * *")
    cronjob = find(docs, "CronJob")
    assert cronjob["metadata"]["name"] == "rel-relayr-retention"
    assert cronjob["spec"]["schedule"] == "0 4 * * *"
    assert cronjob["spec"]["concurrencyPolicy"] == "Forbid"
    assert cronjob["spec"]["jobTemplate"]["spec"]["activeDeadlineSeconds"] == 3600
    [prune] = job_pod(docs, "CronJob")["spec"]["containers"]
    assert prune["command"] == ["python", "manage.py", "prune_readings", "--older-than", "30d"]


def test_same_security_resources_and_database_access_as_the_migration_job(helm):
    docs = render(*RETENTION)
    retention, migrate = job_pod(docs, "CronJob"), job_pod(docs, "Job")
    for key in ("securityContext", "automountServiceAccountToken", "serviceAccountName", "volumes"):
        assert retention["spec"][key] == migrate["spec"][key], key
    for ours, theirs in [
        (retention["spec"]["initContainers"], migrate["spec"]["initContainers"]),
        (retention["spec"]["containers"], migrate["spec"]["containers"]),
    ]:
        for a, b in zip(ours, theirs, strict=True):
            for key in ("image", "securityContext", "resources", "volumeMounts", "envFrom"):
                assert a.get(key) == b.get(key), (a["name"], key)
    database_env = {e["name"] for e in migrate["spec"]["containers"][0]["env"] if e["name"].startswith("DATABASE")}
    assert database_env <= {e["name"] for e in retention["spec"]["containers"][0]["env"]}
    labels = retention["metadata"]["labels"]
    access = find(docs, "NetworkPolicy", "-access-mysql")["spec"]["ingress"][0]["from"]
    assert any(selects(peer["podSelector"], labels) for peer in access)
    closed = find(docs, "NetworkPolicy", "-retention")["spec"]
    assert selects(closed["podSelector"], labels) and "ingress" not in closed


@pytest.mark.parametrize(
    "setting", ["retention.olderThan=365", "retention.olderThan=0d", "retention.olderThan=1y", "retention.schedule=x"]
)
def test_bad_values_are_refused(helm, setting):
    with pytest.raises(RenderError, match="retention"):
        render(*RETENTION, "--set", setting)
