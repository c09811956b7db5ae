"""The restart scenario finds its server by port and process, and refuses any other (nothing is stopped here)."""

import os
import socket

import pytest

from tests.support.database_server import MARIADBD, Refused, listening_pid, local_server

pytestmark = pytest.mark.skipif(os.geteuid() != 0, reason="reading other processes' sockets needs root")


def settings(host="127.0.0.1", port=3306):
    return {"HOST": host, "PORT": port, "USER": "relayr", "PASSWORD": ""}


def test_a_remote_server_is_refused():
    with pytest.raises(Refused, match="the database is on db.internal, not this machine"):
        local_server(settings(host="db.internal"))


def test_a_port_nobody_listens_on_is_refused():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.raises(Refused, match=f"no process of this machine listens on port {port}"):
        local_server(settings(port=port))


def test_a_port_served_by_another_program_is_refused():
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        port = listener.getsockname()[1]
        assert listening_pid(port) == os.getpid()
        with pytest.raises(Refused, match="neither this machine's MariaDB nor the MySQL of .ci/mysql.sh"):
            local_server(settings(port=port))


def test_this_machines_mariadb_is_recognised():
    pid = listening_pid(3306)
    if pid is None or os.readlink(f"/proc/{pid}/exe") != MARIADBD:
        pytest.skip("no MariaDB of this machine on port 3306")
    server = local_server(settings())
    assert (server.kind, server.pid, server.name) == ("mariadb", pid, "MariaDB")
