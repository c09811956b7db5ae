"""Start and stop a real gunicorn serving relayr, the way the container does.

The server runs ``gunicorn --config relayr/gunicorn.conf.py`` with the
production settings on a free port of 127.0.0.1, its own metrics directory
and its output captured to files::

    with GunicornServer(database_url, workers=3) as server:
        server.get("/readyz").status_code        # requests.Response
        pids = server.worker_pids()
        server.kill_worker(pids[0])               # SIGKILL by default
        server.wait_for_workers(exclude=pids[:1]) # until a replacement runs
        server.output()                           # everything it printed

The database must already be migrated. Under pytest-django use
``database_url()`` for the test database (after the ``django_db_setup``
fixture ran, optionally through a ``TcpProxy``), or ``migrated_sqlite_url()``
for a throwaway SQLite file: an in-memory test database is invisible to
another process.
"""

import contextlib
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import quote

import requests

BASE_DIR = Path(__file__).resolve().parent.parent
SECRET_KEY = "test-only-not-secret-gunicorn"  # noqa: S105 - obviously fake, for local servers


def wait_until_ready(name, process, ready, timeout, output):
    """Poll ``ready()`` (an HTTP check: a refused connection counts as not yet)
    until it is true; fail at once when ``process`` exits, else after ``timeout``
    seconds, either way with what ``output()`` says the server printed."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{name} exited with {process.returncode}:\n{output()}")
        with contextlib.suppress(requests.RequestException):
            if ready():
                return
        time.sleep(0.1)
    raise TimeoutError(f"{name} not ready after {timeout} s:\n{output()}")


def free_port():
    """A TCP port nobody listens on right now (the OS picks it)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def database_url(settings_dict=None, host=None, port=None):
    """A DATABASE_URL for a Django DATABASES entry, by default the current (test) one.

    ``host``/``port`` replace the server's address, to go through a proxy.
    """
    if settings_dict is None:
        from django.db import connection

        settings_dict = connection.settings_dict
    name = settings_dict["NAME"]
    if "sqlite" in settings_dict["ENGINE"]:
        if not name or str(name).startswith(":memory:") or "mode=memory" in str(name):
            raise ValueError("an in-memory SQLite database is not shared with a server: use migrated_sqlite_url()")
        return f"sqlite:///{name}"
    user = quote(settings_dict["USER"] or "", safe="")
    password = quote(settings_dict["PASSWORD"] or "", safe="")
    credentials = f"{user}:{password}@" if password else f"{user}@"
    host = host or settings_dict["HOST"] or "127.0.0.1"
    port = port or settings_dict["PORT"] or 3306
    return f"mysql://{credentials}{host}:{port}/{name}"


def migrated_sqlite_url(directory):
    """Create and migrate ``directory``/db.sqlite3 in a subprocess; return its DATABASE_URL."""
    path = Path(directory) / "db.sqlite3"
    url = f"sqlite:///{path}"
    env = {**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "relayr.settings.test"}
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--no-input", "--verbosity", "0"],
        cwd=BASE_DIR,
        env=env,
        check=True,
        timeout=120,
    )
    return url


def child_pids(parent):
    """Pids whose parent is ``parent``, read from /proc (Linux)."""
    pids = []
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            stat = Path(entry.path, "stat").read_text()
        except OSError:
            continue
        # "pid (comm) state ppid ...": comm may hold spaces and parentheses.
        fields = stat[stat.rindex(")") + 2 :].split()
        if int(fields[1]) == parent and fields[0] != "Z":
            pids.append(int(entry.name))
    return sorted(pids)


