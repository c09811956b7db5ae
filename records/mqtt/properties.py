"""MQTT 5 properties of received messages, decoded without rebuilding paho's tables.

paho-mqtt decodes every PUBLISH's properties into a new ``Properties``
object, and ``Properties.__init__`` builds its lookup tables (names, types,
which packets take which property) from scratch each time, then ``unpack``
walks every name to clear an object that is already empty. For a consumer
of small messages that is most of paho's work per message, on the network
thread that every message passes through (README, Performance, "MQTT
ingest"). ``SharedTables`` builds the tables once and shares them:
paho only ever reads them.

paho has no public hook for the class it decodes with, so ``share_tables`` swaps
the one name its packet decoder looks up. tests/records/mqtt/test_properties.py
fails if a paho release moves that name or decodes differently.
"""

from paho.mqtt import _packet
from paho.mqtt.properties import Properties

_TABLES = ("types", "names", "properties")


class SharedTables(Properties):
    """A ``Properties`` whose lookup tables are built once per process, not once per message."""

    _shared = None

    def __init__(self, packetType):
        shared = SharedTables._shared
        if shared is None:
            template = Properties(packetType)
            shared = SharedTables._shared = {name: getattr(template, name) for name in _TABLES}
        object.__setattr__(self, "packetType", packetType)
        for name, table in shared.items():
            object.__setattr__(self, name, table)

    def clear(self):
        if len(self.__dict__) > 1 + len(_TABLES):  # some property is set
            super().clear()


def share_tables():
    """Make paho decode received PUBLISH properties with ``SharedTables`` (idempotent)."""
    _packet.Properties = SharedTables
