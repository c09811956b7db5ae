"""Fixtures for the tests that run relayr under a real gunicorn."""

import contextlib

import pytest
from django.db import connection

from harness.server import GunicornServer, database_url, migrated_sqlite_url
from tests.support.tcp_proxy import TcpProxy


@pytest.fixture(scope="session")
def server_database_url(django_db_setup, django_db_blocker, tmp_path_factory):
    """A migrated database another process can open: the test database on
    MySQL, a fresh SQLite file otherwise (the in-memory one is not shared).
    Servers only read it, so one serves the whole session."""
    with django_db_blocker.unblock():
        if connection.vendor == "mysql":
            return database_url()
    return migrated_sqlite_url(tmp_path_factory.mktemp("sqlite"))


@pytest.fixture(scope="session")
def chroot_mysql(django_db_setup, django_db_blocker):
    """The MySQL of .ci/mysql.sh when the suite runs against it (root on its socket), else skip."""
    from tests.support.database_server import Refused, local_server

    with django_db_blocker.unblock():
        if connection.vendor != "mysql":
            pytest.skip("needs the MySQL of .ci/mysql.sh (DATABASE_URL at its port); this run is on SQLite")
        settings = dict(connection.settings_dict)
    try:
        server = local_server(settings)
    except Refused as exc:
        pytest.skip(f"needs the MySQL of .ci/mysql.sh: {exc}")
    if server.kind != "mysql-chroot":
        pytest.skip("needs the MySQL of .ci/mysql.sh (root on its socket); this run is on MariaDB")
    return server


@pytest.fixture
def proxied_server(request):
    """Starts gunicorn on the test database through a TcpProxy the test can cut:
    ``proxy, server = proxied_server(env, workers=3)``. MariaDB/MySQL only."""
    if connection.vendor != "mysql":
        pytest.skip("the proxy sits in front of MariaDB/MySQL")
    request.getfixturevalue("server_database_url")  # the test database exists and is migrated
    settings = connection.settings_dict
    with contextlib.ExitStack() as stack:

        def start(env, workers=3):
            proxy = stack.enter_context(TcpProxy(settings["HOST"] or "127.0.0.1", settings["PORT"] or 3306))
            url = database_url(settings, host=proxy.host, port=proxy.port)
            return proxy, stack.enter_context(GunicornServer(url, workers=workers, env=env))

        yield start
