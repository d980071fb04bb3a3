"""Writes to initiatives: entry, edits, the validation workflow and attachments.

Every function is atomic, takes the acting user as `by`, checks its input against the
campaign (raising ValidationError with per-field messages, nothing written), leaves a
HistoryEntry and an audit entry, and tells the people concerned (after commit).
Access (who may call what) is checked by the caller with `permissions.can_*`; the rules that
hold whoever calls (the transition table, nobody decides their own initiative) are here.

Status changes follow `models.TRANSITIONS`; a refused move raises `TransitionError` (HTTP
409), and so does a decision on an initiative someone else decided a moment before."""

from __future__ import annotations

import datetime as dt
import secrets
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from sangkien.accounts.models import Role, RoleGrant
from sangkien.campaigns.models import ApplicationField, Campaign
from sangkien.core import audit
from sangkien.core.errors import ConflictError, ValidationError
from sangkien.notifications.services import notify
from sangkien.orgs.models import Member, Unit, UnitKind
from sangkien.text import clean_line, fold, nfc

from . import files
from .models import (
    TRANSITIONS,
    Action,
    Attachment,
    AttachmentKind,
    Author,
    HistoryEntry,
    Initiative,
    Status,
)
from .permissions import forget_authors

MAX_BENEFIT_VND = 10**15  # a million billion đồng: anything above is a typing slip
MAX_AUTHORS = 50
MAX_TEXT = 20_000
ENTRY_UNIT_KINDS = {UnitKind.GRASSROOTS, UnitKind.GROUP}
TEXT_FIELDS = [
    "problem", "description", "conditions", "benefit_method", "confidential",
    "first_application_people",
]  # fmt: skip
LINE_FIELDS = {"investor": 255, "recognition_body": 255, "recognition_number": 64}
EDITABLE_FIELDS = {
    "title", "field", "first_applied_on", "benefit_claimed_vnd", "recognition_date",
    *TEXT_FIELDS, *LINE_FIELDS,
}  # fmt: skip
# What must be filled in before an initiative can be submitted.
REQUIRED_TO_SUBMIT = ["title", "field", "problem", "description", "first_applied_on"]
RECOGNITION_FIELDS = ["recognition_body", "recognition_number", "recognition_date"]
AUDIT_FIELDS = [
    "campaign", "unit", "title", "field", "first_applied_on", "benefit_claimed_vnd",
    "benefit_valid_vnd", "status", "recognition_body", "recognition_number",
    "recognition_date", "investor", "decision_reason", "version",
]  # fmt: skip


class TransitionError(ConflictError):
    """The initiative is not in a status that allows the requested step."""


def _day(value: dt.date) -> str:
    return formats.date_format(value, "SHORT_DATE_FORMAT")


def _to_int(value: Any) -> int | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise ValueError
    if isinstance(value, int):
        return value
    if isinstance(value, Decimal | float):
        if value != int(value):
            raise ValueError
        return int(value)
    text = str(value).strip().replace(".", "").replace(" ", "")
    return int(text)


# -- cleaning input ------------------------------------------------------------------------


