"""The one place settings read the process environment.

Every variable relayr understands is read through these helpers, so the
README's configuration table and the chart's tests can find them all by
grepping for ``environ.get_*("NAME"``.
"""

import os
from urllib.parse import unquote, urlsplit

import dj_database_url

TRUE = {"1", "true", "yes", "on"}
FALSE = {"0", "false", "no", "off", ""}


class ConfigError(SystemExit):
    """Stops start-up with a one-line explanation instead of a traceback."""

    def __init__(self, message):
        super().__init__(f"relayr: configuration error: {message}")


def get_str(name, default=None):
    return os.environ.get(name, default)


def get_bool(name, default=False):
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in TRUE:
        return True
    if value in FALSE:
        return False
    raise ConfigError(f"{name} must be true or false, got {raw!r}")


def get_int(name, default):
    return _get_number(name, default, int, "an integer")


def get_float(name, default):
    return _get_number(name, default, float, "a number")


def _get_number(name, default, parse, kind):
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return parse(raw)
    except ValueError:
        raise ConfigError(f"{name} must be {kind}, got {raw!r}") from None


def get_list(name, default=()):
    """A comma-separated list; blanks dropped."""
    raw = os.environ.get(name)
    if raw is None:
        return list(default)
    return [item.strip() for item in raw.split(",") if item.strip()]


def get_origins(name):
    """A comma-separated list of web origins, each ``scheme://host[:port]`` exactly.

    A browser sends its page's origin in that form, and an origin is allowed
    only when it matches one character for character: a path or a trailing
    slash would silently never match, so they stop start-up instead.
    """
    origins = get_list(name)
    for origin in origins:
        if not _is_origin(origin):
            raise ConfigError(
                f"{name}: {origin!r} is not an origin; write scheme://host[:port] in lower case, "
                "e.g. https://dashboard.example.com"
            )
    return origins


def _is_origin(text):
    try:
        parts = urlsplit(text)
        parts.port  # noqa: B018 - raises ValueError for a port out of range or not a number
    except ValueError:
        return False
    return (
        parts.scheme in ("http", "https")
        and bool(parts.hostname)
        and "@" not in parts.netloc
        and text == f"{parts.scheme}://{parts.netloc}"
        and text == text.lower()
    )


def get_database(sqlite_path):
    """Django's DATABASES["default"] from the environment.

    Precedence: DATABASE_URL, then the earlier Go service's DATABASE_HOST
    family, then an embedded SQLite file (the local default).
    """
    url = get_str("DATABASE_URL")
    host = get_str("DATABASE_HOST")
    tls_source, tls = "DATABASE_URL", {}
    if url:
        config = _parse_url("DATABASE_URL", url)
        for name in ("DATABASE_SSL_MODE", "DATABASE_SSL_CA"):
            if get_str(name):
                raise ConfigError(f"{name} goes with DATABASE_HOST; with DATABASE_URL use ?ssl_mode= / ?ssl_ca=")
        tls = _url_query(url)
    elif host:
        config = {
            "ENGINE": "django.db.backends.mysql",
            "HOST": host,
            "PORT": get_str("DATABASE_PORT", "3306"),
            "NAME": get_str("DATABASE_NAME", "relayr"),
            "USER": get_str("DATABASE_USER", "relayr"),
            "PASSWORD": get_str("DATABASE_PASSWORD", ""),
        }
        tls_source, tls = "DATABASE_SSL_*", _environment_tls()
    else:
        config = {"ENGINE": "django.db.backends.sqlite3", "NAME": str(sqlite_path)}
    return _tuned(config, tls_source, tls)


def get_replicas(primary):
    """DATABASES entries ``replica1``, ``replica2``, ... for the read replicas.

    DATABASE_REPLICA_URLS (comma-separated URLs), else DATABASE_REPLICA_HOSTS
    (comma-separated host[:port]) with the primary's database name and
    account unless DATABASE_REPLICA_USER / DATABASE_REPLICA_PASSWORD say
    otherwise, and the primary's DATABASE_SSL_* settings. TLS options of a
    replica URL go in its query string, as for DATABASE_URL. Every replica is
    a test mirror of the primary: the test runner creates no database on it.
    """
    source = "DATABASE_REPLICA_URLS"
    configs = [(_parse_url(source, url), source, _url_query(url)) for url in get_list(source)]
    if not configs:
        for address in get_list("DATABASE_REPLICA_HOSTS"):
            host, _, port = address.rpartition(":") if address.count(":") == 1 else (address, "", "")
            configs.append(
                (
                    {
                        "ENGINE": "django.db.backends.mysql",
                        "HOST": host,
                        "PORT": port or primary.get("PORT") or "3306",
                        "NAME": primary["NAME"],
                        "USER": get_str("DATABASE_REPLICA_USER") or primary.get("USER", ""),
                        "PASSWORD": get_str("DATABASE_REPLICA_PASSWORD") or primary.get("PASSWORD", ""),
                    },
                    "DATABASE_SSL_*",
                    _environment_tls(),
                )
            )
    replicas = {}
    for number, (config, tls_source, tls) in enumerate(configs, start=1):
        if config["ENGINE"] != "django.db.backends.mysql" or primary["ENGINE"] != "relayr.db.mysql":
            raise ConfigError("read replicas need MySQL or MariaDB, for the primary (DATABASE_URL) and every replica")
        config = _tuned(config, tls_source, tls)
        config["TEST"]["MIRROR"] = "default"
        replicas[f"replica{number}"] = config
    return replicas


