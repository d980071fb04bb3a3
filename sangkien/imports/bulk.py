"""Inserting many rows of a model without building model instances (imports).

`bulk_create` prepares every value of every instance through the field machinery; for the
tens of thousands of rows of an import that is most of the time spent. Here each column gets
its converter once (dates, date-times, decimals and JSON adapted as Django would; everything
else passed as it is), rows are plain dicts of attribute names, and the statements are one
multi-row INSERT per chunk (with `RETURNING id` when the ids are needed) or `executemany`.
Fields left out take their default; `auto_now`/`auto_now_add` fields take `now`."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from typing import Any

from django.db import connection, models
from django.utils import timezone

CHUNK = 500


def _converter(field: models.Field) -> Callable[[Any], Any]:
    ops = connection.ops
    if isinstance(field, models.DateTimeField):
        return lambda v: ops.adapt_datetimefield_value(v) if v is not None else None
    if isinstance(field, models.DateField):
        return lambda v: ops.adapt_datefield_value(v) if v is not None else None
    if isinstance(field, models.DecimalField):
        digits, places = field.max_digits, field.decimal_places
        return lambda v: ops.adapt_decimalfield_value(v, digits, places) if v is not None else None
    if isinstance(field, models.JSONField):
        return lambda v: field.get_db_prep_save(v, connection)
    return lambda v: v


def _columns(model: type[models.Model], now: dt.datetime) -> list[tuple[str, str, Any, Any]]:
    """(attribute, column, converter, default) of every concrete field but the id."""
    out: list[tuple[str, str, Any, Any]] = []
    for field in model._meta.concrete_fields:
        if field.primary_key:
            continue
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            default: Any = now
        elif field.has_default():
            default = field.get_default()
        elif field.null:
            default = None
        else:
            default = ""
        assert field.column is not None  # a concrete field has its column
        out.append((field.attname, field.column, _converter(field), default))
    return out


def insert(
    model: type[models.Model], rows: Sequence[dict[str, Any]], *, returning: bool = False
) -> list[int]:
    """Insert `rows` (dicts of attribute names); the new ids in order when `returning`."""
    if not rows:
        return []
    now = timezone.now()
    columns = _columns(model, now)
    qn = connection.ops.quote_name
    names = ", ".join(qn(c) for _a, c, _f, _d in columns)
    table = qn(model._meta.db_table)

    def values(row: dict[str, Any]) -> list[Any]:
        return [convert(row.get(attr, default)) for attr, _c, convert, default in columns]

    one = "(" + ", ".join(["%s"] * len(columns)) + ")"
    ids: list[int] = []
    with connection.cursor() as cursor:
        if not returning:
            # Names come from the model; every value is a parameter.
            cursor.executemany(
                f"INSERT INTO {table} ({names}) VALUES {one}",  # noqa: S608
                [values(row) for row in rows],
            )
            return []
        for start in range(0, len(rows), CHUNK):
            chunk = rows[start : start + CHUNK]
            params: list[Any] = []
            for row in chunk:
                params.extend(values(row))
            cursor.execute(
                f"INSERT INTO {table} ({names}) VALUES {', '.join([one] * len(chunk))} "  # noqa: S608
                "RETURNING id",
                params,
            )
            ids.extend(r[0] for r in cursor.fetchall())
    return ids
