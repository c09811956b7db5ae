"""The test suite: production behaviour, a fixed throwaway key, fast hashing."""

from .common import *  # noqa: F403
from .common import SECRET_KEY

SECRET_KEY = SECRET_KEY or "test-only-not-secret"
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# Every request reaches the database, so query counts and data changes show at once;
# tests/bench/test_response_cache.py turns the cache on where it is the subject.
API_CACHE_SECONDS = 0
# Replicas, when DATABASE_REPLICA_* names some, are test mirrors of the primary (no test
# database is made on them), and the API reads from the primary: a mirror reads through a
# connection of its own, which cannot see the rows a test writes inside its transaction.
# The routing itself is tested against a real replica and gunicorn (tests/relayr/test_replicas.py).
DATABASE_ROUTERS = []
