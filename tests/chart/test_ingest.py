"""The optional ingest Deployment: off by default, the web pods' image and lock-down, its Secret and egress."""

import pytest

from tests.chart.rendering import CHART, RenderError, component, containers, find, render

INGEST_VALUES = str(CHART / "ci" / "ingest-values.yaml")


def test_nothing_of_ingest_renders_by_default(default_docs):
    labels = [doc["metadata"].get("labels", {}).get("app.kubernetes.io/component") for doc in default_docs]
    assert "ingest" not in labels


def test_ingest_runs_consume_readings_like_a_web_pod(helm):
    docs = render("-f", INGEST_VALUES)
    ingest, web = component(docs, "Deployment", "ingest"), component(docs, "Deployment", "web")
    pod, web_pod = ingest["spec"]["template"]["spec"], web["spec"]["template"]["spec"]
    [consumer] = pod["containers"]
    assert consumer["command"][:3] == ["python", "manage.py", "consume_readings"]
    assert consumer["image"] == web_pod["containers"][0]["image"]
    assert consumer["securityContext"] == web_pod["containers"][0]["securityContext"]
    assert pod["securityContext"] == web_pod["securityContext"]
    assert [c["name"] for c in containers(pod)] == ["wait-for-database", "wait-for-migrations", "ingest"]
    assert consumer["livenessProbe"]["httpGet"] == {"path": "/livez", "port": "health"}
    env = {item["name"]: item for item in consumer["env"]}
    assert env["MQTT_URL"]["valueFrom"]["secretKeyRef"] == {"name": "rel-relayr-ingest", "key": "mqtt-url"}
    assert env["MQTT_CA_FILE"]["value"] == "/etc/relayr/mqtt-ca/ca.crt"
    assert {"name": "mqtt-ca", "mountPath": "/etc/relayr/mqtt-ca", "readOnly": True} in consumer["volumeMounts"]
    secret = find(docs, "Secret", "-ingest")
    assert set(secret["data"]) == {"mqtt-url", "mqtt-username", "mqtt-password"}
    assert find(docs, "PodDisruptionBudget", "-ingest")["spec"]["minAvailable"] == 1


def test_ingest_egress_reaches_dns_the_broker_and_mysql_only(helm):
    docs = render("-f", INGEST_VALUES)
    policy = find(docs, "NetworkPolicy", "-ingest")["spec"]
    assert policy["policyTypes"] == ["Ingress", "Egress"]
    ports = [sorted(p["port"] for p in rule["ports"]) for rule in policy["egress"]]
    assert ports == [[53, 53], [8883], [3306]]
    assert policy["egress"][1]["to"] == [{"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "iot"}}}]
    mysql = find(docs, "NetworkPolicy", "-access-mysql")["spec"]["ingress"][0]["from"][0]["podSelector"]
    assert "ingest" in mysql["matchExpressions"][0]["values"]


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        (["ingest.enabled=true"], "ingest.enabled=true needs ingest.brokerUrl or ingest.existingSecret"),
        (
            ["ingest.enabled=true", "ingest.brokerUrl=mqtt://b:1883", "ingest.existingSecret=s"],
            "ingest.brokerUrl and ingest.existingSecret exclude each other",
        ),
        (
            ["ingest.enabled=true", "ingest.brokerUrl=mqtt://b:1883", "ingest.replicaCount=150"],
            "+ 150 ingest pods + migration Job",
        ),
    ],
)
def test_impossible_ingest_values_fail_with_one_message(helm, settings, message):
    with pytest.raises(RenderError) as error:
        render(*[arg for setting in settings for arg in ("--set", setting)])
    assert message in str(error.value)


def test_an_existing_secret_replaces_the_charts(helm):
    docs = render("--set", "ingest.enabled=true", "--set", "ingest.existingSecret=broker")
    assert not [doc for doc in docs if doc["kind"] == "Secret" and doc["metadata"]["name"].endswith("-ingest")]
    [consumer] = component(docs, "Deployment", "ingest")["spec"]["template"]["spec"]["containers"]
    assert {item["name"]: item for item in consumer["env"]}["MQTT_URL"]["valueFrom"]["secretKeyRef"]["name"] == "broker"
