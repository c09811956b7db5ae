"""records.mqtt.properties: paho decodes received properties with shared tables, and decodes them the same."""

import struct
import time

import pytest
from paho.mqtt import _packet
from paho.mqtt.enums import MQTTProtocolVersion
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties

from records.mqtt import config
from records.mqtt.link import Link, new_inbox
from records.mqtt.properties import SharedTables, share_tables
from tests.support.mosquitto import Collector, client

PUBLISH_QOS1 = 0x32


def publish_packet(properties, topic=b"relayr/readings/boiler-1", payload=b'{"value": 1}', mid=7):
    """A PUBLISH packet's body after its fixed header, as a broker sends it."""
    return struct.pack("!H", len(topic)) + topic + struct.pack("!H", mid) + properties.pack() + payload


def with_properties():
    properties = Properties(PacketTypes.PUBLISH)
    properties.UserProperty = ("site", "north")
    properties.UserProperty = ("unit", "°C")
    properties.MessageExpiryInterval = 60
    properties.ContentType = "application/json"
    return properties


def decoded(packet):
    return _packet.decode_publish(PUBLISH_QOS1, packet, MQTTProtocolVersion.MQTTv5)


def test_paho_decodes_with_the_shared_tables_once_installed():
    """Fails if a paho release no longer looks the class up by this name when decoding a PUBLISH."""
    share_tables()
    assert _packet.Properties is SharedTables
    assert isinstance(decoded(publish_packet(Properties(PacketTypes.PUBLISH))).properties, SharedTables)


@pytest.mark.parametrize("sent", [Properties(PacketTypes.PUBLISH), with_properties()], ids=["none", "several"])
def test_a_packet_decodes_to_the_same_properties_and_payload(sent):
    share_tables()
    plain = Properties(PacketTypes.PUBLISH)
    plain.unpack(sent.pack())
    result = decoded(publish_packet(sent))
    assert result.properties.json() == plain.json() == sent.json()
    assert (result.topic, result.mid, result.payload) == (b"relayr/readings/boiler-1", 7, b'{"value": 1}')


def test_properties_of_one_message_never_reach_the_next():
    share_tables()
    first = decoded(publish_packet(with_properties())).properties
    second = decoded(publish_packet(Properties(PacketTypes.PUBLISH))).properties
    assert second.json() == {}
    assert first.json()["UserProperty"] == [("site", "north"), ("unit", "°C")]
    assert Properties(PacketTypes.PUBLISH).names == second.names  # the shared tables are paho's, unchanged


def test_a_message_through_the_real_broker_keeps_its_properties(broker):
    share_tables()
    collector = Collector(broker, "relayr/props/#")
    publisher = client(broker)
    try:
        publisher.publish("relayr/props/x", b"1", qos=1, properties=with_properties()).wait_for_publish(10)
        (message,) = collector.wait_for(1)
        assert isinstance(message.properties, SharedTables)
        assert message.properties.UserProperty == [("site", "north"), ("unit", "°C")]
        assert message.properties.ContentType == "application/json"
        assert 0 < message.properties.MessageExpiryInterval <= 60
    finally:
        publisher.disconnect()
        publisher.loop_stop()
        collector.close()


def test_the_consumers_link_shares_the_tables(settings, monkeypatch):
    monkeypatch.setattr(_packet, "Properties", Properties)
    settings.MQTT_URL = "mqtt://127.0.0.1:1883"
    settings_config = config.from_settings()
    Link(settings_config, new_inbox(settings_config.receive_maximum), time.monotonic)
    assert _packet.Properties is SharedTables
