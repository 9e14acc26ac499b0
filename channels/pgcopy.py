"""PostgreSQL COPY for the bulk ingest path: several times faster than ORM-built multi-row INSERTs.

A CopyLayout puts the columns that vary per row first, in the caller's order, and every other concrete
column (except the auto primary key and generated columns) after them with one value for all rows: the
given constant or the field's default. Callers encode only the varying part of each line, and columns
added to the models later are carried along with their defaults.
"""

from __future__ import annotations

import io
import json
import re
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from django.db import IntegrityError, connection, models, transaction

_SPECIAL = re.compile("[\\\\\n\r\t\x00]")


def copy_text(text: str) -> str:
    """COPY text format: backslash, newline, carriage return and tab escaped; NUL (refused) dropped."""
    if _SPECIAL.search(text) is None:
        return text
    return (
        text.replace("\\", "\\\\")
        .replace("\n", "\\n")
        .replace("\r", "\\r")
        .replace("\t", "\\t")
        .replace("\x00", "")
    )


def _without_nul(value: Any) -> Any:
    """PostgreSQL's text and jsonb reject NUL (the ORM path fails on it too), so it is dropped."""
    if isinstance(value, str):
        return value.replace("\x00", "")
    if isinstance(value, dict):
        return {_without_nul(k): _without_nul(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_without_nul(v) for v in value]
    return value


_json_encode = json.JSONEncoder(ensure_ascii=False).encode  # built once: json.dumps builds one per call


def copy_json(value: Any) -> str:
    if value is None:
        return "\\N"
    text = _json_encode(value)
    if "\\u0000" in text:
        text = _json_encode(_without_nul(value))
    return copy_text(text)


def copy_bytes(value: bytes) -> str:
    """bytea in hex input format; the backslash itself escaped for COPY."""
    return "\\\\x" + bytes(value).hex()


def encode_line(text: str) -> bytes:
    """A line of COPY text as the bytes sent. Text fields reach here already storable (no lone
    surrogates); anything else that slipped through (an event type or error message from a hostile
    payload) becomes "?" rather than failing the whole batch."""
    return text.encode("utf-8", "replace")


def copy_value(value: Any) -> str:
    if value is None:
        return "\\N"
    if isinstance(value, str):
        return copy_text(value)
    if value is True or value is False:
        return "t" if value else "f"
    if isinstance(value, (bytes, memoryview, bytearray)):
        return copy_bytes(value)
    if isinstance(value, datetime):
        return value.isoformat()
    return str(value)


def _columns(model: type[models.Model], *, with_pk: bool) -> list[models.Field]:
    return [
        field
        for field in model._meta.concrete_fields
        if not getattr(field, "generated", False) and (with_pk or not field.primary_key)
    ]


def _field_text(field: models.Field, value: Any) -> str:
    return copy_json(value) if isinstance(field, models.JSONField) else copy_value(value)


def _default(field: models.Field) -> Any:
    default = None if field.primary_key else (field.get_default() if field.has_default() else None)
    if default is None and not field.null and isinstance(field, (models.CharField, models.TextField)):
        default = ""
    return default


class CopyLayout:
    """The column order of a COPY into one model's table: `varying` (attribute names) first, as each
    encoded line holds them, then every other column with the value in `constants` or its default."""

    def __init__(
        self, model: type[models.Model], varying: Sequence[str], constants: Mapping[str, Any] | None = None
    ) -> None:
        constants = constants or {}
        pk = model._meta.pk.attname
        fields = _columns(model, with_pk=pk in varying)
        by_name = {field.attname: field for field in fields}
        unknown = set(varying) - set(by_name)
        if unknown:
            raise ValueError(f"not a column of {model.__name__}: {sorted(unknown)}")
        rest = [field for field in fields if field.attname not in varying]
        self.model = model
        self.fields = [by_name[name] for name in varying] + rest
        self.suffix = "".join(
            "\t"
            + _field_text(field, constants[field.attname] if field.attname in constants else _default(field))
            for field in rest
        )
        self.suffix_bytes = encode_line(self.suffix)
        self.column_list = ", ".join(connection.ops.quote_name(field.column) for field in self.fields)

    @property
    def table(self) -> str:
        return connection.ops.quote_name(self.model._meta.db_table)

    def text(self, lines: Sequence[bytes]) -> bytes:
        """The COPY data: each line's varying part with the constant part appended."""
        end = self.suffix_bytes + b"\n"
        return end.join(lines) + end

    def copy(self, lines: Sequence[bytes], *, table: str | None = None) -> None:
        if not lines:
            return
        data = self.text(lines)
        with connection.cursor() as cursor, connection.wrap_database_errors:
            # One read of the whole buffer: one round of PQputCopyData with the GIL released, instead of
            # a GIL hand-over per 8 kB chunk while the parse thread runs.
            cursor.cursor.copy_expert(
                f"COPY {table or self.table} ({self.column_list}) FROM STDIN",
                io.BytesIO(data),
                size=len(data),
            )

    def insert_ignore_conflicts(self, lines: Sequence[bytes]) -> int:
        """COPY straight into the table; if a row already exists (a concurrent delivery of the same
        message), COPY into a temporary table and INSERT ... ON CONFLICT DO NOTHING instead (redelivery is
        a no-op). Returns the number of rows inserted."""
        if not lines:
            return 0
        try:
            with transaction.atomic():
                self.copy(lines)
            return len(lines)
        except IntegrityError:
            pass  # rolled back to the savepoint; the staged path below skips the duplicates
        stage = connection.ops.quote_name(f"bulk_stage_{self.model._meta.db_table}")
        with connection.cursor() as cursor:
            cursor.execute(
                f"CREATE TEMPORARY TABLE IF NOT EXISTS {stage} ON COMMIT DELETE ROWS "
                f"AS SELECT {self.column_list} FROM {self.table} WITH NO DATA"
            )
        self.copy(lines, table=stage)
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {self.table} ({self.column_list}) SELECT {self.column_list} FROM {stage} "
                "ON CONFLICT DO NOTHING"
            )
            inserted = cursor.rowcount
            cursor.execute(f"TRUNCATE {stage}")
        return inserted


def sequence_next_ids(model: type[models.Model], count: int) -> list[int]:
    """`count` fresh primary keys from the table's sequence, in one round trip."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [model._meta.db_table, model._meta.pk.column, count],
        )
        return [pk for (pk,) in cursor.fetchall()]
