"""A MariaDB primary and a GTID replica of it, each with its own datadir and port.

The machine's MariaDB on 3306 is shared by every test run and has no binary
log; turning one on would mean restarting it. So the replica tests start a
pair of their own under a temporary folder, and stop and remove it after::

    with ReplicationPair() as pair:
        pair.primary.url()                 # DATABASE_URL of the app's account
        pair.replica.url()
        pair.replica.status("Com_select")  # a global status counter
        pair.replica.kill()                # SIGKILL, as a crash
        pair.replica.start()               # replication resumes by itself
        pair.wait_for_replica()            # until it has applied all the primary wrote

The primary has the app's database migrated; the replica is read-only to the
app's account, so a write sent to it would fail. ``python -m
tests.support.replication`` starts a pair, prints its URLs and runs until
interrupted (to try DATABASE_REPLICA_URLS by hand).
"""

import contextlib
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import MySQLdb

from harness.server import BASE_DIR, free_port

APP_USER, APP_PASSWORD, DATABASE = "relayr", "relayr-replica-test", "relayr"
REPLICATION_USER, REPLICATION_PASSWORD = "replicator", "replicator-test"


def _binary(name):
    return shutil.which(name) or shutil.which(name, path="/usr/sbin:/usr/bin")


def available():
    """Why a pair cannot start here, or None when it can."""
    missing = [name for name in ("mariadbd", "mariadb-install-db") if not _binary(name)]
    return f"not installed: {', '.join(missing)}" if missing else None


class MariaDBServer:
    """One mariadbd on 127.0.0.1:``port`` with its datadir under ``root``."""

    def __init__(self, root, name, server_id, options=()):
        self.home = Path(root) / name
        self.datadir = self.home / "data"
        self.socket = self.home / "mariadbd.sock"
        self.server_id = server_id
        self.options = list(options)
        self.port = free_port()
        self.process = None

    def install(self):
        self.home.mkdir(parents=True)
        _give_to_server(self.home)
        command = [_binary("mariadb-install-db"), "--no-defaults", f"--datadir={self.datadir}", "--skip-test-db"]
        subprocess.run([*command, *_user_option()], check=True, capture_output=True, timeout=120)

    def copy_datadir_from(self, other):
        """A fresh server's datadir, copied: quicker than a second install."""
        self.home.mkdir(parents=True)
        shutil.copytree(other.datadir, self.datadir, symlinks=True)
        _give_to_server(self.home, recursive=True)

    def start(self, timeout=60):
        command = [
            _binary("mariadbd"),
            "--no-defaults",
            f"--datadir={self.datadir}",
            f"--socket={self.socket}",
            f"--port={self.port}",
            "--bind-address=127.0.0.1",
            f"--pid-file={self.home / 'mariadbd.pid'}",
            f"--log-error={self.home / 'error.log'}",
            f"--server-id={self.server_id}",
            "--skip-name-resolve",
            "--innodb-buffer-pool-size=32M",
            "--max-connections=100",
            # Throwaway data: no waiting for the disk at each commit.
            "--innodb-flush-log-at-trx-commit=0",
            "--sync-binlog=0",
            "--innodb-doublewrite=0",
            *_user_option(),
            *self.options,
        ]
        self.process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"mariadbd exited with {self.process.returncode}:\n{self.log()}")
            try:
                self.sql("SELECT 1")
                return self
            except MySQLdb.OperationalError:
                time.sleep(0.2)
        raise TimeoutError(f"mariadbd not up after {timeout} s:\n{self.log()}")

    def kill(self):
        """SIGKILL: the server vanishes as in a crash, its clients' connections reset."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(timeout=30)

    def stop(self, timeout=30):
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.kill()

    def sql(self, statement, *args):
        """Run one statement as root over the server's socket; its rows."""
        connection = MySQLdb.connect(unix_socket=str(self.socket), user="root", connect_timeout=2, autocommit=True)
        try:
            with connection.cursor() as cursor:
                cursor.execute(statement, args or None)
                return cursor.fetchall()
        finally:
            connection.close()

    def status(self, name):
        """A global status counter, e.g. Com_select."""
        return int(self.sql("SHOW GLOBAL STATUS LIKE %s", name)[0][1])

    def url(self):
        return f"mysql://{APP_USER}:{APP_PASSWORD}@127.0.0.1:{self.port}/{DATABASE}"

    def log(self):
        path = self.home / "error.log"
        return path.read_text(errors="replace")[-4000:] if path.exists() else ""


