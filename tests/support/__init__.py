"""Test support shared by the suites that run relayr for real.

- ``tcp_proxy.TcpProxy``: a TCP proxy between the app and MariaDB that a test
  cuts (reset or blackhole), restores, or slows down.
- the gunicorn harness itself is ``harness.server`` (shared with bench/).
- ``processes.run_django``: python or manage.py in a fresh process with given
  settings, optionally cleaned of the run's DATABASE_*/DJANGO_* variables.
- ``metrics.sample_sum``: add up samples of a Prometheus text exposition.
"""
