"""Writes to the unit tree and the members. Every function is atomic, takes the acting user
as `by`, checks its input (raising ValidationError with per-field messages, nothing written)
and leaves an audit entry; reorganisations also leave a dated UnitEvent and UnitVersions.
A merge, split or dissolution hands the closed unit's open initiatives to the unit that
answers for it, in the same transaction (`initiatives.services.hand_over_open_work`)."""

from __future__ import annotations

import datetime as dt
import re
import secrets
from collections import Counter
from collections.abc import Callable, Iterable
from typing import Any

from django.db import transaction
from django.db.models import Count, F, Value
from django.db.models.functions import Concat, Substr
from django.utils import timezone
from django.utils.translation import gettext as _

from sangkien.core import audit, locks
from sangkien.core.errors import ConflictError, ValidationError
from sangkien.formats import short_date
from sangkien.initiatives import services as initiatives
from sangkien.plans import services as plans
from sangkien.stats.recount import Reorganisation
from sangkien.text import clean_line, fold, nfc, normalise_phone, person_sort_key, sort_key

from .models import (
    Gender,
    Member,
    Membership,
    Unit,
    UnitEvent,
    UnitEventKind,
    UnitKind,
    UnitStatus,
    UnitVersion,
    decode_path,
    encode_segment,
)

# Codes of units, members and campaigns: capital letters, digits, `.`, `_` and `-`, starting
# with a letter or digit, at most 32 characters (they appear in addresses and file names).
CODE_RE = re.compile(r"^[A-Z0-9][A-Z0-9._-]{0,31}$")
# What a phone number may be typed with before it is reduced to its digits.
PHONE_CHARS_RE = re.compile(r"^[0-9+ .()\-]*$")
UNIT_FIELDS = ["code", "name", "short_name", "kind", "parent", "status", "successor", "address"]
MEMBER_FIELDS = [
    "code", "full_name", "birth_date", "gender", "position", "phone", "email", "unit",
    "joined_on", "left_on",
]  # fmt: skip
# Which kinds may sit under which.
ALLOWED_CHILDREN: dict[str, set[str]] = {
    UnitKind.NATIONAL: {
        UnitKind.PROVINCIAL,
        UnitKind.SECTORAL,
        UnitKind.UPPER,
        UnitKind.GRASSROOTS,
    },
    UnitKind.PROVINCIAL: {UnitKind.UPPER, UnitKind.GRASSROOTS},
    UnitKind.SECTORAL: {UnitKind.UPPER, UnitKind.GRASSROOTS},
    UnitKind.UPPER: {UnitKind.UPPER, UnitKind.GRASSROOTS},
    UnitKind.GRASSROOTS: {UnitKind.GROUP},
    UnitKind.GROUP: {UnitKind.GROUP},
}
MEMBER_UNIT_KINDS = {UnitKind.GRASSROOTS, UnitKind.GROUP}
PHONE_RE = re.compile(r"^\+?[0-9 .-]{8,20}$")


def today() -> dt.date:
    return timezone.localdate()


def normalise_code(code: str) -> str:
    return nfc(code).upper()


# -- units -------------------------------------------------------------------------------


def _set_names(unit: Unit, name: str, short_name: str) -> None:
    unit.name = clean_line(name)
    unit.short_name = clean_line(short_name)
    unit.name_folded = fold(unit.name + " " + unit.short_name)[:255]
    unit.sort_key = sort_key(unit.name)


def _open_version(unit: Unit, on: dt.date, event: UnitEvent | None) -> UnitVersion:
    return UnitVersion.objects.create(
        unit=unit,
        parent=unit.parent,
        name=unit.name,
        short_name=unit.short_name,
        kind=unit.kind,
        valid_from=on,
        event=event,
    )


def _close_version(unit: Unit, on: dt.date) -> None:
    UnitVersion.objects.filter(unit=unit, valid_to__isnull=True).update(valid_to=on)