def _clean_fields(
    data: dict[str, Any], campaign: Campaign
) -> tuple[dict[str, Any], dict[str, str]]:
    """The given fields made clean (NFC, trimmed, typed) and the problems found in them."""
    out: dict[str, Any] = {}
    errors: dict[str, str] = {}
    unknown = set(data) - EDITABLE_FIELDS
    for name in sorted(unknown):
        errors[name] = _("This field cannot be set here.")
    today = timezone.localdate()
    if "title" in data:
        title = clean_line(data["title"] or "")
        if not title:
            errors["title"] = _("Enter a title that says what the initiative is.")
        elif len(title) > 500:
            errors["title"] = _("Keep the title under 500 characters.")
        out["title"] = title
    for name in TEXT_FIELDS:
        if name in data:
            text = nfc(data[name] or "").replace("\r\n", "\n")
            if len(text) > MAX_TEXT:
                errors[name] = _("Keep this under %(n)s characters.") % {"n": f"{MAX_TEXT:,}"}
            out[name] = text
    for name, limit in LINE_FIELDS.items():
        if name in data:
            line = clean_line(data[name] or "")
            if len(line) > limit:
                errors[name] = _("Keep this under %(n)s characters.") % {"n": limit}
            out[name] = line
    if "field" in data:
        value = data["field"]
        if value in (None, ""):
            out["field"] = None
        elif isinstance(value, ApplicationField):
            if value.campaign_id != campaign.pk:
                errors["field"] = _("Choose a field of application of this campaign.")
            out["field"] = value
        else:
            found = campaign.fields.filter(code=str(value).strip().upper()).first()
            if found is None:
                codes = ", ".join(campaign.fields.values_list("code", flat=True))
                errors["field"] = _(
                    "No field of application has the code %(code)s in this campaign; use one "
                    "of: %(codes)s."
                ) % {"code": value, "codes": codes}
            out["field"] = found
    if "first_applied_on" in data:
        day = data["first_applied_on"]
        if day is not None and not isinstance(day, dt.date):
            errors["first_applied_on"] = _("Enter a date.")
        elif day is not None and day > today:
            errors["first_applied_on"] = _("The first application cannot be in the future.")
        elif day is not None and not (campaign.starts_on <= day <= campaign.ends_on):
            errors["first_applied_on"] = _(
                "Only initiatives first applied between %(start)s and %(end)s count for this "
                "campaign."
            ) % {"start": _day(campaign.starts_on), "end": _day(campaign.ends_on)}
        out["first_applied_on"] = day
    if "recognition_date" in data:
        day = data["recognition_date"]
        if day is not None and not isinstance(day, dt.date):
            errors["recognition_date"] = _("Enter a date.")
        elif day is not None and day > today:
            errors["recognition_date"] = _("The recognition date cannot be in the future.")
        out["recognition_date"] = day
    if "benefit_claimed_vnd" in data:
        try:
            amount = _to_int(data["benefit_claimed_vnd"])
        except (TypeError, ValueError):
            errors["benefit_claimed_vnd"] = _("Enter the benefit as a whole number of đồng.")
        else:
            if amount is not None and not 0 <= amount <= MAX_BENEFIT_VND:
                errors["benefit_claimed_vnd"] = _(
                    "Enter a benefit between 0 and 1.000.000.000.000.000 đồng."
                )
            out["benefit_claimed_vnd"] = amount or 0
    return out, errors


def _clean_share(value: Any) -> Decimal | None:
    try:
        share = Decimal(str(value).strip().replace(",", ".").rstrip("%"))
    except (InvalidOperation, ValueError):
        return None
    if (
        not share.is_finite()
        or share <= 0
        or share > 100
        or share != share.quantize(Decimal("0.01"))
    ):
        return None
    return share


