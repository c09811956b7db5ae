"""What the API shows of a sensor and of a reading, each defined once.

A ``Fields`` names model fields; the SQL select list, the JSON object's keys
and its OpenAPI schema are all derived from those names and the model's own
field definitions, so a field added or renamed changes all three together.
"""

from django.db import connection

from records.models import Reading, Sensor

# OpenAPI types by Django field type.
SCHEMAS = {
    "BigAutoField": {"type": "integer"},
    "CharField": {"type": "string"},
    "BooleanField": {"type": "boolean"},
    "DateTimeField": {"type": "string", "format": "date-time"},
    # orjson writes a NaN or an infinity as null.
    "FloatField": {"type": ["number", "null"]},
}


def timestamp_sql(column):
    """SQL giving an RFC 3339 string, with microseconds only when there are some.

    The database formats timestamps (stored in UTC, hence "+00:00") and they
    go into the JSON as they come: turning each into an aware datetime only
    to turn it back into text cost more than the query.
    """
    if connection.vendor == "mysql":
        return (
            f"IF(MICROSECOND({column}) = 0, DATE_FORMAT({column}, '%%Y-%%m-%%dT%%H:%%i:%%s+00:00'), "
            f"DATE_FORMAT({column}, '%%Y-%%m-%%dT%%H:%%i:%%s.%%f+00:00'))"
        )
    # SQLite keeps Django's text form, "YYYY-MM-DD HH:MM:SS[.ffffff]".
    return f"REPLACE({column}, ' ', 'T') || '+00:00'"


class Fields:
    def __init__(self, model, names):
        self.names = tuple(names)
        self.table = model._meta.db_table
        self._fields = {name: model._meta.get_field(name) for name in self.names}
        self._booleans = [name for name, field in self._fields.items() if field.get_internal_type() == "BooleanField"]

    def column(self, name):
        return self._fields[name].column

    def db_value(self, name, value):
        """``value`` as the database compares it with the field (a datetime in the connection's form)."""
        return self._fields[name].get_db_prep_value(value, connection)

    def select_sql(self):
        """The SQL select list: one expression per name, in the order of ``names``."""
        return ", ".join(self._expression(field) for field in self._fields.values())

    @staticmethod
    def _expression(field):
        if field.get_internal_type() == "DateTimeField":
            return timestamp_sql(field.column)
        return field.column

    def to_json(self, rows):
        """Rows of ``select_sql()`` as the API's JSON objects (one call per page: a
        call per row would cost more than the rest of a readings page's Python)."""
        names = self.names
        items = [dict(zip(names, row, strict=True)) for row in rows]
        for name in self._booleans:
            for item in items:
                item[name] = bool(item[name])  # MySQL and SQLite return 0 or 1
        return items

    def schema(self):
        properties = {name: SCHEMAS[field.get_internal_type()] for name, field in self._fields.items()}
        return {"type": "object", "required": list(self.names), "properties": properties}


SENSOR = Fields(Sensor, ("id", "name", "type", "unit", "location", "is_active", "created_at", "updated_at"))
READING = Fields(Reading, ("recorded_at", "value"))
