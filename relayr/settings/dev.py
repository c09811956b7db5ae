"""Local development: the default for manage.py; `make run` supplies a generated key."""

from .common import *  # noqa: F403
