"""Generated credentials: consistent within a render, never regenerated when they already exist.

`helm template` has no cluster, so `lookup` in relayr.generatedValue always comes back empty
here; on a real upgrade it returns the release's Secret and its values are reused. What can be
proved offline: with every credential in an existing Secret the render is fully deterministic
(nothing random, no Secret of ours, checksums stable), and within one render the Secret and the
checksum annotation agree (the helper memoises each generated value).
"""

import base64

import yaml

from tests.chart.rendering import find, pod_templates, render, render_text

EXISTING = (
    "--set", "django.existingSecret=app-secrets",
    "--set", "superuser.existingSecret=app-secrets",
    "--set", "mysql.auth.existingSecret=db-secrets",
)  # fmt: skip


def secret_refs(docs):
    return {
        (env["name"], env["valueFrom"]["secretKeyRef"]["name"], env["valueFrom"]["secretKeyRef"]["key"])
        for _, _, spec in pod_templates(docs)
        for container in [*spec.get("initContainers", []), *spec["containers"]]
        for env in container.get("env", [])
        if "secretKeyRef" in env.get("valueFrom", {})
    }


def test_existing_secrets_make_two_renders_identical(helm):
    assert render_text.__wrapped__(*EXISTING) == render_text.__wrapped__(*EXISTING)
    docs = render(*EXISTING)
    assert [d for d in docs if d["kind"] == "Secret"] == []
    assert {(name, key) for _, name, key in secret_refs(docs)} == {
        ("app-secrets", "secret-key"),
        ("app-secrets", "superuser-password"),
        ("db-secrets", "mysql-password"),
        ("db-secrets", "mysql-root-password"),
    }


def fresh_render(*args):
    """A render that bypasses the cache: each one is a new install to helm."""
    return [doc for doc in yaml.safe_load_all(render_text.__wrapped__(*args)) if doc]


def test_generated_values_are_random_per_install(helm):
    first, second = (find(fresh_render(), "Secret", "rel-relayr-mysql")["data"] for _ in range(2))
    for key in ("mysql-password", "mysql-root-password"):
        assert first[key] != second[key]
        assert len(base64.b64decode(first[key])) == 32


def test_one_render_generates_each_value_once(helm):
    """Without the memo, each pod's checksum include would draw new random values and differ."""
    docs = fresh_render()
    checksums = {
        doc["kind"]: meta["annotations"]["checksum/secret"]
        for doc, meta, _ in pod_templates(docs)
        if doc["kind"] in {"Deployment", "Job"}
    }
    assert len(checksums) == 2 and len(set(checksums.values())) == 1, checksums
