"""Publishing as .travis.yml does it, against a real OCI registry on localhost (Debian's docker-registry):
the image with `podman push`, the packaged chart with `helm push`; both pulled back, the pulled chart
rendered and the pulled image run once. Marker `image`: it needs the image `make image-test` builds.
"""

import subprocess

import pytest
import yaml

from tests.chart.rendering import CHART, TOOLS
from tests.docker.conftest import REPO
from tests.support import podman
from tests.support.registry import Registry

pytestmark = pytest.mark.image

CHART_VERSION = yaml.safe_load((CHART / "Chart.yaml").read_text())["version"]
TAG = "publish-test"


def helm(*args):
    result = subprocess.run([str(TOOLS / "helm"), *args], cwd=REPO, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout + result.stderr


@pytest.fixture(scope="module")
def registry():
    with Registry() as running:
        yield running


@pytest.fixture(scope="module")
def published(built_image, registry, tmp_path_factory):
    """The image and the chart pushed to the registry, and both local copies gone."""
    image = f"{registry.host}/relayr/relayr:{TAG}"
    podman.podman("tag", built_image, image)
    podman.podman("push", "--tls-verify=false", image)
    podman.podman("rmi", image)
    packaged = tmp_path_factory.mktemp("package")
    helm("package", str(CHART), "--destination", str(packaged), "--app-version", TAG)
    helm("push", str(packaged / f"relayr-{CHART_VERSION}.tgz"), f"oci://{registry.host}/relayr/charts", "--plain-http")
    yield image
    podman.podman("rmi", "--ignore", image, check=False)


def test_the_registry_holds_the_image_and_the_chart(registry, published):
    assert sorted(registry.repositories()) == ["relayr/charts/relayr", "relayr/relayr"]
    chart = registry.manifest("relayr/charts/relayr", CHART_VERSION)
    assert chart["config"]["mediaType"] == "application/vnd.cncf.helm.config.v1+json"


def test_the_pulled_chart_renders_the_pulled_image(registry, published, tmp_path):
    helm("pull", f"oci://{registry.host}/relayr/charts/relayr", "--version", CHART_VERSION, "--plain-http",
         "--destination", str(tmp_path))  # fmt: skip
    pulled = tmp_path / f"relayr-{CHART_VERSION}.tgz"
    rendered = helm("template", "rel", str(pulled), "--set", f"image.repository={registry.host}/relayr/relayr")
    deployment = next(d for d in yaml.safe_load_all(rendered) if d and d["kind"] == "Deployment")
    # The chart's appVersion is the image tag it was packaged with, as on a release tag.
    assert deployment["spec"]["template"]["spec"]["containers"][0]["image"] == published


def test_the_pulled_image_runs(built_image, published):
    podman.podman("pull", "--tls-verify=false", published)
    assert podman.inspect(published)["Id"] == podman.inspect(built_image)["Id"]
    result = podman.run_once(published, {"DJANGO_SECRET_KEY": "test-only-not-secret-pull"}, "python", "manage.py",
                             "check", "--deploy", "--fail-level", "ERROR")  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified" in result.stdout + result.stderr
