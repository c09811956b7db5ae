"""The consumer's MQTT connection (paho-mqtt 2, MQTT 5).

- Persistent session: ``clean_start`` off and a session expiry, so while the
  consumer is away (restart, crash, broker restart) the broker keeps its
  subscription and every message it has not acknowledged.
- Manual acknowledgements: paho sends PUBACK only when ``ack`` is called,
  which the consumer does after the message's batch is committed.
- Flow control: the CONNECT's Receive Maximum caps how many unacknowledged
  messages the broker sends; a consumer that stops acknowledging (database
  down) stops receiving, and the rest wait at the broker. The inbox holds
  no more than that either: Mosquitto 2.0.11 (Debian bookworm's) stops
  counting after the first acknowledgements and sends its whole backlog, so
  when the inbox is full the network thread waits, stops reading the socket,
  and TCP holds the broker back instead.
- Reconnects: paho's network thread reconnects with backoff. Every
  connection has a number; a message from an earlier connection is never
  acknowledged on a later one, since its packet id may have been reused: the
  broker delivers it again and the upsert makes that harmless.
"""

import logging
import queue
import ssl
import threading

import paho.mqtt.client as mqtt
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties

from . import health
from .properties import share_tables

logger = logging.getLogger("records.mqtt")

KEEPALIVE_SECONDS = 30
RECONNECT_DELAY = (1, 30)  # seconds, doubling from the first to the second
FULL_INBOX_WAIT = 0.5  # seconds between looks at whether the link is closing, while the inbox is full


class Received:
    """A message as the consumer holds it, with the connection it came on."""

    __slots__ = ("connection", "message", "received_at")

    def __init__(self, connection, message, received_at):
        self.connection = connection
        self.message = message
        self.received_at = received_at


class Link:
    """Puts every received message on ``inbox``; ``ack`` and ``publish`` go back to the broker."""

    def __init__(self, config, inbox, clock):
        self.config = config
        self.inbox = inbox
        self.clock = clock
        self.connection = 0  # increases with every successful connect
        self.connected = threading.Event()
        self.ended = False
        self.closing = False
        self.subscribe_mid = None
        share_tables()
        self.client = mqtt.Client(
            mqtt.CallbackAPIVersion.VERSION2,
            client_id=config.client_id,
            protocol=mqtt.MQTTv5,
            manual_ack=True,
        )
        if config.username:
            self.client.username_pw_set(config.username, config.password)
        if config.tls:
            self.client.tls_set(ca_certs=config.ca_file, tls_version=ssl.PROTOCOL_TLS_CLIENT)
        self.client.reconnect_delay_set(*RECONNECT_DELAY)
        self.client.on_connect = self._on_connect
        self.client.on_disconnect = self._on_disconnect
        self.client.on_message = self._on_message
        self.client.on_subscribe = self._on_subscribe

    def start(self):
        properties = Properties(PacketTypes.CONNECT)
        properties.SessionExpiryInterval = self.config.session_expiry
        properties.ReceiveMaximum = self.config.receive_maximum
        self.client.connect_async(
            self.config.host,
            self.config.port,
            keepalive=KEEPALIVE_SECONDS,
            clean_start=False,
            properties=properties,
        )
        self.client.loop_start()

    def ack(self, received):
        """PUBACK ``received`` if it came on the current connection; False if it will come again."""
        if received.connection != self.connection:
            return False
        self.client.ack(received.message.mid, received.message.qos)
        return True

    def publish(self, topic, payload):
        """QoS 1; the returned MQTTMessageInfo tells when the broker has it."""
        return self.client.publish(topic, payload, qos=1)

    def unsubscribe(self):
        """Stop new messages; those already sent can still be acknowledged."""
        self.client.unsubscribe(self.config.subscription)

    def end_session(self):
        """Disconnect and let the broker forget this session: a stopped consumer leaves nothing queued."""
        properties = Properties(PacketTypes.DISCONNECT)
        properties.SessionExpiryInterval = 0
        self.client.disconnect(properties=properties)
        self.ended = True

    def stop(self):
        """Disconnect (keeping the session unless ``end_session`` ended it) and stop the network thread."""
        self.closing = True  # a network thread waiting on a full inbox gives up
        if not self.ended and self.client.is_connected():
            self.client.disconnect()
        self.client.loop_stop()

    # --- paho callbacks, on its network thread ---------------------------

    def _on_connect(self, client, userdata, flags, reason_code, properties):
        if reason_code.is_failure:
            logger.error("broker refused the connection: %s", reason_code)
            return
        self.connection += 1
        if not flags.session_present:
            # A new session: first start, or the broker lost ours (no persistence, or it expired).
            logger.warning("broker holds no session for %s: starting a new one", self.config.client_id)
        logger.info("connected to %s (session present: %s)", self.config.describe(), flags.session_present)
        _, self.subscribe_mid = client.subscribe(self.config.subscription, qos=1)
        self.connected.set()

    def _on_subscribe(self, client, userdata, mid, reason_codes, properties):
        refused = [code for code in reason_codes if code.is_failure]
        if refused:
            logger.error("broker refused the subscription %s: %s", self.config.subscription, refused[0])
        elif mid == self.subscribe_mid:
            health.subscribed.set(1)

    def _on_disconnect(self, client, userdata, flags, reason_code, properties):
        self.connected.clear()
        health.subscribed.set(0)
        if reason_code != 0:
            health.reconnects.inc()
            logger.warning("disconnected from the broker (%s); reconnecting", reason_code)

    def _on_message(self, client, userdata, message):
        health.received.inc()
        received = Received(self.connection, message, self.clock())
        while not self.closing:
            try:
                self.inbox.put(received, timeout=FULL_INBOX_WAIT)
                return
            except queue.Full:
                continue
        # Closing: dropped unacknowledged, so the broker delivers it again to this session.


def new_inbox(size):
    """Room for ``size`` messages: the Receive Maximum the consumer asks of the broker."""
    return queue.Queue(maxsize=size)