def _clean_authors(
    authors: list[dict[str, Any]], campaign: Campaign
) -> tuple[list[Author], dict[str, str]]:
    """Author rows (unsaved) from dicts with `member` (a Member or a code) or `name`, and
    `share` (% contribution). The shares must add up to exactly 100."""
    errors: dict[str, str] = {}
    rows: list[Author] = []
    if len(authors) > MAX_AUTHORS:
        return [], {"authors": _("An initiative has at most %(n)s authors.") % {"n": MAX_AUTHORS}}
    codes = [
        str(a["member"]).strip().upper()
        for a in authors
        if a.get("member") not in (None, "") and not isinstance(a.get("member"), Member)
    ]
    members = {m.code: m for m in Member.objects.select_related("unit").filter(code__in=codes)}
    seen: set[int] = set()
    total = Decimal(0)
    for i, data in enumerate(authors):
        where = f"authors.{i}"
        value = data.get("member")
        member: Member | None = None
        if isinstance(value, Member):
            member = value
        elif value not in (None, ""):
            member = members.get(str(value).strip().upper())
            if member is None:
                errors[f"{where}.member"] = _("No member has the code %(code)s.") % {"code": value}
                continue
        if member is not None:
            if member.left_on is not None:
                errors[f"{where}.member"] = _("%(name)s is no longer a member.") % {
                    "name": member.full_name
                }
            elif not campaign.covers(member.unit):
                errors[f"{where}.member"] = _(
                    "%(name)s belongs to a unit this campaign does not cover."
                ) % {"name": member.full_name}
            elif member.pk in seen:
                errors[f"{where}.member"] = _("%(name)s is listed twice.") % {
                    "name": member.full_name
                }
            seen.add(member.pk)
        name = member.full_name if member is not None else clean_line(data.get("name") or "")
        if not name:
            errors[f"{where}.name"] = _("Give the author's full name or member code.")
        share = _clean_share(data.get("share"))
        if share is None:
            errors[f"{where}.share"] = _(
                "Enter the contribution as a percentage above 0 and at most 100, with at most "
                "two decimals."
            )
        else:
            total += share
        rows.append(
            Author(
                member=member,
                name=name[:255],
                share=share or Decimal(0),
                birth_date=data.get("birth_date"),
                workplace=clean_line(data.get("workplace") or "")[:255],
                position=clean_line(data.get("position") or "")[:255],
                qualification=clean_line(data.get("qualification") or "")[:255],
                position_in_list=i,
            )
        )
    if not errors and rows and total != 100:
        errors["authors"] = _(
            "The authors' contributions add up to %(total)s%%; they must add up to 100%%."
        ) % {"total": f"{total.normalize():f}"}
    return rows, errors


def _save_authors(initiative: Initiative, rows: list[Author]) -> None:
    initiative.authors.all().delete()
    for row in rows:
        row.initiative = initiative
    Author.objects.bulk_create(rows)
    forget_authors(initiative)
    if hasattr(initiative, "_prefetched_objects_cache"):
        initiative._prefetched_objects_cache.pop("authors", None)


def _on_behalf(by: Any, rows: list[Author]) -> bool:
    member_id = getattr(by, "member_id", None)
    return not any(r.member_id == member_id for r in rows if member_id is not None)


def _authors_snapshot(initiative: Initiative) -> list[list[Any]]:
    return [[a.member_id, a.name, str(a.share)] for a in initiative.authors.all()]


def _history(
    initiative: Initiative,
    action: str,
    *,
    by: Any,
    from_status: str,
    note: str = "",
    benefit_valid_vnd: int | None = None,
    changed: list[str] | None = None,
    at: dt.datetime | None = None,
) -> HistoryEntry:
    return HistoryEntry.objects.create(
        initiative=initiative,
        action=action,
        from_status=from_status,
        to_status=initiative.status,
        actor=by if getattr(by, "is_authenticated", False) else None,
        at=at or timezone.now(),
        note=note,
        benefit_valid_vnd=benefit_valid_vnd,
        changed_fields=changed or [],
    )


def _lock(initiative: Initiative, expected_version: int | None) -> Initiative:
    fresh = (
        Initiative.objects.select_for_update()
        .select_related("campaign", "campaign__owner", "unit")
        .get(pk=initiative.pk)
    )
    if expected_version is not None and fresh.version != expected_version:
        raise ConflictError(
            _("Someone else changed this initiative meanwhile. Reload it and try again.")
        )
    return fresh


def _check_unit(unit: Unit, campaign: Campaign) -> dict[str, str]:
    if unit.kind not in ENTRY_UNIT_KINDS:
        return {"unit": _("Initiatives are entered under a grassroots union or a union group.")}
    if not unit.is_active:
        return {"unit": _("Unit %(code)s is no longer active.") % {"code": unit.code}}
    if not campaign.covers(unit):
        return {
            "unit": _("The campaign %(campaign)s does not cover unit %(code)s.")
            % {"campaign": campaign.code, "code": unit.code}
        }
    return {}


