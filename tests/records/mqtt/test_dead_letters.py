"""Every kind of message that cannot be stored goes to the dead-letter topic with its reason; the consumer goes on."""

import orjson
import pytest

from tests.support.mosquitto import Collector, Publisher

from .publishing import TOPIC, expected, reading, wait_until

pytestmark = [pytest.mark.slow, pytest.mark.mysql]

LIMIT = 1024
WHEN = "2025-06-01T00:00:00Z"
# (payload, words its reason holds); "{sensor}" stands for a known sensor's topic, "ghost" for an unknown one.
BAD = [
    (b"nope", "payload is not JSON"),
    (b"\xff\xfe\x00", "payload is not JSON"),
    (b"", "payload is not JSON"),
    (b'{"recorded_at": "' + WHEN.encode() + b'", "value": 1e999}', "payload is not JSON: number is infinity"),
    (b'{"recorded_at": "' + WHEN.encode() + b'", "value": NaN}', "payload is not JSON"),
    (b"[]", "payload is an empty JSON array"),
    (b"42", "expected a JSON object with recorded_at and value"),
    (b'[{"recorded_at": "2025-06-01T00:00:00Z", "value": 1}, 7]', "element 1: expected a JSON object"),
    (b'{"value": 1}', "missing recorded_at"),
    (b"{}", "missing recorded_at and value"),
    (orjson.dumps({"recorded_at": WHEN, "value": "21.5"}), "value must be a JSON number, got '21.5'"),
    (orjson.dumps({"recorded_at": WHEN, "value": True}), "value must be a JSON number"),
    (orjson.dumps({"recorded_at": WHEN, "value": None}), "value must be a JSON number"),
    (orjson.dumps({"recorded_at": 1717200000, "value": 1}), "recorded_at must be a string"),
    (orjson.dumps({"recorded_at": "yesterday", "value": 1}), "recorded_at is not an ISO 8601 date-time"),
    (orjson.dumps({"recorded_at": "0999-01-01T00:00:00Z", "value": 1}), "recorded_at is out of range"),
    (orjson.dumps([reading(0), {"recorded_at": "later", "value": 1}]), "element 1: recorded_at is not an ISO 8601"),
    (orjson.dumps({"recorded_at": WHEN, "value": 1, "pad": "x" * LIMIT}), f"over the limit of {LIMIT}"),
]


@pytest.fixture
def dead_letters(broker):
    collector = Collector(broker, "relayr/dead-letter")
    yield collector
    collector.close()


def test_every_bad_message_is_dead_lettered_with_its_reason_and_the_consumer_goes_on(
    broker, committed, consumers, dead_letters
):
    (sensor,) = committed.sensors(1)
    consumer = consumers(env={"MQTT_MAX_PAYLOAD_BYTES": LIMIT})
    with Publisher(broker, "bad-device") as device:
        for payload, _ in BAD:
            device.send(TOPIC.format(sensor), payload)
        device.send(TOPIC.format("ghost-sensor-nobody-made"), orjson.dumps(reading(0)))
        device.send(TOPIC.format(sensor), orjson.dumps([reading(0), reading(1)]))  # good, after all the bad ones
        device.flush()
    letters = dead_letters.wait_for(len(BAD) + 1)
    assert len(letters) == len(BAD) + 1
    bodies = [orjson.loads(letter.payload) for letter in letters]
    by_payload = {}
    for body in bodies:
        by_payload.setdefault(body.get("payload", body.get("payload_base64")), []).append(body)
    for (payload, reason), body in zip(BAD, bodies[: len(BAD)], strict=True):
        assert reason in body["reason"], (payload, body)
        assert body["topic"] == TOPIC.format(sensor)
        assert body.get("payload", "").encode() == payload or "payload_base64" in body
    assert bodies[-1]["reason"] == "unknown sensor 'ghost-sensor-nobody-made'"
    assert "payload_base64" in bodies[1]  # not UTF-8: carried as base64
    wait_until(lambda: committed.readings(sensor) == expected(2), "the good message stored")
    assert consumer.metric("relayr_ingest_messages_rejected_total") == len(BAD) + 1
    assert consumer.process.poll() is None
    assert "Traceback" not in consumer.output()


def test_unknown_sensors_are_created_when_asked(broker, committed, consumers, dead_letters):
    name = f"{committed.sensors(1)[0]}-new"
    committed.forget(name)
    consumers(env={"MQTT_CREATE_SENSORS": "true"})
    with Publisher(broker, "new-device") as device:
        device.send(TOPIC.format(name), orjson.dumps(reading(3)))
        device.flush()
    wait_until(lambda: committed.readings(name) == [expected(4)[3]], "the new sensor's reading")
    assert dead_letters.messages == []