def _event(
    kind: str, on: dt.date, by: Any, units: Iterable[Unit], note: str = "", **details: Any
) -> UnitEvent:
    event = UnitEvent.objects.create(
        kind=kind,
        effective_on=on,
        details=details,
        note=nfc(note),
        actor=by if getattr(by, "is_authenticated", False) else None,
    )
    event.units.set(list(units))
    return event


def _check_active(unit: Unit, field: str) -> None:
    if not unit.is_active:
        raise ValidationError(
            {field: _("Unit %(code)s is no longer active.") % {"code": unit.code}}
        )


def _check_date(on: dt.date | None, unit: Unit | None = None) -> dt.date:
    """The day a rename or reorganisation takes effect: today by default, never after today
    (the tree, the open work and the figures change when it is recorded: a change decided
    for a later day is recorded on that day)."""
    on = on or today()
    if on > today():
        raise ValidationError(
            {
                "effective_on": _(
                    "%(date)s is in the future. A reorganisation takes effect when it is "
                    "recorded: record it on that day."
                )
                % {"date": short_date(on)}
            }
        )
    if unit is not None and unit.founded_on and on < unit.founded_on:
        raise ValidationError(
            {
                "effective_on": _("The date is before the unit was founded (%(date)s).")
                % {"date": short_date(unit.founded_on)}
            }
        )
    return on


def _check_child_kind(parent: Unit | None, kind: str) -> None:
    if kind not in UnitKind.values:
        raise ValidationError({"kind": _("Unknown unit kind.")})
    if parent is None:
        if kind != UnitKind.NATIONAL and Unit.objects.filter(parent__isnull=True).exists():
            raise ValidationError({"parent": _("Every unit except the root needs a parent.")})
        return
    if kind not in ALLOWED_CHILDREN.get(parent.kind, set()):
        raise ValidationError(
            {
                "kind": _("A %(child)s cannot be placed under a %(parent)s.")
                % {"child": UnitKind(kind).label, "parent": UnitKind(parent.kind).label}
            }
        )


def _lock(unit: Unit) -> Unit:
    """Re-read a unit under a row lock so concurrent reorganisations queue. The unit tree's
    lock is taken alone first (`core.locks.hold_tree`): the submissions, decisions and member
    changes under way finish before the tree changes, and those that start wait for it."""
    locks.hold_tree(exclusive=True)
    return Unit.objects.select_for_update().get(pk=unit.pk)


@transaction.atomic
def create_unit(
    *,
    code: str,
    name: str,
    kind: str,
    parent: Unit | None,
    by: Any,
    short_name: str = "",
    address: str = "",
    founded_on: dt.date | None = None,
) -> Unit:
    code = normalise_code(code)
    errors: dict[str, str] = {}
    if not CODE_RE.match(code):
        errors["code"] = _(
            "A code has 1 to 32 capital letters, digits, dots, dashes or underscores."
        )
    elif Unit.objects.filter(code=code).exists():
        errors["code"] = _("The code %(code)s is already used by another unit.") % {"code": code}
    if not clean_line(name):
        errors["name"] = _("Enter the unit's name.")
    if errors:
        raise ValidationError(errors)
    if parent is not None:
        parent = _lock(parent)
        _check_active(parent, "parent")
    _check_child_kind(parent, kind)
    on = founded_on or today()
    unit = Unit(
        code=code,
        kind=kind,
        parent=parent,
        address=clean_line(address),
        founded_on=founded_on,
        depth=(parent.depth + 1) if parent else 0,
        path="~pending",
    )
    _set_names(unit, name, short_name)
    # The placeholder path must be unique until the id is known.
    unit.path = "~" + secrets.token_hex(8)
    unit.save()
    unit.path = (parent.path if parent else "") + encode_segment(unit.pk)
    unit.save(update_fields=["path"])
    event = _event(UnitEventKind.CREATED, on, by, [unit], parent=parent.code if parent else None)
    _open_version(unit, on, event)
    audit.record(actor=by, action="unit.create", obj=unit, after=audit.snapshot(unit, UNIT_FIELDS))
    return unit