# -- entry ---------------------------------------------------------------------------------


@transaction.atomic
def create_initiative(
    *,
    campaign: Campaign,
    unit: Unit,
    by: Any,
    authors: list[dict[str, Any]] | None = None,
    **fields: Any,
) -> Initiative:
    """A new draft. Whatever is given must be valid (a draft may still be incomplete); when
    no authors are given and the user is a member, the user is the sole author."""
    unit = Unit.objects.get(pk=unit.pk)
    cleaned, errors = _clean_fields(fields, campaign)
    if "title" not in fields:
        errors["title"] = _("Enter a title that says what the initiative is.")
    errors.update(_check_unit(unit, campaign))
    if authors is None:
        member = getattr(by, "member", None) if getattr(by, "member_id", None) else None
        authors = [{"member": member, "share": 100}] if member is not None else []
    rows, author_errors = _clean_authors(authors, campaign)
    errors.update(author_errors)
    if errors:
        raise ValidationError(errors)
    initiative = Initiative(campaign=campaign, unit=unit, status=Status.DRAFT, **cleaned)
    initiative.title_folded = fold(initiative.title)[:500]
    initiative.entered_by = by if getattr(by, "is_authenticated", False) else None
    initiative.on_behalf = _on_behalf(by, rows)
    initiative.save()
    _save_authors(initiative, rows)
    _history(initiative, Action.CREATED, by=by, from_status="")
    audit.record(
        actor=by,
        action="initiative.create",
        obj=initiative,
        after={
            **audit.snapshot(initiative, AUDIT_FIELDS),
            "authors": _authors_snapshot(initiative),
        },
    )
    return initiative


@transaction.atomic
def update_initiative(
    initiative: Initiative,
    *,
    by: Any,
    expected_version: int | None = None,
    authors: list[dict[str, Any]] | None = None,
    **changes: Any,
) -> Initiative:
    """Edit a draft or a returned initiative. Only the given fields change; `authors`, when
    given, replaces the whole list."""
    initiative = _lock(initiative, expected_version)
    if initiative.status not in (Status.DRAFT, Status.RETURNED):
        raise TransitionError(
            _("Only a draft or a returned initiative can be edited; this one is %(status)s.")
            % {"status": initiative.get_status_display().lower()}
        )
    cleaned, errors = _clean_fields(changes, initiative.campaign)
    rows: list[Author] | None = None
    if authors is not None:
        rows, author_errors = _clean_authors(authors, initiative.campaign)
        errors.update(author_errors)
    if errors:
        raise ValidationError(errors)
    before = {**audit.snapshot(initiative, AUDIT_FIELDS), "authors": _authors_snapshot(initiative)}
    changed = [k for k, v in cleaned.items() if getattr(initiative, k) != v]
    for key, value in cleaned.items():
        setattr(initiative, key, value)
    if rows is not None:
        old = _authors_snapshot(initiative)
        _save_authors(initiative, rows)
        if _authors_snapshot(initiative) != old:
            changed.append("authors")
        initiative.on_behalf = initiative.entered_by_id is not None and _on_behalf(
            initiative.entered_by, rows
        )
    if not changed:
        return initiative
    initiative.title_folded = fold(initiative.title)[:500]
    initiative.version += 1
    initiative.save()
    _history(
        initiative, Action.EDITED, by=by, from_status=initiative.status, changed=sorted(changed)
    )
    audit.record(
        actor=by,
        action="initiative.update",
        obj=initiative,
        before=before,
        after={
            **audit.snapshot(initiative, AUDIT_FIELDS),
            "authors": _authors_snapshot(initiative),
        },
    )
    return initiative


# -- the workflow --------------------------------------------------------------------------


