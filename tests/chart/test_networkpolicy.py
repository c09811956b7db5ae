"""The NetworkPolicies select the pods they mean to: MySQL, and the web and migration pods that may reach it."""

from tests.chart.rendering import component, find, pod_templates


def selects(selector, labels):
    """Kubernetes label-selector semantics for matchLabels and In/NotIn/Exists expressions."""
    if any(labels.get(key) != value for key, value in selector.get("matchLabels", {}).items()):
        return False
    for expr in selector.get("matchExpressions", []):
        value, present = labels.get(expr["key"]), expr["key"] in labels
        ok = {
            "In": present and value in expr.get("values", []),
            "NotIn": not present or value not in expr.get("values", []),
            "Exists": present,
            "DoesNotExist": not present,
        }[expr["operator"]]
        if not ok:
            return False
    return True


def pod_labels(docs):
    return {doc["metadata"]["name"]: (doc, meta["labels"], spec) for doc, meta, spec in pod_templates(docs)}


def test_mysql_accepts_3306_only_from_web_and_migration_pods(default_docs):
    policy = find(default_docs, "NetworkPolicy", "-access-mysql")["spec"]
    pods = pod_labels(default_docs)
    selected = {name for name, (_, labels, _) in pods.items() if selects(policy["podSelector"], labels)}
    assert selected == {find(default_docs, "StatefulSet")["metadata"]["name"]}
    assert policy["policyTypes"] == ["Ingress"]
    [rule] = policy["ingress"]
    assert rule["ports"] == [{"port": 3306, "protocol": "TCP"}]
    allowed = {
        pods[name][0]["kind"]
        for name, (_, labels, _) in pods.items()
        if any(selects(peer["podSelector"], labels) for peer in rule["from"])
    }
    assert allowed == {"Deployment", "Job"}
    mysql_ports = find(default_docs, "StatefulSet")["spec"]["template"]["spec"]["containers"][0]["ports"]
    assert [p["containerPort"] for p in mysql_ports] == [3306]


def test_web_pods_accept_only_their_http_port(default_docs):
    policy = find(default_docs, "NetworkPolicy", "-web")["spec"]
    pods = pod_labels(default_docs)
    selected = [
        pods[name][0]["kind"] for name, (_, labels, _) in pods.items() if selects(policy["podSelector"], labels)
    ]
    assert selected == ["Deployment"]
    [rule] = policy["ingress"]
    assert "from" not in rule  # Ingress controller, Prometheus and the helm test, on the http port only
    web = find(default_docs, "Deployment")["spec"]["template"]["spec"]["containers"][0]
    assert [p["port"] for p in rule["ports"]] == [port["name"] for port in web["ports"]] == ["http"]


def test_every_pod_is_covered_by_a_policy(scenario):
    _, docs = scenario
    policies = [d["spec"]["podSelector"] for d in docs if d["kind"] == "NetworkPolicy"]
    for name, (_, labels, _) in pod_labels(docs).items():
        assert any(selects(selector, labels) for selector in policies), name


def database_ports(docs):
    """The primary's port and every replica's, from the app's ConfigMap."""
    data = find(docs, "ConfigMap", "-relayr")["data"] if any(d["kind"] == "ConfigMap" for d in docs) else {}
    ports = {int(data["DATABASE_PORT"])}
    for address in filter(None, data.get("DATABASE_REPLICA_HOSTS", "").split(",")):
        ports.add(int(address.rpartition(":")[2]))
    return ports


def test_web_pods_may_reach_the_database_and_its_replicas(scenario):
    """Any policy restricting the web pods' egress must let them reach every database port."""
    _, docs = scenario
    web = component(docs, "Deployment", "web")["spec"]["template"]["metadata"]["labels"]
    egress = [
        doc["spec"]
        for doc in docs
        if doc["kind"] == "NetworkPolicy"
        and "Egress" in doc["spec"].get("policyTypes", [])
        and selects(doc["spec"]["podSelector"], web)
    ]
    for port in database_ports(docs):
        allowed = not egress or any(
            "ports" not in rule or any(p.get("port") == port for p in rule["ports"])
            for policy in egress
            for rule in policy.get("egress", [])
        )
        assert allowed, port
