"""Writes for implementation plans, and the coverage figure.

`create_plan`, `update_plan` and `delete_plan` are each one transaction: the plan, its
audit entry and the counters above its unit move together. `plan_coverage` answers, for a
list of units, how many grassroots unions below each have a plan and how many there are,
from the per-unit counters (one read of a few rows, whatever the subtree's size); see
docs/decisions/0011-plans-and-teams.md."""

from __future__ import annotations

import datetime as dt
import secrets
from collections import Counter
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import F, Max
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext as _

from sangkien.campaigns.models import Campaign
from sangkien.core import audit
from sangkien.core.errors import ConflictError, ValidationError
from sangkien.core.numbers import percent
from sangkien.initiatives import files
from sangkien.orgs.models import Unit, UnitEvent, UnitKind, UnitStatus, decode_path
from sangkien.text import clean_line, nfc

from .models import CoverageStamp, GrassrootsCount, Plan, PlanCount

PLAN_FIELDS = [
    "unit",
    "campaign",
    "signed_on",
    "employer_name",
    "employer_representative",
    "targets",
    "target_initiatives",
    "reward_mechanism",
    "document_name",
    "document_size",
]
TEXT_LIMIT = 10_000
_UNSET: Any = object()


def _user(by: Any) -> Any:
    return by if getattr(by, "is_authenticated", False) else None


# -- validation ----------------------------------------------------------------------------


def _clean_fields(data: dict[str, Any], errors: dict[str, str]) -> dict[str, Any]:
    """The plan's own fields, normalised, with a message per field that is wrong."""
    out: dict[str, Any] = {}
    if "signed_on" in data:
        signed_on = data["signed_on"]
        if not isinstance(signed_on, dt.date):
            errors["signed_on"] = _("Enter the date the plan was signed.")
        elif signed_on > timezone.localdate():
            errors["signed_on"] = _("The date signed cannot be in the future.")
        out["signed_on"] = signed_on
    lines = {
        "employer_name": _("Enter the name of the employer (the enterprise or agency)."),
        "employer_representative": _("Enter who signed the plan for the employer."),
    }
    for name, missing in lines.items():
        if name in data:
            value = clean_line(data[name] or "")
            if not value:
                errors[name] = missing
            elif len(value) > 255:
                errors[name] = _("This is longer than 255 characters.")
            out[name] = value
    texts = {
        "targets": _("Enter the plan's concrete targets."),
        "reward_mechanism": _(
            "Describe how the plan encourages and rewards the members who take part."
        ),
    }
    for name, missing in texts.items():
        if name in data:
            value = nfc(data[name] or "")
            if not value:
                errors[name] = missing
            elif len(value) > TEXT_LIMIT:
                errors[name] = _("This is longer than %(n)s characters.") % {"n": TEXT_LIMIT}
            out[name] = value
    if "target_initiatives" in data:
        target = data["target_initiatives"]
        if target in (None, ""):
            target = None
        elif isinstance(target, bool) or not isinstance(target, int) or target < 1:
            errors["target_initiatives"] = _(
                "The number of initiatives targeted must be a whole number above zero."
            )
        elif target > 10_000_000:
            errors["target_initiatives"] = _("The number of initiatives targeted is too large.")
        out["target_initiatives"] = target
    return out


def _check_document(upload: UploadedFile, errors: dict[str, str]) -> files.FileType | None:
    """The upload's type when it is an accepted file (read from its bytes), else None with
    the reason in `errors`."""
    name = clean_line(upload.name or "")[:255] or "file"
    limit = settings.SANGKIEN_ATTACHMENT_MAX_BYTES
    if upload.size is not None and upload.size == 0:
        errors["document"] = _("%(name)s is empty.") % {"name": name}
        return None
    if upload.size is None or upload.size > limit:
        errors["document"] = _("%(name)s is larger than %(limit)s.") % {
            "name": name,
            "limit": filesizeformat(limit),
        }
        return None
    kind = files.sniff(name, upload)
    if kind is None:
        errors["document"] = _(
            "%(name)s is not an accepted file. Attach the signed plan as a PDF, an image "
            "(JPG, PNG, WebP) or an office document (Word, Excel, PowerPoint, OpenDocument)."
        ) % {"name": name}
    return kind