def _move(initiative: Initiative, action: str) -> tuple[str, str]:
    """Check the transition table; the (from, to) statuses."""
    current = initiative.status
    target = TRANSITIONS.get((current, action))
    if target is None:
        if current in (Status.VALID, Status.INVALID, Status.RETURNED) and action in (
            Action.VALIDATED,
            Action.RETURNED,
            Action.INVALIDATED,
        ):
            who = ""
            if initiative.decided_by is not None:
                who = initiative.decided_by.get_full_name() or initiative.decided_by.username
            when = (
                formats.date_format(
                    timezone.localtime(initiative.decided_at), "SHORT_DATETIME_FORMAT"
                )
                if initiative.decided_at
                else ""
            )
            raise TransitionError(
                _(
                    "This initiative was already decided (%(status)s) by %(who)s at %(when)s. "
                    "Nothing was changed; reload to see the decision."
                )
                % {"status": initiative.get_status_display().lower(), "who": who, "when": when}
            )
        raise TransitionError(
            _("An initiative that is %(status)s cannot be %(action)s.")
            % {
                "status": initiative.get_status_display().lower(),
                "action": Action(action).label.lower(),
            }
        )
    return current, target


def _missing_for_submission(initiative: Initiative) -> dict[str, str]:
    errors: dict[str, str] = {}
    labels = {
        "title": _("Enter a title that says what the initiative is."),
        "field": _("Choose the field of application."),
        "problem": _("Say which problem the initiative solves."),
        "description": _("Describe the initiative: the steps, and what changed."),
        "first_applied_on": _("Enter the date the initiative was first applied."),
    }
    for name in REQUIRED_TO_SUBMIT:
        value = getattr(initiative, name if name != "field" else "field_id")
        if value in (None, ""):
            errors[name] = labels[name]
    if initiative.campaign.requires_recognition:
        if not initiative.recognition_body:
            errors["recognition_body"] = _(
                "This campaign counts recognised initiatives only: name the council or head of "
                "unit that recognised it."
            )
        if not initiative.recognition_number:
            errors["recognition_number"] = _("Enter the number of the recognition decision.")
        if not initiative.recognition_date:
            errors["recognition_date"] = _("Enter the date of the recognition decision.")
    authors = list(initiative.authors.all())
    if not authors:
        errors["authors"] = _("Name at least one author.")
    elif sum(a.share for a in authors) != 100:
        errors["authors"] = _("The authors' contributions must add up to 100%.")
    # Values stored before the campaign changed its rules are checked again.
    day = initiative.first_applied_on
    campaign = initiative.campaign
    if day and not (campaign.starts_on <= day <= campaign.ends_on):
        errors["first_applied_on"] = _(
            "Only initiatives first applied between %(start)s and %(end)s count for this campaign."
        ) % {"start": _day(campaign.starts_on), "end": _day(campaign.ends_on)}
    return errors


def find_duplicate(initiative: Initiative) -> Initiative | None:
    """Another initiative with the same title (ignoring tone marks and case) already entered
    under the same unit for the same campaign and not withdrawn or a draft."""
    return (
        Initiative.objects.filter(
            unit_id=initiative.unit_id,
            campaign_id=initiative.campaign_id,
            title_folded=initiative.title_folded,
        )
        .exclude(pk=initiative.pk)
        .exclude(status__in=[Status.DRAFT, Status.WITHDRAWN])
        .only("pk")
        .first()
    )


