"""What the fault scenarios share: timeouts, the server's request log, the API walk."""

import json

# Low database timeouts so a scenario sees them at work in seconds; the
# production defaults (3 s connect, 5 s read) behave the same, only slower.
CONNECT_TIMEOUT = 2
READ_TIMEOUT = 2
BREAKER_MAX_SECONDS = 1
SERVER_ENV = {
    # The response cache would answer repeats for its few seconds without the
    # database, hiding the fault this suite is about: every request reads it.
    "API_CACHE_SECONDS": 0,
    "DATABASE_CONNECT_TIMEOUT": CONNECT_TIMEOUT,
    "DATABASE_READ_TIMEOUT": READ_TIMEOUT,
    "DATABASE_WRITE_TIMEOUT": READ_TIMEOUT,
    "DATABASE_BREAKER_MAX_SECONDS": BREAKER_MAX_SECONDS,
}
# The longest a request may take in the app with the database gone or slow:
# a health-check ping that times out, then a reconnection that does, plus slack.
WORST_DATABASE_WAIT = READ_TIMEOUT + CONNECT_TIMEOUT + 1.0


def request_lines(server):
    """The app's one-line-per-request log entries (relayr.observability.middleware)."""
    entries = []
    for line in server.stdout_lines():
        try:
            entry = json.loads(line)
        except ValueError:
            continue
        if entry.get("message") == "request" and entry.get("logger") == "relayr.request":
            entries.append(entry)
    return entries


def slowest_request_seconds(server):
    return max((entry["duration_ms"] for entry in request_lines(server)), default=0.0) / 1000


def walk_api(server):
    """Every sensor, page by page, and every sensor's readings: the data a client can see."""
    seen = []
    url = server.url("/api/v1/sensors?limit=5")
    while url:
        body = _get_json(url)
        seen.append(body["results"])
        url = body["next"]
    for page in list(seen):
        for sensor in page:
            url = server.url(f"/api/v1/sensors/{sensor['id']}/readings?limit=100")
            while url:
                body = _get_json(url)
                seen.append(body["results"])
                url = body["next"]
    return seen


def _get_json(url):
    import requests

    response = requests.get(url, timeout=10)
    assert response.status_code == 200, (url, response.status_code, response.text[:200])
    return response.json()
