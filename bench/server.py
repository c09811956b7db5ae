"""The benchmark's gunicorn: the test suite's harness, plus cold start and memory.

``harness.server.GunicornServer`` already starts gunicorn the way the
container does (same command line, production settings, a fresh
PROMETHEUS_MULTIPROC_DIR, a free port, output to files that nobody needs to
drain). The benchmark adds only what it measures: the time from process start
to the first 200 on a path, and the workers' resident memory.
"""

import os
import time
from pathlib import Path

import requests

from harness.server import BASE_DIR, GunicornServer


class Server(GunicornServer):
    """One gunicorn master and its WEB_CONCURRENCY workers; a context manager that always stops it."""

    def __init__(self, database_url, app=None, env=None, root=BASE_DIR):
        workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
        super().__init__(database_url, workers=workers, env=env, app=app, root=root)

    def _wait_until_ready(self):
        """Return at once: the cold start is measured by ``wait_until_ok`` from process start."""

    def wait_until_ok(self, path, timeout=30.0):
        """(path, seconds from process start to its first 200 on it)."""
        deadline = self.started_at + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited with {self.process.returncode}:\n{self.output()[-4000:]}")
            try:
                if requests.get(self.url(path), timeout=1).status_code == 200:
                    return path, time.monotonic() - self.started_at
            except requests.RequestException:
                pass
            time.sleep(0.01)
        raise RuntimeError(f"no 200 on {path} within {timeout} s:\n{self.output()[-4000:]}")

    def worker_rss_mb(self):
        """Resident memory of each worker, in MB (VmRSS from /proc)."""
        sizes = {}
        for pid in self.worker_pids():
            try:
                status = Path(f"/proc/{pid}/status").read_text()
            except FileNotFoundError:
                continue  # recycled between listing and reading
            kb = next(int(line.split()[1]) for line in status.splitlines() if line.startswith("VmRSS:"))
            sizes[pid] = round(kb / 1024, 1)
        return sizes