@transaction.atomic
def submit_initiative(
    initiative: Initiative, *, by: Any, expected_version: int | None = None
) -> Initiative:
    """Send a draft for review, or a returned initiative back after changes."""
    initiative = _lock(initiative, expected_version)
    action = Action.RESUBMITTED if initiative.status == Status.RETURNED else Action.SUBMITTED
    from_status, to_status = _move(initiative, action)
    errors = _missing_for_submission(initiative)
    errors.update(_check_unit(initiative.unit, initiative.campaign))
    today = timezone.localdate()
    campaign = initiative.campaign
    if not campaign.is_open_on(today):
        errors["campaign"] = _(
            "The campaign %(name)s accepts initiatives from %(start)s to %(end)s."
        ) % {
            "name": campaign.name,
            "start": _day(campaign.starts_on),
            "end": _day(campaign.ends_on),
        }
    duplicate = find_duplicate(initiative)
    if duplicate is not None:
        errors["title"] = _(
            "An initiative with this title was already entered under this unit (%(ref)s). "
            "Change the title if it is a different initiative."
        ) % {"ref": duplicate.reference}
    if errors:
        raise ValidationError(errors)
    now = timezone.now()
    initiative.status = to_status
    if initiative.submitted_at is None:
        initiative.submitted_at = now
        initiative.phase = campaign.phase_on(timezone.localdate(now))
    initiative.decided_at = None
    initiative.decided_by = None
    initiative.version += 1
    initiative.save()
    _history(initiative, action, by=by, from_status=from_status, at=now)
    audit.record(
        actor=by, action=f"initiative.{action}", obj=initiative, after={"status": to_status}
    )
    _tell_reviewers(initiative, resubmitted=action == Action.RESUBMITTED)
    return initiative


@transaction.atomic
def decide_initiative(
    initiative: Initiative,
    *,
    by: Any,
    decision: str,
    reason: str = "",
    benefit_valid_vnd: Any = None,
    expected_version: int | None = None,
) -> Initiative:
    """valid (with the validated benefit, the claimed one by default), returned (with the
    changes asked for) or invalid (with the reason)."""
    actions = {
        Status.VALID: Action.VALIDATED,
        Status.RETURNED: Action.RETURNED,
        Status.INVALID: Action.INVALIDATED,
    }
    if decision not in actions:
        raise ValidationError({"decision": _("Choose valid, returned or invalid.")})
    initiative = _lock(initiative, expected_version)
    from_status, to_status = _move(initiative, actions[decision])
    reason = nfc(reason or "")
    errors: dict[str, str] = {}
    if (
        getattr(by, "member_id", None)
        and initiative.authors.filter(member_id=by.member_id).exists()
    ):
        errors["decision"] = _("You are an author of this initiative; someone else must decide.")
    if decision in (Status.RETURNED, Status.INVALID) and not reason:
        errors["reason"] = (
            _("Say what the authors must change.")
            if decision == Status.RETURNED
            else _("Say why the initiative is not valid.")
        )
    benefit: int | None = None
    if decision == Status.VALID:
        try:
            benefit = _to_int(benefit_valid_vnd)
        except (TypeError, ValueError):
            errors["benefit_valid_vnd"] = _("Enter the benefit as a whole number of đồng.")
        else:
            if benefit is None:
                benefit = initiative.benefit_claimed_vnd
            elif not 0 <= benefit <= MAX_BENEFIT_VND:
                errors["benefit_valid_vnd"] = _(
                    "Enter a benefit between 0 and 1.000.000.000.000.000 đồng."
                )
    elif benefit_valid_vnd not in (None, ""):
        errors["benefit_valid_vnd"] = _("A validated benefit goes with a valid decision only.")
    if errors:
        raise ValidationError(errors)
    now = timezone.now()
    initiative.status = to_status
    initiative.benefit_valid_vnd = benefit
    initiative.decided_at = now
    initiative.decided_by = by if getattr(by, "is_authenticated", False) else None
    initiative.decision_reason = reason
    initiative.version += 1
    initiative.save()
    _history(
        initiative,
        actions[decision],
        by=by,
        from_status=from_status,
        note=reason,
        benefit_valid_vnd=benefit,
        at=now,
    )
    audit.record(
        actor=by,
        action=f"initiative.{actions[decision]}",
        obj=initiative,
        before={"status": from_status},
        after={"status": to_status, "benefit_valid_vnd": benefit, "reason": reason},
    )
    _tell_authors(initiative, reason=reason)
    return initiative