@transaction.atomic
def update_unit(
    unit: Unit,
    *,
    by: Any,
    name: str | None = None,
    short_name: str | None = None,
    address: str | None = None,
    on: dt.date | None = None,
    expected_version: int | None = None,
) -> Unit:
    """Edit a unit's names and address. A new name is a dated rename with history."""
    unit = _lock(unit)
    if expected_version is not None and unit.version != expected_version:
        raise ConflictError(_("Someone else changed this unit meanwhile. Reload and try again."))
    _check_active(unit, "name")
    before = audit.snapshot(unit, UNIT_FIELDS)
    new_name = clean_line(name) if name is not None else unit.name
    new_short = clean_line(short_name) if short_name is not None else unit.short_name
    if not new_name:
        raise ValidationError({"name": _("Enter the unit's name.")})
    renamed = (new_name, new_short) != (unit.name, unit.short_name)
    if address is not None:
        unit.address = clean_line(address)
    if renamed:
        on = _check_date(on, unit)
        _set_names(unit, new_name, new_short)
        event = _event(UnitEventKind.RENAMED, on, by, [unit], old=before["name"], new=unit.name)
        _close_version(unit, on)
        unit.version += 1
        unit.save()
        _open_version(unit, on, event)
    else:
        unit.version += 1
        unit.save()
    audit.record(
        actor=by,
        action="unit.update",
        obj=unit,
        before=before,
        after=audit.snapshot(unit, UNIT_FIELDS),
    )
    return unit


def _shift_totals(from_path: str | None, to_path: str | None, count: int) -> None:
    """Move `count` members from the ancestors along one path to those along another."""
    if not count:
        return
    delta: Counter[int] = Counter()
    for pk in decode_path(from_path or ""):
        delta[pk] -= count
    for pk in decode_path(to_path or ""):
        delta[pk] += count
    by_amount: dict[int, list[int]] = {}
    for pk, amount in delta.items():
        if amount:
            by_amount.setdefault(amount, []).append(pk)
    for amount, pks in by_amount.items():
        Unit.objects.filter(pk__in=pks).update(members_total=F("members_total") + amount)


def _reparent(unit: Unit, new_parent: Unit) -> None:
    """Rewrite the paths of `unit`'s subtree to sit under `new_parent` (no history)."""
    old_path = unit.path
    new_path = new_parent.path + encode_segment(unit.pk)
    depth_delta = new_parent.depth + 1 - unit.depth
    Unit.objects.in_subtree(unit).update(
        path=Concat(Value(new_path), Substr("path", len(old_path) + 1)),
        depth=F("depth") + depth_delta,
    )
    # Members below the unit are counted on the old ancestors; carry them over.
    parent_old = old_path[: -len(encode_segment(unit.pk))]
    _shift_totals(parent_old, new_parent.path, unit.members_total)
    Unit.objects.filter(pk=unit.pk).update(parent=new_parent, version=F("version") + 1)
    unit.refresh_from_db()


def _check_move(unit: Unit, new_parent: Unit) -> None:
    if new_parent.pk == unit.pk or new_parent.path.startswith(unit.path):
        raise ValidationError(
            {"parent": _("A unit cannot be moved under itself or its own units.")}
        )
    _check_active(new_parent, "parent")
    _check_child_kind(new_parent, unit.kind)
    initiatives.check_campaigns_cover(
        unit, new_parent.path + encode_segment(unit.pk), "parent", subtree=True
    )


def _move_children(
    parent: Unit, target_for: Callable[[Unit], Unit], on: dt.date, event: UnitEvent
) -> None:
    """Move every active child of `parent` under `target_for(child)`, dated, with history."""
    for child in list(Unit.objects.filter(parent=parent, status=UnitStatus.ACTIVE)):
        target = target_for(child)
        _check_move(child, target)
        _close_version(child, on)
        _reparent(child, target)
        child.refresh_from_db()
        _open_version(child, on, event)


