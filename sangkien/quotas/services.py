"""Quota cascade: allocating quotas to a unit's children, a unit's own target, the summary of
an allocation, and the one read the statistics engine relies on (`quotas_for`).

Every write is atomic, takes the acting user as `by`, validates its whole input first
(ValidationError with a Vietnamese message per row, nothing written), writes a QuotaChange
and an audit entry for each figure that changed, and writes nothing for a figure given its
current value. Access (who may call what) is checked by the caller with
`permissions.can_*`.

Rules that hold whoever calls:
- only the direct, active children of a unit receive its allocation; the unit running the
  campaign has no parent inside it, so its own quota is set by its own officers
  (`set_own_quota`);
- a quota is a whole number ≥ 0; "1.500" and "1,500" (thousands grouped) are read as 1500;
- a unit's target is never below its assigned quota. When the parent raises a child's quota
  above the target the child had set, the target is cleared (the parent's allocation is
  binding; the cleared target stays in the history with a note) — the unit may set a new one.

Concurrency: the rows are locked first (SELECT … FOR UPDATE on PostgreSQL; SQLite's
IMMEDIATE transactions take the write lock at the start). Callers that showed the user a
form pass the versions they showed (`expected_versions`); a row changed meanwhile raises
ConflictError and nothing is written."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from sangkien.campaigns.models import Campaign, Phase
from sangkien.core import audit
from sangkien.core.errors import ConflictError, ValidationError
from sangkien.orgs.models import Unit, UnitStatus
from sangkien.text import clean_line

from .models import WHOLE_CAMPAIGN, Quota, QuotaChange, QuotaField

MAX_QUOTA = 1_000_000_000  # far above any real quota; above it is a typing slip
MAX_NOTE = 500
_THOUSANDS = re.compile(r"^\d{1,3}([.,]\d{3})+$")
_DIGITS = re.compile(r"^\d+$")
_SPACES = re.compile(r"[\s\u00a0\u202f]+")


# -- reading -------------------------------------------------------------------------------


@dataclass(frozen=True)
class QuotaValue:
    assigned: int | None
    target: int | None


def phase_key(phase: Phase | int | None) -> int:
    if phase is None:
        return WHOLE_CAMPAIGN
    return phase.pk if isinstance(phase, Phase) else int(phase)


def quotas_for(
    campaign: Campaign | int, phase: Phase | int | None, unit_ids: Iterable[int]
) -> dict[int, QuotaValue]:
    """The quotas of the given units for a campaign and phase, by unit id, in one query on
    the (campaign, unit, phase_key) unique index. Units without a row are absent.

    For a phase: the rows of that phase as stored.

    For the whole campaign (`phase=None`): the whole-campaign row (phase NULL). A unit whose
    assigned quota is not set for the whole campaign but is set for some of its phases gets
    the sum of its phases' assigned quotas; its target is then the whole-campaign target if
    one is set, else — when it set a target for at least one phase — the sum over those
    phases of the target, or of the assigned quota where no target was set (a target is never
    below the quota, so that sum is what the unit aims at over the whole campaign)."""
    ids = list({int(i) for i in unit_ids})
    if not ids:
        return {}
    campaign_id = campaign.pk if isinstance(campaign, Campaign) else int(campaign)
    qs = Quota.objects.filter(campaign_id=campaign_id, unit_id__in=ids)
    if phase is not None:
        rows = qs.filter(phase_key=phase_key(phase)).values_list("unit_id", "assigned", "target")
        return {unit_id: QuotaValue(assigned, target) for unit_id, assigned, target in rows}
    whole: dict[int, tuple[int | None, int | None]] = {}
    phases: dict[int, list[tuple[int | None, int | None]]] = {}
    for unit_id, key, assigned, target in qs.values_list(
        "unit_id", "phase_key", "assigned", "target"
    ):
        if key == WHOLE_CAMPAIGN:
            whole[unit_id] = (assigned, target)
        else:
            phases.setdefault(unit_id, []).append((assigned, target))
    out: dict[int, QuotaValue] = {}
    for unit_id in whole.keys() | phases.keys():
        assigned, target = whole.get(unit_id, (None, None))
        parts = phases.get(unit_id, [])
        if assigned is None and any(a is not None for a, _t in parts):
            assigned = sum(a for a, _t in parts if a is not None)
            if target is None and any(t is not None for _a, t in parts):
                target = sum((t if t is not None else (a or 0)) for a, t in parts)
        out[unit_id] = QuotaValue(assigned, target)
    return out


def active_children(unit: Unit) -> list[Unit]:
    return list(Unit.objects.filter(parent=unit, status=UnitStatus.ACTIVE).in_order())


class State:
    NO_OWN_QUOTA = "no_own_quota"
    OVER = "over"
    UNDER = "under"
    EXACT = "exact"


@dataclass(frozen=True)
class AllocationSummary:
    own_assigned: int | None
    own_target: int | None
    children_total: int  # sum of the children's assigned quotas (unset counts 0)
    children_count: int
    allocated_count: int  # children with an assigned quota
    difference: int | None  # children_total − own_assigned; > 0 over-allocated
    state: str

    @property
    def is_over(self) -> bool:
        return self.state == State.OVER

    @property
    def is_under(self) -> bool:
        return self.state == State.UNDER

    @property
    def unallocated(self) -> int:
        """What is left to allocate (0 when over-allocated or without an own quota)."""
        return max(-(self.difference or 0), 0)


def allocation_summary(
    unit: Unit,
    campaign: Campaign,
    phase: Phase | None,
    *,
    children: list[Unit] | None = None,
    values: dict[int, QuotaValue] | None = None,
) -> AllocationSummary:
    """The unit's own quota and target against the sum of what its active children were
    assigned (read like `quotas_for`). `children`/`values` let a page that already read them
    pass them in."""
    if children is None:
        children = active_children(unit)
    if values is None:
        values = quotas_for(campaign, phase, [unit.pk, *(c.pk for c in children)])
    own = values.get(unit.pk, QuotaValue(None, None))
    assigned = [values[c.pk].assigned for c in children if c.pk in values]
    total = sum(a for a in assigned if a is not None)
    allocated = sum(1 for a in assigned if a is not None)
    if own.assigned is None:
        difference, state = None, State.NO_OWN_QUOTA
    else:
        difference = total - own.assigned
        state = State.OVER if difference > 0 else State.UNDER if difference < 0 else State.EXACT
    return AllocationSummary(
        own_assigned=own.assigned,
        own_target=own.target,
        children_total=total,
        children_count=len(children),
        allocated_count=allocated,
        difference=difference,
        state=state,
    )


# -- input ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class QuotaTable:
    """A unit's and its active children's quotas for a campaign and phase, as the quota page
    and the API show them: the children in order, the quotas as read (`quotas_for`) and the
    stored rows (with their versions) by unit id."""

    children: list[Unit]
    values: dict[int, QuotaValue]
    stored: dict[int, Quota]


def quota_table(unit: Unit, campaign: Campaign, phase: Phase | None) -> QuotaTable:
    children = active_children(unit)
    ids = [unit.pk, *(c.pk for c in children)]
    stored = {
        q.unit_id: q
        for q in Quota.objects.filter(
            campaign=campaign, phase_key=phase_key(phase), unit_id__in=ids
        )
    }
    return QuotaTable(children, quotas_for(campaign, phase, ids), stored)


def parse_quota(value: Any) -> int | None:
    """A quota as typed or read from a spreadsheet cell: None for blank, else a whole number
    ≥ 0. Raises ValueError with a message for the user."""
    if value is None:
        return None
    if isinstance(value, bool):
        raise ValueError(_("Enter a whole number of initiatives."))
    if isinstance(value, int):
        number = value
    elif isinstance(value, float):
        if value != value or not value.is_integer():  # NaN or a fraction
            raise ValueError(_("A quota is a whole number of initiatives."))
        number = int(value)
    elif isinstance(value, str):
        text = _SPACES.sub("", value)
        if not text:
            return None
        negative = text.startswith("-")
        digits = text[1:] if negative else text
        if _THOUSANDS.match(digits):
            digits = digits.replace(".", "").replace(",", "")
        if not _DIGITS.match(digits):
            raise ValueError(
                _("“%(value)s” is not a whole number (write 1500 or 1.500).")
                % {"value": value.strip()[:40]}
            )
        number = -int(digits) if negative else int(digits)
    else:
        raise ValueError(_("Enter a whole number of initiatives."))
    if number < 0:
        raise ValueError(_("A quota cannot be negative."))
    if number > MAX_QUOTA:
        limit = number_format(MAX_QUOTA, force_grouping=True)
        raise ValueError(_("A quota cannot be above %(n)s.") % {"n": limit})
    return number


def _check_scope(unit: Unit, campaign: Campaign, phase: Phase | None) -> None:
    if phase is not None and phase.campaign_id != campaign.pk:
        raise ValidationError({"phase": _("Choose a phase of this campaign.")})
    if not campaign.covers(unit):
        raise ValidationError(
            {"unit": _("%(unit)s is outside the campaign %(campaign)s.")
             % {"unit": unit.name, "campaign": campaign.name}}
        )  # fmt: skip
    if not unit.is_active:
        raise ValidationError({"unit": _("%(unit)s has closed.") % {"unit": unit.name}})


def _clean_note(note: str) -> str:
    note = clean_line(note or "")
    if len(note) > MAX_NOTE:
        raise ValidationError(
            {"note": _("Keep the note under %(n)s characters.") % {"n": MAX_NOTE}}
        )
    return note


def _resolve(key: Any, children: dict[int, Unit], by_code: dict[str, Unit]) -> Unit | None:
    if isinstance(key, Unit):
        return children.get(key.pk)
    if isinstance(key, int):
        return children.get(key)
    if isinstance(key, str):
        return by_code.get(key.strip().upper())
    return None


def _lock_rows(campaign: Campaign, key: int, unit_ids: list[int]) -> dict[int, Quota]:
    rows = Quota.objects.select_for_update().filter(
        campaign=campaign, phase_key=key, unit_id__in=unit_ids
    )
    return {q.unit_id: q for q in rows}


def _new_row(unit: Unit, campaign: Campaign, phase: Phase | None) -> Quota:
    return Quota(unit=unit, campaign=campaign, phase=phase, phase_key=phase_key(phase), version=0)


def _save(quota: Quota, by: Any) -> None:
    """Insert or update one row, one version up; a row another writer inserted a moment
    before (the unique constraint) is a conflict."""
    quota.version += 1
    quota.updated_by = by if getattr(by, "is_authenticated", False) else None
    if quota.pk is None:
        try:
            with transaction.atomic():
                quota.save(force_insert=True)
        except IntegrityError as exc:
            raise ConflictError(
                _("Someone else changed these quotas meanwhile. Reload and try again.")
            ) from exc
    else:
        quota.save()
    # The quota percent ranks move with the quota (the whole campaign's may sum the phases).
    from sangkien.stats import ranks

    ranks.sync(quota.campaign_id, {WHOLE_CAMPAIGN, quota.phase_key}, [quota.unit_id])


def _change(
    quota: Quota, field: str, before: int | None, after: int | None, by: Any, note: str
) -> QuotaChange:
    user = by if getattr(by, "is_authenticated", False) else None
    change = QuotaChange.objects.create(
        quota=quota, field=field, before=before, after=after, by=user, note=note
    )
    audit.record(
        actor=by,
        action=f"quota.{field}",
        obj=quota,
        before={field: before, "unit": quota.unit_id, "phase": quota.phase_id},
        after={field: after, "unit": quota.unit_id, "phase": quota.phase_id},
        note=note,
    )
    return change


def _set_assigned(quota: Quota, value: int | None, by: Any, note: str) -> list[QuotaChange]:
    before_assigned, before_target = quota.assigned, quota.target
    quota.assigned = value
    cleared = value is not None and before_target is not None and before_target < value
    if cleared:
        quota.target = None
    _save(quota, by)
    changes = [_change(quota, QuotaField.ASSIGNED, before_assigned, value, by, note)]
    if cleared:
        changes.append(
            _change(
                quota,
                QuotaField.TARGET,
                before_target,
                None,
                by,
                _("Cleared: below the new assigned quota of %(n)s.") % {"n": value},
            )
        )
    return changes


# -- writing -------------------------------------------------------------------------------


@transaction.atomic
def allocate(
    parent_unit: Unit,
    campaign: Campaign,
    phase: Phase | None,
    values: Mapping[Any, Any],
    by: Any,
    *,
    expected_versions: Mapping[Any, int] | None = None,
    note: str = "",
) -> list[QuotaChange]:
    """Assign quotas to direct children of `parent_unit` for the campaign (and phase).

    `values` maps a child (Unit, id or code) to its quota (int, or text such as "1.500";
    None or "" clears it). Children not named keep theirs. `expected_versions` maps a child
    to the version of its quota row the user saw (0 for none); when given, it must name
    every child in `values` with a whole number, or nothing is written (ConflictError).
    Returns the changes written (none when every value was already the current one)."""
    _check_scope(parent_unit, campaign, phase)
    note = _clean_note(note)
    children_list = active_children(parent_unit)
    children = {c.pk: c for c in children_list}
    by_code = {c.code: c for c in children_list}
    errors: dict[str, str] = {}
    wanted: dict[int, int | None] = {}
    for key, raw in values.items():
        child = _resolve(key, children, by_code)
        label = getattr(key, "code", None) or str(key)
        if child is None:
            errors[label] = _(
                "%(unit)s is not a unit directly under %(parent)s; quotas go to its own units."
            ) % {"unit": getattr(key, "name", label), "parent": parent_unit.name}
            continue
        try:
            wanted[child.pk] = parse_quota(raw)
        except ValueError as exc:
            errors[child.code] = _("%(unit)s (%(code)s): %(problem)s") % {
                "unit": child.name,
                "code": child.code,
                "problem": exc,
            }
    if errors:
        raise ValidationError(errors)

    key = phase_key(phase)
    rows = _lock_rows(campaign, key, list(wanted))
    if expected_versions is not None:
        # Every value written is checked against the version its writer saw: a value that
        # comes without one (a garbled or missing `versions` field) is refused like a stale
        # one, never written unchecked.
        seen: dict[int, int | None] = {}
        for k, version in expected_versions.items():
            child = _resolve(k, children, by_code)
            if child is None or child.pk not in wanted:
                continue
            try:
                seen[child.pk] = int(version)
            except (TypeError, ValueError):
                seen[child.pk] = None
        unknown = [children[pk].name for pk in wanted if seen.get(pk) is None]
        if unknown:
            raise ConflictError(
                _(
                    "The page did not say which quotas it showed for %(units)s, so nothing "
                    "was saved. Reload the page and try again."
                )
                % {"units": ", ".join(unknown)}
            )
        stale = [
            children[pk].name
            for pk in wanted
            if seen[pk] != (rows[pk].version if pk in rows else 0)
        ]
        if stale:
            raise ConflictError(
                _("Someone else changed the quotas of %(units)s meanwhile. Reload and try again.")
                % {"units": ", ".join(stale)}
            )
    changes: list[QuotaChange] = []
    for child in children_list:
        if child.pk not in wanted:
            continue
        quota = rows.get(child.pk) or _new_row(child, campaign, phase)
        if quota.assigned == wanted[child.pk]:
            continue
        if quota.pk is None and wanted[child.pk] is None:
            continue
        changes += _set_assigned(quota, wanted[child.pk], by, note)
    return changes


@transaction.atomic
def set_own_quota(
    unit: Unit,
    campaign: Campaign,
    phase: Phase | None,
    value: Any,
    by: Any,
    *,
    expected_version: int | None = None,
    note: str = "",
) -> list[QuotaChange]:
    """The quota of the unit running the campaign, which no parent inside the campaign
    allocates (the national quota of a national campaign)."""
    _check_scope(unit, campaign, phase)
    if unit.pk != campaign.owner_id:
        raise ValidationError(
            {"assigned": _("%(unit)s receives its quota from the unit above it.")
             % {"unit": unit.name}}
        )  # fmt: skip
    note = _clean_note(note)
    try:
        number = parse_quota(value)
    except ValueError as exc:
        raise ValidationError({"assigned": str(exc)}) from exc
    quota = _lock_rows(campaign, phase_key(phase), [unit.pk]).get(unit.pk)
    _check_version(quota, expected_version)
    quota = quota or _new_row(unit, campaign, phase)
    if quota.assigned == number or (quota.pk is None and number is None):
        return []
    return _set_assigned(quota, number, by, note)


def _check_version(quota: Quota | None, expected: int | None) -> None:
    current = quota.version if quota is not None else 0
    if expected is not None and int(expected) != current:
        raise ConflictError(_("Someone else changed this quota meanwhile. Reload and try again."))


@transaction.atomic
def set_target(
    unit: Unit,
    campaign: Campaign,
    phase: Phase | None,
    value: Any,
    by: Any,
    *,
    expected_version: int | None = None,
    note: str = "",
) -> list[QuotaChange]:
    """The target the unit sets itself (mục tiêu tự đăng ký): None or blank clears it; it
    cannot be below the quota assigned to the unit."""
    _check_scope(unit, campaign, phase)
    note = _clean_note(note)
    try:
        number = parse_quota(value)
    except ValueError as exc:
        raise ValidationError({"target": str(exc)}) from exc
    quota = _lock_rows(campaign, phase_key(phase), [unit.pk]).get(unit.pk)
    _check_version(quota, expected_version)
    quota = quota or _new_row(unit, campaign, phase)
    if number is not None and quota.assigned is not None and number < quota.assigned:
        raise ValidationError(
            {"target": _(
                "The target of %(unit)s cannot be below its assigned quota of %(assigned)s; "
                "enter %(assigned)s or more."
            ) % {"unit": unit.name, "assigned": quota.assigned}}
        )  # fmt: skip
    if quota.target == number or (quota.pk is None and number is None):
        return []
    before = quota.target
    quota.target = number
    _save(quota, by)
    return [_change(quota, QuotaField.TARGET, before, number, by, note)]


def history(
    units: Iterable[Unit], campaign: Campaign, phase: Phase | None, *, limit: int = 50
) -> list[QuotaChange]:
    """The latest changes to the quotas of the given units, newest first."""
    ids = [u.pk for u in units]
    return list(
        QuotaChange.objects.filter(
            Q(quota__unit_id__in=ids), quota__campaign=campaign, quota__phase_key=phase_key(phase)
        )
        .select_related("quota__unit", "by")
        .order_by("-at", "-id")[:limit]
    )