@transaction.atomic
def withdraw_initiative(
    initiative: Initiative, *, by: Any, reason: str = "", expected_version: int | None = None
) -> Initiative:
    """The author takes the initiative back before a decision."""
    initiative = _lock(initiative, expected_version)
    from_status, to_status = _move(initiative, Action.WITHDRAWN)
    initiative.status = to_status
    initiative.version += 1
    initiative.save()
    _history(initiative, Action.WITHDRAWN, by=by, from_status=from_status, note=nfc(reason or ""))
    audit.record(
        actor=by,
        action="initiative.withdrawn",
        obj=initiative,
        before={"status": from_status},
        after={"status": to_status},
        note=nfc(reason or ""),
    )
    return initiative


@transaction.atomic
def reopen_initiative(
    initiative: Initiative, *, by: Any, reason: str, expected_version: int | None = None
) -> Initiative:
    """An officer takes a decision back for review again; the reason is required."""
    initiative = _lock(initiative, expected_version)
    from_status, to_status = _move(initiative, Action.REOPENED)
    reason = nfc(reason or "")
    if not reason:
        raise ValidationError({"reason": _("Say why the decision is reopened.")})
    initiative.status = to_status
    initiative.benefit_valid_vnd = None
    initiative.decided_at = None
    initiative.decided_by = None
    initiative.decision_reason = ""
    initiative.version += 1
    initiative.save()
    _history(initiative, Action.REOPENED, by=by, from_status=from_status, note=reason)
    audit.record(
        actor=by,
        action="initiative.reopened",
        obj=initiative,
        before={"status": from_status},
        after={"status": to_status},
        note=reason,
    )
    _tell_authors(initiative, reason=reason)
    return initiative


# -- attachments ---------------------------------------------------------------------------


