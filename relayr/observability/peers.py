"""Asks the other relayr pods whether they reach the database.

/readyz uses the answer when this pod cannot reach the database: if a peer
can, the fault is this pod's own path and it leaves the Service; if none can,
the outage is shared and the pod stays in, answering JSON (503 with
Retry-After, or a stale body) rather than leaving the Service with no
endpoints at all. See the README's "Health" section for the reasoning.

``READINESS_PEERS`` lists ``host:port`` entries; each host is resolved to
every address it has, so one entry naming the chart's headless Service
(which publishes pods that are not ready, too) covers every pod. This pod's
own address (``POD_IP``) is skipped. Peers are asked at ``/readyz/local``,
which runs only their own checks, never their peers': no request loops.
"""

import concurrent.futures
import http.client
import socket

from django.conf import settings

LOCAL_PATH = "/readyz/local"


def addresses():
    """(host, port) of every peer, resolved now, without this pod's own address."""
    found = []
    for entry in settings.READINESS_PEERS:
        host, _, port = entry.rpartition(":")
        try:
            infos = socket.getaddrinfo(host.strip("[]"), int(port), type=socket.SOCK_STREAM)
        except (OSError, ValueError):
            continue
        for *_, sockaddr in infos:
            address = (sockaddr[0], sockaddr[1])
            if address[0] != settings.POD_IP and address not in found:
                found.append(address)
    return found


def _reaches_database(address):
    connection = http.client.HTTPConnection(*address, timeout=settings.READINESS_PEER_TIMEOUT)
    try:
        connection.request("GET", LOCAL_PATH)
        return connection.getresponse().status == 200
    except (OSError, http.client.HTTPException):
        return False
    finally:
        connection.close()


def survey():
    """(peers that reach the database, peers asked), asking all at once."""
    peers = addresses()
    if not peers:
        return 0, 0
    with concurrent.futures.ThreadPoolExecutor(len(peers)) as pool:
        answers = list(pool.map(_reaches_database, peers))
    return sum(answers), len(peers)
