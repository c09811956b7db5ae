"""Gunicorn's logger without its access log.

The request middleware writes the one JSON line per request, with the request
id gunicorn does not know; gunicorn would otherwise build and emit a second
line per request whenever ``logconfig_dict`` is set.
"""

from gunicorn.glogging import Logger


class JsonLogger(Logger):
    access_log_enabled = False

    def access(self, resp, req, environ, request_time):
        return
