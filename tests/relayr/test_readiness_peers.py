"""Readiness that fits an outage: two app instances, each behind its own TCP
proxy to MariaDB, and a small readiness-aware load balancer like a Service
with an ingress in front (routes only to ready instances, retries an
idempotent request once on another instance after a 503).

- One instance's path to the database cut: it turns unready (its peer still
  reaches the database), traffic moves to the other, no client sees a failure.
- Both cut (a shared outage): both stay ready, and clients keep getting
  relayr's JSON (503 with Retry-After), never the balancer's "no endpoint".
"""

import contextlib
import itertools
import threading
import time

import pytest
import requests
from django.db import connection

from harness.server import GunicornServer, database_url, free_port
from tests.support.tcp_proxy import TcpProxy

pytestmark = [pytest.mark.slow, pytest.mark.mysql, pytest.mark.django_db]

SERVER_ENV = {"DATABASE_CONNECT_TIMEOUT": 1, "DATABASE_READ_TIMEOUT": 1, "API_CACHE_SECONDS": 0}
POLL_SECONDS = 0.2


class Balancer:
    """Polls every backend's /readyz and sends each request to a ready one."""

    def __init__(self, backends):
        self.backends = backends
        self.ready = set(range(len(backends)))
        self._next = itertools.count()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._poll, daemon=True)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()

    def _poll(self):
        while not self._stop.is_set():
            for index, backend in enumerate(self.backends):
                try:
                    ok = backend.get("/readyz", timeout=3).status_code == 200
                except requests.RequestException:
                    ok = False
                (self.ready.add if ok else self.ready.discard)(index)
            self._stop.wait(POLL_SECONDS)

    def get(self, path):
        """The response a client would get, or None for the balancer's own 'no upstream'."""
        ready = sorted(self.ready)
        if not ready:
            return None
        first = next(self._next) % len(ready)
        response = None
        for index in ready[first:] + ready[:first]:
            response = self.backends[index].get(path, timeout=10)
            if response.status_code != 503:
                return response
        return response


@pytest.fixture
def two_instances(request):
    if connection.vendor != "mysql":
        pytest.skip("the proxies sit in front of MariaDB/MySQL")
    settings = connection.settings_dict
    upstream = (settings["HOST"] or "127.0.0.1", settings["PORT"] or 3306)
    ports = [free_port(), free_port()]
    with contextlib.ExitStack() as stack:
        proxies = [stack.enter_context(TcpProxy(*upstream)) for _ in ports]
        servers = []
        for proxy, port, peer in zip(proxies, ports, reversed(ports), strict=True):
            env = {**SERVER_ENV, "READINESS_PEERS": f"127.0.0.1:{peer}"}
            url = database_url(settings, host=proxy.host, port=proxy.port)
            servers.append(stack.enter_context(GunicornServer(url, workers=2, env=env, port=port)))
        for server in servers:
            assert server.get("/readyz").json()["status"] == "ok"
        yield proxies, servers


def load(balancer, seconds):
    responses = []
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        responses.append(balancer.get("/api/v1/sensors"))
        time.sleep(0.02)
    return responses


def test_a_pod_that_alone_loses_the_database_leaves_and_nobody_notices(two_instances):
    proxies, servers = two_instances
    with Balancer(servers) as balancer:
        assert all(r.status_code == 200 for r in load(balancer, 1))
        proxies[0].cut()
        responses = load(balancer, 3)
        assert [r.status_code for r in responses if r is None or r.status_code != 200] == []
        assert balancer.ready == {1}, "the instance that lost its database left"
        body = servers[0].get("/readyz").json()
        assert body["error"]["code"] == "not_ready" and body["checks"]["peers"] == "1 of 1 reach the database"

        proxies[0].restore()
        deadline = time.monotonic() + 5
        while balancer.ready != {0, 1}:
            assert time.monotonic() < deadline, "the instance did not come back"
            time.sleep(POLL_SECONDS)


def test_a_shared_outage_keeps_every_pod_in_and_clients_get_json(two_instances):
    proxies, servers = two_instances
    with Balancer(servers) as balancer:
        for proxy in proxies:
            proxy.cut()
        time.sleep(3 * POLL_SECONDS)
        responses = load(balancer, 3)
        assert None not in responses, "the balancer ran out of ready instances"
        assert {r.status_code for r in responses} == {503}
        for response in responses:
            assert response.headers["Content-Type"] == "application/json"
            assert response.json()["error"]["code"] == "database_unavailable"
            assert int(response.headers["Retry-After"]) >= 1
        body = servers[0].get("/readyz").json()
        assert body["status"] == "degraded" and body["checks"]["peers"] == "none of 1 reach the database", body
        for proxy in proxies:
            proxy.restore()
        deadline = time.monotonic() + 5
        while balancer.get("/api/v1/sensors").status_code != 200:
            assert time.monotonic() < deadline
