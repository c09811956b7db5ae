"""Payloads and settings judged without a broker: the reasons a dead letter carries, and start-up checks."""

import pytest
from django.core.management.base import CommandError

from records.mqtt import config, messages
from records.mqtt.consumer import dead_letter_body

TOPIC = "relayr/readings/boiler-1"


@pytest.mark.parametrize(
    ("payload", "expected"),
    [
        (b'{"recorded_at": "2025-06-01T00:00:00Z", "value": 1.5}', ("boiler-1", [("2025-06-01T00:00:00Z", 1.5)])),
        (
            b'[{"recorded_at": "a", "value": 1}, {"recorded_at": "b", "value": 2, "x": 0}]',
            ("boiler-1", [("a", 1), ("b", 2)]),
        ),
    ],
)
def test_good_payloads_decode_to_the_sensor_and_its_readings(payload, expected):
    assert messages.decode(TOPIC, payload, 1000) == expected


@pytest.mark.parametrize(
    ("payload", "reason"),
    [
        (b"x" * 11, "payload is 11 bytes, over the limit of 10"),
        (b"{", "payload is not JSON"),
        (b"[]", "payload is an empty JSON array"),
        (b'"text"', "expected a JSON object with recorded_at and value, got 'text'"),
        (b'[{"value": 1}]', "element 0: missing recorded_at"),
        (b'{"recorded_at": "t", "value": "1"}', "value must be a JSON number, got '1'"),
        (b'{"recorded_at": "t", "value": false}', "value must be a JSON number, got 'False'"),
    ],
)
def test_bad_payloads_get_a_reason(payload, reason):
    limit = 10 if reason.startswith("payload is 11") else 1000
    result = messages.decode(TOPIC, payload, limit)
    assert isinstance(result, str)
    assert reason in result


def test_a_dead_letter_carries_reason_topic_and_payload():
    class Message:
        topic, payload = TOPIC, b"\xff"

    expected = b'{"reason":"bad","topic":"relayr/readings/boiler-1","payload_base64":"/w=="}'
    assert dead_letter_body(Message, "bad") == expected


@pytest.mark.parametrize(
    ("url", "problem"),
    [
        ("http://broker", "must start with mqtt:// or mqtts://"),
        ("mqtt://", "names no host"),
        ("mqtt://broker:port", "port that is not a number"),
    ],
)
def test_a_bad_broker_url_stops_start_up_with_one_line(url, problem):
    with pytest.raises(CommandError, match=problem):
        config.from_settings(url=url)


def test_credentials_in_the_url_win_and_the_defaults_follow_the_scheme(settings):
    settings.MQTT_USERNAME, settings.MQTT_PASSWORD = "env-user", "env-pass"
    found = config.from_settings(url="mqtts://dev%40ice:p%2Fw@broker", client_id="c1")
    assert (found.host, found.port, found.tls) == ("broker", 8883, True)
    assert (found.username, found.password) == ("dev@ice", "p/w")
    assert found.subscription == "$share/relayr/relayr/readings/+"
    assert "p/w" not in found.describe()
    plain = config.from_settings(url="mqtt://broker")
    assert (plain.port, plain.tls, plain.username, plain.password) == (1883, False, "env-user", "env-pass")


@pytest.mark.parametrize(
    ("setting", "value", "problem"),
    [
        ("MQTT_TOPIC", "relayr/readings", "last level must be +"),
        ("MQTT_TOPIC", "relayr/#", "must not hold #"),
        ("MQTT_SHARE_GROUP", "a/b", "MQTT_SHARE_GROUP"),
        ("MQTT_BATCH_SIZE", 0, "must be positive"),
        ("MQTT_SESSION_EXPIRY_SECONDS", 0, "unacknowledged messages live in the session"),
    ],
)
def test_impossible_settings_stop_start_up(settings, setting, value, problem):
    setattr(settings, setting, value)
    with pytest.raises(CommandError, match=problem):
        config.from_settings()
