"""The runtime stage of docker/Dockerfile, replayed on this machine without Docker.

``ImageTree.build()`` lays out the image's filesystem under a temporary root,
instruction by instruction: ``COPY --from=builder /opt/venv`` becomes a
virtualenv that reaches the app's installed requirements (the builder stage
installs the same requirements/base.txt), each build-context COPY copies what
.dockerignore lets through, and the RUN steps after the app is copied
(collectstatic, compileall, the metrics directory) run with the image's paths
mapped into the tree. ``Container`` starts the stage's CMD with its ENV and
WORKDIR as the image's USER, who cannot write to the tree: the read-only root
filesystem, short of a real one.
"""

import os
import re
import shutil
import signal
import subprocess
import sys
import sysconfig
import tempfile
import time
from pathlib import Path

import requests

from tests.support.server import free_port

# What an image path's "${PATH}" holds in the official Python image.
BASE_IMAGE_PATH = "/usr/local/bin:/usr/local/sbin:/usr/sbin:/usr/bin:/sbin:/bin"


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
        # The image paths the runtime stage names, and where they live here.
        self.paths = {path: f"{self.root}{path}" for path in ("/opt/venv", "/app", "/run")}
        alternatives = "|".join(map(re.escape, self.paths))
        self.path_pattern = re.compile(rf"(?<![\w/.])({alternatives})(?=[/\s:\"]|$)")

    def map_text(self, text):
        """``text`` (a RUN step, an ENV value) with the image's absolute paths replaced by local ones."""
        return self.path_pattern.sub(lambda match: self.paths[match.group(1)], text)

    def local(self, image_path):
        """Where an absolute image path lives here."""
        return self.root / image_path.lstrip("/")

    @property
    def workdir(self):
        return self.local(self.stage.last("WORKDIR").arguments)

    def build(self):
        workdir, copied = "/", False
        for instruction in self.stage.instructions:
            if instruction.keyword == "WORKDIR":
                workdir = instruction.arguments
                self.local(workdir).mkdir(parents=True, exist_ok=True)
            elif instruction.keyword == "COPY" and instruction.flags.get("from") == "builder":
                sources, destination = instruction.copy_sources_and_destination()
                assert sources == ["/opt/venv"] == [destination], f"line {instruction.line}: replay this COPY too"
                self._virtualenv(self.local(destination))
            elif instruction.keyword == "COPY":
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

    def _virtualenv(self, target):
        """A virtualenv at ``target`` whose interpreter the image user can run, with the app's packages.

        The app's .venv may use an interpreter under a folder only root can
        enter (pyenv in /root), so this one takes the first Python of the same
        minor version that the image user can start, reads .venv's
        site-packages through a .pth file, and gets .venv's scripts with their
        first line pointing at it.
        """
        interpreter = self._interpreter_for_image_user()
        subprocess.run([interpreter, "-m", "venv", "--without-pip", target], check=True, timeout=60)
        site_packages = target / "lib" / f"python{sys.version_info.major}.{sys.version_info.minor}" / "site-packages"
        purelib = sysconfig.get_paths()["purelib"]
        readable = [interpreter, "-c", f"import os; os.listdir({purelib!r})"]
        if subprocess.run(self.as_image_user(readable), capture_output=True).returncode == 0:
            (site_packages / "app-requirements.pth").write_text(purelib + "\n")
        else:
            # The checkout sits in a folder the image user cannot enter (a 0700 temporary directory): copy.
            shutil.copytree(purelib, site_packages, symlinks=True, dirs_exist_ok=True)
        for script in Path(sys.prefix, "bin").iterdir():
            first_line, _, rest = script.read_bytes().partition(b"\n") if script.is_file() else (b"", b"", b"")
            if first_line.startswith(b"#!" + sys.prefix.encode()) and not (target / "bin" / script.name).exists():
                (target / "bin" / script.name).write_bytes(f"#!{target}/bin/python".encode() + b"\n" + rest)
                (target / "bin" / script.name).chmod(0o755)

    def _interpreter_for_image_user(self):
        version = f"{sys.version_info.major}.{sys.version_info.minor}"
        candidates = [
            os.path.realpath(sys._base_executable),
            f"/usr/bin/python{version}",
            f"/usr/local/bin/python{version}",
        ]
        for candidate in candidates:
            # An interpreter in a folder the user cannot enter may still start, without knowing its own path.
            check = f"import os, sys; assert os.path.exists(sys.executable) and sys.version.startswith('{version}.')"
            probe = [candidate, "-c", check]
            if (
                os.path.exists(candidate)
                and subprocess.run(self.as_image_user(probe), capture_output=True).returncode == 0
            ):
                return candidate
        raise RuntimeError(f"no Python {version} the image user can run among {candidates}")

    def _copy(self, instruction, workdir):
        sources, destination = instruction.copy_sources_and_destination()
        target = self.local(os.path.normpath(os.path.join(workdir, destination)))
        for source in sources:
            for file in self.context.files(source):
                source_path = self.context.root / source
                relative = file.relative_to(source_path) if source_path.is_dir() else Path(file.name)
                out = target / relative
                out.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(file, out)

    def env(self):
        """The stage's ENV with image paths mapped."""
        env = {name: self.map_text(value) for name, value in self.stage.env().items()}
        env["PATH"] = env["PATH"].replace("${PATH}", BASE_IMAGE_PATH)
        return env

    def as_image_user(self, argv):
        """``argv`` run as the image's USER (setpriv execs it: same pid, no shell in between)."""
        uid, gid = self.stage.last("USER").arguments.split(":")
        return ["setpriv", f"--reuid={uid}", f"--regid={gid}", "--clear-groups", "--", *argv]

    def run(self, argv, env, timeout=60):
        """A one-off command in the image (what the chart's Job and init containers do)."""
        return subprocess.run(
            self.as_image_user(argv),
            cwd=self.workdir,
            env={**self.env(), "HOME": "/nonexistent", **env},
            capture_output=True,
            text=True,
            timeout=timeout,
        )

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
        command = self.tree.as_image_user(self.tree.stage.last("CMD").exec_form())
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
