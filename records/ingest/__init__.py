"""Storing readings that arrive from outside: one validator, one batch writer.

``import_readings`` (files) and the MQTT consumer both go through here, so a
reading is judged and stored the same way whichever door it came in by:

    sensors = SensorIds()
    validator = Validator(sensors)
    writer = ReadingWriter(on_conflict="skip")
    result = validator.validate("boiler-1", "2025-03-01T12:00:00Z", "21.5")
    if isinstance(result, CleanReading):
        writer.write([result])          # one committed batch
    else:
        print(result)                   # the reason, e.g. "unknown sensor 'boiler-1'"
"""

from .validation import CleanReading, SensorIds, Validator
from .writer import ON_CONFLICT_CHOICES, ReadingWriter, WriteResult

__all__ = ["ON_CONFLICT_CHOICES", "CleanReading", "ReadingWriter", "SensorIds", "Validator", "WriteResult"]
