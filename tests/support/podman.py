"""Build and run docker/Dockerfile with podman, the way the chart runs the image.

Every container here runs like the chart's pods: read-only root filesystem, user 1000:2000, no
capabilities, no-new-privileges, tmpfs on /tmp and the metrics directory (the pods' emptyDirs).
Host networking, because the test MariaDB listens on 127.0.0.1 only. runc and the ulimits are
what podman needs on this kind of machine (crun is absent; the default nofile limit is too high
for the runtime to set inside some sandboxes).
"""

import json
import subprocess
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent.parent
PODMAN_OPTIONS = ["--runtime", "runc"]
ULIMITS = ["--ulimit", "nofile=1024:1024", "--ulimit", "nproc=1024:1024"]
METRICS_DIR = "/run/prometheus"
# The pod's writable places: the chart's emptyDirs; `U` gives the metrics one to the app user, as
# fsGroup does in the pod (podman has no uid=/gid= tmpfs options).
TMPFS = ["--tmpfs", "/tmp:rw,mode=1777", "--tmpfs", f"{METRICS_DIR}:rw,U"]
AS_THE_CHART = [
    "--network",
    "host",
    "--read-only",
    "--read-only-tmpfs=false",
    "--user",
    "1000:2000",
    "--cap-drop",
    "ALL",
    "--security-opt",
    "no-new-privileges",
    *ULIMITS,
    *TMPFS,
]


def podman(*args, timeout=600, check=True, **kwargs):
    result = subprocess.run(
        ["podman", *PODMAN_OPTIONS, *args], capture_output=True, text=True, timeout=timeout, **kwargs
    )
    if check and result.returncode:
        raise RuntimeError(f"podman {' '.join(args[:2])} failed ({result.returncode}):\n{result.stdout}{result.stderr}")
    return result


def base_image():
    """The FROM image of docker/Dockerfile, as podman names it."""
    line = next(line for line in (REPO / "docker" / "Dockerfile").read_text().splitlines() if line.startswith("FROM "))
    return "docker.io/library/" + line.split()[1]


def stand_in_base():
    """The Dockerfile's base image, made locally (.ci/stand-in-base.sh); returns the script's output."""
    result = subprocess.run(
        ["bash", str(REPO / ".ci" / "stand-in-base.sh")], capture_output=True, text=True, timeout=1200
    )
    if result.returncode:
        raise RuntimeError(f"stand-in base failed:\n{result.stdout}{result.stderr}")
    return result.stdout


def build(tag, version="test", revision="unknown"):
    """podman build of docker/Dockerfile as it is; returns the seconds it took."""
    started = time.monotonic()
    podman(
        "build",
        "--file",
        "docker/Dockerfile",
        "--network",
        "host",
        *ULIMITS,
        "--build-arg",
        f"VERSION={version}",
        "--build-arg",
        f"REVISION={revision}",
        "--tag",
        tag,
        ".",
        cwd=REPO,
        timeout=1200,
    )
    return time.monotonic() - started


def inspect(ref, kind="image"):
    return json.loads(podman(kind, "inspect", ref).stdout)[0]


def run_once(image, env, *command, timeout=300):
    """A one-off container like the migration Job: the command's CompletedProcess, container removed."""
    return podman("run", "--rm", *AS_THE_CHART, *env_args(env), image, *command, timeout=timeout, check=False)


def env_args(env):
    return [arg for name, value in env.items() for arg in ("--env", f"{name}={value}")]


class Container:
    """A detached container serving the image's CMD, like the web pod."""

    def __init__(self, image, env, name):
        self.image, self.env, self.name = image, env, name

    def start(self):
        podman("rm", "--force", "--ignore", self.name)
        podman("run", "--detach", "--name", self.name, *AS_THE_CHART, *env_args(self.env), self.image)
        return self

    def exec(self, *command):
        return podman("exec", self.name, *command, check=False)

    def logs(self):
        result = podman("logs", self.name, check=False)
        return result.stdout + result.stderr

    def stop(self, grace):
        """SIGTERM, SIGKILL after ``grace`` seconds (what the kubelet does); (exit code, seconds)."""
        started = time.monotonic()
        podman("stop", "--time", str(grace), self.name, timeout=grace + 30)
        elapsed = time.monotonic() - started
        return inspect(self.name, "container")["State"]["ExitCode"], elapsed

    def remove(self):
        podman("rm", "--force", "--ignore", self.name, check=False)
