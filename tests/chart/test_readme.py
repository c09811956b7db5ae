"""The chart's README: its commands name the namespace, and it says what a new user asks first."""

import re
from pathlib import Path

README = (Path(__file__).resolve().parents[2] / "helm" / "relayr" / "README.md").read_text(encoding="utf-8")


def test_every_kubectl_and_helm_command_names_the_namespace():
    blocks = "\n".join(re.findall(r"```sh\n(.*?)```", README, re.S))
    commands = re.findall(r"^((?:kubectl|helm) .+)$", blocks, re.M) + re.findall(r"`(kubectl [^`]+)`", README)
    assert len(commands) > 10
    for command in commands:
        if command.startswith(("helm lint", "helm template", "helm package", "helm repo", "helm dependency")):
            continue
        assert re.search(r"(-n|--namespace) relayr\b", command), command


def test_it_says_how_to_get_readings_the_admin_password_and_a_tunnel():
    assert "migrations.loadDemoData=true" in README
    assert "printed by the install notes" not in README
    assert "minikube tunnel" in README