def _store_document(plan: Plan, upload: UploadedFile, kind: files.FileType) -> None:
    """Put the upload in storage under a name of the product's making (not saved yet)."""
    plan.document_token = secrets.token_hex(16)
    plan.document_extension = kind.extension
    plan.document_name = clean_line(upload.name or "")[:255] or "file"
    plan.document_type = kind.content_type
    plan.document_size = upload.size
    plan.document.save(plan.document_name, upload, save=False)


def _check_unit(unit: Unit, campaign: Campaign, errors: dict[str, str]) -> None:
    if unit.kind != UnitKind.GRASSROOTS:
        errors["unit"] = _(
            "Implementation plans are signed by grassroots unions; %(name)s is not one."
        ) % {"name": unit.name}
    elif not unit.is_active:
        errors["unit"] = _("Unit %(code)s is no longer active.") % {"code": unit.code}
    elif not campaign.covers(unit):
        errors["unit"] = _("The campaign %(campaign)s does not cover %(name)s.") % {
            "campaign": campaign.name,
            "name": unit.name,
        }


# -- writes ----------------------------------------------------------------------------------


@transaction.atomic
def create_plan(
    *,
    unit: Unit,
    campaign: Campaign,
    by: Any,
    signed_on: dt.date | None,
    employer_name: str,
    employer_representative: str,
    targets: str,
    reward_mechanism: str,
    target_initiatives: int | None = None,
    document: UploadedFile | None = None,
) -> Plan:
    """Record the implementation plan a grassroots union signed with its employer for a
    campaign (one per union and campaign)."""
    errors: dict[str, str] = {}
    _check_unit(unit, campaign, errors)
    values = _clean_fields(
        {
            "signed_on": signed_on,
            "employer_name": employer_name,
            "employer_representative": employer_representative,
            "targets": targets,
            "target_initiatives": target_initiatives,
            "reward_mechanism": reward_mechanism,
        },
        errors,
    )
    kind = _check_document(document, errors) if document is not None else None
    _lock_stamp()  # queue behind a recount of the counters (see recount_coverage)
    if "unit" not in errors and Plan.objects.filter(campaign=campaign, unit=unit).exists():
        errors["unit"] = _("%(name)s already has an implementation plan for this campaign.") % {
            "name": unit.name
        }
    if errors:
        raise ValidationError(errors)
    plan = Plan(unit=unit, campaign=campaign, created_by=_user(by), updated_by=_user(by), **values)
    if document is not None and kind is not None:
        _store_document(plan, document, kind)
    try:
        try:
            with transaction.atomic():
                plan.save()
        except IntegrityError:
            raise ValidationError(
                {
                    "unit": _("%(name)s already has an implementation plan for this campaign.")
                    % {"name": unit.name}
                }
            ) from None
        _count(plan, +1)
        audit.record(
            actor=by, action="plan.create", obj=plan, after=audit.snapshot(plan, PLAN_FIELDS)
        )
    except Exception:
        if plan.document:
            plan.document.delete(save=False)
        raise
    return plan


@transaction.atomic
def update_plan(
    plan: Plan,
    *,
    by: Any,
    expected_version: int | None = None,
    document: UploadedFile | None = None,
    **changes: Any,
) -> Plan:
    """Change a plan's fields (those given) and, with `document`, replace its signed
    document. Refused with ConflictError when someone changed it since `expected_version`."""
    unknown = set(changes) - {
        "signed_on",
        "employer_name",
        "employer_representative",
        "targets",
        "target_initiatives",
        "reward_mechanism",
    }
    if unknown:
        raise TypeError(f"unknown plan fields: {sorted(unknown)}")
    plan = Plan.objects.select_for_update().select_related("unit", "campaign").get(pk=plan.pk)
    if expected_version is not None and plan.version != expected_version:
        raise ConflictError(
            _("Someone else changed this implementation plan meanwhile. Reload and try again.")
        )
    errors: dict[str, str] = {}
    if not plan.unit.is_active:
        errors["unit"] = _("Unit %(code)s is no longer active.") % {"code": plan.unit.code}
    values = _clean_fields(changes, errors)
    kind = _check_document(document, errors) if document is not None else None
    if errors:
        raise ValidationError(errors)
    before = audit.snapshot(plan, PLAN_FIELDS)
    old_document = plan.document.name if plan.document else ""
    for name, value in values.items():
        setattr(plan, name, value)
    if document is not None and kind is not None:
        _store_document(plan, document, kind)
    plan.updated_by = _user(by)
    plan.version += 1
    try:
        plan.save()
        audit.record(
            actor=by,
            action="plan.update",
            obj=plan,
            before=before,
            after=audit.snapshot(plan, PLAN_FIELDS),
        )
    except Exception:
        if document is not None and plan.document:
            plan.document.delete(save=False)
        raise
    if document is not None and old_document:
        _delete_file_on_commit(old_document)
    return plan