def _parse_url(name, url):
    try:
        return dj_database_url.parse(url)
    except ValueError as exc:
        raise ConfigError(f"{name} is not a database URL: {exc}") from None


def _environment_tls():
    return {"ssl_mode": get_str("DATABASE_SSL_MODE"), "ssl_ca": get_str("DATABASE_SSL_CA")}


def _tuned(config, tls_source, tls):
    """The engine and options relayr uses for a parsed database config."""
    if config["ENGINE"] == "django.db.backends.mysql":
        # Timeouts bound every wait on a dead or slow database, so a worker
        # answers 503 instead of hanging until gunicorn kills it.
        config["ENGINE"] = "relayr.db.mysql"
        config["OPTIONS"] = {
            "charset": "utf8mb4",
            "init_command": "SET sql_mode='STRICT_TRANS_TABLES'",
            "connect_timeout": get_int("DATABASE_CONNECT_TIMEOUT", 2),
            "read_timeout": get_int("DATABASE_READ_TIMEOUT", 3),
            "write_timeout": get_int("DATABASE_WRITE_TIMEOUT", 3),
            **_driver_tls(tls_source, tls),
        }
    elif config["ENGINE"] == "django.db.backends.sqlite3":
        config["ENGINE"] = "django_prometheus.db.backends.sqlite3"
        config["OPTIONS"] = {"timeout": 5}
    else:
        raise ConfigError(f"unsupported database engine {config['ENGINE']}: use mysql:// or sqlite://")
    config["CONN_MAX_AGE"] = get_int("DATABASE_CONN_MAX_AGE", 60)
    config["CONN_HEALTH_CHECKS"] = True
    config.setdefault("TEST", {})["CHARSET"] = "utf8mb4"
    config["TEST"]["COLLATION"] = "utf8mb4_unicode_ci"
    return config


SSL_MODES = ("DISABLED", "PREFERRED", "REQUIRED", "VERIFY_CA", "VERIFY_IDENTITY")
# Files of the driver's ``ssl`` dict, by the query keys naming them (MySQL's
# own option names, ssl-ca etc., are accepted with dashes too).
SSL_FILES = {"ca": "ssl_ca", "cert": "ssl_cert", "key": "ssl_key"}


def _url_query(url):
    """DATABASE_URL's query string as a dict, the one place its options are read."""
    query = urlsplit(url).query
    options = {}
    for item in query.split("&") if query else ():
        key, _, value = item.partition("=")
        key = key.replace("-", "_")
        if key in options:
            raise ConfigError(f"DATABASE_URL gives {key} twice")
        options[key] = unquote(value)
    return options


def _driver_tls(source, options):
    """mysqlclient's TLS arguments (``ssl_mode``, ``ssl``) from query-style options.

    A CA without a mode means VERIFY_CA, as for MySQL's own client. Unknown
    keys and missing files stop start-up: a silently dropped option would
    mean an unencrypted connection.
    """
    options = {key: value for key, value in options.items() if value is not None}
    known = {"ssl_mode", *SSL_FILES.values()}
    unknown = sorted(set(options) - known)
    if unknown:
        raise ConfigError(f"{source}: unknown option {unknown[0]!r}; relayr passes on {', '.join(sorted(known))}")
    files = {}
    for field, key in SSL_FILES.items():
        if path := options.get(key):
            if not os.access(path, os.R_OK):
                raise ConfigError(f"{source}: {key} {path} does not exist or cannot be read")
            files[field] = path
    mode = (options.get("ssl_mode") or ("VERIFY_CA" if "ca" in files else "")).upper()
    if mode and mode not in SSL_MODES:
        raise ConfigError(f"{source}: ssl_mode must be one of {', '.join(SSL_MODES)}, got {options['ssl_mode']!r}")
    tls = {"ssl_mode": mode} if mode else {}
    if files:
        tls["ssl"] = files
    return tls
