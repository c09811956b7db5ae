"""A threaded TCP proxy that a test can cut, restore and slow down.

It sits between a process under test and a real server (MariaDB) so the
test can make the network fail for real instead of mocking the driver::

    with TcpProxy("127.0.0.1", 3306) as proxy:
        url = f"mysql://root@{proxy.host}:{proxy.port}/test_relayr"
        ...                      # start the app against url
        proxy.cut()              # reset every connection, refuse new ones
        proxy.cut("blackhole")   # or: accept and swallow, never answer
        proxy.restore()          # forward again
        proxy.latency = 0.05     # seconds added before each forwarded chunk

Cutting in "reset" mode makes clients fail at once (connection reset or
refused); "blackhole" makes them wait for their own timeouts, which is how a
dead host or a dropped network route behaves.
"""

import contextlib
import select
import socket
import struct
import threading
import time

RESET = "reset"
BLACKHOLE = "blackhole"
_OPEN = "open"
_POLL_SECONDS = 0.1


def _reset(sock):
    """Close with an RST rather than a FIN, like a crashed peer."""
    with contextlib.suppress(OSError):
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    with contextlib.suppress(OSError):
        sock.close()


class _Link:
    """One proxied connection: the client's socket and ours to the upstream."""

    def __init__(self, client, upstream):
        self.client = client
        self.upstream = upstream
        self.frozen = False  # blackholed: read and drop, forward nothing

    def close(self):
        _reset(self.client)
        _reset(self.upstream)


class TcpProxy:
    """Listens on a free port of ``host`` and forwards to ``upstream_host:upstream_port``.

    Starts at construction; ``close()`` (or leaving the ``with`` block)
    stops it. Attributes: ``host``, ``port`` (where to connect),
    ``latency`` (seconds, settable at any time), ``accepted`` (connections
    accepted so far, including refused and blackholed ones).
    """

    def __init__(self, upstream_host, upstream_port, host="127.0.0.1"):
        self.upstream = (upstream_host, int(upstream_port))
        self.latency = 0.0
        self.accepted = 0
        self._mode = _OPEN
        self._lock = threading.Lock()
        self._links = set()
        self._held = set()  # client sockets accepted while blackholed
        self._closing = threading.Event()
        self._listener = socket.create_server((host, 0))
        self._listener.settimeout(_POLL_SECONDS)
        self.host, self.port = self._listener.getsockname()[:2]
        self._acceptor = threading.Thread(target=self._accept_loop, name=f"tcp-proxy-{self.port}", daemon=True)
        self._acceptor.start()

    # --- control -------------------------------------------------------

    @property
    def mode(self):
        """ "open", "reset" or "blackhole"."""
        return self._mode

    def cut(self, mode=RESET):
        """Make the database unreachable.

        ``"reset"``: every open connection is reset and new ones are reset as
        soon as they connect. ``"blackhole"``: open connections stop carrying
        data both ways, new ones are accepted and never answered.
        """
        if mode not in (RESET, BLACKHOLE):
            raise ValueError(f"mode must be {RESET!r} or {BLACKHOLE!r}, got {mode!r}")
        with self._lock:
            self._mode = mode
            links = list(self._links)
            if mode == RESET:
                self._links.clear()
        for link in links:
            if mode == RESET:
                link.close()
            else:
                link.frozen = True

    def restore(self):
        """Forward again. Connections frozen by a blackhole are reset: their streams lost data."""
        with self._lock:
            self._mode = _OPEN
            stale = [link for link in self._links if link.frozen]
            self._links.difference_update(stale)
            held = list(self._held)
            self._held.clear()
        for link in stale:
            link.close()
        for sock in held:
            _reset(sock)

    def open_connections(self):
        """How many proxied connections are currently open."""
        with self._lock:
            return len(self._links)

    def close(self):
        """Stop listening and reset every connection."""
        self._closing.set()
        self._acceptor.join(timeout=2)
        with contextlib.suppress(OSError):
            self._listener.close()
        self.cut(RESET)
        with self._lock:
            held = list(self._held)
            self._held.clear()
        for sock in held:
            _reset(sock)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    # --- forwarding ----------------------------------------------------

    def _accept_loop(self):
        while not self._closing.is_set():
            try:
                client, _ = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            client.settimeout(None)
            self.accepted += 1
            mode = self._mode
            if mode == RESET:
                _reset(client)
            elif mode == BLACKHOLE:
                with self._lock:
                    self._held.add(client)
            else:
                threading.Thread(target=self._connect, args=(client,), daemon=True).start()

    def _connect(self, client):
        try:
            upstream = socket.create_connection(self.upstream, timeout=5)
        except OSError:
            _reset(client)
            return
        upstream.settimeout(None)
        link = _Link(client, upstream)
        with self._lock:
            if self._mode != _OPEN:  # cut while we were connecting
                link.close()
                return
            self._links.add(link)
        threading.Thread(target=self._pump, args=(link, client, upstream), daemon=True).start()
        threading.Thread(target=self._pump, args=(link, upstream, client), daemon=True).start()

    def _pump(self, link, source, sink):
        # select() with a timeout instead of a blocking recv(): a socket
        # closed by another thread does not wake a recv() blocked on it.
        while True:
            try:
                readable, _, _ = select.select([source], [], [], _POLL_SECONDS)
                if not readable:
                    continue
                data = source.recv(65536)
            except (OSError, ValueError):  # ValueError: closed meanwhile (fileno -1)
                break
            if not data:
                break
            if link.frozen:
                continue
            if self.latency:
                time.sleep(self.latency)
            try:
                sink.sendall(data)
            except OSError:
                break
        with self._lock:
            self._links.discard(link)
        link.close()