@transaction.atomic
def move_unit(
    unit: Unit, *, new_parent: Unit, by: Any, on: dt.date | None = None, note: str = ""
) -> Unit:
    unit = _lock(unit)
    new_parent = _lock(new_parent)
    _check_active(unit, "unit")
    if unit.parent_id is None:
        raise ValidationError({"unit": _("The root unit cannot be moved.")})
    if unit.parent_id == new_parent.pk:
        raise ValidationError(
            {"parent": _("The unit is already under %(name)s.") % {"name": new_parent.name}}
        )
    _check_move(unit, new_parent)
    on = _check_date(on, unit)
    old_parent = unit.parent
    assert old_parent is not None
    event = _event(
        UnitEventKind.MOVED,
        on,
        by,
        [unit, old_parent, new_parent],
        note,
        unit=unit.code,
        old_parent=old_parent.code,
        new_parent=new_parent.code,
    )
    figures = Reorganisation([unit])
    _close_version(unit, on)
    _reparent(unit, new_parent)
    _open_version(unit, on, event)
    figures.finish()
    audit.record(
        actor=by,
        action="unit.move",
        obj=unit,
        before={"parent": old_parent.code},
        after={"parent": new_parent.code},
        note=nfc(note),
    )
    return unit


def _move_members(source: Unit, target: Unit, on: dt.date, reason: str) -> int:
    """Every current member of `source` (not below it) now belongs to `target`."""
    members = list(
        Member.objects.filter(unit=source, left_on__isnull=True).values_list("pk", flat=True)
    )
    if not members:
        return 0
    if target.kind not in MEMBER_UNIT_KINDS:
        raise ValidationError(
            {
                "target": _(
                    "%(name)s cannot take the members of %(source)s: "
                    "it is not a grassroots union or union group."
                )
                % {"name": target.name, "source": source.name}
            }
        )
    for start in range(0, len(members), 5000):
        chunk = members[start : start + 5000]
        Membership.objects.filter(member_id__in=chunk, ended_on__isnull=True).update(ended_on=on)
        Membership.objects.bulk_create(
            [Membership(member_id=pk, unit=target, started_on=on, reason=reason) for pk in chunk]
        )
        Member.objects.filter(pk__in=chunk).update(unit=target, version=F("version") + 1)
    _shift_totals(source.path, target.path, len(members))
    return len(members)


def _close_unit(unit: Unit, *, status: str, successor: Unit | None, on: dt.date) -> None:
    _close_version(unit, on)
    Unit.objects.filter(pk=unit.pk).update(
        status=status, successor=successor, closed_on=on, version=F("version") + 1
    )
    # Units that already pointed here now point to the new answering unit.
    if successor is not None:
        Unit.objects.filter(successor=unit).update(successor=successor)


def _resolve_target(
    *,
    into: Unit | None,
    new_unit: dict[str, Any] | None,
    parent_hint: Unit | None,
    kind: str,
    by: Any,
    on: dt.date,
) -> Unit:
    if (into is None) == (new_unit is None):
        raise ValidationError(
            {"target": _("Choose an existing unit or describe a new one, not both.")}
        )
    if into is not None:
        return _lock(into)
    assert new_unit is not None
    parent = new_unit.get("parent") or parent_hint
    return create_unit(
        code=new_unit.get("code", ""),
        name=new_unit.get("name", ""),
        short_name=new_unit.get("short_name", ""),
        kind=new_unit.get("kind") or kind,
        parent=parent,
        founded_on=on,
        by=by,
    )


