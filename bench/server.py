"""Start gunicorn the way the container does, and read its workers' memory.

Same command line (``gunicorn --config relayr/gunicorn.conf.py``), production
settings with DEBUG off, a fresh PROMETHEUS_MULTIPROC_DIR, a free port on
127.0.0.1. Output goes to a file: a per-request access log would fill and
block a pipe that nobody reads.
"""

import os
import secrets
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import requests

BASE_DIR = Path(__file__).resolve().parent.parent
GUNICORN = BASE_DIR / ".venv" / "bin" / "gunicorn"


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    """One gunicorn master and its workers; a context manager that always stops it."""

    def __init__(self, database_url, app=None, env=None):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self._tmp = tempfile.TemporaryDirectory(prefix="relayr-bench-")
        metrics_dir = Path(self._tmp.name) / "metrics"
        metrics_dir.mkdir()
        self.log_path = Path(self._tmp.name) / "gunicorn.log"
        self.env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "relayr.settings.prod",
            "DJANGO_DEBUG": "false",
            "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
            "PROMETHEUS_MULTIPROC_DIR": str(metrics_dir),
            "DATABASE_URL": database_url,
            "HOST": "127.0.0.1",
            "PORT": str(self.port),
            "PYTHONUNBUFFERED": "1",
            **(env or {}),
        }
        self.command = [str(GUNICORN), "--config", "relayr/gunicorn.conf.py", *([app] if app else [])]
        self.process = None
        self.started_at = None

    def __enter__(self):
        self.started_at = time.monotonic()
        with open(self.log_path, "wb") as log:
            self.process = subprocess.Popen(  # noqa: S603 - our own gunicorn, fixed arguments
                self.command, cwd=BASE_DIR, env=self.env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
            )
        return self

    def __exit__(self, *exc):
        self.stop()
        self._tmp.cleanup()

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def wait_until_ok(self, path, timeout=30.0):
        """(path, seconds from process start to its first 200 on it)."""
        deadline = self.started_at + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited with {self.process.returncode}:\n{self.output()}")
            try:
                if requests.get(self.url + path, timeout=1).status_code == 200:
                    return path, time.monotonic() - self.started_at
            except requests.RequestException:
                pass
            time.sleep(0.01)
        raise RuntimeError(f"no 200 on {path} within {timeout} s:\n{self.output()}")

    def status(self, path):
        return requests.get(self.url + path, timeout=5).status_code

    def worker_pids(self):
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children").read_text().split()
        return sorted(int(pid) for pid in children)

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

    def output(self, tail=4000):
        return self.log_path.read_text(errors="replace")[-tail:]
