"""caching_sha2_password's full authentication against a real MySQL, by the app's client library.

MySQL's default plugin answers a login from its cache of recent logins; after
FLUSH PRIVILEGES (or a restart) the cache is empty and the client must prove
the password in full. Over plain TCP that needs the server's RSA key, which
the libmariadb of the image fetches itself (Oracle's client needs
--get-server-public-key). A client-library change that breaks it fails here,
not at a first deploy. MySQL only: MariaDB has no caching_sha2_password.
"""

import MySQLdb
import pytest

from harness.server import database_url
from tests.support.processes import run_django

# django_db: pytest-django creates the test database only for sessions with such a test.
pytestmark = [pytest.mark.mysql, pytest.mark.django_db]

USER = "relayr_sha2"
PASSWORD = "full-auth-only"  # noqa: S105 - a throwaway account of this test


@pytest.fixture
def sha2_account(chroot_mysql):
    admin = chroot_mysql.admin_connection()
    cursor = admin.cursor()
    name = chroot_mysql.settings["NAME"]
    cursor.execute(f"DROP USER IF EXISTS '{USER}'@'127.0.0.1'")
    cursor.execute(f"CREATE USER '{USER}'@'127.0.0.1' IDENTIFIED WITH caching_sha2_password BY %s", (PASSWORD,))
    cursor.execute(f"GRANT SELECT ON `{name}`.* TO '{USER}'@'127.0.0.1'")

    def flush():
        cursor.execute("FLUSH PRIVILEGES")

    try:
        yield {**chroot_mysql.settings, "USER": USER, "PASSWORD": PASSWORD}, flush
    finally:
        cursor.execute(f"DROP USER IF EXISTS '{USER}'@'127.0.0.1'")
        admin.close()


def test_full_authentication_without_tls_after_flush_privileges(sha2_account):
    settings, flush = sha2_account
    flush()
    # The app's own start-up check, on plain TCP: the password goes RSA-encrypted.
    result = run_django(
        "manage.py", "wait_for_database", "--timeout", "0",
        settings="relayr.settings.prod",
        env={"DATABASE_URL": database_url(settings) + "?ssl_mode=DISABLED", "DJANGO_SECRET_KEY": "k"},
        clean=True,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "database is up" in result.stdout

    flush()
    connection = MySQLdb.connect(
        host="127.0.0.1", port=int(settings["PORT"]), user=USER, password=PASSWORD, ssl_mode="DISABLED"
    )
    with connection.cursor() as cursor:
        cursor.execute("SELECT CURRENT_USER()")
        assert cursor.fetchone()[0] == f"{USER}@127.0.0.1"
        cursor.execute("SHOW SESSION STATUS LIKE 'Ssl_cipher'")
        assert cursor.fetchone()[1] == "", "the connection used TLS, so the RSA exchange went untested"
    connection.close()
