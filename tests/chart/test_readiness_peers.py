"""Every web pod can ask the others whether they reach the database (the README's "Health")."""

from django.conf import settings

from tests.chart.rendering import component, find


def web_deployment(docs):
    return component(docs, "Deployment", "web")


def web_container(docs):
    return web_deployment(docs)["spec"]["template"]["spec"]["containers"][0]


def test_peers_resolve_through_a_headless_service_that_lists_unready_pods(scenario):
    _, docs = scenario
    deployment = web_deployment(docs)
    env = {entry["name"]: entry for entry in web_container(docs)["env"]}
    host, _, port = env["READINESS_PEERS"]["value"].rpartition(":")
    name, namespace = host.split(".")[:2]
    service = find(docs, "Service", name)
    assert service["spec"]["clusterIP"] == "None"
    assert service["spec"]["publishNotReadyAddresses"] is True
    assert service["spec"]["selector"] == deployment["spec"]["selector"]["matchLabels"]
    assert namespace == deployment["metadata"]["namespace"]
    [container_port] = [p["containerPort"] for p in web_container(docs)["ports"] if p["name"] == "http"]
    assert int(port) == container_port
    assert env["POD_IP"]["valueFrom"] == {"fieldRef": {"fieldPath": "status.podIP"}}


def test_the_readiness_probe_waits_longer_than_the_peers_survey(scenario):
    _, docs = scenario
    probe = web_container(docs)["readinessProbe"]
    assert probe["timeoutSeconds"] > settings.READINESS_PEER_TIMEOUT + 1


def test_web_pods_accept_each_other_on_the_http_port(scenario):
    _, docs = scenario
    for policy in (d for d in docs if d["kind"] == "NetworkPolicy" and d["metadata"]["name"].endswith("-web")):
        [rule] = policy["spec"]["ingress"]
        assert "from" not in rule, "web ingress is limited to some sources: peers must be among them"
        assert rule["ports"] == [{"port": "http", "protocol": "TCP"}]
