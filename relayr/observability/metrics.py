"""/metrics: django-prometheus's metrics in Prometheus text format.

Under gunicorn every worker writes its samples to files in
PROMETHEUS_MULTIPROC_DIR; this view merges all of them (live workers and
the archive of dead ones, see ``multiprocess``), so whichever worker answers
a scrape reports the whole server.
"""

import prometheus_client
from django.conf import settings
from django.http import HttpResponse
from prometheus_client import multiprocess as prometheus_multiprocess
from prometheus_client.core import GaugeMetricFamily

from relayr.settings import environ

from . import multiprocess


class BuildInfo:
    """relayr_build_info{version,revision} 1, from the image's build arguments (settings.RELAYR_VERSION,
    RELAYR_REVISION): the same in every process, so it is built per scrape instead of kept in files."""

    def collect(self):
        family = GaugeMetricFamily(
            "relayr_build_info", "The running build: version and revision.", labels=["version", "revision"]
        )
        family.add_metric([settings.RELAYR_VERSION, settings.RELAYR_REVISION], 1)
        yield family


def metrics(request):
    registry = prometheus_client.CollectorRegistry()
    registry.register(BuildInfo())
    directory = environ.get_str("PROMETHEUS_MULTIPROC_DIR")
    if directory:
        prometheus_multiprocess.MultiProcessCollector(registry, path=directory)
        # Shared lock: never read the files while a dead worker's are being archived.
        with multiprocess.reading(directory):
            body = prometheus_client.generate_latest(registry)
    else:
        body = b"".join(prometheus_client.generate_latest(each) for each in (registry, prometheus_client.REGISTRY))
    response = HttpResponse(body, content_type=prometheus_client.CONTENT_TYPE_LATEST)
    response["Cache-Control"] = "no-store"
    return response
