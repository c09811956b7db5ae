"""The chart as a dependency of another chart, and the values operators add to every pod."""

import shutil

import pytest
import yaml

from tests.chart.rendering import CHART, NAMESPACE, RELEASE, RenderError, containers, find, helm, render

PARENT_VALUES = {
    "global": {"imageRegistry": "registry.example.internal", "storageClass": "fast"},
    "relayr": {"logLevel": "WARNING", "web": {"replicaCount": 3}},
}


def render_as_subchart(tmp_path, values):
    """`helm template` of a parent chart that holds relayr under charts/, with `values` as its values.yaml."""
    version = yaml.safe_load((CHART / "Chart.yaml").read_text())["version"]
    parent = tmp_path / "platform"
    (parent / "charts").mkdir(parents=True)
    (parent / "Chart.yaml").write_text(
        yaml.safe_dump(
            {
                "apiVersion": "v2",
                "name": "platform",
                "version": "0.1.0",
                "dependencies": [{"name": "relayr", "version": version}],
            }
        )
    )
    (parent / "values.yaml").write_text(yaml.safe_dump(values))
    shutil.copytree(CHART, parent / "charts" / "relayr")
    result = helm("template", RELEASE, str(parent), "--namespace", NAMESPACE, check=False)
    if result.returncode:
        raise RenderError(result.stderr)
    return [doc for doc in yaml.safe_load_all(result.stdout) if doc]


def test_renders_as_a_subchart_with_global_values(helm, tmp_path):
    docs = render_as_subchart(tmp_path, PARENT_VALUES)
    deployment = find(docs, "Deployment")
    assert deployment["spec"]["replicas"] == 3
    assert find(docs, "ConfigMap", "relayr")["data"]["LOG_LEVEL"] == "WARNING"
    assert {"Job", "StatefulSet", "Secret"} <= {doc["kind"] for doc in docs}


def test_a_subchart_still_validates_its_values(helm, tmp_path):
    values = {**PARENT_VALUES, "relayr": {"mysql": {"enabled": False}}}
    with pytest.raises(RenderError) as error:
        render_as_subchart(tmp_path, values)
    assert "relayr: invalid values:" in str(error.value)
    assert "mysql.enabled=false needs externalDatabase.host" in str(error.value)


EXTRAS = [
    "--set-json",
    'extraEnv=[{"name":"TZ","value":"UTC"}]',
    "--set-json",
    'extraEnvFrom=[{"secretRef":{"name":"relayr-extra"}}]',
    "--set-json",
    'extraVolumes=[{"name":"ca","configMap":{"name":"corporate-ca"}}]',
    "--set-json",
    'extraVolumeMounts=[{"name":"ca","mountPath":"/etc/ssl/corporate","readOnly":true}]',
    "--set-json",
    'podAnnotations={"team":"sensors"}',
    "--set-json",
    'podLabels={"cost-centre":"iot"}',
]


def test_extras_reach_every_app_container_and_pod(helm):
    docs = render(*EXTRAS)
    for kind in ("Deployment", "Job"):
        pod = find(docs, kind)["spec"]["template"]
        assert pod["metadata"]["annotations"]["team"] == "sensors"
        assert pod["metadata"]["annotations"]["checksum/config"]
        assert pod["metadata"]["labels"]["cost-centre"] == "iot"
        assert {"name": "ca", "configMap": {"name": "corporate-ca"}} in pod["spec"]["volumes"]
        for container in containers(pod["spec"]):
            assert {"name": "TZ", "value": "UTC"} in container["env"], container["name"]
            assert {"secretRef": {"name": "relayr-extra"}} in container["envFrom"], container["name"]
            mount = {"name": "ca", "mountPath": "/etc/ssl/corporate", "readOnly": True}
            assert mount in container["volumeMounts"], container["name"]


def test_log_level_and_cache_settings_reach_the_config_map(helm):
    data = find(render("--set", "logLevel=DEBUG", "--set", "django.apiCacheSeconds=0"), "ConfigMap", "relayr")["data"]
    assert (data["LOG_LEVEL"], data["API_CACHE_SECONDS"]) == ("DEBUG", "0")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--set-json", 'extraEnv=[{"name":"PORT","value":"9"}]'], "extraEnv PORT is set by the chart"),
        (["--set-json", 'extraVolumes=[{"name":"tmp","emptyDir":{}}]'], "extraVolumes name tmp is taken"),
        (["--set-json", 'podLabels={"app.kubernetes.io/name":"x"}'], "podLabels app.kubernetes.io/name is set by"),
        (["--set-json", 'podAnnotations={"checksum/config":"x"}'], "podAnnotations checksum/config is set by"),
        (["--set", "logLevel=LOUD"], "at '/logLevel'"),
        (["--set-json", 'extraEnv=[{"value":"UTC"}]'], "at '/extraEnv/0'"),
    ],
)
def test_extras_that_would_clash_fail_with_a_clear_message(helm, args, message):
    with pytest.raises(RenderError) as error:
        render(*args)
    assert message in str(error.value)