@transaction.atomic
def add_attachment(
    initiative: Initiative,
    *,
    by: Any,
    upload: UploadedFile,
    kind: str = AttachmentKind.DOCUMENT,
) -> Attachment:
    initiative = _lock(initiative, None)
    if initiative.status not in (Status.DRAFT, Status.RETURNED):
        raise TransitionError(_("Files can be added to a draft or a returned initiative only."))
    if kind not in AttachmentKind.values:
        raise ValidationError({"kind": _("Choose what the file is.")})
    name = nfc(upload.name or "")[:255] or "file"
    limit = settings.SANGKIEN_ATTACHMENT_MAX_BYTES
    if upload.size is None or upload.size > limit:
        raise ValidationError(
            {
                "file": _("%(name)s is larger than %(mb)s MB.")
                % {"name": name, "mb": limit // (1024 * 1024)}
            }
        )
    if upload.size == 0:
        raise ValidationError({"file": _("%(name)s is empty.") % {"name": name}})
    count = initiative.attachments.filter(removed_at__isnull=True).count()
    if count >= settings.SANGKIEN_ATTACHMENT_MAX_COUNT:
        raise ValidationError(
            {
                "file": _("An initiative carries at most %(n)s files; remove one first.")
                % {"n": settings.SANGKIEN_ATTACHMENT_MAX_COUNT}
            }
        )
    kind_of_file = files.sniff(name, upload)
    if kind_of_file is None:
        raise ValidationError(
            {
                "file": _(
                    "%(name)s is not an accepted file. Attach images (JPG, PNG, WebP), PDF or "
                    "office documents (Word, Excel, PowerPoint, OpenDocument)."
                )
                % {"name": name}
            }
        )
    attachment = Attachment(
        initiative=initiative,
        kind=kind,
        token=secrets.token_hex(16),
        extension=kind_of_file.extension,
        original_name=name,
        content_type=kind_of_file.content_type,
        size=upload.size,
        uploaded_by=by if getattr(by, "is_authenticated", False) else None,
    )
    attachment.file.save(name, upload, save=False)
    attachment.save()
    _history(
        initiative,
        Action.EDITED,
        by=by,
        from_status=initiative.status,
        changed=["attachments"],
        note=_("Attached %(name)s") % {"name": name},
    )
    audit.record(
        actor=by,
        action="initiative.attach",
        obj=initiative,
        after={"attachment": attachment.pk, "name": name, "size": upload.size},
    )
    return attachment


@transaction.atomic
def remove_attachment(attachment: Attachment, *, by: Any) -> Attachment:
    """Take a file off a draft or returned initiative. The file itself is kept (nothing is
    lost); it no longer shows on the initiative."""
    initiative = _lock(attachment.initiative, None)
    if initiative.status not in (Status.DRAFT, Status.RETURNED):
        raise TransitionError(_("Files can be removed from a draft or a returned initiative only."))
    attachment = Attachment.objects.select_for_update().get(pk=attachment.pk)
    if attachment.removed_at is None:
        attachment.removed_at = timezone.now()
        attachment.save(update_fields=["removed_at"])
        _history(
            initiative,
            Action.EDITED,
            by=by,
            from_status=initiative.status,
            changed=["attachments"],
            note=_("Removed %(name)s") % {"name": attachment.original_name},
        )
        audit.record(
            actor=by,
            action="initiative.detach",
            obj=initiative,
            before={"attachment": attachment.pk, "name": attachment.original_name},
        )
    return attachment


# -- notifications -------------------------------------------------------------------------


def reviewers_for(unit: Unit) -> list[Any]:
    """The officers and reviewers closest above (or at) the unit: the people whose queue an
    initiative of this unit joins first. National administrators are not told of each one."""
    ids = [*unit.ancestor_ids, unit.pk]
    grants = list(
        RoleGrant.objects.filter(unit_id__in=ids, role__in=[Role.OFFICER, Role.REVIEWER])
        .select_related("user", "unit")
        .order_by("-unit__depth")
    )
    if not grants:
        return []
    nearest = grants[0].unit.depth
    return [g.user for g in grants if g.unit.depth == nearest]


def author_users(initiative: Initiative) -> list[Any]:
    from sangkien.accounts.models import User

    member_ids = [a.member_id for a in initiative.authors.all() if a.member_id]
    users = list(User.objects.filter(member_id__in=member_ids, is_active=True))
    if initiative.entered_by_id and all(u.pk != initiative.entered_by_id for u in users):
        users.append(initiative.entered_by)
    return users


def _url(initiative: Initiative) -> str:
    return f"/initiatives/{initiative.pk}/"


def _tell_reviewers(initiative: Initiative, *, resubmitted: bool) -> None:
    ref, title, unit = initiative.reference, initiative.title, initiative.unit.name

    def text() -> str:
        if resubmitted:
            return _("%(ref)s “%(title)s” (%(unit)s) was resubmitted after changes.") % {
                "ref": ref,
                "title": title,
                "unit": unit,
            }
        return _("New initiative to review: %(ref)s “%(title)s” (%(unit)s).") % {
            "ref": ref,
            "title": title,
            "unit": unit,
        }

    notify(reviewers_for(initiative.unit), text=text, url=_url(initiative))


def _tell_authors(initiative: Initiative, *, reason: str) -> None:
    ref, title, status = initiative.reference, initiative.title, initiative.status
    benefit = initiative.benefit_valid_vnd

    def text() -> str:
        label = Status(status).label
        return _("Your initiative %(ref)s “%(title)s” is now: %(status)s.") % {
            "ref": ref,
            "title": title,
            "status": label,
        }

    def body() -> str:
        lines = [text()]
        if benefit is not None:
            lines.append(
                _("Validated benefit: %(amount)s đồng.")
                % {"amount": formats.number_format(benefit, force_grouping=True)}
            )
        if reason:
            lines.append(_("Reason: %(reason)s") % {"reason": reason})
        return "\n".join(lines)

    notify(author_users(initiative), text=text, body=body, url=_url(initiative))