class ReplicationPair:
    """A primary with a binary log and a read-only replica following it by GTID."""

    def __init__(self):
        self._tmp = tempfile.mkdtemp(prefix="relayr-replication-")
        os.chmod(self._tmp, 0o755)  # noqa: S103 - mariadbd runs as mysql when the tests run as root
        # With the binary log on, the app's user (no SUPER) may create the migrations' triggers only
        # when trigger creators are trusted: what README tells operators of such a server to set.
        options = ["--log-bin=primary-bin", "--binlog-format=ROW", "--log-bin-trust-function-creators=1"]
        self.primary = MariaDBServer(self._tmp, "primary", 1, options)
        self.replica = MariaDBServer(
            self._tmp, "replica", 2, ["--read-only", "--relay-log=replica-relay-bin", "--slave-net-timeout=5"]
        )

    def start(self):
        try:
            self.primary.install()
            self.replica.copy_datadir_from(self.primary)
            self.primary.start()
            self.replica.start()
            self._replicate()
            self._create_app_database()
            self.wait_for_replica()
        except BaseException:
            self.stop()
            raise
        return self

    def _replicate(self):
        self.primary.sql(f"CREATE USER '{REPLICATION_USER}'@'127.0.0.1' IDENTIFIED BY '{REPLICATION_PASSWORD}'")
        self.primary.sql(f"GRANT REPLICATION SLAVE ON *.* TO '{REPLICATION_USER}'@'127.0.0.1'")
        self.replica.sql("SET GLOBAL gtid_slave_pos = ''")
        self.replica.sql(
            f"CHANGE MASTER TO MASTER_HOST='127.0.0.1', MASTER_PORT={self.primary.port}, "
            f"MASTER_USER='{REPLICATION_USER}', MASTER_PASSWORD='{REPLICATION_PASSWORD}', "
            "MASTER_CONNECT_RETRY=1, MASTER_USE_GTID=slave_pos"
        )
        self.replica.sql("START SLAVE")

    def _create_app_database(self):
        """The app's account and database, made on the primary and so on the replica too."""
        self.primary.sql(f"CREATE DATABASE {DATABASE} CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci")
        self.primary.sql(f"CREATE USER '{APP_USER}'@'127.0.0.1' IDENTIFIED BY '{APP_PASSWORD}'")
        self.primary.sql(f"GRANT ALL PRIVILEGES ON {DATABASE}.* TO '{APP_USER}'@'127.0.0.1'")
        # SHOW REPLICA STATUS, how the app learns a replica's lag.
        self.primary.sql(f"GRANT SLAVE MONITOR ON *.* TO '{APP_USER}'@'127.0.0.1'")
        env = {**os.environ, "DATABASE_URL": self.primary.url(), "DJANGO_SETTINGS_MODULE": "relayr.settings.test"}
        env.pop("DATABASE_REPLICA_URLS", None)
        command = [sys.executable, "manage.py", "migrate", "--no-input", "--verbosity", "0"]
        subprocess.run(command, cwd=BASE_DIR, env=env, check=True, timeout=300)

    def wait_for_replica(self, timeout=30):
        """Until the replica has applied every transaction the primary has written."""
        position = self.primary.sql("SELECT @@gtid_binlog_pos")[0][0]
        [(result,)] = self.replica.sql("SELECT MASTER_GTID_WAIT(%s, %s)", position, timeout)
        if result != 0:
            raise TimeoutError(f"replica not at {position} after {timeout} s: {self.replica_status()}")

    def replica_status(self):
        connection = MySQLdb.connect(unix_socket=str(self.replica.socket), user="root", connect_timeout=2)
        try:
            with connection.cursor(MySQLdb.cursors.DictCursor) as cursor:
                cursor.execute("SHOW REPLICA STATUS")
                return cursor.fetchone()
        finally:
            connection.close()

    def stop(self):
        self.replica.stop()
        self.primary.stop()
        shutil.rmtree(self._tmp, ignore_errors=True)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()


def _user_option():
    """mariadbd refuses to run as root; the tests may."""
    return ["--user=mysql"] if os.geteuid() == 0 else []


def _give_to_server(path, recursive=False):
    if os.geteuid() != 0:
        return
    paths = [path, *Path(path).rglob("*")] if recursive else [path]
    for item in paths:
        shutil.chown(item, "mysql", "mysql")


if __name__ == "__main__":
    with ReplicationPair() as pair:
        print(f"DATABASE_URL={pair.primary.url()}")
        print(f"DATABASE_REPLICA_URLS={pair.replica.url()}")
        print("Ctrl-C stops both servers and removes their data.", flush=True)
        with contextlib.suppress(KeyboardInterrupt):
            signal.pause()
