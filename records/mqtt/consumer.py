"""The consume loop: batches in, one committed write, then acknowledgements.

A message is acknowledged only once its readings are committed (or its dead
letter is at the broker), so a crash at any point costs at most a second
delivery of unacknowledged messages, which the upsert stores once. While the
database fails, the batch in hand is retried with backoff and nothing is
acknowledged: the full inbox (see link.py) then stops further deliveries and
keeps the rest queued until the database is back.
"""

import base64
import contextlib
import logging
import queue
import threading
import time

import orjson
from django.db import DatabaseError, InterfaceError, OperationalError, connection

from records.ingest import ReadingWriter, SensorIds, Validator

from . import health, messages
from .link import Link, new_inbox

logger = logging.getLogger("records.mqtt")

RETRY_DELAY = (0.5, 10.0)  # seconds between attempts while the database fails, doubling
DEAD_LETTER_TIMEOUT = 10.0  # seconds to wait for the broker to take a dead letter
# After SIGTERM, messages keep coming until the broker has handled the unsubscribe
# and sent what it had queued for this session; this long without one, it has.
DRAIN_QUIET_SECONDS = 1.0
DRAIN_LIMIT_SECONDS = 20.0  # under the chart's termination grace period
NEW_SENSOR_FIELDS = {"type": "unknown"}


class Consumer:
    def __init__(self, config):
        self.config = config
        self.inbox = new_inbox(config.receive_maximum)
        self.link = Link(config, self.inbox, time.monotonic)
        self.liveness = health.Liveness()
        sensors = SensorIds(create_missing=NEW_SENSOR_FIELDS if config.create_sensors else None)
        self.validator = Validator(sensors)
        self.writer = ReadingWriter(config.on_conflict)
        self.stopping = threading.Event()
        self.paused = False

    def stop(self):
        """Ask the loop to finish the batch in hand and leave (safe from a signal handler)."""
        self.stopping.set()

    def run(self):
        logger.info("consuming %s", self.config.describe())
        self.link.start()
        try:
            while not self.stopping.is_set():
                self.liveness.beat()
                batch = self._take(self.config.batch_seconds)
                if batch and not self._handle(batch):
                    return
            self._drain()
        finally:
            self.link.stop()

    def _take(self, wait):
        """Up to batch_size messages: waits ``wait`` for the first, then at most batch_seconds more."""
        try:
            first = self.inbox.get(timeout=wait)
        except queue.Empty:
            return []
        batch = [first]
        deadline = time.monotonic() + self.config.batch_seconds
        while len(batch) < self.config.batch_size:
            try:
                batch.append(self.inbox.get(timeout=max(deadline - time.monotonic(), 0)))
            except queue.Empty:
                break
        return batch

    def _drain(self):
        """SIGTERM: stop new deliveries, store what this session already has, then end the session."""
        if not self.link.connected.is_set():
            return
        self.link.unsubscribe()
        deadline = time.monotonic() + DRAIN_LIMIT_SECONDS
        while time.monotonic() < deadline:
            batch = self._take(DRAIN_QUIET_SECONDS)
            if not batch:
                self.link.end_session()
                logger.info("stopped: every message received was stored or dead-lettered")
                return
            if not self._handle(batch):
                return
        logger.warning("stopped before the broker ran out of messages for this session; they wait for it")

    # --- one batch -------------------------------------------------------

    def _handle(self, batch):
        """Store, dead-letter and acknowledge ``batch``; False if stopped while the database was away."""
        delay = RETRY_DELAY[0]
        while True:
            try:
                dead = self._store(batch)
                break
            except (OperationalError, InterfaceError) as exc:
                health.database_errors.inc()
                if not self.paused:
                    logger.error("database unavailable, consumption paused: %s", exc)
                    self.paused = True
                    health.paused.set(1)
                connection.close()
                if self.stopping.wait(delay):
                    logger.warning("stopped with %d messages unacknowledged: the broker sends them again", len(batch))
                    return False
                self.liveness.beat()
                delay = min(delay * 2, RETRY_DELAY[1])
        if self.paused:
            self.paused = False
            health.paused.set(0)
            logger.info("database back, consumption resumed")
        held = self._dead_letter(dead)
        acked = sum(self.link.ack(received) for received in batch if id(received) not in held)
        if acked < len(batch) - len(held):
            logger.info("%d messages came on an earlier connection: the broker delivers them again", len(batch) - acked)
        return True

    def _store(self, batch):
        """Writes every good message's readings in one transaction; the rest, by id, with their reasons."""
        started = time.monotonic()
        dead = {}
        rows = []
        for received in batch:
            message = received.message
            decoded = messages.decode(message.topic, message.payload, self.config.max_payload)
            if isinstance(decoded, str):
                dead[id(received)] = (received, decoded, "payload")
                continue
            clean = messages.validate(self.validator, decoded)
            if isinstance(clean, str):
                dead[id(received)] = (received, clean, "reading")
                continue
            rows.extend(clean)
        try:
            self.writer.write(rows)
        except (OperationalError, InterfaceError):
            raise
        except DatabaseError:
            return self._store_one_by_one(batch, dead)
        self._count(len(batch), rows, started)
        return dead

    def _store_one_by_one(self, batch, dead):
        """A batch the database refused for its content: find the messages at fault."""
        started = time.monotonic()
        rows = []
        for received in batch:
            if id(received) in dead:
                continue
            decoded = messages.decode(received.message.topic, received.message.payload, self.config.max_payload)
            clean = messages.validate(self.validator, decoded)
            try:
                self.writer.write(clean)
            except (OperationalError, InterfaceError):
                raise
            except DatabaseError as exc:
                dead[id(received)] = (received, f"the database refused it: {exc}", "reading")
            else:
                rows.extend(clean)
        self._count(len(batch), rows, started)
        return dead

    def _count(self, messages_in_batch, rows, started):
        health.commit_seconds.observe(time.monotonic() - started)
        health.batch_messages.observe(messages_in_batch)
        health.stored.inc(len(rows))
        if rows:
            self.liveness.saw(max(row.recorded_at for row in rows).timestamp())

    def _dead_letter(self, dead):
        """Publish each refused message with its reason; the ids of those the broker did not take."""
        sent = []
        for key, (received, reason, kind) in dead.items():
            message = received.message
            logger.warning("dead letter: %s", reason, extra={"topic": message.topic, "bytes": len(message.payload)})
            health.rejected.labels(kind).inc()
            sent.append((key, self.link.publish(self.config.dead_letter_topic, dead_letter_body(message, reason))))
        held = set()
        for key, info in sent:
            with contextlib.suppress(RuntimeError, ValueError):  # not sent yet: disconnected, or the queue is full
                info.wait_for_publish(DEAD_LETTER_TIMEOUT)
            if not info.is_published():
                # Not acknowledged either: the message comes again and is judged again.
                logger.warning("dead letter not taken by the broker yet; its message stays unacknowledged")
                held.add(key)
        return held


def dead_letter_body(message, reason):
    """JSON: the reason, the original topic and payload (as text, or base64 when it is not UTF-8)."""
    body = {"reason": reason, "topic": message.topic}
    try:
        body["payload"] = message.payload.decode()
    except UnicodeDecodeError:
        body["payload_base64"] = base64.b64encode(message.payload).decode()
    return orjson.dumps(body)
