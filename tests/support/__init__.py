"""Test support shared by the suites that run relayr for real.

- ``tcp_proxy.TcpProxy``: a TCP proxy between the app and MariaDB that a test
  cuts (reset or blackhole), restores, or slows down.
- ``server.GunicornServer``: a real gunicorn with the project's config and
  production settings on a free port; worker pids, worker kills, captured
  output. ``server.database_url()`` / ``server.migrated_sqlite_url()`` give
  it a database.
- ``processes.run_django``: python or manage.py in a fresh process with given
  settings, optionally cleaned of the run's DATABASE_*/DJANGO_* variables.
- ``metrics.sample_sum``: add up samples of a Prometheus text exposition.
"""
