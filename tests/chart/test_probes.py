"""The probes point at paths the app routes and ports the containers declare."""

from django.urls import resolve

from tests.chart.rendering import component, find


def probes(container):
    return {kind: container[kind] for kind in ("startupProbe", "livenessProbe", "readinessProbe") if kind in container}


def test_web_probes_use_livez_and_readyz_on_the_http_port(default_docs):
    web = find(default_docs, "Deployment")["spec"]["template"]["spec"]["containers"][0]
    found = {kind: probe["httpGet"]["path"] for kind, probe in probes(web).items()}
    assert found == {"startupProbe": "/livez", "livenessProbe": "/livez", "readinessProbe": "/readyz"}
    port_names = {port["name"] for port in web["ports"]}
    for probe in probes(web).values():
        assert probe["httpGet"]["port"] in port_names
        resolve(probe["httpGet"]["path"])  # Resolver404 when the app doesn't route it


def test_the_service_and_servicemonitor_target_the_http_port(scenario):
    _, docs = scenario
    deployment = component(docs, "Deployment", "web")
    web = deployment["spec"]["template"]["spec"]["containers"][0]
    service = find(docs, "Service", deployment["metadata"]["name"])
    assert [(p["name"], p["targetPort"]) for p in service["spec"]["ports"]] == [("http", "http")]
    assert "http" in {port["name"] for port in web["ports"]}
    for monitor in (d for d in docs if d["kind"] == "ServiceMonitor"):
        [endpoint] = monitor["spec"]["endpoints"]
        assert endpoint["port"] == "http"
        resolve(endpoint["path"])


def test_mysql_has_startup_liveness_and_readiness_probes(default_docs):
    mysql = find(default_docs, "StatefulSet")["spec"]["template"]["spec"]["containers"][0]
    assert set(probes(mysql)) == {"startupProbe", "livenessProbe", "readinessProbe"}
    # Liveness only after startup, and tolerant: a recovering server is never killed by a short hiccup.
    live = mysql["livenessProbe"]
    assert live["periodSeconds"] * live["failureThreshold"] >= 60
    startup = mysql["startupProbe"]
    assert startup["periodSeconds"] * startup["failureThreshold"] >= 300
    for probe in probes(mysql).values():
        assert "--protocol=socket" in " ".join(probe["exec"]["command"])


def test_ingress_routes_the_app_but_not_metrics(scenario):
    _, docs = scenario
    for ingress in (d for d in docs if d["kind"] == "Ingress"):
        for rule in ingress["spec"]["rules"]:
            paths = {(p["path"], p["pathType"]) for p in rule["http"]["paths"]}
            assert paths == {
                ("/", "Exact"),
                ("/api", "Prefix"),
                ("/sensors", "Prefix"),
                ("/admin", "Prefix"),
                ("/static", "Prefix"),
            }
            for path, kind in paths:
                assert kind == "Exact" or not "/metrics".startswith(path)