@transaction.atomic
def merge_units(
    sources: list[Unit],
    *,
    by: Any,
    into: Unit | None = None,
    new_unit: dict[str, Any] | None = None,
    on: dt.date | None = None,
    note: str = "",
) -> Unit:
    """Merge `sources` into one unit: an existing one (`into`) or a new one (`new_unit`:
    code, name, short_name, kind, parent). Children and members of the sources move to it;
    the sources close with the merged unit as successor, so their records answer to it."""
    if not sources:
        raise ValidationError({"sources": _("Choose the units to merge.")})
    sources = [_lock(s) for s in sources]
    if len({s.pk for s in sources}) != len(sources):
        raise ValidationError({"sources": _("A unit is listed twice.")})
    for a in sources:
        for b in sources:
            if a.pk != b.pk and b.path.startswith(a.path):
                raise ValidationError(
                    {
                        "sources": _("%(inner)s lies inside %(outer)s: merge only one of them.")
                        % {"inner": b.code, "outer": a.code}
                    }
                )
    for s in sources:
        _check_active(s, "sources")
        if s.parent_id is None:
            raise ValidationError({"sources": _("The root unit cannot be merged.")})
    on = _check_date(on)
    kinds = {s.kind for s in sources}
    target = _resolve_target(
        into=into,
        new_unit=new_unit,
        parent_hint=sources[0].parent,
        kind=sources[0].kind,
        by=by,
        on=on,
    )
    _check_active(target, "target")
    for s in sources:
        if target.pk == s.pk or target.path.startswith(s.path):
            raise ValidationError(
                {"target": _("A unit cannot be merged into itself or a unit below it.")}
            )
    for s in sources:
        initiatives.check_successor_takes_work(s, target, "target")
    event = _event(
        UnitEventKind.MERGED,
        on,
        by,
        [*sources, target],
        note,
        sources=[s.code for s in sources],
        target=target.code,
        kinds=sorted(kinds),
    )
    figures = Reorganisation([*sources, target])
    for s in sources:
        _move_children(s, lambda child: target, on, event)
        _move_members(s, target, on, _("Merged into %(code)s") % {"code": target.code})
        _close_unit(s, status=UnitStatus.MERGED, successor=target, on=on)
        initiatives.hand_over_open_work(s, target, by=by, note=nfc(note))
        plans.hand_over_plans(s, target, by=by, note=nfc(note))
        audit.record(
            actor=by,
            action="unit.merge",
            obj=s,
            before={"status": UnitStatus.ACTIVE},
            after={"status": UnitStatus.MERGED, "successor": target.code},
            note=nfc(note),
        )
    figures.finish()
    target.refresh_from_db()
    return target


@transaction.atomic
def split_unit(
    unit: Unit,
    *,
    by: Any,
    into: list[dict[str, Any]],
    records_to: str,
    children: dict[str, str] | None = None,
    members: dict[str, str] | None = None,
    on: dt.date | None = None,
    note: str = "",
) -> list[Unit]:
    """Split `unit` into new units (`into`: dicts of code, name, short_name, kind) under the
    same parent. `children` and `members` map a child unit code / member code to the code of
    the new unit it goes to; anything not mapped goes to `records_to`, which also answers
    for the split unit's records from now on."""
    unit = _lock(unit)
    _check_active(unit, "unit")
    if unit.parent is None:
        raise ValidationError({"unit": _("The root unit cannot be split.")})
    figures = Reorganisation([unit])
    if len(into) < 2:
        raise ValidationError({"into": _("A split makes at least two units.")})
    on = _check_date(on, unit)
    codes = [normalise_code(d.get("code", "")) for d in into]
    if normalise_code(records_to) not in codes:
        raise ValidationError(
            {"records_to": _("Choose which of the new units answers for the old unit's records.")}
        )
    new_units = {
        normalise_code(d.get("code", "")): create_unit(
            code=d.get("code", ""),
            name=d.get("name", ""),
            short_name=d.get("short_name", ""),
            kind=d.get("kind") or unit.kind,
            parent=unit.parent,
            founded_on=on,
            by=by,
        )
        for d in into
    }
    main = new_units[normalise_code(records_to)]
    initiatives.check_successor_takes_work(unit, main, "records_to")
    children = {normalise_code(k): normalise_code(v) for k, v in (children or {}).items()}
    members = {normalise_code(k): normalise_code(v) for k, v in (members or {}).items()}
    for code in set(children.values()) | set(members.values()):
        if code not in new_units:
            raise ValidationError(
                {"into": _("%(code)s is not one of the new units.") % {"code": code}}
            )
    event = _event(
        UnitEventKind.SPLIT,
        on,
        by,
        [unit, *new_units.values()],
        note,
        unit=unit.code,
        into=list(new_units),
        records_to=main.code,
    )
    _move_children(unit, lambda child: new_units[children.get(child.code, main.code)], on, event)
    unknown = set(members) - set(
        Member.objects.filter(unit=unit, code__in=list(members)).values_list("code", flat=True)
    )
    if unknown:
        raise ValidationError(
            {
                "members": _("Not members of this unit: %(codes)s")
                % {"codes": ", ".join(sorted(unknown))}
            }
        )
    reason = _("Split from %(code)s") % {"code": unit.code}
    for code, target in new_units.items():
        chosen = [m for m, t in members.items() if t == code]
        qs = Member.objects.filter(unit=unit, left_on__isnull=True)
        qs = qs.exclude(code__in=list(members)) if target is main else qs.filter(code__in=chosen)
        for member in list(qs):
            _move_member(member, target, on, reason)
    _close_unit(unit, status=UnitStatus.SPLIT, successor=main, on=on)
    initiatives.hand_over_open_work(unit, main, by=by, note=nfc(note))
    plans.hand_over_plans(unit, main, by=by, note=nfc(note))
    figures.finish(new_units.values())
    audit.record(
        actor=by,
        action="unit.split",
        obj=unit,
        before={"status": UnitStatus.ACTIVE},
        after={"status": UnitStatus.SPLIT, "into": list(new_units), "records_to": main.code},
        note=nfc(note),
    )
    return list(new_units.values())


