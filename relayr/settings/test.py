"""The test suite: production behaviour, a fixed throwaway key, fast hashing."""

import os

os.environ.setdefault("DJANGO_SECRET_KEY", "test-only-not-secret")

from .common import *  # noqa: E402,F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# Every request reaches the database, so query counts and data changes show at once;
# tests/bench/test_response_cache.py turns the cache on where it is the subject.
API_CACHE_SECONDS = 0
