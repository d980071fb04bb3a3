"""Keyset pagination: pages are found by the last row's sort key, never by OFFSET, so the
thousandth page costs what the first does."""

from __future__ import annotations

import base64
import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet


def _plain(value: Any) -> Any:
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()  # the database field parses it back
    raise TypeError(f"cannot put {type(value).__name__} in a cursor")


def encode_cursor(values: list[Any]) -> str:
    data = json.dumps(values, default=_plain, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def decode_cursor(cursor: str | None) -> list[Any] | None:
    if not cursor:
        return None
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        values = json.loads(base64.urlsafe_b64decode(padded.encode()))
    except (ValueError, json.JSONDecodeError):
        return None
    return values if isinstance(values, list) else None


@dataclass
class Page:
    items: list[Any]
    next_cursor: str | None
    cursor: str | None

    @property
    def has_next(self) -> bool:
        return self.next_cursor is not None


def keyset_page(
    qs: QuerySet[Any], *, order: tuple[str, ...], cursor: str | None, size: int
) -> Page:
    """One page of `qs` ordered by `order` (a leading "-" sorts that field descending; the
    last field must be unique, e.g. id). The ordering fields must not be null."""
    after = decode_cursor(cursor)
    names = [f.lstrip("-") for f in order]
    if after is not None and len(after) == len(order):
        # (a, b, c) > (x, y, z) written out as OR of prefixes, which every database indexes.
        cond = Q()
        for i, field in enumerate(order):
            op = "lt" if field.startswith("-") else "gt"
            step = Q(**{f"{names[i]}__{op}": after[i]})
            for j in range(i):
                step &= Q(**{names[j]: after[j]})
            cond |= step
        # The redundant bound on the first field lets the planner scan the index from the
        # cursor on instead of testing the OR on every row.
        first_op = "lte" if order[0].startswith("-") else "gte"
        qs = qs.filter(Q(**{f"{names[0]}__{first_op}": after[0]}) & cond)
    rows = list(qs.order_by(*order)[: size + 1])
    next_cursor = None
    if len(rows) > size:
        rows = rows[:size]
        last = rows[-1]
        next_cursor = encode_cursor([_value(last, f) for f in names])
    return Page(items=rows, next_cursor=next_cursor, cursor=cursor)


def _value(obj: Any, field: str) -> Any:
    value = obj
    for part in field.split("__"):
        value = getattr(value, part)
    return value
