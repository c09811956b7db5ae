"""One JSON object per log line, for Django's loggers and gunicorn's alike.

No Django imports here: gunicorn's master loads this formatter through
``logconfig_dict`` before the app exists.
"""

import contextvars
import logging
from datetime import UTC, datetime

import orjson

# The id of the request being served, added to every line logged while it runs.
request_id = contextvars.ContextVar("request_id", default=None)

# LogRecord's own attributes; anything else on a record came from ``extra=``.
_RECORD_ATTRIBUTES = frozenset(logging.makeLogRecord({}).__dict__) | {"message", "asctime", "taskName"}
# Extras never written: Django's django.request logger attaches the whole
# request (its repr holds the query string), gunicorn's access log its environ.
_DROPPED_EXTRAS = frozenset({"request", "environ", "r", "server_time"})


class JsonFormatter(logging.Formatter):
    """time, level, logger, message, request_id, ``extra=`` fields, and the
    traceback as one string field (never raw lines on the stream)."""

    def format(self, record):
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        current_id = request_id.get()
        if current_id is not None:
            entry["request_id"] = current_id
        for key, value in record.__dict__.items():
            if key not in _RECORD_ATTRIBUTES and key not in _DROPPED_EXTRAS:
                entry[key] = value
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        if record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        return orjson.dumps(entry, default=str).decode()


class UncaughtExceptionsOnly(logging.Filter):
    """Keeps django.request's tracebacks of unhandled errors and drops its
    "Not Found: /x" / "Service Unavailable: /x" lines: the request line says that."""

    def filter(self, record):
        return record.exc_info is not None


def logging_config(level="INFO"):
    """The dictConfig shared by Django's LOGGING and gunicorn's logconfig_dict:
    everything to stdout as JSON. Django's request logger reports only
    uncaught exceptions and gunicorn's access log nothing: the request
    middleware writes one line for every request. Also tells logging not to
    collect for each record what no line shows."""
    # A JSON line shows no thread, process or source line, so no record needs
    # them looked up: the logging HOWTO's "Optimization" switches. Every request
    # logs a line, and these lookups were a large part of its cost.
    logging.logThreads = False
    logging.logProcesses = False
    logging.logMultiprocessing = False
    logging._srcfile = None
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"json": {"()": "relayr.observability.logs.JsonFormatter"}},
        "filters": {"uncaught_exceptions_only": {"()": "relayr.observability.logs.UncaughtExceptionsOnly"}},
        "handlers": {
            "stdout": {"class": "logging.StreamHandler", "stream": "ext://sys.stdout", "formatter": "json"},
        },
        "root": {"handlers": ["stdout"], "level": level},
        "loggers": {
            "django": {"handlers": ["stdout"], "level": level, "propagate": False},
            "django.request": {"filters": ["uncaught_exceptions_only"]},
            "django.server": {"handlers": ["stdout"], "level": level, "propagate": False},
            "gunicorn.error": {"handlers": ["stdout"], "level": level, "propagate": False},
            "gunicorn.access": {"handlers": [], "level": "CRITICAL", "propagate": False},
        },
    }
