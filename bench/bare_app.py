"""L, the benchmark's limit: the cheapest WSGI app gunicorn can serve.

Served with the project's own gunicorn configuration, it measures what the
server, the sockets and the load generator cost with no Django at all.
"""

BODY = b'{"ok":true}'  # 11 bytes of JSON
HEADERS = [("Content-Type", "application/json"), ("Content-Length", str(len(BODY)))]


def application(environ, start_response):
    start_response("200 OK", HEADERS)
    return [BODY]
