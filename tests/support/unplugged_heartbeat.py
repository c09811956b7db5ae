"""relayr's WSGI app with the worker's heartbeat unplugged: the control of the
heartbeat test (gunicorn serves it in place of relayr.wsgi, same configuration)."""

from relayr import heartbeat
from relayr.wsgi import application as relayr_application


def application(environ, start_response):
    heartbeat.WORKER.register(None)
    return relayr_application(environ, start_response)
