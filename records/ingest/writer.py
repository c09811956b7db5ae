"""Clean readings into the readings table, in batches, idempotently.

Each batch is an upsert on the unique (sensor, recorded_at): with
``on_conflict="skip"`` an existing reading is kept, with ``"update"`` its
value is replaced. Either way writing the same rows twice leaves the table
as one write did, which is what makes a killed import or a redelivered MQTT
message safe to repeat.

Rows travel as multi-row INSERT statements built from SQL literals rather
than bound parameters: quoting each value through the driver costs more
than the database's own work on a bulk load. That is safe only because
every literal is made here from a typed value (an int, a finite float, a
datetime's own digits), never from text that came from outside.
"""

import math
from datetime import UTC
from typing import NamedTuple

from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.db.models.constants import OnConflict

from records.models import Reading

ON_CONFLICT_CHOICES = ("skip", "update")
STATEMENT_ROWS = 5000  # rows per INSERT; a statement stays far below MySQL's default max_allowed_packet


def _by_sensor_and_time(row):
    return row[0], row[1]


class WriteResult(NamedTuple):
    rows: int  # rows handed in
    inserted: int | None  # rows that were new; None with "update", where MySQL cannot tell new from replaced


class ReadingWriter:
    """``write(rows)`` stores a batch in one transaction and commits it (or joins the caller's transaction)."""

    def __init__(self, on_conflict="skip", using=DEFAULT_DB_ALIAS, statement_rows=STATEMENT_ROWS):
        if on_conflict not in ON_CONFLICT_CHOICES:
            raise ValueError(f"on_conflict must be one of {', '.join(ON_CONFLICT_CHOICES)}, got {on_conflict!r}")
        self.on_conflict = on_conflict
        self.using = using
        self.statement_rows = statement_rows
        self._sql = None

    @staticmethod
    def encode(row):
        """One CleanReading (sensor_id, recorded_at, value) as the SQL literal ``(id,'time',value)``."""
        sensor_id, when, value = row
        if when.tzinfo is not None:
            when = when.astimezone(UTC).replace(tzinfo=None)
        value = float(value)
        if not math.isfinite(value):
            raise ValueError(f"value must be finite, got {value!r}")
        # str() of a naive datetime is the text Django itself stores on SQLite, so
        # the unique index sees the same instant the same way whoever wrote it.
        return f"({int(sensor_id)},'{when}',{value!r})"

    def write(self, rows):
        # Sorted, so that writers running side by side (MQTT consumers) lock the rows of
        # the readings' unique index and of the hourly rollups in one order: a batch in
        # arrival order took them in any order, and two such transactions deadlocked.
        return self.write_encoded([self.encode(row) for row in sorted(rows, key=_by_sensor_and_time)])

    def write_encoded(self, literals):
        """Stores literals made by ``encode`` (e.g. spooled to a file and read back)."""
        if not literals:
            return WriteResult(0, 0 if self.on_conflict == "skip" else None)
        head, tail = self._statement()
        changed = 0
        with transaction.atomic(using=self.using, savepoint=False), connections[self.using].cursor() as cursor:
            for start in range(0, len(literals), self.statement_rows):
                cursor.execute(head + ",".join(literals[start : start + self.statement_rows]) + tail)
                changed += cursor.rowcount
        return WriteResult(len(literals), changed if self.on_conflict == "skip" else None)

    def _statement(self):
        """The INSERT's text before and after the VALUES list, in this database's dialect."""
        if self._sql is None:
            ops = connections[self.using].ops
            meta = Reading._meta
            fields = [meta.get_field(name) for name in ("sensor", "recorded_at", "value")]
            sensor, recorded_at, value = (field.column for field in fields)
            columns = ", ".join(map(ops.quote_name, (sensor, recorded_at, value)))
            if self.on_conflict == "skip":
                head = f"{ops.insert_statement(on_conflict=OnConflict.IGNORE)} {ops.quote_name(meta.db_table)}"
                tail = ""
            else:
                head = f"{ops.insert_statement()} {ops.quote_name(meta.db_table)}"
                tail = " " + ops.on_conflict_suffix_sql(fields, OnConflict.UPDATE, [value], [sensor, recorded_at])
            self._sql = (f"{head} ({columns}) VALUES ", tail)
        return self._sql
