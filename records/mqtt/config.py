"""The consumer's settings, read and checked once so a bad value stops start-up with one line."""

import dataclasses
import socket
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.core.management.base import CommandError

SCHEMES = {"mqtt": (False, 1883), "mqtts": (True, 8883)}
# The broker sends at most this many batches' worth of unacknowledged messages:
# one batch is written while the next one arrives.
BATCHES_IN_FLIGHT = 2
MQTT_RECEIVE_MAXIMUM_LIMIT = 65535


@dataclasses.dataclass(frozen=True)
class Config:
    host: str
    port: int
    tls: bool
    username: str | None
    password: str | None
    ca_file: str | None
    topic: str
    share_group: str
    dead_letter_topic: str
    client_id: str
    session_expiry: int
    max_payload: int
    batch_size: int
    batch_seconds: float
    create_sensors: bool
    on_conflict: str
    health_port: int

    @property
    def subscription(self):
        """The MQTT 5 shared subscription: the broker hands each message to one group member."""
        return f"$share/{self.share_group}/{self.topic}" if self.share_group else self.topic

    @property
    def receive_maximum(self):
        return min(self.batch_size * BATCHES_IN_FLIGHT, MQTT_RECEIVE_MAXIMUM_LIMIT)

    def describe(self):
        """Where it connects, without credentials: for the start-up log line."""
        scheme = "mqtts" if self.tls else "mqtt"
        return f"{scheme}://{self.host}:{self.port} {self.subscription} as {self.client_id}"


def from_settings(on_conflict="skip", **overrides):
    """A Config from Django settings; ``overrides`` (command options) win when not None."""
    url = overrides.pop("url", None) or settings.MQTT_URL
    parts = urlsplit(url)
    if parts.scheme not in SCHEMES:
        raise CommandError(f"MQTT_URL must start with mqtt:// or mqtts://, got {url.split('@')[-1]!r}")
    try:
        tls, default_port = SCHEMES[parts.scheme]
        port = parts.port or default_port
    except ValueError:
        raise CommandError("MQTT_URL has a port that is not a number") from None
    if not parts.hostname:
        raise CommandError("MQTT_URL names no host")
    values = {
        "topic": settings.MQTT_TOPIC,
        "share_group": settings.MQTT_SHARE_GROUP,
        "dead_letter_topic": settings.MQTT_DEAD_LETTER_TOPIC,
        "client_id": settings.MQTT_CLIENT_ID or f"relayr-ingest-{socket.gethostname()}",
        "session_expiry": settings.MQTT_SESSION_EXPIRY_SECONDS,
        "max_payload": settings.MQTT_MAX_PAYLOAD_BYTES,
        "batch_size": settings.MQTT_BATCH_SIZE,
        "batch_seconds": settings.MQTT_BATCH_SECONDS,
        "create_sensors": settings.MQTT_CREATE_SENSORS,
        "health_port": settings.MQTT_HEALTH_PORT,
    }
    values.update({key: value for key, value in overrides.items() if value is not None})
    config = Config(
        host=parts.hostname,
        port=port,
        tls=tls,
        # Credentials in the URL win over MQTT_USERNAME/MQTT_PASSWORD.
        username=unquote(parts.username) if parts.username else settings.MQTT_USERNAME,
        password=unquote(parts.password) if parts.password else settings.MQTT_PASSWORD,
        ca_file=settings.MQTT_CA_FILE,
        on_conflict=on_conflict,
        **values,
    )
    _check(config)
    return config


def _check(config):
    if config.batch_size < 1 or config.batch_seconds <= 0:
        raise CommandError("MQTT_BATCH_SIZE and MQTT_BATCH_SECONDS must be positive")
    if config.max_payload < 1:
        raise CommandError("MQTT_MAX_PAYLOAD_BYTES must be positive")
    if config.session_expiry < 1:
        raise CommandError("MQTT_SESSION_EXPIRY_SECONDS must be positive: unacknowledged messages live in the session")
    if "#" in config.topic or not config.dead_letter_topic or any(c in config.dead_letter_topic for c in "+#"):
        raise CommandError("MQTT_TOPIC must not hold # and MQTT_DEAD_LETTER_TOPIC must be a plain topic")
    if config.topic.rsplit("/", 1)[-1] != "+":
        raise CommandError(f"MQTT_TOPIC's last level must be + (the sensor's name), got {config.topic!r}")
    if any(char in config.share_group for char in "/+#"):
        raise CommandError("MQTT_SHARE_GROUP must not contain /, + or #")
