"""Security invariants on every pod the chart renders, in every scenario (web, Job, MySQL, helm test)."""

from tests.chart.rendering import containers, label, pod_templates

APP_UID, APP_GID = 1000, 2000
MYSQL_UID = 999


def test_every_pod_and_container_is_locked_down(scenario):
    _, docs = scenario
    pods = list(pod_templates(docs))
    assert {doc["kind"] for doc, _, _ in pods} >= {"Deployment", "Job", "Pod"}
    for doc, _, spec in pods:
        where = label(doc)
        pod_sc = spec["securityContext"]
        assert pod_sc["runAsNonRoot"] is True, where
        assert pod_sc["seccompProfile"] == {"type": "RuntimeDefault"}, where
        assert spec["automountServiceAccountToken"] is False, where
        assert not spec.get("hostNetwork") and not spec.get("hostPID") and not spec.get("hostIPC"), where
        for container in containers(spec):
            where = f"{label(doc)} container {container['name']}"
            sc = container["securityContext"]
            assert sc["runAsNonRoot"] is True, where
            assert sc["allowPrivilegeEscalation"] is False, where
            assert sc["readOnlyRootFilesystem"] is True, where
            assert sc["capabilities"] == {"drop": ["ALL"]}, where
            assert sc["seccompProfile"] == {"type": "RuntimeDefault"}, where
            assert sc.get("privileged") is False, where
            assert container["resources"]["requests"] and container["resources"]["limits"], where


def test_app_pods_run_as_the_image_user_and_mysql_as_its_own(scenario):
    _, docs = scenario
    for doc, _, spec in pod_templates(docs):
        is_mysql = doc["kind"] == "StatefulSet"
        uid, gid = (MYSQL_UID, MYSQL_UID) if is_mysql else (APP_UID, APP_GID)
        assert spec["securityContext"]["runAsUser"] == uid, label(doc)
        assert spec["securityContext"]["fsGroup"] == gid, label(doc)
        for container in containers(spec):
            assert container["securityContext"]["runAsUser"] == uid, label(doc)
            assert container["securityContext"]["runAsGroup"] == gid, label(doc)


def test_only_mysql_sees_the_root_password(scenario):
    _, docs = scenario
    for doc, _, spec in pod_templates(docs):
        refs = [
            env["valueFrom"]["secretKeyRef"]["key"]
            for container in containers(spec)
            for env in container.get("env", [])
            if "secretKeyRef" in env.get("valueFrom", {})
        ]
        sources = [src for container in containers(spec) for src in container.get("envFrom", [])]
        assert all("secretRef" not in src for src in sources), f"{label(doc)} imports a whole Secret"
        if doc["kind"] == "StatefulSet":
            assert "mysql-root-password" in refs
        else:
            assert "mysql-root-password" not in refs, label(doc)


def test_the_service_account_mounts_no_token(default_docs):
    accounts = [d for d in default_docs if d["kind"] == "ServiceAccount"]
    assert accounts and all(a["automountServiceAccountToken"] is False for a in accounts)
