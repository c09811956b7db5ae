"""Production: the container and the benchmark run these."""

from .common import *  # noqa: F403
from .common import SECRET_KEY, environ

if not SECRET_KEY:
    raise environ.ConfigError(
        "DJANGO_SECRET_KEY is required by relayr.settings.prod: set it to a long random string "
        "(python3 -c 'import secrets; print(secrets.token_urlsafe(50))'); "
        "on your own machine use DJANGO_SETTINGS_MODULE=relayr.settings.dev, which needs none"
    )

SILENCED_SYSTEM_CHECKS = [
    "security.W008",  # no SECURE_SSL_REDIRECT: the TLS ingress redirects; the kubelet probes the pod over plain HTTP
    "security.W021",  # no SECURE_HSTS_PRELOAD: the browsers' preload list is the domain owner's choice
]
