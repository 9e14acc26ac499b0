"""PostgreSQL COPY for the bulk ingest path: several times faster than ORM-built multi-row INSERTs.

Rows are dicts of attribute name -> value. Every concrete column except the auto primary key and
generated columns is written; a column the dict lacks gets the field's default, so columns added to the
models later are carried along.
"""

from __future__ import annotations

import io
import json
import re
from datetime import datetime
from typing import Any

from django.db import IntegrityError, connection, models, transaction

_SPECIAL = re.compile("[\\\\\n\r\t\x00]")


def _escape(text: str) -> str:
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


def _json(value: Any) -> str:
    if value is None:
        return "\\N"
    text = json.dumps(value, ensure_ascii=False)
    if "\\u0000" in text:
        text = json.dumps(_without_nul(value), ensure_ascii=False)
    return _escape(text)


def _scalar(value: Any) -> str:
    if value is None:
        return "\\N"
    if isinstance(value, str):
        return _escape(value)
    if value is True or value is False:
        return "t" if value else "f"
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
        plan.append((field.attname, _json if isinstance(field, models.JSONField) else _scalar, default))
    memo: dict[int, tuple[Any, str]] = {}  # the same dict or datetime object in many rows: convert it once

    def convert(value: Any, to_text) -> str:
        if isinstance(value, (dict, list, datetime)):
            hit = memo.get(id(value))
            if hit is not None and hit[0] is value:
                return hit[1]
            text = to_text(value)
            memo[id(value)] = (value, text)
            return text
        return to_text(value)

    lines = [
        "\t".join([convert(row.get(name, default), to_text) for name, to_text, default in plan])
        for row in rows
    ]
    buffer = io.StringIO("\n".join(lines) + "\n")
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    with connection.cursor() as cursor, connection.wrap_database_errors:
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
    """COPY straight into the table; if a row already exists (a concurrent delivery of the same message),
    COPY into a temporary table and INSERT ... ON CONFLICT DO NOTHING instead (redelivery is a no-op)."""
    if not rows:
        return
    try:
        with transaction.atomic():
            _copy(connection.ops.quote_name(model._meta.db_table), _columns(model, with_pk=False), rows)
        return
    except IntegrityError:
        pass  # rolled back to the savepoint; the staged path below skips the duplicates
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
