"""Runs relayr the way its container does, for the tests and the benchmark alike.

Neither tests/ nor bench/: both import ``harness.server``, and the image
(an allow-list in .dockerignore) never sees it.
"""
