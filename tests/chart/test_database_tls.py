"""TLS to the database: the chart mounts the CA read-only and sets the variables the app reads."""

import pytest

from tests.chart.rendering import CHART, RenderError, find, pod_templates, render
from tests.chart.test_env import app_containers, env_of

SCENARIO = str(CHART / "ci" / "external-db-tls-values.yaml")
CA_DIR = "/etc/relayr/database-ca"


def test_external_ca_is_mounted_read_only_in_every_app_container(helm):
    docs = render("-f", SCENARIO)
    for doc, container in app_containers(docs):
        env = env_of(container, docs)
        assert env["DATABASE_SSL_MODE"] == "VERIFY_IDENTITY", doc["metadata"]["name"]
        assert env["DATABASE_SSL_CA"] == f"{CA_DIR}/ca.pem"
        [mount] = [m for m in container["volumeMounts"] if m["name"] == "database-ca"]
        assert (mount["mountPath"], mount["readOnly"]) == (CA_DIR, True)
    for doc, _, spec in pod_templates(docs):
        if doc["kind"] in {"Deployment", "Job"}:
            [volume] = [v for v in spec["volumes"] if v["name"] == "database-ca"]
            assert volume["configMap"]["name"] == "relayr-database-ca"
            assert volume["configMap"]["items"] == [{"key": "ca.pem", "path": "ca.pem"}]


def test_the_ca_can_come_from_a_secret(helm):
    docs = render(
        "-f", SCENARIO, "--set", "externalDatabase.tls.ca.configMapName=",
        "--set", "externalDatabase.tls.ca.secretName=db-ca", "--set", "externalDatabase.tls.ca.key=bundle.crt",
    )  # fmt: skip
    web = find(docs, "Deployment")
    [volume] = [v for v in web["spec"]["template"]["spec"]["volumes"] if v["name"] == "database-ca"]
    assert volume["secret"]["secretName"] == "db-ca"
    assert find(docs, "ConfigMap", "rel-relayr")["data"]["DATABASE_SSL_CA"] == f"{CA_DIR}/bundle.crt"


def test_no_tls_values_no_tls_variables_or_mounts(helm):
    docs = render()
    for _, container in app_containers(docs):
        env = env_of(container, docs)
        assert "DATABASE_SSL_MODE" not in env and "DATABASE_SSL_CA" not in env
        assert all(m["name"] != "database-ca" for m in container["volumeMounts"])


def test_the_bundled_mysql_can_require_tls(helm):
    docs = render("--set", "mysql.tls.required=true")
    assert "require_secure_transport = ON" in find(docs, "ConfigMap", "mysql")["data"]["relayr.cnf"]
    for _, container in app_containers(docs):
        assert env_of(container, docs)["DATABASE_SSL_MODE"] == "REQUIRED"


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        (
            ["externalDatabase.tls.ca.secretName=x"],
            "externalDatabase.tls.ca takes secretName or configMapName, not both",
        ),
        (["externalDatabase.tls.ca.configMapName="], "externalDatabase.tls.mode VERIFY_IDENTITY needs the CA"),
    ],
)
def test_impossible_tls_values_fail_with_one_message(helm, settings, message):
    with pytest.raises(RenderError) as error:
        render("-f", SCENARIO, *[arg for setting in settings for arg in ("--set", setting)])
    assert message in str(error.value)


def test_external_tls_values_with_the_bundled_mysql_fail(helm):
    with pytest.raises(RenderError, match="externalDatabase.tls applies with mysql.enabled=false"):
        render("--set", "externalDatabase.tls.mode=REQUIRED")


def test_the_schema_rejects_an_unknown_mode(helm):
    with pytest.raises(RenderError, match="externalDatabase/tls/mode"):
        render("-f", SCENARIO, "--set", "externalDatabase.tls.mode=require")