@transaction.atomic
def dissolve_unit(
    unit: Unit,
    *,
    by: Any,
    transfer_to: Unit | None = None,
    on: dt.date | None = None,
    note: str = "",
) -> Unit:
    """Close a unit. Its active children and current members go to `transfer_to` when given;
    without it the unit must be empty. Its records answer to `transfer_to`, else its parent."""
    unit = _lock(unit)
    _check_active(unit, "unit")
    if unit.parent is None:
        raise ValidationError({"unit": _("The root unit cannot be dissolved.")})
    on = _check_date(on, unit)
    has_children = Unit.objects.filter(parent=unit, status=UnitStatus.ACTIVE).exists()
    has_members = Member.objects.filter(unit=unit, left_on__isnull=True).exists()
    if transfer_to is None and (has_children or has_members):
        raise ValidationError(
            {"transfer_to": _("The unit still has units or members: choose where they go.")}
        )
    successor = _lock(transfer_to) if transfer_to else unit.parent
    assert successor is not None
    if transfer_to is not None:
        _check_active(transfer_to, "transfer_to")
        if transfer_to.path.startswith(unit.path):
            raise ValidationError(
                {"transfer_to": _("Choose a unit outside the one being dissolved.")}
            )
    initiatives.check_successor_takes_work(unit, successor, "transfer_to")
    event = _event(
        UnitEventKind.DISSOLVED,
        on,
        by,
        [unit, successor],
        note,
        unit=unit.code,
        successor=successor.code,
    )
    figures = Reorganisation([unit, successor])
    if transfer_to is not None:
        _move_children(unit, lambda child: transfer_to, on, event)
        _move_members(unit, transfer_to, on, _("Unit %(code)s dissolved") % {"code": unit.code})
    _close_unit(unit, status=UnitStatus.DISSOLVED, successor=successor, on=on)
    initiatives.hand_over_open_work(unit, successor, by=by, note=nfc(note))
    plans.hand_over_plans(unit, successor, by=by, note=nfc(note))
    figures.finish()
    audit.record(
        actor=by,
        action="unit.dissolve",
        obj=unit,
        before={"status": UnitStatus.ACTIVE},
        after={"status": UnitStatus.DISSOLVED, "successor": successor.code},
        note=nfc(note),
    )
    unit.refresh_from_db()
    return unit


def tree_on(day: dt.date) -> dict[int, UnitVersion]:
    """The tree as it stood on `day`: unit id → the version in force that day."""
    versions = UnitVersion.objects.filter(valid_from__lte=day).exclude(valid_to__lte=day)
    return {v.unit_id: v for v in versions}


