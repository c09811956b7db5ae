"""Settings shared by every environment; dev, prod and test change only what differs."""

from pathlib import Path

from relayr.observability import logs

from . import environ

BASE_DIR = Path(__file__).resolve().parent.parent.parent

DEBUG = environ.get_bool("DJANGO_DEBUG", False)

# prod refuses to start without one; dev and test fall back to a local or throwaway key.
SECRET_KEY = environ.get_str("DJANGO_SECRET_KEY", "")

ALLOWED_HOSTS = environ.get_list("DJANGO_ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = environ.get_list("DJANGO_CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "relayr.staticfiles.StaticFiles",  # django.contrib.staticfiles, without files no page uses
    "django_prometheus",
    "axes",
    "corsheaders",
    # Swagger UI's files, for the API docs page (records/api/docs.py).
    "drf_spectacular_sidecar",
    "relayr.http",
    "records",
]

MIDDLEWARE = [
    # Outermost: they only add headers, so every response gets them, the probes' and /metrics' too;
    # CORS headers go on the API's answers, the cached ones and the errors included.
    "relayr.http.middleware.CorsMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Then: answers the probes and /metrics before host validation; logs every request.
    "relayr.observability.middleware.ObservabilityMiddleware",
    # What views raise, as JSON errors; above the metrics, which count it first.
    "relayr.http.middleware.ErrorMiddleware",
    "relayr.observability.request_metrics.RequestMetricsMiddleware",
    "django.middleware.common.CommonMiddleware",
    # The API's requests: cached bodies, ETags, read-only methods (relayr/http/__init__.py).
    # A cached body is answered here, so only the admin's middleware may follow:
    # `manage.py check` keeps this order (relayr/http/checks.py).
    "relayr.http.middleware.ApiMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    # Django's own, skipped for the API's requests (relayr/http/admin_only.py).
    "relayr.http.admin_only.AuthenticationMiddleware",
    "relayr.http.admin_only.MessageMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "relayr.urls"
# The API's own URL patterns, included at the root by ROOT_URLCONF; ApiMiddleware serves these.
API_URLCONF = "records.api.urls"
WSGI_APPLICATION = "relayr.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# Database: DATABASE_URL, the DATABASE_HOST family, or embedded SQLite.
DATABASES = {"default": environ.get_database(BASE_DIR / "db.sqlite3")}
# Read replicas: the API's reads go to a healthy one, everything else to the primary (relayr/db/routing.py).
DATABASES.update(environ.get_replicas(DATABASES["default"]))
DATABASE_ROUTERS = ["relayr.db.routing.ReplicaRouter"]
# A replica further behind its primary than this, or not replicating at all, serves no reads.
DATABASE_REPLICA_MAX_LAG_SECONDS = environ.get_float("DATABASE_REPLICA_MAX_LAG_SECONDS", 30.0)
# Each worker asks every replica for its lag this often, in a thread beside the requests.
DATABASE_REPLICA_CHECK_SECONDS = environ.get_float("DATABASE_REPLICA_CHECK_SECONDS", 3.0)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# After a connection-level failure a worker answers 503 at once for this long,
# doubling on each failed probe up to the maximum (relayr/db/breaker.py). 0 turns it off.
DATABASE_BREAKER_BASE_SECONDS = environ.get_float("DATABASE_BREAKER_BASE_SECONDS", 0.25)
DATABASE_BREAKER_MAX_SECONDS = environ.get_float("DATABASE_BREAKER_MAX_SECONDS", 1.0)

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
# Stored and served in UTC; with the current time zone equal to the
# connection's, MySQL needs no time-zone tables for the admin's date drill-down.
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

# Static files: collected at image build time, served by WhiteNoise.
STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# A page for the admin and browsers, the API's JSON shape otherwise.
CSRF_FAILURE_VIEW = "records.admin.pages.csrf_failure"

# Security headers on every response; HSTS only when served behind TLS.
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_HSTS_SECONDS = environ.get_int("DJANGO_HSTS_SECONDS", 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE_HSTS_SECONDS > 0
if environ.get_bool("DJANGO_BEHIND_TLS_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True

# django-axes: slow down password guessing on the admin login.
AXES_FAILURE_LIMIT = environ.get_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = 0.25  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False  # its start-up banner would precede every manage.py command's output
# An admin-styled 429 page saying for how long and how an administrator lifts it.
AXES_LOCKOUT_CALLABLE = "records.admin.pages.lockout"

# django-prometheus: migration metrics would make every manage.py command touch the database.
PROMETHEUS_EXPORT_MIGRATIONS = False

# The build, for relayr_build_info on /metrics; the image sets both from its build arguments.
RELAYR_VERSION = environ.get_str("RELAYR_VERSION", "dev")
RELAYR_REVISION = environ.get_str("RELAYR_REVISION", "unknown")

# Readiness: the other pods /readyz asks when this one cannot reach the database
# (relayr/observability/peers.py); the chart points it at its headless Service.
READINESS_PEERS = environ.get_list("READINESS_PEERS")
READINESS_PEER_TIMEOUT = environ.get_float("READINESS_PEER_TIMEOUT", 0.5)
POD_IP = environ.get_str("POD_IP", "")

# Logs: one JSON object per line on stdout, the same format as gunicorn's (relayr/observability/logs.py).
LOGGING = logs.logging_config(environ.get_str("LOG_LEVEL", "INFO"))

# The API.
API_DEFAULT_LIMIT = 50
API_MAX_LIMIT = 500
API_CACHE_CONTROL_MAX_AGE = environ.get_int("API_CACHE_CONTROL_MAX_AGE", 5)
# Each worker reuses a response body this many seconds (relayr/http/cache.py): the
# bound on how stale a response can be after any change to the data. 0 turns it off.
API_CACHE_SECONDS = environ.get_float("API_CACHE_SECONDS", 5.0)
# When the database fails, a cached body at most this many seconds past its freshness
# answers instead of the 503, marked stale (relayr/http/cache.py). 0 turns it off.
API_STALE_IF_ERROR_SECONDS = environ.get_float("API_STALE_IF_ERROR_SECONDS", 300.0)
API_CACHE_MAX_ENTRIES = 512  # per worker; the largest body is a 500-reading page

# django-cors-headers: scripts on these origins may read the API's answers (none by default).
CORS_ALLOWED_ORIGINS = environ.get_origins("DJANGO_CORS_ALLOWED_ORIGINS")
# The API's paths (records/api/urls.py) and nothing else: not the admin, the probes or /metrics.
CORS_URLS_REGEX = r"^/(api/|sensors(/|$)|$)"
CORS_ALLOW_METHODS = ["GET", "HEAD", "OPTIONS"]
# Conditional GETs and a request id of the caller's own; the rest a GET needs is safelisted.
CORS_ALLOW_HEADERS = ["accept", "if-none-match", "x-request-id"]
# What a script may read besides the safelisted headers: revalidation, the next page,
# when to retry after a 503, and the id to quote in a report.
CORS_EXPOSE_HEADERS = ["ETag", "Link", "Retry-After", "X-Request-ID"]

# MQTT ingest: `manage.py consume_readings` (records/mqtt). Unset values keep the defaults the README lists.
MQTT_URL = environ.get_str("MQTT_URL", "mqtt://127.0.0.1:1883")
MQTT_USERNAME = environ.get_str("MQTT_USERNAME")
MQTT_PASSWORD = environ.get_str("MQTT_PASSWORD")
MQTT_CA_FILE = environ.get_str("MQTT_CA_FILE")  # for mqtts://; the system's CAs otherwise
MQTT_TOPIC = environ.get_str("MQTT_TOPIC", "relayr/readings/+")
MQTT_SHARE_GROUP = environ.get_str("MQTT_SHARE_GROUP", "relayr")
MQTT_DEAD_LETTER_TOPIC = environ.get_str("MQTT_DEAD_LETTER_TOPIC", "relayr/dead-letter")
MQTT_CREATE_SENSORS = environ.get_bool("MQTT_CREATE_SENSORS", False)
# Empty: "relayr-ingest-" and the host name, stable across a pod's container restarts.
MQTT_CLIENT_ID = environ.get_str("MQTT_CLIENT_ID", "")
# How long the broker keeps a disconnected consumer's session and its unacknowledged messages.
MQTT_SESSION_EXPIRY_SECONDS = environ.get_int("MQTT_SESSION_EXPIRY_SECONDS", 3600)
MQTT_MAX_PAYLOAD_BYTES = environ.get_int("MQTT_MAX_PAYLOAD_BYTES", 65536)
MQTT_BATCH_SIZE = environ.get_int("MQTT_BATCH_SIZE", 500)
MQTT_BATCH_SECONDS = environ.get_float("MQTT_BATCH_SECONDS", 0.1)
# The consumer's /livez and /metrics; 0 turns the listener off.
MQTT_HEALTH_PORT = environ.get_int("MQTT_HEALTH_PORT", 8001)
