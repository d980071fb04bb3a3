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


def unit_id_of(obj: Any) -> int | None:
    """The unit an object's changes belong to: a unit itself; the unit of what has one (a
    member, an initiative, a quota, a plan, a team, a grant, a snapshot); the owner of a
    campaign or cluster; the member's unit of a user, a sign-up code or a token's user.
    None when it belongs to no unit (only a national administrator reads those)."""
    if obj._meta.label_lower == "orgs.unit":
        return int(obj.pk)
    for attr in ("unit_id", "owner_id"):
        value = getattr(obj, attr, None)
        if value is not None:
            return int(value)
    holder = obj
    if getattr(obj, "member_id", None) is None and getattr(obj, "user_id", None) is not None:
        holder = obj.user
    member = getattr(holder, "member", None) if getattr(holder, "member_id", None) else None
    return int(member.unit_id) if member is not None else None


def record(
    *,
    actor: Any,
    action: str,
    obj: Any,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    note: str = "",
    unit: Any = None,
) -> AuditEntry:
    """One entry, under `unit` when given, else the unit the object belongs to."""
    user = actor if getattr(actor, "is_authenticated", False) else None
    return AuditEntry.objects.create(
        actor=user,
        action=action,
        object_type=obj._meta.label_lower,
        object_id=str(obj.pk),
        before=_plain(before) if before is not None else None,
        after=_plain(after) if after is not None else None,
        note=note,
        unit_id=unit.pk if unit is not None else unit_id_of(obj),
    )


# Reading personal data (Decree 13/2023): who read whose data, when, through which page.
PERSONAL_DATA_READ = "personal_data.read"
# Where it was read (the audit page names them).
THROUGH_PAGE, THROUGH_API, THROUGH_EXPORT = "member_page", "api", "export"


def record_personal_data_reads(*, reader: Any, members: list[Any], through: str) -> None:
    """One entry per member whose personal data `reader` saw on one page of a list."""
    if not getattr(reader, "is_authenticated", False):
        return
    AuditEntry.objects.bulk_create(
        [
            AuditEntry(
                actor=reader,
                action=PERSONAL_DATA_READ,
                object_type=m._meta.label_lower,
                object_id=str(m.pk),
                after={"through": through},
                unit_id=m.unit_id,
            )
            for m in members
            if reader.member_id != m.pk
        ]
    )


def record_personal_data_read(
    *, reader: Any, obj: Any, through: str, count: int | None = None
) -> AuditEntry | None:
    """Log that `reader` saw personal data of `obj` (a member, or a unit whose members were
    exported) through `through` (a page, the API, an export). The member's own reading of
    their data is not logged."""
    if not getattr(reader, "is_authenticated", False):
        return None
    if obj._meta.label_lower == "orgs.member" and reader.member_id == obj.pk:
        return None
    after = {"through": through} if count is None else {"through": through, "members": count}
    return record(actor=reader, action=PERSONAL_DATA_READ, obj=obj, after=after)