# -- members -----------------------------------------------------------------------------


def new_member_code() -> str:
    alphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
    while True:
        code = "DV" + "".join(secrets.choice(alphabet) for _ in range(8))
        if not Member.objects.filter(code=code).exists():
            return code


def _clean_member_fields(data: dict[str, Any]) -> tuple[dict[str, Any], dict[str, str]]:
    errors: dict[str, str] = {}
    out: dict[str, Any] = {}
    if "full_name" in data:
        name = clean_line(data["full_name"] or "")
        if not name:
            errors["full_name"] = _("Enter the member's full name.")
        out["full_name"] = name
    if "gender" in data:
        gender = data["gender"] or ""
        if gender and gender not in Gender.values:
            errors["gender"] = _("Choose male, female or other.")
        out["gender"] = gender
    if "position" in data:
        out["position"] = clean_line(data["position"] or "")
    if "phone" in data:
        typed = nfc(data["phone"] or "")
        phone = normalise_phone(typed)
        if not PHONE_CHARS_RE.match(typed) or (phone and not PHONE_RE.match(phone)):
            errors["phone"] = _("Enter a phone number of 8 to 20 digits.")
        out["phone"] = phone
    if "email" in data:
        out["email"] = nfc(data["email"] or "").lower()
    if "birth_date" in data:
        born = data["birth_date"]
        if born and (born > today() or born.year < 1900):
            errors["birth_date"] = _("Enter a real date of birth.")
        out["birth_date"] = born
    if "joined_on" in data:
        out["joined_on"] = data["joined_on"]
    return out, errors


@transaction.atomic
def create_member(
    *,
    unit: Unit,
    full_name: str,
    by: Any,
    code: str | None = None,
    birth_date: dt.date | None = None,
    gender: str = "",
    position: str = "",
    phone: str = "",
    email: str = "",
    joined_on: dt.date | None = None,
) -> Member:
    fields, errors = _clean_member_fields(
        {
            "full_name": full_name,
            "gender": gender,
            "position": position,
            "phone": phone,
            "email": email,
            "birth_date": birth_date,
            "joined_on": joined_on,
        }
    )
    locks.hold_tree()  # the member counts of the unit's chain change
    unit = Unit.objects.get(pk=unit.pk)  # the caller's copy may predate a reorganisation
    if unit.kind not in MEMBER_UNIT_KINDS:
        errors["unit"] = _("Members belong to a grassroots union or a union group.")
    elif not unit.is_active:
        errors["unit"] = _("Unit %(code)s is no longer active.") % {"code": unit.code}
    code = normalise_code(code) if code else new_member_code()
    if not CODE_RE.match(code):
        errors["code"] = _(
            "A member code has up to 32 capital letters, digits, dots, dashes or underscores, "
            "starting with a letter or digit."
        )
    elif Member.objects.filter(code=code).exists():
        errors["code"] = _("The member code %(code)s is already used.") % {"code": code}
    if errors:
        raise ValidationError(errors)
    member = Member(code=code, unit=unit, **fields)
    member.name_folded = fold(member.full_name)[:255]
    member.sort_key = person_sort_key(member.full_name)
    member.joined_on = member.joined_on or today()
    member.save()
    Membership.objects.create(member=member, unit=unit, started_on=member.joined_on)
    _shift_totals(None, unit.path, 1)
    audit.record(
        actor=by, action="member.create", obj=member, after=audit.snapshot(member, MEMBER_FIELDS)
    )
    return member


