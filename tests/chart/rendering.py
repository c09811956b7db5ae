"""Render the chart with the .tools helm and walk the rendered objects."""

import subprocess
from functools import cache
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parent.parent.parent
CHART = REPO / "helm" / "relayr"
SCENARIOS = sorted((CHART / "ci").glob("*.yaml"))
TOOLS = REPO / ".tools" / "bin"
RELEASE = "rel"
NAMESPACE = "relayr"
COMPONENT = "app.kubernetes.io/component"


def helm(*args, check=True):
    return subprocess.run(
        [str(TOOLS / "helm"), *args], cwd=REPO, capture_output=True, text=True, timeout=120, check=check
    )


@cache
def render_text(*args):
    """`helm template` output for extra arguments (e.g. "-f", file, "--set", "a=b"); cached per arguments."""
    result = helm("template", RELEASE, str(CHART), "--namespace", NAMESPACE, *args, check=False)
    if result.returncode:
        raise RenderError(result.stderr)
    return result.stdout


def render(*args):
    return [doc for doc in yaml.safe_load_all(render_text(*args)) if doc]


class RenderError(Exception):
    """helm refused to render (schema or relayr.validateValues); the message is helm's."""


def find(docs, kind, name=None):
    """The one object of this kind (and name, or name suffix); fails when there isn't exactly one."""
    matches = [d for d in docs if d["kind"] == kind and (name is None or d["metadata"]["name"].endswith(name))]
    assert len(matches) == 1, f"expected one {kind} {name or ''}, found {[m['metadata']['name'] for m in matches]}"
    return matches[0]


def component(docs, kind, name):
    """The one object of this kind labelled app.kubernetes.io/component=name (web, ingest, ...)."""
    matches = [d for d in docs if d["kind"] == kind and d["metadata"]["labels"].get(COMPONENT) == name]
    assert len(matches) == 1, f"expected one {kind} of component {name}, found {len(matches)}"
    return matches[0]


def pod_templates(docs):
    """(object, pod metadata, pod spec) for every object that runs pods, including bare Pods."""
    for doc in docs:
        if doc["kind"] == "Pod":
            yield doc, doc["metadata"], doc["spec"]
        elif doc["kind"] in {"Deployment", "StatefulSet", "Job", "DaemonSet"}:
            template = doc["spec"]["template"]
            yield doc, template["metadata"], template["spec"]
        elif doc["kind"] == "CronJob":
            template = doc["spec"]["jobTemplate"]["spec"]["template"]
            yield doc, template["metadata"], template["spec"]


def containers(pod_spec):
    return [*pod_spec.get("initContainers", []), *pod_spec["containers"]]


def label(doc):
    return f"{doc['kind']}/{doc['metadata']['name']}"