@transaction.atomic
def delete_plan(plan: Plan, *, by: Any, expected_version: int | None = None) -> None:
    """Remove a plan (recorded by mistake, or under the wrong union). The audit log keeps
    what it said; its document is deleted once the removal is committed."""
    _lock_stamp()
    locked = Plan.objects.select_for_update().select_related("unit").filter(pk=plan.pk).first()
    if locked is None:
        raise ConflictError(_("This implementation plan was removed meanwhile."))
    if expected_version is not None and locked.version != expected_version:
        raise ConflictError(
            _("Someone else changed this implementation plan meanwhile. Reload and try again.")
        )
    before = audit.snapshot(locked, PLAN_FIELDS)
    audit.record(actor=by, action="plan.delete", obj=locked, before=before)
    document = locked.document.name if locked.document else ""
    _count(locked, -1)
    locked.delete()
    if document:
        _delete_file_on_commit(document)


def hand_over_plans(unit: Unit, successor: Unit, *, by: Any, note: str = "") -> int:
    """The implementation plans of `unit`, which a merge, split or dissolution closes, go to
    `successor`, the unit that answers for it now, like its open initiatives: for each
    campaign that covers the successor and where the successor, an active grassroots union,
    has no plan of its own yet. A plan the successor cannot take (it has one already, it is
    not a grassroots union, the campaign does not reach it) stays with the closed unit, which
    no longer counts in plan coverage. Runs inside the reorganisation's transaction (the
    coverage counters are counted again for the changed tree); returns how many moved."""
    if successor.kind != UnitKind.GRASSROOTS or successor.status != UnitStatus.ACTIVE:
        return 0
    plans = list(
        Plan.objects.select_for_update()
        .select_related("campaign__owner")
        .filter(unit=unit)
        .order_by("pk")
    )
    if not plans:
        return 0
    _lock_stamp()
    taken = set(Plan.objects.filter(unit=successor).values_list("campaign_id", flat=True))
    moved = 0
    for plan in plans:
        if plan.campaign_id in taken or not plan.campaign.covers(successor):
            continue
        Plan.objects.filter(pk=plan.pk).update(
            unit=successor, version=F("version") + 1, updated_at=timezone.now()
        )
        audit.record(
            actor=by,
            action="plan.moved",
            obj=plan,
            before={"unit": unit.code},
            after={"unit": successor.code},
            note=note,
        )
        taken.add(plan.campaign_id)
        moved += 1
    return moved


def _delete_file_on_commit(name: str) -> None:
    from django.core.files.storage import default_storage

    transaction.on_commit(lambda: default_storage.delete(name))


# -- counters ------------------------------------------------------------------------------


def _counted_ancestors(unit: Unit) -> list[int]:
    """The units whose counters a plan of `unit` moves: those above it. A plan counts only
    while its unit is an active grassroots union."""
    if unit.kind != UnitKind.GRASSROOTS or unit.status != UnitStatus.ACTIVE:
        return []
    return decode_path(unit.path)[:-1]


def _count(plan: Plan, delta: int) -> None:
    ancestors = _counted_ancestors(plan.unit)
    if not ancestors:
        return
    PlanCount.objects.bulk_create(
        [PlanCount(campaign_id=plan.campaign_id, unit_id=pk, with_plan=0) for pk in ancestors],
        ignore_conflicts=True,
    )
    PlanCount.objects.filter(campaign_id=plan.campaign_id, unit_id__in=ancestors).update(
        with_plan=F("with_plan") + delta
    )


def tree_key() -> str:
    """The state of the tree: every unit created and every reorganisation (move, merge,
    split, dissolution) raises one of these two ids."""
    units = Unit.objects.aggregate(m=Max("id"))["m"] or 0
    events = UnitEvent.objects.aggregate(m=Max("id"))["m"] or 0
    return f"{units}:{events}"


