"""Settings read the environment, refuse unsafe configurations with one line."""

import json

from harness.server import BASE_DIR
from tests.support.processes import run_django

SHOW_DATABASE = (
    "import json, django; from django.conf import settings; django.setup(); "
    "print(json.dumps({k: v for k, v in settings.DATABASES['default'].items() if k != 'TEST'}, default=str))"
)


def run_settings(env, module="relayr.settings.prod"):
    return run_django("-c", SHOW_DATABASE, settings=module, env=env, clean=True)


def database_of(result):
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_production_refuses_to_start_without_a_secret_key_and_names_the_fix():
    result = run_settings({})
    assert result.returncode == 1
    assert result.stderr.strip().count("\n") == 0, result.stderr
    assert "DJANGO_SECRET_KEY is required" in result.stderr
    assert "secrets.token_urlsafe" in result.stderr and "relayr.settings.dev" in result.stderr
    assert run_settings({"DJANGO_SECRET_KEY": ""}).returncode == 1
    assert run_settings({"DJANGO_DEBUG": "true"}).returncode == 1


SHOW_DEV = "import django; from django.conf import settings; django.setup(); print(settings.DEBUG, settings.SECRET_KEY)"


def test_development_settings_need_nothing_from_the_environment():
    key_file = BASE_DIR / "var" / "secret_key"
    result = run_django("-c", SHOW_DEV, settings="relayr.settings.dev", clean=True)
    assert result.returncode == 0, result.stderr
    debug, key = result.stdout.split()
    expected = key_file.read_text().strip() if key_file.exists() else "dev-only-not-secret"
    assert (debug, key) == ("True", expected)
    result = run_django("-c", SHOW_DEV, settings="relayr.settings.dev", clean=True, env={"DJANGO_DEBUG": "false"})
    assert result.stdout.split()[0] == "False"


def test_earlier_service_variables_configure_mysql():
    result = run_settings(
        {
            "DJANGO_SECRET_KEY": "k",
            "DATABASE_HOST": "db.internal",
            "DATABASE_PORT": "3307",
            "DATABASE_NAME": "sensors",
            "DATABASE_USER": "app",
            "DATABASE_PASSWORD": "pw",
        }
    )
    db = database_of(result)
    assert db["ENGINE"] == "relayr.db.mysql"
    assert (db["HOST"], str(db["PORT"]), db["NAME"], db["USER"], db["PASSWORD"]) == (
        "db.internal",
        "3307",
        "sensors",
        "app",
        "pw",
    )
    assert db["OPTIONS"]["charset"] == "utf8mb4"
    assert "STRICT_TRANS_TABLES" in db["OPTIONS"]["init_command"]
    assert db["OPTIONS"]["connect_timeout"] > 0 and db["OPTIONS"]["read_timeout"] > 0
    assert db["CONN_MAX_AGE"] > 0 and db["CONN_HEALTH_CHECKS"] is True


def test_database_url_wins_and_sqlite_is_the_default():
    url = run_settings({"DJANGO_SECRET_KEY": "k", "DATABASE_URL": "mysql://u:p@h:3306/n", "DATABASE_HOST": "other"})
    assert database_of(url)["HOST"] == "h"
    default = database_of(run_settings({"DJANGO_SECRET_KEY": "k"}))
    assert default["ENGINE"] == "django_prometheus.db.backends.sqlite3"
    assert default["NAME"].endswith("db.sqlite3")


def test_bad_values_stop_start_up_with_one_line():
    for env in ({"DATABASE_URL": "postgres://u:p@h/n"}, {"DATABASE_CONN_MAX_AGE": "soon"}, {"DJANGO_DEBUG": "perhaps"}):
        result = run_settings({"DJANGO_SECRET_KEY": "k", **env})
        assert result.returncode == 1, env
        assert result.stderr.startswith("relayr: configuration error:"), result.stderr


SHOW_REPLICAS = (
    "import json, django; from django.conf import settings; django.setup(); "
    "print(json.dumps({alias: db for alias, db in settings.DATABASES.items() if alias != 'default'}, default=str))"
)


def replicas_of(env):
    result = run_django(
        "-c", SHOW_REPLICAS, settings="relayr.settings.prod", env={"DJANGO_SECRET_KEY": "k", **env}, clean=True
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_replica_urls_become_test_mirrored_aliases_with_the_primarys_options():
    replicas = replicas_of(
        {
            "DATABASE_URL": "mysql://u:p@primary/n",
            "DATABASE_REPLICA_URLS": " mysql://r:q@one:3307/n , mysql://r:q@two/n,",
        }
    )
    assert list(replicas) == ["replica1", "replica2"]
    one = replicas["replica1"]
    assert (one["ENGINE"], one["HOST"], str(one["PORT"]), one["USER"]) == ("relayr.db.mysql", "one", "3307", "r")
    assert one["OPTIONS"]["read_timeout"] > 0 and one["CONN_HEALTH_CHECKS"] is True
    # The test runner makes no database on a replica: it mirrors the primary's.
    assert one["TEST"]["MIRROR"] == "default"
    tls = replicas_of(
        {"DATABASE_URL": "mysql://u:p@primary/n", "DATABASE_REPLICA_URLS": "mysql://r:q@one/n?ssl_mode=REQUIRED"}
    )
    assert tls["replica1"]["OPTIONS"]["ssl_mode"] == "REQUIRED"


def test_replica_hosts_reuse_the_primarys_database_and_account():
    env = {"DATABASE_HOST": "primary", "DATABASE_NAME": "sensors", "DATABASE_USER": "app", "DATABASE_PASSWORD": "pw"}
    replicas = replicas_of({**env, "DATABASE_REPLICA_HOSTS": "r1,r2:3307"})
    assert [(db["HOST"], str(db["PORT"]), db["NAME"], db["USER"], db["PASSWORD"]) for db in replicas.values()] == [
        ("r1", "3306", "sensors", "app", "pw"),
        ("r2", "3307", "sensors", "app", "pw"),
    ]
    own = replicas_of(
        {**env, "DATABASE_REPLICA_HOSTS": "r1", "DATABASE_REPLICA_PASSWORD": "other", "DATABASE_SSL_MODE": "REQUIRED"}
    )
    assert own["replica1"]["PASSWORD"] == "other"
    assert own["replica1"]["OPTIONS"]["ssl_mode"] == "REQUIRED"  # the primary's TLS settings
    assert replicas_of(env) == {}


def test_bad_replica_settings_stop_start_up_with_one_line():
    for env in (
        {"DATABASE_REPLICA_URLS": "mysql://u:p@r/n"},  # the SQLite default has no replicas
        {"DATABASE_URL": "mysql://u:p@h/n", "DATABASE_REPLICA_URLS": "sqlite:///x.db"},
        {
            "DATABASE_URL": "mysql://u:p@h/n",
            "DATABASE_REPLICA_URLS": "mysql://u:p@r/n",
            "DATABASE_REPLICA_MAX_LAG_SECONDS": "1m",
        },
    ):
        result = run_settings({"DJANGO_SECRET_KEY": "k", **env})
        assert result.returncode == 1, env
        assert result.stderr.startswith("relayr: configuration error:"), result.stderr
