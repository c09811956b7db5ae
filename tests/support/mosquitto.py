"""A Mosquitto broker of the test's own, and publishers that survive its restarts.

The machine's broker on 1883 is shared with other runs and must never be
restarted, and its queue limit (Mosquitto's default of 1000 messages per
session) drops messages a paused consumer has not taken yet. So a test runs
its own, configured as the README asks of a production broker (persistence,
no queue limit), on a free port, with its data in a temp folder::

    with Mosquitto() as broker:
        broker.url                  # mqtt://127.0.0.1:<port>
        broker.restart()            # SIGTERM (it saves sessions to disk), start again, same port
        with Publisher(broker, "p1") as publisher:
            publisher.send("relayr/readings/boiler", b"{...}")
            publisher.flush()       # every message acknowledged by the broker
"""

import contextlib
import shutil
import socket
import subprocess
import tempfile
import threading
import time
from pathlib import Path

import paho.mqtt.client as mqtt
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties

from harness.server import free_port

MOSQUITTO = shutil.which("mosquitto") or "/usr/sbin/mosquitto"
CONFIG = """\
listener {port} 127.0.0.1
allow_anonymous true
persistence true
persistence_location {data}/
autosave_interval {autosave}
max_queued_messages 0
max_inflight_messages 0
log_dest file {data}/mosquitto.log
log_type error
log_type warning
log_type notice
"""


class Mosquitto:
    def __init__(self, autosave_seconds=1):
        """``autosave_seconds``: how often the broker writes its whole state to disk besides at SIGTERM."""
        self.port = free_port()
        self.url = f"mqtt://127.0.0.1:{self.port}"
        self._tmp = tempfile.TemporaryDirectory(prefix="relayr-mosquitto-")
        self.data = Path(self._tmp.name)
        # Started as root, mosquitto drops to its own user, which must still write its database and log here.
        self.data.chmod(0o777)
        self.config = self.data / "mosquitto.conf"
        self.config.write_text(CONFIG.format(port=self.port, data=self.data, autosave=autosave_seconds))
        self.process = None

    def start(self):
        self.process = subprocess.Popen([MOSQUITTO, "-c", str(self.config)], stdout=subprocess.DEVNULL)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                return self
            if self.process.poll() is not None:
                raise RuntimeError(f"mosquitto exited with {self.process.returncode}:\n{self.log()}")
            time.sleep(0.05)
        raise TimeoutError(f"mosquitto not listening on {self.port}:\n{self.log()}")

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def restart(self, down_for=1.0):
        self.stop()
        time.sleep(down_for)
        self.start()

    def log(self):
        path = self.data / "mosquitto.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()
        self._tmp.cleanup()


def client(broker, client_id="", persistent=False, manual_ack=False):
    """A connected paho client (MQTT 5) with its network thread running."""
    session = mqtt.Client(
        mqtt.CallbackAPIVersion.VERSION2, client_id=client_id, protocol=mqtt.MQTTv5, manual_ack=manual_ack
    )
    session.reconnect_delay_set(0.2, 2)
    session.max_inflight_messages_set(1000)
    connected = threading.Event()
    session.on_connect = lambda *args: connected.set()
    properties = Properties(PacketTypes.CONNECT)
    if persistent:
        properties.SessionExpiryInterval = 600
    session.connect_async("127.0.0.1", broker.port, clean_start=not persistent, properties=properties)
    session.loop_start()
    if not connected.wait(10):
        raise TimeoutError(f"could not connect to the test broker on {broker.port}")
    return session


class Publisher:
    """QoS 1, with a persistent session: messages unacknowledged when the broker goes away are sent again."""

    def __init__(self, broker, client_id):
        self.session = client(broker, client_id, persistent=True)
        self.pending = []

    def send(self, topic, payload):
        self.pending.append(self.session.publish(topic, payload, qos=1))

    def flush(self, timeout=60):
        deadline = time.monotonic() + timeout
        for info in self.pending:
            while not info.is_published():
                if time.monotonic() > deadline:
                    raise TimeoutError(f"broker has not acknowledged {sum(not i.is_published() for i in self.pending)}")
                time.sleep(0.01)
        self.pending.clear()

    def close(self):
        self.session.disconnect()
        self.session.loop_stop()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


class Collector:
    """Subscribes to ``topic`` (QoS 1) and keeps every payload it gets, e.g. the dead letters."""

    def __init__(self, broker, topic):
        self.messages = []
        self.session = client(broker)
        self.session.on_message = lambda _c, _u, message: self.messages.append(message)
        subscribed = threading.Event()
        self.session.on_subscribe = lambda *args: subscribed.set()
        self.session.subscribe(topic, qos=1)
        if not subscribed.wait(10):
            raise TimeoutError(f"no SUBACK for {topic}")

    def wait_for(self, count, timeout=20):
        deadline = time.monotonic() + timeout
        while len(self.messages) < count and time.monotonic() < deadline:
            time.sleep(0.05)
        return list(self.messages)

    def close(self):
        self.session.disconnect()
        self.session.loop_stop()
