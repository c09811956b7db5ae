"""An OCI registry on localhost: Debian's docker-registry, its own port and storage directory.

with Registry() as registry:
    registry.host                  # "127.0.0.1:PORT", plain HTTP
    registry.repositories()        # from the registry's catalog API
"""

import shutil

import requests
import yaml

from harness.server import free_port, wait_until_ready

from .daemon import Daemon

DOCKER_REGISTRY = shutil.which("docker-registry") or "/usr/bin/docker-registry"


class Registry(Daemon):
    name = "registry"

    def start(self):
        self.make_workdir()
        self.port = free_port()
        self.host = f"127.0.0.1:{self.port}"
        config = {
            "version": 0.1,
            "log": {"level": "warn"},
            "storage": {"filesystem": {"rootdirectory": str(self.workdir / "data")}, "delete": {"enabled": True}},
            "http": {"addr": self.host},
        }
        (self.workdir / "config.yml").write_text(yaml.safe_dump(config))
        self.spawn([DOCKER_REGISTRY, "serve", str(self.workdir / "config.yml")])
        try:
            wait_until_ready("docker-registry", self.process, self._answers, 20, self.output)
        except BaseException:
            self.stop()
            raise
        return self

    def _answers(self):
        return requests.get(f"http://{self.host}/v2/", timeout=2).status_code == 200

    def repositories(self):
        return requests.get(f"http://{self.host}/v2/_catalog", timeout=5).json()["repositories"]

    def manifest(self, repository, tag):
        accept = "application/vnd.oci.image.manifest.v1+json, application/vnd.docker.distribution.manifest.v2+json"
        response = requests.get(
            f"http://{self.host}/v2/{repository}/manifests/{tag}", headers={"Accept": accept}, timeout=5
        )
        response.raise_for_status()
        return response.json()
