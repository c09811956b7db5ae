"""Production: the container and the benchmark run these."""

from .common import *  # noqa: F403

SILENCED_SYSTEM_CHECKS = [
    "security.W008",  # no SECURE_SSL_REDIRECT: the TLS ingress redirects; the kubelet probes the pod over plain HTTP
    "security.W021",  # no SECURE_HSTS_PRELOAD: the browsers' preload list is the domain owner's choice
]
