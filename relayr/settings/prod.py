"""Production: the container and the benchmark run these."""

from .common import *  # noqa: F403
