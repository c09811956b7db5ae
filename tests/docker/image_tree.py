"""The runtime stage of docker/Dockerfile, replayed on this machine without Docker.

``ImageTree.build()`` lays out the image's filesystem under a temporary root:
it copies every build-context COPY of the runtime stage (through
.dockerignore), then runs that stage's RUN steps that come after the app is
copied (collectstatic, compileall, the metrics directory), with the image's
paths mapped to local ones and the app's .venv standing in for /opt/venv
(the builder stage installs the same requirements/base.txt into it).
``Container`` then starts the stage's CMD with its ENV and WORKDIR as the
image's user (1000:2000), who cannot write to the tree: the read-only root
filesystem, short of a real one.
"""

import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import requests

from tests.docker.conftest import REPO
from tests.support.server import free_port

# What an image path's "${PATH}" holds in the official Python image.
BASE_IMAGE_PATH = "/usr/local/bin:/usr/local/sbin:/usr/sbin:/usr/bin:/sbin:/bin"
IMAGE_USER = ("1000", "2000")


class ImageTree:
    def __init__(self, stage, build_context):
        self.stage = stage
        self.context = build_context
        self.base = Path(tempfile.mkdtemp(prefix="relayr-image-"))
        self.base.chmod(0o755)  # the image user must reach the tree, not write it
        self.root = self.base / "rootfs"  # the image's /
        self.logs = self.base / "logs"
        self.root.mkdir()
        self.logs.mkdir()
        # Image paths the runtime stage uses, and where they live here.
        self.paths = {"/opt/venv": sys.prefix, "/app": str(self.root / "app"), "/run": str(self.root / "run")}
        alternatives = "|".join(map(re.escape, self.paths))
        self.path_pattern = re.compile(rf"(?<![\w/.])({alternatives})(?=[/\s:\"]|$)")

    def map_text(self, text):
        """``text`` (a RUN step, an ENV value) with the image's absolute paths replaced by local ones."""
        return self.path_pattern.sub(lambda match: self.paths[match.group(1)], text)

    def local(self, image_path):
        """Where an absolute image path lives here."""
        mapped = self.map_text(image_path)
        return Path(mapped) if mapped != image_path else self.root / image_path.lstrip("/")

    @property
    def workdir(self):
        return self.local(self.stage.last("WORKDIR").arguments)

    def build(self):
        workdir, copied = "/", False
        for instruction in self.stage.instructions:
            if instruction.keyword == "WORKDIR":
                workdir = instruction.arguments
                self.local(workdir).mkdir(parents=True, exist_ok=True)
            elif instruction.keyword == "COPY" and "from" not in instruction.flags:
                self._copy(instruction, workdir)
                copied = True
            elif instruction.keyword == "RUN" and copied:
                subprocess.run(
                    ["bash", "-euo", "pipefail", "-c", self.map_text(instruction.arguments)],
                    cwd=self.local(workdir),
                    env={"PATH": BASE_IMAGE_PATH, "HOME": "/root"},
                    check=True,
                    timeout=120,
                )
        return self

    def _copy(self, instruction, workdir):
        sources, destination = instruction.copy_sources_and_destination()
        target = self.local(os.path.normpath(os.path.join(workdir, destination)))
        for source in sources:
            for file in self.context.files(source):
                relative = file.relative_to(REPO / source) if (REPO / source).is_dir() else Path(file.name)
                out = target / relative
                out.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(file, out)

    def env(self):
        """The stage's ENV with image paths mapped."""
        env = {name: self.map_text(value) for name, value in self.stage.env().items()}
        env["PATH"] = env["PATH"].replace("${PATH}", BASE_IMAGE_PATH)
        return env

    def snapshot(self):
        """Every file and folder under the tree with its size and modification time."""
        return {
            str(path.relative_to(self.root)): (path.stat().st_size, path.stat().st_mtime_ns)
            for path in self.root.rglob("*")
        }

    def remove(self):
        shutil.rmtree(self.base, ignore_errors=True)


class Container:
    """The image's CMD as a local process; ``env`` is what the chart or `docker run -e` would add."""

    def __init__(self, tree, env):
        self.tree = tree
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.log = tree.logs / f"container-{self.port}.log"
        self.env = {**tree.env(), "HOME": "/nonexistent", "HOST": "127.0.0.1", "PORT": str(self.port), **env}

    def start(self, timeout=30):
        uid, gid = IMAGE_USER
        command = ["setpriv", f"--reuid={uid}", f"--regid={gid}", "--clear-groups", "--"]
        command += self.tree.stage.last("CMD").exec_form()
        with open(self.log, "wb") as log:
            self.process = subprocess.Popen(
                command, cwd=self.tree.workdir, env=self.env, stdout=log, stderr=subprocess.STDOUT
            )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"exited with {self.process.returncode}:\n{self.output()}")
            try:
                requests.get(self.base_url + "/api/v1/openapi.json", timeout=2)
                return self
            except requests.RequestException:
                time.sleep(0.1)
        self.stop()
        raise TimeoutError(f"not serving after {timeout} s:\n{self.output()}")

    def get(self, path):
        return requests.get(self.base_url + path, timeout=10)

    def stop(self, timeout=30):
        """SIGTERM, as Kubernetes sends it; SIGKILL only when it lingers. Returns the exit code."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
                raise
        return self.process.returncode

    def output(self):
        return self.log.read_text(errors="replace")
