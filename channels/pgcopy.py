"""PostgreSQL COPY for the bulk ingest path: several times faster than ORM-built multi-row INSERTs.

Rows are dicts of attribute name -> value. Every concrete column except the auto primary key and
generated columns is written; a column the dict lacks gets the field's default, so columns added to the
models later are carried along.
"""

from __future__ import annotations

import io
import json
from datetime import datetime
from typing import Any

from django.db import connection, models

_ESCAPES = str.maketrans({"\\": "\\\\", "\n": "\\n", "\r": "\\r", "\t": "\\t", "\x00": ""})


def _without_nul(value: Any) -> Any:
    """PostgreSQL's text and jsonb reject NUL (the ORM path fails on it too), so it is dropped."""
    if isinstance(value, str):
        return value.replace("\x00", "")
    if isinstance(value, dict):
        return {_without_nul(k): _without_nul(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_without_nul(v) for v in value]
    return value


def _text(value: Any, is_json: bool) -> str:
    if value is None:
        return "\\N"
    if is_json:
        return json.dumps(_without_nul(value), ensure_ascii=False).translate(_ESCAPES)
    if value is True or value is False:
        return "t" if value else "f"
    if isinstance(value, str):
        return value.translate(_ESCAPES)
    if isinstance(value, (bytes, memoryview, bytearray)):
        return "\\\\x" + bytes(value).hex()
    if isinstance(value, datetime):
        return value.isoformat()
    return str(value)


def _columns(model: type[models.Model], *, with_pk: bool) -> list[models.Field]:
    return [
        field
        for field in model._meta.concrete_fields
        if not getattr(field, "generated", False) and (with_pk or not field.primary_key)
    ]


def _copy(table: str, fields: list[models.Field], rows: list[dict[str, Any]]) -> None:
    plan = []
    for field in fields:
        default = None if field.primary_key else (field.get_default() if field.has_default() else None)
        if default is None and not field.null and isinstance(field, (models.CharField, models.TextField)):
            default = ""
        plan.append((field.attname, isinstance(field, models.JSONField), default))
    buffer = io.StringIO()
    write = buffer.write
    for row in rows:
        write("\t".join([_text(row.get(name, default), is_json) for name, is_json, default in plan]))
        write("\n")
    buffer.seek(0)
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    with connection.cursor() as cursor:
        cursor.cursor.copy_expert(f"COPY {table} ({columns}) FROM STDIN", buffer)


def copy_insert_with_ids(model: type[models.Model], rows: list[dict[str, Any]]) -> None:
    """Insert rows with COPY, giving each its primary key ("id") from the table's sequence first."""
    if not rows:
        return
    table = model._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [table, model._meta.pk.column, len(rows)],
        )
        for row, (pk,) in zip(rows, cursor.fetchall(), strict=True):
            row[model._meta.pk.attname] = pk
    _copy(connection.ops.quote_name(table), _columns(model, with_pk=True), rows)


def copy_insert_ignore_conflicts(model: type[models.Model], rows: list[dict[str, Any]]) -> None:
    """COPY into a temporary table, then INSERT ... ON CONFLICT DO NOTHING (redelivery is a no-op)."""
    if not rows:
        return
    table = connection.ops.quote_name(model._meta.db_table)
    stage = connection.ops.quote_name(f"bulk_stage_{model._meta.db_table}")
    fields = _columns(model, with_pk=False)
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TEMPORARY TABLE IF NOT EXISTS {stage} ON COMMIT DELETE ROWS "
            f"AS SELECT {columns} FROM {table} WITH NO DATA"
        )
    _copy(stage, fields, rows)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} ({columns}) SELECT {columns} FROM {stage} ON CONFLICT DO NOTHING"
        )
        cursor.execute(f"TRUNCATE {stage}")
