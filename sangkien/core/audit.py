"""Writing the audit log; services call `record` inside their transaction."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from .models import AuditEntry


def _plain(value: Any) -> Any:
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def snapshot(obj: Any, fields: list[str]) -> dict[str, Any]:
    """The named fields of a model instance, as JSON-ready values (FKs by id)."""
    data: dict[str, Any] = {}
    for name in fields:
        field = obj._meta.get_field(name)
        data[name] = _plain(getattr(obj, field.attname))
    return data


def record(
    *,
    actor: Any,
    action: str,
    obj: Any,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    note: str = "",
) -> AuditEntry:
    user = actor if getattr(actor, "is_authenticated", False) else None
    return AuditEntry.objects.create(
        actor=user,
        action=action,
        object_type=obj._meta.label_lower,
        object_id=str(obj.pk),
        before=_plain(before) if before is not None else None,
        after=_plain(after) if after is not None else None,
        note=note,
    )