class GunicornServer:
    """A gunicorn master with ``workers`` workers; see the module docstring.

    ``env`` adds or overrides environment variables (None removes one).
    Attributes once started: ``port``, ``base_url``, ``master_pid``,
    ``metrics_dir`` (its PROMETHEUS_MULTIPROC_DIR), ``workdir``, ``started_at``
    (monotonic time just before the process started).
    """

    def __init__(self, database_url, workers=3, env=None, startup_timeout=30, app=None, root=BASE_DIR, port=None):
        self.database_url = database_url
        self.root = root  # the source tree to serve (the benchmark also serves another checkout)
        self.port = port  # None: a free one, chosen at start
        self.workers = workers
        self.app = app  # a WSGI app path for gunicorn instead of the config's wsgi_app
        self.extra_env = env or {}
        self.startup_timeout = startup_timeout
        self.process = None
        self._tmp = None

    # --- lifecycle -------------------------------------------------------

    def start(self):
        self._tmp = tempfile.TemporaryDirectory(prefix="relayr-gunicorn-")
        self.workdir = Path(self._tmp.name)
        self.metrics_dir = self.workdir / "prometheus"
        self.metrics_dir.mkdir()
        self.port = self.port or free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "relayr.settings.prod",
            "DJANGO_SECRET_KEY": SECRET_KEY,
            "DATABASE_URL": self.database_url,
            "HOST": "127.0.0.1",
            "PORT": str(self.port),
            "WEB_CONCURRENCY": str(self.workers),
            "PROMETHEUS_MULTIPROC_DIR": str(self.metrics_dir),
            "PYTHONUNBUFFERED": "1",
        }
        for name, value in self.extra_env.items():
            if value is None:
                env.pop(name, None)
            else:
                env[name] = str(value)
        self._stdout = open(self.workdir / "stdout.log", "wb")  # noqa: SIM115 - closed in stop()
        self._stderr = open(self.workdir / "stderr.log", "wb")  # noqa: SIM115 - closed in stop()
        command = [sys.executable, "-m", "gunicorn", "--config", "relayr/gunicorn.conf.py"]
        self.started_at = time.monotonic()
        self.process = subprocess.Popen(  # noqa: S603 - our own command line
            [*command, self.app] if self.app else command,
            cwd=self.root,
            env=env,
            stdout=self._stdout,
            stderr=self._stderr,
            start_new_session=True,
        )
        self.master_pid = self.process.pid
        try:
            self._wait_until_ready()
        except BaseException:
            self.stop()
            raise
        return self

    def _wait_until_ready(self):
        def ready():
            return self.get("/livez", timeout=2).status_code == 200 and len(self.worker_pids()) >= self.workers

        wait_until_ready("gunicorn", self.process, ready, self.startup_timeout, self.output)

    def stop(self, timeout=15, graceful=False):
        """SIGQUIT the master (quick shutdown; ``graceful=True``: SIGTERM, which
        lets requests finish), SIGKILL the group if it lingers."""
        if self.process is None:
            return
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM if graceful else signal.SIGQUIT)
            try:
                self.process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=5)
        self._stdout.close()
        self._stderr.close()

    def cleanup(self):
        """Remove the working directory (logs, metrics files)."""
        if self._tmp is not None:
            self._tmp.cleanup()
            self._tmp = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()
        self.cleanup()

    # --- requests --------------------------------------------------------

    def url(self, path):
        return self.base_url + path

    def get(self, path, timeout=10, **kwargs):
        """GET on a new connection (so successive calls spread over workers)."""
        return requests.get(self.url(path), timeout=timeout, **kwargs)

    def request(self, method, path, timeout=10, **kwargs):
        return requests.request(method, self.url(path), timeout=timeout, **kwargs)

    # --- processes -------------------------------------------------------

    def worker_pids(self):
        """The live workers' pids, sorted."""
        return child_pids(self.master_pid)

    def kill_worker(self, pid=None, sig=signal.SIGKILL):
        """Signal one worker (the first by default); returns its pid."""
        pid = pid or self.worker_pids()[0]
        os.kill(pid, sig)
        return pid

    def wait_for_workers(self, count=None, exclude=(), timeout=30):
        """Wait until ``count`` (default: all) workers run and none of ``exclude`` is among them."""
        count = count or self.workers
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            pids = self.worker_pids()
            if len(pids) == count and not set(pids) & set(exclude):
                return pids
            time.sleep(0.05)
        raise TimeoutError(f"workers {self.worker_pids()} after {timeout} s, wanted {count} without {list(exclude)}")

    # --- output ----------------------------------------------------------

    def output(self):
        """Everything the server wrote so far, stdout then stderr."""
        for stream in (self._stdout, self._stderr):
            if not stream.closed:
                stream.flush()
        stdout = (self.workdir / "stdout.log").read_text(errors="replace")
        stderr = (self.workdir / "stderr.log").read_text(errors="replace")
        return stdout + stderr

    def stdout_lines(self):
        return (self.workdir / "stdout.log").read_text(errors="replace").splitlines()
