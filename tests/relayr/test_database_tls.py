"""TLS to a real MySQL with require_secure_transport=ON and a CA made for the test.

MySQL only (the server of .ci/mysql.sh, reconfigured at run time through
its root socket and restored after): without TLS the app says so at
start-up and on /readyz; with TLS it serves; with VERIFY_IDENTITY and the
wrong CA it refuses to connect and says why.
"""

import os
import shutil
from types import SimpleNamespace
from urllib.parse import urlencode

import pytest

from harness.server import GunicornServer, database_url
from tests.support.processes import run_django
from tests.support.tls import make_ca, make_server_cert

# django_db: pytest-django creates the test database only for sessions with such a test.
pytestmark = [pytest.mark.mysql, pytest.mark.slow, pytest.mark.django_db]

SERVER_TLS_DIR = "run/relayr-mysql/tls-test"  # inside the chroot; mysqld reads it as /SERVER_TLS_DIR
NO_CACHE = {"API_CACHE_SECONDS": 0}


@pytest.fixture(scope="module")
def secure_mysql(chroot_mysql, tmp_path_factory):
    client_dir = tmp_path_factory.mktemp("tls")
    ca = make_ca(client_dir, "ca")
    wrong_ca = make_ca(client_dir, "wrong-ca")
    server_dir = chroot_mysql.root / SERVER_TLS_DIR
    shutil.rmtree(server_dir, ignore_errors=True)
    server_dir.mkdir()
    make_server_cert(server_dir, ca)
    shutil.copy(ca, server_dir / "ca.pem")
    mysql_uid = (chroot_mysql.root / "etc/passwd").read_text().split("\nmysql:")[1].split(":")[1]
    for path in [server_dir, *server_dir.iterdir()]:
        os.chown(path, int(mysql_uid), -1)
    admin = chroot_mysql.admin_connection()
    cursor = admin.cursor()
    cursor.execute("SELECT @@GLOBAL.ssl_ca, @@GLOBAL.ssl_cert, @@GLOBAL.ssl_key")
    original = cursor.fetchone()
    inside = f"/{SERVER_TLS_DIR}"
    try:
        set_tls(cursor, (f"{inside}/ca.pem", f"{inside}/server-cert.pem", f"{inside}/server-key.pem"))
        cursor.execute("SET GLOBAL require_secure_transport = ON")
        yield SimpleNamespace(ca=ca, wrong_ca=wrong_ca, settings=chroot_mysql.settings)
    finally:
        cursor.execute("SET GLOBAL require_secure_transport = OFF")
        set_tls(cursor, original)
        admin.close()
        shutil.rmtree(server_dir)


def set_tls(cursor, files):
    cursor.execute("SET GLOBAL ssl_ca = %s, GLOBAL ssl_cert = %s, GLOBAL ssl_key = %s", files)
    cursor.execute("ALTER INSTANCE RELOAD TLS")


def url(settings, **query):
    return database_url(settings) + ("?" + urlencode(query) if query else "")


def wait_for_database(database):
    result = run_django(
        "manage.py", "wait_for_database", "--timeout", "0",
        settings="relayr.settings.prod", env={"DATABASE_URL": database, "DJANGO_SECRET_KEY": "k"}, clean=True,
    )  # fmt: skip
    assert result.returncode == 1, result.stdout
    assert "Traceback" not in result.stdout + result.stderr, result.stderr
    assert result.stderr.strip().count("\n") == 0, result.stderr
    return result.stderr


def readyz_reason(database):
    """What the pod's own readiness checks say (/readyz itself stays "degraded" with no peer
    that reaches the database: see tests/relayr/test_readiness_peers.py). Asked twice: the
    second answer comes from the circuit breaker, which must still name the cause."""
    with GunicornServer(database, workers=1, env=NO_CACHE) as server:
        first = server.get("/readyz/local")
        response = server.get("/readyz/local")
        output = server.output()
    assert first.json()["checks"]["database"] == response.json()["checks"]["database"]
    assert response.status_code == 503, response.text
    assert "Traceback" not in output, output
    return response.json()["checks"]["database"]


def test_without_tls_the_app_says_the_server_requires_it(secure_mysql):
    plain = url(secure_mysql.settings)
    assert "the database server requires TLS" in wait_for_database(plain)
    assert "requires TLS and this connection has none" in readyz_reason(plain)


def test_with_tls_the_app_serves(secure_mysql):
    database = url(secure_mysql.settings, ssl_mode="VERIFY_IDENTITY", ssl_ca=secure_mysql.ca)
    with GunicornServer(database, workers=1, env=NO_CACHE) as server:
        assert server.get("/readyz").status_code == 200, server.get("/readyz").text
        assert server.get("/api/v1/sensors").status_code == 200


def test_verify_identity_with_the_wrong_ca_refuses_and_says_why(secure_mysql):
    database = url(secure_mysql.settings, ssl_mode="VERIFY_IDENTITY", ssl_ca=secure_mysql.wrong_ca)
    message = wait_for_database(database)
    assert "TLS to the database failed" in message and "certificate" in message.lower(), message
    assert "TLS to the database failed" in readyz_reason(database)
