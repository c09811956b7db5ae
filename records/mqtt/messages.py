"""One MQTT message to reading records, or the reason it cannot be stored.

The payload is a JSON object ``{"recorded_at": ..., "value": ...}`` or a
JSON array of them; the topic's last level names the sensor. A message is
all or nothing: one bad element refuses the whole message, so a device
never sees half of what it sent stored. The readings themselves are judged
by the validator ``import_readings`` uses (records.ingest).
"""

import orjson

from records.ingest import CleanReading
from records.ingest.validation import shown

FIELDS = ("recorded_at", "value")


def decode(topic, payload, max_payload):
    """``(sensor name, [(recorded_at, value), ...])``, or the reason as a string."""
    if len(payload) > max_payload:
        return f"payload is {len(payload)} bytes, over the limit of {max_payload}"
    sensor = topic.rsplit("/", 1)[-1]
    try:
        body = orjson.loads(payload)
    except orjson.JSONDecodeError as exc:
        return f"payload is not JSON: {exc}"
    items = body if isinstance(body, list) else [body]
    if not items:
        return "payload is an empty JSON array"
    readings = []
    for index, item in enumerate(items):
        where = f"element {index}: " if isinstance(body, list) else ""
        if not isinstance(item, dict):
            return f"{where}expected a JSON object with recorded_at and value, got {shown(item)}"
        missing = [field for field in FIELDS if field not in item]
        if missing:
            return f"{where}missing {' and '.join(missing)}"
        value = item["value"]
        # JSON has a number type: text such as "21.5" is a client bug worth hearing about.
        if isinstance(value, bool) or not isinstance(value, int | float):
            return f"{where}value must be a JSON number, got {shown(value)}"
        readings.append((item["recorded_at"], value))
    return sensor, readings


def validate(validator, decoded):
    """CleanReadings for a decoded message, or the first element's reason. May query the database."""
    sensor, readings = decoded
    clean = []
    for index, (recorded_at, value) in enumerate(readings):
        result = validator.validate(sensor, recorded_at, value)
        if not isinstance(result, CleanReading):
            return f"element {index}: {result}" if len(readings) > 1 else result
        clean.append(result)
    return clean
