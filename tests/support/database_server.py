"""The local database server a test is pointed at, found by its port and process.

A test that stops a server, or changes its global settings, must act on the
server the app uses and on no other: the process listening on the configured
port of 127.0.0.1. Two shapes of server are known, anything else is refused:

- this machine's MariaDB, ``/usr/sbin/mariadbd`` (as .ci/run starts it);
  restarted by stopping that PID and starting the same command line again;
- the MySQL of .ci/mysql.sh, a ``mysqld`` whose root is that script's chroot;
  restarted through the script, which also gives a root account on its socket.
"""

import dataclasses
import os
import subprocess
import time
from pathlib import Path

import MySQLdb

BASE_DIR = Path(__file__).resolve().parent.parent.parent
MYSQL_SCRIPT = BASE_DIR / ".ci" / "mysql.sh"
MARIADBD = "/usr/sbin/mariadbd"
# Where .ci/mysql.sh puts its server's socket and PID file, inside the chroot.
CHROOT_RUNDIR = "run/relayr-mysql"


class Refused(Exception):
    """The server at that address is not one these tests may stop or reconfigure."""


def listening_pid(port):
    """The PID of the process listening on TCP ``port``, or None."""
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        with open(table) as lines:
            next(lines)
            for line in lines:
                fields = line.split()
                if fields[3] == "0A" and int(fields[1].rsplit(":", 1)[1], 16) == port:
                    inodes.add(f"socket:[{fields[9]}]")
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            if any(os.readlink(f"/proc/{pid}/fd/{fd}") in inodes for fd in os.listdir(f"/proc/{pid}/fd")):
                return int(pid)
        except OSError:
            continue
    return None


def wait_until(condition, timeout, what):
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError(f"{what}: still not so after {timeout} s")
        time.sleep(0.1)


@dataclasses.dataclass
class LocalServer:
    kind: str  # "mariadb" or "mysql-chroot"
    pid: int
    port: int
    root: Path
    cmdline: list
    settings: dict

    @property
    def name(self):
        return "MariaDB" if self.kind == "mariadb" else "MySQL"

    def answers(self):
        try:
            MySQLdb.connect(
                host="127.0.0.1",
                port=self.port,
                user=self.settings["USER"],
                password=self.settings["PASSWORD"],
                connect_timeout=2,
            ).close()
        except MySQLdb.OperationalError:
            return False
        return True

    def stop(self):
        if self.kind == "mysql-chroot":
            self._script("stop")
        else:
            os.kill(self.pid, 15)
            wait_until(lambda: not Path(f"/proc/{self.pid}").exists(), 60, f"{self.name} PID {self.pid} stopped")

    def start(self):
        """Start it again the way it was started; a no-op when it answers."""
        if self.answers():
            return
        if self.kind == "mysql-chroot":
            self._script("start")
        else:
            subprocess.run(
                ["start-stop-daemon", "--start", "--oknodo", "--background", "--exec", MARIADBD, "--"]
                + self.cmdline[1:],
                check=True,
                timeout=30,
            )
        wait_until(self.answers, 60, f"{self.name} on port {self.port} answers")
        self.pid = listening_pid(self.port)

    def admin_connection(self, **options):
        """root on the chroot MySQL's socket (only that server gives one)."""
        if self.kind != "mysql-chroot":
            raise Refused("only the MySQL of .ci/mysql.sh gives these tests a root account")
        return MySQLdb.connect(unix_socket=str(self.root / CHROOT_RUNDIR / "mysqld.sock"), user="root", **options)

    def _script(self, action):
        env = {**os.environ, "RELAYR_MYSQL_CACHE": str(self.root.parent), "RELAYR_MYSQL_PORT": str(self.port)}
        subprocess.run(["bash", str(MYSQL_SCRIPT), action], check=True, timeout=120, env=env)


def local_server(settings):
    """The server a Django DATABASES entry points at, or Refused saying why not."""
    host = settings["HOST"] or "localhost"
    if host not in ("127.0.0.1", "localhost"):
        raise Refused(f"the database is on {host}, not this machine")
    if os.geteuid() != 0:
        raise Refused("stopping a local database server needs root")
    port = int(settings["PORT"] or 3306)
    pid = listening_pid(port)
    if pid is None:
        raise Refused(f"no process of this machine listens on port {port}")
    exe = os.readlink(f"/proc/{pid}/exe")
    root = Path(os.readlink(f"/proc/{pid}/root"))
    cmdline = Path(f"/proc/{pid}/cmdline").read_text().rstrip("\0").split("\0")
    pid_file = root / CHROOT_RUNDIR / "mysqld.pid"
    if root == Path("/") and exe == MARIADBD:
        kind = "mariadb"
    elif (root / ".relayr-ready").exists() and pid_file.exists() and pid_file.read_text().strip() == str(pid):
        kind = "mysql-chroot"
    else:
        raise Refused(
            f"port {port} is served by {exe} (PID {pid}, root {root}), "
            "neither this machine's MariaDB nor the MySQL of .ci/mysql.sh"
        )
    return LocalServer(kind, pid, port, root, cmdline, dict(settings))
