"""TLS options reach the driver: DATABASE_URL's query string, or DATABASE_SSL_* beside DATABASE_HOST.

What the server does with them is tests/relayr/test_database_tls.py (a real MySQL).
"""

import pytest

from tests.relayr.test_settings import database_of, run_settings

BASE = {"DJANGO_SECRET_KEY": "k"}


@pytest.fixture
def ca_file(tmp_path):
    path = tmp_path / "ca.pem"
    path.write_text("not checked until connecting\n")
    return str(path)


def test_url_query_options_reach_the_driver(ca_file):
    url = f"mysql://app:pw@db.internal:3306/relayr?ssl_mode=verify_identity&ssl-ca={ca_file}&ssl_cert={ca_file}"
    options = database_of(run_settings({**BASE, "DATABASE_URL": url}))["OPTIONS"]
    assert options["ssl_mode"] == "VERIFY_IDENTITY"
    assert options["ssl"] == {"ca": ca_file, "cert": ca_file}
    # The query string adds to relayr's own options, never replaces them.
    assert options["charset"] == "utf8mb4" and options["connect_timeout"] > 0


def test_a_ca_alone_means_verify_ca_as_for_mysqls_client(ca_file):
    options = database_of(run_settings({**BASE, "DATABASE_URL": f"mysql://app@db/relayr?ssl_ca={ca_file}"}))["OPTIONS"]
    assert options["ssl_mode"] == "VERIFY_CA"


def test_no_tls_options_leave_the_driver_default():
    options = database_of(run_settings({**BASE, "DATABASE_URL": "mysql://app@db/relayr"}))["OPTIONS"]
    assert "ssl_mode" not in options and "ssl" not in options


def test_database_host_family_takes_ssl_mode_and_ca(ca_file):
    env = {**BASE, "DATABASE_HOST": "db.internal", "DATABASE_SSL_MODE": "REQUIRED", "DATABASE_SSL_CA": ca_file}
    options = database_of(run_settings(env))["OPTIONS"]
    assert (options["ssl_mode"], options["ssl"]) == ("REQUIRED", {"ca": ca_file})


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"DATABASE_URL": "mysql://app@db/relayr?sslmode=require"}, "DATABASE_URL: unknown option 'sslmode'"),
        ({"DATABASE_URL": "mysql://app@db/relayr?ssl_mode=on"}, "ssl_mode must be one of DISABLED, PREFERRED"),
        ({"DATABASE_URL": "mysql://app@db/relayr?ssl_ca=/nowhere/ca.pem"}, "ssl_ca /nowhere/ca.pem does not exist"),
        ({"DATABASE_URL": "mysql://app@db/relayr?ssl_mode=REQUIRED&ssl_mode=DISABLED"}, "gives ssl_mode twice"),
        (
            {"DATABASE_URL": "mysql://app@db/relayr", "DATABASE_SSL_MODE": "REQUIRED"},
            "DATABASE_SSL_MODE goes with DATABASE_HOST",
        ),
        ({"DATABASE_HOST": "db", "DATABASE_SSL_MODE": "yes"}, "DATABASE_SSL_*: ssl_mode must be one of"),
        ({"DATABASE_HOST": "db", "DATABASE_SSL_CA": "/nowhere/ca.pem"}, "ssl_ca /nowhere/ca.pem does not exist"),
    ],
)
def test_bad_tls_options_stop_start_up_with_one_line(env, message):
    result = run_settings({**BASE, **env})
    assert result.returncode == 1
    assert result.stderr.strip().count("\n") == 0, result.stderr
    assert message in result.stderr
