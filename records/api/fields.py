"""What the API shows of a sensor and of a reading, each defined once.

A ``Fields`` names model fields; the SQL select list, the JSON object's keys
and its OpenAPI schema are all derived from those names and the model's own
field definitions, so a field added or renamed changes all three together.
A ``Newest`` nests another ``Fields`` the same way: a sensor's
``latest_reading`` is its newest reading's fields, or null.
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


class Newest:
    """The newest row (by ``order``) of ``fields`` whose ``foreign_key`` points at the
    object being shown, nested in it as one key; null when there is none.

    A correlated subquery reads the index on (foreign key, order) backwards and
    stops at the first entry: an index probe per object, however many rows it
    has, and no extra query per object. A subquery in a select list gives one
    value and each costs the database its own probe, so on MySQL one subquery
    packs the row's fields into one text that ``unpack`` splits again. SQLite
    has no exact text for a double (see number_text_sql): there each field has
    its own subquery.
    """

    SEPARATOR = " "  # in no field's text: timestamps and numbers only (see packed_field_sql)

    def __init__(self, fields, foreign_key, order, description):
        self.fields = fields
        self.foreign_key = fields.column(foreign_key)
        self.order = fields.column(order)
        self.description = description
        self._parsers = [float if field.get_internal_type() == "FloatField" else str for field in fields.model_fields()]

    @staticmethod
    def packed():
        return connection.vendor == "mysql"

    def width(self):
        """How many columns ``select_sql`` adds."""
        return 1 if self.packed() else len(self.fields.names)

    def select_sql(self, parent):
        child = self.fields
        where = f"{child.table}.{self.foreign_key} = {parent.table}.{parent.pk_column}"
        # The foreign key leads the ORDER BY although it is fixed: without it MySQL 9 reads
        # and sorts all of an object's rows (MariaDB reads the index backwards either way).
        order = f"{self.foreign_key} DESC, {self.order} DESC"
        if self.packed():
            separator = f", '{self.SEPARATOR}', "
            expressions = ["CONCAT(" + separator.join(map(packed_field_sql, child.model_fields())) + ")"]
        else:
            expressions = child.expressions()
        # Names from the models' metadata only, no value: hence the S608 exemption.
        return ", ".join(
            f"(SELECT {expression} FROM {child.table} WHERE {where} ORDER BY {order} LIMIT 1)"  # noqa: S608
            for expression in expressions
        )

    def unpack(self, columns):
        """The JSON objects (None where there is no row) from each row's ``width()`` columns."""
        if self.packed():
            parsers, separator = self._parsers, self.SEPARATOR
            rows = [
                tuple(parse(part) for parse, part in zip(parsers, text.split(separator), strict=True))
                for (text,) in columns
                if text is not None
            ]
        else:
            rows = [row for row in columns if row[0] is not None]
        objects = iter(self.fields.to_json(rows))
        # The first column, a field that cannot be null, is null when there is no such row.
        return [None if row[0] is None else next(objects) for row in columns]

    def schema(self):
        """The nested object's schema, or null (``required`` and ``properties`` apply to objects only)."""
        return {**self.fields.schema(), "type": ["object", "null"], "description": self.description}


def packed_field_sql(field):
    """MySQL giving a timestamp or a double as text that parses back exactly (see Newest)."""
    kind = field.get_internal_type()
    if kind == "DateTimeField":
        return timestamp_sql(field.column)
    if kind == "FloatField":
        return number_text_sql(field.column)
    raise TypeError(f"Newest packs timestamps and floats only, not {kind} {field.name}")


def number_text_sql(column):
    """SQL giving a float column as text, for a file that shows it as text (a CSV export).

    MySQL's text of a double is its shortest exact form, the same text its
    protocol carries for the JSON's float ("1e-300", "0.30000000000000004"),
    so Python copies it instead of parsing and printing it again. SQLite's
    text keeps 15 digits only: there the float comes back, and str() of it
    is exact.
    """
    if connection.vendor == "mysql":
        return f"CONCAT({column})"
    return column


class Fields:
    def __init__(self, model, names, nested=None):
        self.names = tuple(names)
        self.table = model._meta.db_table
        self.pk_column = model._meta.pk.column
        self._meta = model._meta
        self._fields = {name: model._meta.get_field(name) for name in self.names}
        self._objects = _object_maker(self._fields)
        self._nested = dict(nested or {})  # JSON key -> Newest, after the fields in the object
        self._select_sql = {}

    def model_fields(self):
        """The model's fields shown, in the order of ``names``."""
        return list(self._fields.values())

    def column(self, name):
        """The column of any of the model's fields, shown or not (a foreign key)."""
        return self._meta.get_field(name).column

    def db_value(self, name, value):
        """``value`` as the database compares it with the field (a datetime in the connection's form)."""
        return self._fields[name].get_db_prep_value(value, connection)

    def select_sql(self, numbers_as_text=False):
        """The SQL select list: one expression per name, in the order of ``names``,
        then each nested object's one column; floats as text with ``numbers_as_text``
        (see number_text_sql).

        Made once per database vendor and kept: it depends on nothing else, and
        every uncached request asks for it."""
        key = (connection.vendor, numbers_as_text)
        sql = self._select_sql.get(key)
        if sql is None:
            nested = [nested.select_sql(self) for nested in self._nested.values()]
            sql = self._select_sql[key] = ", ".join([*self.expressions(numbers_as_text), *nested])
        return sql

    def expressions(self, numbers_as_text=False):
        return [self._expression(field, numbers_as_text) for field in self._fields.values()]

    @staticmethod
    def _expression(field, numbers_as_text):
        if field.get_internal_type() == "DateTimeField":
            return timestamp_sql(field.column)
        if numbers_as_text and field.get_internal_type() == "FloatField":
            return number_text_sql(field.column)
        return field.column

    def to_json(self, rows):
        """Rows of ``select_sql()`` as the API's JSON objects (one call per page: a
        call per row would cost more than the rest of a readings page's Python)."""
        items = self._objects(rows)
        if self._nested:
            self._nest(rows, items)
        return items

    def _nest(self, rows, items):
        start = len(self.names)
        for key, nested in self._nested.items():
            end = start + nested.width()
            for item, value in zip(items, nested.unpack([row[start:end] for row in rows]), strict=True):
                item[key] = value
            start = end

    def schema(self):
        properties = {name: SCHEMAS[field.get_internal_type()] for name, field in self._fields.items()}
        properties.update({key: nested.schema() for key, nested in self._nested.items()})
        return {"type": "object", "required": [*self.names, *self._nested], "properties": properties}


def _object_maker(fields):
    """A function from rows to JSON objects with ``fields``' names as keys, written as
    source once per Fields (as collections.namedtuple writes its class): a dict display
    per row costs a fraction of dict(zip(names, row)), and that loop is most of a
    page's Python. Booleans become true and false (MySQL and SQLite return 0 or 1).
    """
    values = []
    for index, (name, field) in enumerate(fields.items()):
        value = f"row[{index}]"
        if field.get_internal_type() == "BooleanField":
            value = f"bool({value})"
        values.append(f"{name!r}: {value}")
    # Only the models' field names, quoted by repr(), reach this source: hence the S307 exemption.
    return eval(f"lambda rows: [{{{', '.join(values)}}} for row in rows]")  # noqa: S307


READING = Fields(Reading, ("recorded_at", "value"))
SENSOR = Fields(
    Sensor,
    ("id", "name", "type", "unit", "location", "is_active", "created_at", "updated_at"),
    nested={"latest_reading": Newest(READING, "sensor", "recorded_at", "The sensor's newest reading, or null.")},
)
