"""The environment the chart gives the app containers matches what the code reads."""

import re

from tests.chart.rendering import REPO, SCENARIOS, containers, find, pod_templates, render

READ = re.compile(r"""get_(?:str|bool|int|float|list|origins)\(\s*["']([A-Z][A-Z0-9_]*)["']""")
# Read by libraries, not through relayr/settings/environ.py, so the grep can't see them.
READ_BY_LIBRARIES = {
    "PROMETHEUS_MULTIPROC_DIR",  # prometheus_client's multiprocess mode
    "DJANGO_SETTINGS_MODULE",  # Django itself; the image sets it
}
# DJANGO_SECRET_KEY is required by prod settings; the database password has no useful default.
REQUIRED = {"DJANGO_SECRET_KEY", "DATABASE_HOST", "DATABASE_NAME", "DATABASE_USER", "DATABASE_PASSWORD"}


# Added by an operator (helm/relayr/ci/extras-values.yaml), not by the chart: outside this contract.
OPERATORS_CONFIG_MAPS = {"relayr-extra"}
OPERATORS_ENV = {"TZ"}


def names_the_code_reads():
    names = set()
    for package in ("relayr", "records"):
        for path in (REPO / package).rglob("*.py"):
            names.update(READ.findall(path.read_text()))
    return names | READ_BY_LIBRARIES


def env_of(container, docs):
    """Names and plain values a container gets: env entries plus the ConfigMaps it imports."""
    values = {}
    for source in container.get("envFrom", []):
        if source["configMapRef"]["name"] in OPERATORS_CONFIG_MAPS:
            continue
        config_map = find(docs, "ConfigMap", source["configMapRef"]["name"])
        values.update(config_map["data"])
    for entry in container.get("env", []):
        values[entry["name"]] = entry.get("value", entry.get("valueFrom"))
    return values


def app_containers(docs):
    for doc, _, spec in pod_templates(docs):
        if doc["kind"] in {"Deployment", "Job"}:
            for container in containers(spec):
                yield doc, container


def test_the_grep_finds_the_settings_variables():
    names = names_the_code_reads()
    assert {"DJANGO_SECRET_KEY", "DATABASE_HOST", "WEB_CONCURRENCY", "GUNICORN_GRACEFUL_TIMEOUT"} <= names


def test_every_variable_set_is_one_the_code_reads_and_required_ones_are_set(scenario):
    _, docs = scenario
    known = names_the_code_reads()
    for doc, container in app_containers(docs):
        names = set(env_of(container, docs)) - OPERATORS_ENV
        assert names - known == set(), f"{doc['metadata']['name']}/{container['name']} sets unread variables"
        assert names >= REQUIRED, f"{doc['metadata']['name']}/{container['name']} misses {REQUIRED - names}"


def test_job_and_deployments_share_image_and_database_settings(scenario):
    """The migration Job, the web pods and (when on) the ingest pods: one image, one database."""
    _, docs = scenario
    job = find(docs, "Job")
    migrate = job["spec"]["template"]["spec"]["containers"][0]
    job_env = env_of(migrate, docs)
    deployments = [doc for doc in docs if doc["kind"] == "Deployment"]
    assert deployments
    for deployment in deployments:
        app = deployment["spec"]["template"]["spec"]["containers"][0]
        assert migrate["image"] == app["image"]
        assert migrate["imagePullPolicy"] == app["imagePullPolicy"]
        app_env = env_of(app, docs)
        database = {name for name in app_env if name.startswith("DATABASE_")} | {"DJANGO_SECRET_KEY"}
        assert {name: job_env.get(name) for name in database} == {name: app_env[name] for name in database}


def test_worker_count_follows_the_cpu_allotment(helm):
    def concurrency(*args):
        web = find(render(*args), "Deployment")["spec"]["template"]["spec"]["containers"][0]
        return {entry["name"]: entry.get("value") for entry in web["env"]}["WEB_CONCURRENCY"]

    assert concurrency() == "2"  # limits.cpu "1" x 2 workers per CPU
    assert concurrency("--set-string", "web.resources.limits.cpu=2500m") == "5"
    assert concurrency("--set", "web.resources.limits.cpu=0.2") == "1"  # never below one
    assert concurrency("--set", "web.concurrency=7") == "7"


def test_tls_ingress_sets_allowed_hosts_csrf_origins_and_proxy_header(helm):
    [values] = [path for path in SCENARIOS if path.stem == "ingress-tls-values"]
    data = find(render("-f", str(values)), "ConfigMap", "rel-relayr")["data"]
    assert data["DJANGO_BEHIND_TLS_PROXY"] == "true"
    assert data["DJANGO_CSRF_TRUSTED_ORIGINS"] == "https://relayr.example.com,https://sensors.example.com"
    assert {"relayr.example.com", "sensors.example.com", "rel-relayr"} <= set(data["DJANGO_ALLOWED_HOSTS"].split(","))


def test_replica_values_reach_the_app_and_their_password_comes_from_a_secret(helm):
    docs = render(
        "--set",
        "database.replicas.hosts={replica-a,replica-b:3307}",
        "--set",
        "database.replicas.user=reader",
        "--set",
        "database.replicas.existingSecret=relayr-replicas",
        "--set",
        "database.replicas.maxLagSeconds=10",
    )
    for doc, container in app_containers(docs):
        env = env_of(container, docs)
        assert env["DATABASE_REPLICA_HOSTS"] == "replica-a:3306,replica-b:3307", doc["metadata"]["name"]
        assert env["DATABASE_REPLICA_USER"] == "reader"
        assert env["DATABASE_REPLICA_MAX_LAG_SECONDS"] == "10"
        ref = env["DATABASE_REPLICA_PASSWORD"]["secretKeyRef"]
        assert ref == {"name": "relayr-replicas", "key": "password"}
    # Without replicas nothing is set; without their own Secret they use the primary's password.
    default = env_of(find(render(), "Deployment")["spec"]["template"]["spec"]["containers"][0], render())
    assert not any(name.startswith("DATABASE_REPLICA_") for name in default)
    shared = render("--set", "database.replicas.hosts={replica-a}")
    web = env_of(find(shared, "Deployment")["spec"]["template"]["spec"]["containers"][0], shared)
    assert web["DATABASE_REPLICA_HOSTS"] == "replica-a:3306" and "DATABASE_REPLICA_PASSWORD" not in web


def test_cors_origins_reach_the_web_pods_as_the_app_reads_them(helm, monkeypatch):
    from relayr.settings import environ

    default = render()
    web = find(default, "Deployment")["spec"]["template"]["spec"]["containers"][0]
    assert env_of(web, default)["DJANGO_CORS_ALLOWED_ORIGINS"] == ""  # no CORS
    docs = render("--set", "django.corsAllowedOrigins={https://dashboard.example.com,http://localhost:3000}")
    web = find(docs, "Deployment")["spec"]["template"]["spec"]["containers"][0]
    value = env_of(web, docs)["DJANGO_CORS_ALLOWED_ORIGINS"]
    monkeypatch.setenv("DJANGO_CORS_ALLOWED_ORIGINS", value)
    assert environ.get_origins("DJANGO_CORS_ALLOWED_ORIGINS") == [
        "https://dashboard.example.com",
        "http://localhost:3000",
    ]