@transaction.atomic
def update_member(
    member: Member, *, by: Any, expected_version: int | None = None, **changes: Any
) -> Member:
    """Edit a member's own details (not the unit: see move_member)."""
    member = Member.objects.select_for_update().get(pk=member.pk)
    if expected_version is not None and member.version != expected_version:
        raise ConflictError(_("Someone else changed this member meanwhile. Reload and try again."))
    allowed = {"full_name", "birth_date", "gender", "position", "phone", "email", "joined_on"}
    unknown = set(changes) - allowed
    if unknown:
        raise ValidationError({k: _("This field cannot be changed here.") for k in unknown})
    fields, errors = _clean_member_fields(changes)
    if errors:
        raise ValidationError(errors)
    before = audit.snapshot(member, MEMBER_FIELDS)
    for key, value in fields.items():
        setattr(member, key, value)
    member.name_folded = fold(member.full_name)[:255]
    member.sort_key = person_sort_key(member.full_name)
    member.version += 1
    member.save()
    audit.record(
        actor=by,
        action="member.update",
        obj=member,
        before=before,
        after=audit.snapshot(member, MEMBER_FIELDS),
    )
    return member


def _move_member(member: Member, target: Unit, on: dt.date, reason: str) -> None:
    old = member.unit
    Membership.objects.filter(member=member, ended_on__isnull=True).update(ended_on=on)
    Membership.objects.create(member=member, unit=target, started_on=on, reason=reason)
    Member.objects.filter(pk=member.pk).update(unit=target, version=F("version") + 1)
    if member.left_on is None:
        _shift_totals(old.path, target.path, 1)


@transaction.atomic
def move_member(
    member: Member, *, to: Unit, by: Any, on: dt.date | None = None, reason: str = ""
) -> Member:
    locks.hold_tree()  # the member counts of the unit's chain change
    member = Member.objects.select_for_update().select_related("unit").get(pk=member.pk)
    if member.left_on is not None:
        raise ValidationError({"member": _("This person is no longer a member.")})
    to = Unit.objects.get(pk=to.pk)
    if to.kind not in MEMBER_UNIT_KINDS:
        raise ValidationError({"unit": _("Members belong to a grassroots union or a union group.")})
    _check_active(to, "unit")
    if to.pk == member.unit_id:
        raise ValidationError({"unit": _("The member is already in this unit.")})
    on = on or today()
    before = {"unit": member.unit.code}
    _move_member(member, to, on, clean_line(reason))
    member.refresh_from_db()
    audit.record(
        actor=by,
        action="member.move",
        obj=member,
        before=before,
        after={"unit": to.code},
        note=clean_line(reason),
    )
    return member


@transaction.atomic
def end_membership(
    member: Member, *, by: Any, on: dt.date | None = None, reason: str = ""
) -> Member:
    locks.hold_tree()  # the member counts of the unit's chain change
    member = Member.objects.select_for_update().select_related("unit").get(pk=member.pk)
    if member.left_on is not None:
        raise ValidationError({"member": _("This person is no longer a member.")})
    on = on or today()
    Membership.objects.filter(member=member, ended_on__isnull=True).update(
        ended_on=on, reason=clean_line(reason)
    )
    member.left_on = on
    member.version += 1
    member.save(update_fields=["left_on", "version", "updated_at"])
    _shift_totals(member.unit.path, None, 1)
    audit.record(
        actor=by,
        action="member.leave",
        obj=member,
        before={"left_on": None},
        after={"left_on": on},
        note=clean_line(reason),
    )
    return member


def recount_member_totals() -> int:
    """Set every unit's members_total from the base tables (after bulk loads); returns the
    number of units whose figure changed."""
    counts: Counter[int] = Counter()
    direct = (
        Member.objects.filter(left_on__isnull=True)
        .values_list("unit__path")
        .order_by()
        .annotate(n=Count("id"))
    )
    for path, n in direct:
        for pk in decode_path(path):
            counts[pk] += n
    changed = 0
    batch: list[Unit] = []
    for unit in Unit.objects.only("pk", "members_total").iterator(chunk_size=5000):
        want = counts.get(unit.pk, 0)
        if unit.members_total != want:
            unit.members_total = want
            batch.append(unit)
            changed += 1
        if len(batch) >= 5000:
            Unit.objects.bulk_update(batch, ["members_total"])
            batch = []
    if batch:
        Unit.objects.bulk_update(batch, ["members_total"])
    return changed
