"""/metrics: django-prometheus's metrics in Prometheus text format.

Under gunicorn every worker writes its samples to files in
PROMETHEUS_MULTIPROC_DIR; this view merges all of them (live workers and
the archive of dead ones, see ``multiprocess``), so whichever worker answers
a scrape reports the whole server.
"""

import prometheus_client
from django.http import HttpResponse
from prometheus_client import multiprocess as prometheus_multiprocess

from relayr.settings import environ

from . import multiprocess


def metrics(request):
    directory = environ.get_str("PROMETHEUS_MULTIPROC_DIR")
    if directory:
        registry = prometheus_client.CollectorRegistry()
        prometheus_multiprocess.MultiProcessCollector(registry, path=directory)
        # Shared lock: never read the files while a dead worker's are being archived.
        with multiprocess.reading(directory):
            body = prometheus_client.generate_latest(registry)
    else:
        body = prometheus_client.generate_latest(prometheus_client.REGISTRY)
    response = HttpResponse(body, content_type=prometheus_client.CONTENT_TYPE_LATEST)
    response["Cache-Control"] = "no-store"
    return response