def _lock_stamp() -> CoverageStamp:
    stamp = CoverageStamp.objects.select_for_update().filter(pk=1).first()
    if stamp is None:
        CoverageStamp.objects.bulk_create([CoverageStamp(pk=1)], ignore_conflicts=True)
        stamp = CoverageStamp.objects.select_for_update().get(pk=1)
    return stamp


@transaction.atomic
def recount_coverage(*, force: bool = False) -> bool:
    """Count both counters again from the units and the plans, for the tree as it stands
    (set-based: one pass over the active grassroots unions' paths and one over the plans).
    Skipped when the tree has not changed since the last count, unless `force`. Returns
    whether it counted."""
    stamp = _lock_stamp()
    key = tree_key()
    if stamp.tree_key == key and not force:
        return False
    grassroots: Counter[int] = Counter()
    active = Unit.objects.filter(kind=UnitKind.GRASSROOTS, status=UnitStatus.ACTIVE)
    for path in active.values_list("path", flat=True).iterator(chunk_size=10_000):
        for pk in decode_path(path)[:-1]:
            grassroots[pk] += 1
    plans: Counter[tuple[int, int]] = Counter()
    counted = Plan.objects.filter(unit__kind=UnitKind.GRASSROOTS, unit__status=UnitStatus.ACTIVE)
    for campaign_id, path in counted.values_list("campaign_id", "unit__path").iterator(
        chunk_size=10_000
    ):
        for pk in decode_path(path)[:-1]:
            plans[(campaign_id, pk)] += 1
    GrassrootsCount.objects.all().delete()
    GrassrootsCount.objects.bulk_create(
        [GrassrootsCount(unit_id=pk, active=n) for pk, n in grassroots.items()], batch_size=5000
    )
    PlanCount.objects.all().delete()
    PlanCount.objects.bulk_create(
        [PlanCount(campaign_id=c, unit_id=pk, with_plan=n) for (c, pk), n in plans.items()],
        batch_size=5000,
    )
    stamp.tree_key = key
    stamp.counted_at = timezone.now()
    stamp.save()
    return True


def _ensure_counted() -> None:
    stamp = CoverageStamp.objects.filter(pk=1).values_list("tree_key", flat=True).first()
    if stamp != tree_key():
        recount_coverage()


def plan_coverage(campaign: Campaign, units: list[Unit]) -> dict[int, tuple[int, int]]:
    """For each unit (by id): (grassroots unions below it or itself that have a plan for the
    campaign, active grassroots unions below it or itself), in the current tree and within
    the campaign's reach. A unit above the campaign's owner answers with the owner's
    figures; a unit outside it with (0, 0). Reads one counter row per unit."""
    _ensure_counted()
    owner = campaign.owner
    answer_by: dict[int, Unit] = {}
    result: dict[int, tuple[int, int]] = {}
    for unit in units:
        if unit.path.startswith(owner.path):
            answer_by[unit.pk] = unit
        elif owner.path.startswith(unit.path):
            answer_by[unit.pk] = owner
        else:
            result[unit.pk] = (0, 0)
    grassroots = {pk: u for pk, u in answer_by.items() if u.kind == UnitKind.GRASSROOTS}
    upper = {pk: u.pk for pk, u in answer_by.items() if pk not in grassroots}
    if upper:
        ids = set(upper.values())
        active = dict(
            GrassrootsCount.objects.filter(unit_id__in=ids).values_list("unit_id", "active")
        )
        with_plan = dict(
            PlanCount.objects.filter(campaign=campaign, unit_id__in=ids).values_list(
                "unit_id", "with_plan"
            )
        )
        for pk, target in upper.items():
            result[pk] = (with_plan.get(target, 0), active.get(target, 0))
    if grassroots:
        has_plan = set(
            Plan.objects.filter(
                campaign=campaign, unit_id__in={u.pk for u in grassroots.values()}
            ).values_list("unit_id", flat=True)
        )
        for pk, grassroots_unit in grassroots.items():
            is_active = grassroots_unit.status == UnitStatus.ACTIVE
            result[pk] = (int(is_active and grassroots_unit.pk in has_plan), int(is_active))
    return result


def plans_percent(with_plan: int, grassroots: int) -> Decimal | None:
    """`with_plan / grassroots × 100` to one decimal (half up); None with no grassroots."""
    return percent(with_plan, grassroots)
