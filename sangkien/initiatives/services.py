"""Writes to initiatives: entry, edits, the validation workflow and attachments.

Every function is atomic, takes the acting user as `by`, checks its input against the
campaign (raising ValidationError with per-field messages, nothing written), leaves a
HistoryEntry and an audit entry, and tells the people concerned (after commit).
Access (who may call what) is checked by the caller with `permissions.can_*`; the rules that
hold whoever calls (the transition table, nobody decides their own initiative) are here.

Status changes follow `models.TRANSITIONS`; a refused move raises `TransitionError` (HTTP
409), and so does a decision on an initiative someone else decided a moment before. The row
is locked first (SELECT … FOR UPDATE on PostgreSQL; SQLite's IMMEDIATE transactions take the
write lock at the start), so two people acting at once are served one after the other and
the second one sees what the first did."""

from __future__ import annotations

import datetime as dt
import secrets
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import F
from django.template.defaultfilters import filesizeformat
from django.utils import formats, timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from sangkien import values
from sangkien.accounts.models import Role, RoleGrant, User
from sangkien.campaigns.models import ApplicationField, Campaign
from sangkien.core import audit
from sangkien.core.errors import ConflictError, ValidationError
from sangkien.notifications.services import notify
from sangkien.orgs.models import Member, Unit
from sangkien.stats import engine as stats_engine
from sangkien.text import clean_line, fold, nfc

from . import files, rules
from .models import (
    DECIDED,
    TRANSITIONS,
    Action,
    Attachment,
    AttachmentKind,
    Author,
    HistoryEntry,
    Initiative,
    InitiativeQuerySet,
    Status,
)
from .permissions import forget_authors

# The rules of a valid initiative are `rules`' (the import applies the same ones).
MAX_BENEFIT_VND = rules.MAX_BENEFIT_VND
EARLIEST_DATE = rules.EARLIEST_DATE
MAX_AUTHORS = rules.MAX_AUTHORS
MAX_TEXT = rules.MAX_TEXT
ENTRY_UNIT_KINDS = rules.ENTRY_UNIT_KINDS
TEXT_FIELDS = rules.TEXT_FIELDS
LINE_FIELDS = rules.LINE_FIELDS
EDITABLE_FIELDS = {
    "title", "field", "first_applied_on", "benefit_claimed_vnd", "recognition_date",
    *TEXT_FIELDS, *LINE_FIELDS,
}  # fmt: skip
REQUIRED_TO_SUBMIT = rules.REQUIRED_TO_SUBMIT
RECOGNITION_FIELDS = rules.RECOGNITION_FIELDS
AUDIT_FIELDS = [
    "campaign", "unit", "title", "field", "first_applied_on", "benefit_claimed_vnd",
    "benefit_valid_vnd", "status", "recognition_body", "recognition_number",
    "recognition_date", "investor", "decision_reason", "version",
]  # fmt: skip
DECISIONS: dict[str, str] = {
    Status.VALID: Action.VALIDATED,
    Status.RETURNED: Action.RETURNED,
    Status.INVALID: Action.INVALIDATED,
}
_AMOUNT_REFUSED = gettext_lazy("Enter the benefit as a whole number of đồng.")
_TWO_DECIMALS = Decimal("0.01")

# Why a step is refused, one full sentence per step (the status is filled in).
_REFUSED: dict[str, Promise] = {
    Action.SUBMITTED: gettext_lazy("Only a draft can be submitted; this initiative is %(status)s."),
    Action.RESUBMITTED: gettext_lazy(
        "Only a returned initiative can be resubmitted; this one is %(status)s."
    ),
    Action.VALIDATED: gettext_lazy(
        "Only an initiative under review can be decided; this one is %(status)s."
    ),
    Action.RETURNED: gettext_lazy(
        "Only an initiative under review can be decided; this one is %(status)s."
    ),
    Action.INVALIDATED: gettext_lazy(
        "Only an initiative under review can be decided; this one is %(status)s."
    ),
    Action.WITHDRAWN: gettext_lazy(
        "An initiative can be withdrawn only before a decision; this one is %(status)s."
    ),
    Action.REOPENED: gettext_lazy(
        "Only a decision can be reopened; this initiative is %(status)s."
    ),
    Action.EDITED: gettext_lazy(
        "Only a draft or a returned initiative can be edited; this one is %(status)s."
    ),
}
# Separation of duties: the page shows it where the decision form would be, the API and the
# bulk decisions answer with it.
OWN_DECISION_REFUSED = gettext_lazy(
    "You entered this initiative or are one of its authors, so you cannot decide it."
)
_NOT_A_STEP = gettext_lazy("An initiative that is %(status)s cannot be changed this way.")
ATTACHING_REFUSED = gettext_lazy("Files can be added to a draft or a returned initiative only.")


class TransitionError(ConflictError):
    """The initiative is not in a status that allows the requested step."""


def _day(value: dt.date) -> str:
    return formats.date_format(value, "SHORT_DATE_FORMAT")


def _user(by: Any) -> Any:
    """The acting user as stored on rows (None for the system: imports, commands)."""
    return by if getattr(by, "is_authenticated", False) else None


def display_name(user: Any) -> str:
    """How a person is named in what the workflow tells people: the full name of their member
    record (family name first, as it is stored), else their user's names in Vietnamese order
    (family and middle names, then the given name), else their username; "" for nobody."""
    if user is None:
        return ""
    member = user.member if getattr(user, "member_id", None) else None
    if member is not None and member.full_name:
        return str(member.full_name)
    return f"{user.last_name} {user.first_name}".strip() or str(user.username)


def _to_int(value: Any) -> int | None:
    """A whole number of đồng from an int or from text as people write it
    (`sangkien.values.money`: "1.500.000", "1,8 triệu"); ValueProblem else."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise values.ValueProblem(str(_AMOUNT_REFUSED))
    if isinstance(value, int):
        return value
    if isinstance(value, Decimal | float):
        try:
            whole = int(value)
        except (OverflowError, ValueError):
            raise values.ValueProblem(str(_AMOUNT_REFUSED)) from None
        if value != whole:
            raise values.ValueProblem(str(_AMOUNT_REFUSED))
        return whole
    return values.money(str(value))


def _to_date(value: Any) -> dt.date | None:
    """A whole date from a date or from text as people write it (`sangkien.values.day`);
    ValueProblem else."""
    if value is None or value == "":
        return None
    if isinstance(value, dt.date):
        return values.day(value)
    if isinstance(value, str):
        return values.day(value)
    raise values.ValueProblem(_("This is not a date."))


def _text(value: Any) -> str:
    return "" if value is None else str(value)


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

    def check(name: str, rule: Any, *args: Any) -> None:
        try:
            out[name] = rule(data[name], *args)
        except (rules.RuleProblem, values.ValueProblem) as exc:
            errors[name] = exc.message

    if "title" in data:
        check("title", rules.title)
        out.setdefault("title", clean_line(_text(data["title"])))
    for name in TEXT_FIELDS:
        if name in data:
            check(name, rules.long_text)
    for name, limit in LINE_FIELDS.items():
        if name in data:
            check(name, rules.line, limit)
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
        check(
            "first_applied_on",
            lambda v: rules.first_applied_on(_to_date(v), campaign, today),
        )
    if "recognition_date" in data:
        check("recognition_date", lambda v: rules.recognition_date(_to_date(v), today))
    if "benefit_claimed_vnd" in data:
        check("benefit_claimed_vnd", lambda v: rules.benefit(_to_int(v)))
    return out, errors


def _clean_share(value: Any) -> Decimal | None:
    """A % contribution (`rules.share`); None when it is not one."""
    try:
        return rules.share(value)
    except rules.RuleProblem:
        return None


_member_problem = rules.member_problem


def _clean_authors(
    authors: list[dict[str, Any]], campaign: Campaign
) -> tuple[list[Author], dict[str, str]]:
    """Author rows (unsaved) from dicts with `member` (a Member or a code) or `name`, and
    `share` (% contribution). The shares must add up to exactly 100. Errors are keyed
    `authors.N.member`, `authors.N.share`, … (N counts from 0) and `authors` for the sum."""
    errors: dict[str, str] = {}
    rows: list[Author] = []
    try:
        rules.authors_count(len(authors))
    except rules.RuleProblem as exc:
        return [], {"authors": exc.message}
    codes = [
        str(a["member"]).strip().upper()
        for a in authors
        if a.get("member") not in (None, "") and not isinstance(a.get("member"), Member)
    ]
    members = {m.code: m for m in Member.objects.select_related("unit").filter(code__in=codes)}
    seen: set[int] = set()
    shares: list[Decimal] = []
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
        if member is not None:
            problem = _member_problem(member, campaign)
            if problem:
                errors[f"{where}.member"] = problem
            elif member.pk in seen:
                errors[f"{where}.member"] = rules.listed_twice(member.full_name)
            seen.add(member.pk)
            name = member.full_name
        else:
            name = clean_line(_text(data.get("name")))
            if not name and f"{where}.member" not in errors:
                errors[f"{where}.name"] = _("Give the author's full name or member code.")
            else:
                try:
                    rules.line(name, rules.MAX_NAME)
                except rules.RuleProblem as exc:
                    errors[f"{where}.name"] = exc.message
        share: Decimal | None = None
        try:
            share = rules.share(data.get("share"))
        except rules.RuleProblem as exc:
            errors[f"{where}.share"] = exc.message
        else:
            shares.append(share)
        try:
            birth_date = rules.birth_date(_to_date(data.get("birth_date")), timezone.localdate())
        except (values.ValueProblem, rules.RuleProblem) as exc:
            errors[f"{where}.birth_date"] = exc.message
            birth_date = None
        rows.append(
            Author(
                member=member,
                name=name[:255],
                share=share or Decimal(0),
                birth_date=birth_date,
                workplace=clean_line(_text(data.get("workplace")))[:255],
                position=clean_line(_text(data.get("position")))[:255],
                qualification=clean_line(_text(data.get("qualification")))[:255],
                position_in_list=i,
            )
        )
    if not errors and rows:
        try:
            rules.shares_total(shares)
        except rules.RuleProblem as exc:
            errors["authors"] = exc.message
    return rows, errors


def _author_values(author: Author) -> list[Any]:
    return [
        author.member_id,
        author.name,
        str(Decimal(author.share).quantize(_TWO_DECIMALS)),
        author.birth_date.isoformat() if author.birth_date else None,
        author.workplace,
        author.position,
        author.qualification,
    ]


def _authors_snapshot(initiative: Initiative) -> list[list[Any]]:
    return [_author_values(a) for a in initiative.authors.all()]


def _save_authors(initiative: Initiative, rows: list[Author]) -> None:
    initiative.authors.all().delete()
    for row in rows:
        row.initiative = initiative
    Author.objects.bulk_create(rows)
    forget_authors(initiative)
    if hasattr(initiative, "_prefetched_objects_cache"):
        initiative._prefetched_objects_cache.pop("authors", None)


def _on_behalf(by: Any, rows: list[Author]) -> bool:
    """Entered by someone who is not one of the authors (or by the system)."""
    member_id = getattr(by, "member_id", None)
    return member_id is None or all(r.member_id != member_id for r in rows)


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
    members = sorted(
        {m for m in initiative.authors.values_list("member_id", flat=True) if m is not None}
    )
    entry = HistoryEntry.objects.create(
        initiative=initiative,
        action=action,
        from_status=from_status,
        to_status=initiative.status,
        actor=_user(by),
        at=at or timezone.now(),
        note=note,
        benefit_valid_vnd=benefit_valid_vnd,
        changed_fields=changed or [],
        benefit_claimed_vnd=initiative.benefit_claimed_vnd,
        members=members,
    )
    # The figures move in the same transaction as the step that moves them.
    stats_engine.record(initiative, entry)
    return entry


def _lock(initiative: Initiative) -> Initiative:
    """The initiative as it is now, its row locked until the transaction ends. Only this
    row: the campaign and unit rows are read, never locked, so entries do not queue up
    behind each other."""
    return (
        Initiative.objects.select_for_update(of=("self",))
        .select_related("campaign", "campaign__owner", "unit", "decided_by__member")
        .get(pk=initiative.pk)
    )


def _check_version(initiative: Initiative, expected_version: Any) -> None:
    """The caller read version `expected_version`; refuse when someone changed it since."""
    if expected_version is None:
        return
    try:
        expected = int(expected_version)
    except (TypeError, ValueError):
        raise ValidationError(
            {"expected_version": _("The version must be a whole number.")}
        ) from None
    if initiative.version != expected:
        raise ConflictError(
            _("Someone else changed this initiative meanwhile. Reload it and try again.")
        )


def _check_unit(unit: Unit, campaign: Campaign) -> dict[str, str]:
    problem = rules.unit_problem(unit, campaign)
    return {"unit": problem} if problem else {}


def _is_author(by: Any, initiative: Initiative) -> bool:
    member_id = getattr(by, "member_id", None)
    return member_id is not None and initiative.authors.filter(member_id=member_id).exists()


def _decides_own(by: Any, initiative: Initiative) -> bool:
    """Separation of duties: `by` entered the initiative (for themselves or on a member's
    behalf) or is one of its authors, and so may not decide it or reopen its decision."""
    pk = getattr(by, "pk", None)
    return (pk is not None and initiative.entered_by_id == pk) or _is_author(by, initiative)


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
    """A new draft. Whatever is given must be valid (a draft may still be incomplete, but it
    has a title); when no authors are given and the user is a member, the user is the sole
    author."""
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
    initiative.entered_by = _user(by)
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
    given, replaces the whole list. Nothing changed, nothing written."""
    initiative = _lock(initiative)
    if initiative.status not in (Status.DRAFT, Status.RETURNED):
        raise TransitionError(refusal_message(initiative, Action.EDITED))
    _check_version(initiative, expected_version)
    cleaned, errors = _clean_fields(changes, initiative.campaign)
    rows: list[Author] | None = None
    if authors is not None:
        rows, author_errors = _clean_authors(authors, initiative.campaign)
        errors.update(author_errors)
    if errors:
        raise ValidationError(errors)
    before = {**audit.snapshot(initiative, AUDIT_FIELDS), "authors": _authors_snapshot(initiative)}
    changed = [k for k, v in cleaned.items() if getattr(initiative, k) != v]
    if rows is not None and [_author_values(r) for r in rows] != before["authors"]:
        changed.append("authors")
    if not changed:
        return initiative
    for key, value in cleaned.items():
        setattr(initiative, key, value)
    if rows is not None and "authors" in changed:
        _save_authors(initiative, rows)
        initiative.on_behalf = _on_behalf(initiative.entered_by, rows)
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


def refusal_message(initiative: Initiative, action: str) -> str:
    """Why `action` (an Action) cannot be taken on the initiative as it is now, in one full
    sentence naming its status; for a decision on an initiative already decided, what was
    decided, by whom and when. `_move` refuses with it, and callers that check the status
    before calling a service (the API) answer with the same sentence."""
    status = initiative.get_status_display().lower()
    if initiative.status in DECIDED and action in DECISIONS.values():
        when = (
            formats.date_format(timezone.localtime(initiative.decided_at), "SHORT_DATETIME_FORMAT")
            if initiative.decided_at
            else ""
        )
        decider = initiative.decided_by
        if decider is not None:
            return _(
                "This initiative was already decided (%(status)s) by %(who)s at %(when)s. "
                "Nothing was changed; reload to see the decision."
            ) % {"status": status, "who": display_name(decider), "when": when}
        return _(
            "This initiative was already decided (%(status)s) at %(when)s. Nothing was "
            "changed; reload to see the decision."
        ) % {"status": status, "when": when}
    message = _REFUSED.get(action, _NOT_A_STEP)
    return str(message) % {"status": status}


def _move(initiative: Initiative, action: str) -> tuple[str, str]:
    """Check the transition table; the (from, to) statuses, or TransitionError."""
    current = initiative.status
    target = TRANSITIONS.get((current, action))
    if target is None:
        raise TransitionError(refusal_message(initiative, action))
    return current, target


def initiative_problems(
    *,
    campaign: Campaign,
    fields: dict[str, Any],
    authors: list[dict[str, Any]] | None = None,
    submitting: bool = False,
) -> dict[str, str]:
    """What `create_initiative` / `update_initiative` (and, `submitting`, what a submission)
    would refuse in these values, keyed as they key it; nothing is read for writing and
    nothing written. A form that could not be read whole asks this of the fields it could
    read, so every error shows in one round."""
    cleaned, errors = _clean_fields(fields, campaign)
    if authors is not None:
        errors.update(_clean_authors(authors, campaign)[1])
    if submitting:
        # Only the fields given are judged: one that could not be read has its own error.
        given = {name: cleaned.get(name, value) for name, value in fields.items()}
        missing = {
            **rules.missing_for_submission(given),
            **rules.missing_recognition(campaign, given),
        }
        for name, message in missing.items():
            if name in fields:
                errors.setdefault(name, message)
        if authors is not None and not authors:
            errors.setdefault("authors", _("Name at least one author."))
    return errors


def _missing_for_submission(initiative: Initiative) -> dict[str, str]:
    given = {
        name: getattr(initiative, name if name != "field" else "field_id")
        for name in (*REQUIRED_TO_SUBMIT, *RECOGNITION_FIELDS)
    }
    errors = rules.missing_for_submission(given)
    campaign = initiative.campaign
    errors.update(rules.missing_recognition(campaign, given))
    authors = list(initiative.authors.select_related("member", "member__unit"))
    if not authors:
        errors["authors"] = _("Name at least one author.")
    elif sum((a.share for a in authors), Decimal(0)) != 100:
        errors["authors"] = _("The authors' contributions must add up to 100%.")
    # Authors who left or moved out of the campaign since the draft was written.
    for i, author in enumerate(authors):
        if author.member is not None:
            problem = rules.member_problem(author.member, campaign)
            if problem:
                errors[f"authors.{i}.member"] = problem
    # Values stored before the campaign changed its rules are checked again.
    day = initiative.first_applied_on
    if day and not (campaign.starts_on <= day <= campaign.ends_on):
        try:
            rules.first_applied_on(day, campaign, max(day, timezone.localdate()))
        except rules.RuleProblem as exc:
            errors["first_applied_on"] = exc.message
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
    return _submit(initiative, by=by, expected_version=expected_version, action=None)


def _submit(
    initiative: Initiative, *, by: Any, expected_version: Any, action: str | None
) -> Initiative:
    """A first submission needs the campaign open; a resubmission after a return is accepted
    after the campaign closed (the initiative counts from its first submission, which was
    inside the period) and keeps the first submission's date and phase."""
    initiative = _lock(initiative)
    if action is None:
        action = Action.RESUBMITTED if initiative.status == Status.RETURNED else Action.SUBMITTED
    from_status, to_status = _move(initiative, action)
    _check_version(initiative, expected_version)
    errors = _missing_for_submission(initiative)
    errors.update(_check_unit(initiative.unit, initiative.campaign))
    now = timezone.now()
    today = timezone.localdate(now)
    campaign = initiative.campaign
    if initiative.submitted_at is None and not campaign.is_open_on(today):
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
    initiative.status = to_status
    if initiative.submitted_at is None:
        initiative.submitted_at = now
        initiative.phase = campaign.phase_on(today)
    initiative.decided_at = None
    initiative.decided_by = None
    initiative.decision_reason = ""
    initiative.version += 1
    initiative.save()
    _history(initiative, action, by=by, from_status=from_status, at=now)
    audit.record(
        actor=by,
        action=f"initiative.{action}",
        obj=initiative,
        before={"status": from_status},
        after={"status": to_status},
    )
    _tell_reviewers(initiative, resubmitted=action == Action.RESUBMITTED, by=by)
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
    """valid (with the validated benefit, the claimed one by default; the claimed one is
    kept), returned (with the changes asked for) or invalid (with the reason). When someone
    decided first, the second decision is refused with what was decided, by whom and when."""
    if decision not in DECISIONS:
        raise ValidationError({"decision": _("Choose valid, returned or invalid.")})
    action = DECISIONS[decision]
    initiative = _lock(initiative)
    from_status, to_status = _move(initiative, action)
    _check_version(initiative, expected_version)
    reason = nfc(_text(reason))
    errors: dict[str, str | ValidationError] = {}
    if _decides_own(by, initiative):
        errors["decision"] = ValidationError(str(OWN_DECISION_REFUSED), code="own_initiative")
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
        except values.ValueProblem as exc:
            errors["benefit_valid_vnd"] = exc.message
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
    initiative.decided_by = _user(by)
    initiative.decision_reason = reason
    initiative.version += 1
    initiative.save()
    _history(
        initiative,
        action,
        by=by,
        from_status=from_status,
        note=reason,
        benefit_valid_vnd=benefit,
        at=now,
    )
    audit.record(
        actor=by,
        action=f"initiative.{action}",
        obj=initiative,
        before={"status": from_status},
        after={"status": to_status, "benefit_valid_vnd": benefit, "reason": reason},
    )
    _tell_authors(initiative, reason=reason, by=by)
    return initiative


@transaction.atomic
def withdraw_initiative(
    initiative: Initiative, *, by: Any, reason: str = "", expected_version: int | None = None
) -> Initiative:
    """The author takes the initiative back before a decision (a draft, one under review, or
    one returned for changes that the author will not fix)."""
    initiative = _lock(initiative)
    from_status, to_status = _move(initiative, Action.WITHDRAWN)
    _check_version(initiative, expected_version)
    reason = nfc(_text(reason))
    initiative.status = to_status
    initiative.version += 1
    initiative.save()
    _history(initiative, Action.WITHDRAWN, by=by, from_status=from_status, note=reason)
    audit.record(
        actor=by,
        action="initiative.withdrawn",
        obj=initiative,
        before={"status": from_status},
        after={"status": to_status},
        note=reason,
    )
    return initiative


@transaction.atomic
def reopen_initiative(
    initiative: Initiative, *, by: Any, reason: str, expected_version: int | None = None
) -> Initiative:
    """An officer takes a decision back for review again; the reason is required and the
    decision (validated benefit, who, when, why) is cleared; the history keeps it."""
    initiative = _lock(initiative)
    from_status, to_status = _move(initiative, Action.REOPENED)
    _check_version(initiative, expected_version)
    reason = nfc(_text(reason))
    errors: dict[str, str | ValidationError] = {}
    if _decides_own(by, initiative):
        errors["decision"] = ValidationError(str(OWN_DECISION_REFUSED), code="own_initiative")
    if not reason:
        errors["reason"] = _("Say why the decision is reopened.")
    if errors:
        raise ValidationError(errors)
    if not initiative.unit.is_active:
        # Its unit closed since the decision: the work reopens where the unit's records
        # answer now (see hand_over_open_work).
        successor = initiative.unit.answering_unit()
        if successor.is_active and successor.kind in ENTRY_UNIT_KINDS:
            _hand_over([initiative], initiative.unit, successor, by, "")
            initiative.unit = successor
            initiative.version += 1
    before = {
        "status": from_status,
        "benefit_valid_vnd": initiative.benefit_valid_vnd,
        "decided_by": initiative.decided_by_id,
        "decided_at": initiative.decided_at,
        "reason": initiative.decision_reason,
    }
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
        before=before,
        after={"status": to_status},
        note=reason,
    )
    _tell_authors(initiative, reason=reason, by=by)
    return initiative


@transaction.atomic
def transition_initiative(
    initiative: Initiative,
    *,
    by: Any,
    action: str,
    reason: str = "",
    benefit_valid_vnd: Any = None,
    expected_version: int | None = None,
) -> Initiative:
    """Take one step of the transition table named by its action (for callers that hold the
    action as data: a button, a bulk tool). Each step is the service above; a step the table
    does not allow from the current status raises TransitionError."""
    if action not in Action.values:
        raise ValidationError({"action": _("Choose a step of the workflow.")})
    if action in (Action.SUBMITTED, Action.RESUBMITTED):
        return _submit(initiative, by=by, expected_version=expected_version, action=action)
    for decision, decision_action in DECISIONS.items():
        if action == decision_action:
            return decide_initiative(
                initiative,
                by=by,
                decision=decision,
                reason=reason,
                benefit_valid_vnd=benefit_valid_vnd,
                expected_version=expected_version,
            )
    if action == Action.WITHDRAWN:
        return withdraw_initiative(
            initiative, by=by, reason=reason, expected_version=expected_version
        )
    if action == Action.REOPENED:
        return reopen_initiative(
            initiative, by=by, reason=reason, expected_version=expected_version
        )
    # Created and edited are not status changes: no status allows them as a step.
    initiative = _lock(initiative)
    raise TransitionError(str(_NOT_A_STEP) % {"status": initiative.get_status_display().lower()})


# -- reorganisations -------------------------------------------------------------------------

# The work a closed unit hands to the unit that answers for it: everything not yet decided.
OPEN_WORK = frozenset({Status.DRAFT, Status.SUBMITTED, Status.RETURNED})


def open_work_of(unit: Unit) -> InitiativeQuerySet:
    """The initiatives a reorganisation that closes `unit` hands over (its own, not those of
    the units below it, which move with their units)."""
    return Initiative.objects.filter(unit=unit, status__in=OPEN_WORK)


def check_successor_takes_work(unit: Unit, successor: Unit, field: str) -> None:
    """Refuse, before anything is written, a reorganisation that would hand `unit`'s open
    initiatives to a unit that cannot hold initiatives."""
    if successor.kind in ENTRY_UNIT_KINDS or not open_work_of(unit).exists():
        return
    raise ValidationError(
        {
            field: _(
                "%(unit)s has initiatives not yet decided; they go to %(successor)s, which is "
                "not a grassroots union or a union group. Choose one that is."
            )
            % {"unit": unit.code, "successor": successor.code}
        }
    )


def hand_over_open_work(unit: Unit, successor: Unit, *, by: Any, note: str = "") -> int:
    """Move the open initiatives (drafts, under review, returned) of `unit`, which a
    reorganisation closes, to `successor`, the unit that answers for it now: its officers
    and reviewers see and decide them, and a returned one is resubmitted there. Each gets a
    history row saying where it came from and when; the figures stay where they are on the
    current tree, and the tree as it stood keeps them under `unit` until that day. Decided
    and withdrawn initiatives stay under the unit they were decided under. Runs inside the
    reorganisation's transaction; returns how many moved."""
    return _hand_over(list(open_work_of(unit).select_for_update()), unit, successor, by, note)


def _hand_over(
    initiatives: list[Initiative], unit: Unit, successor: Unit, by: Any, note: str
) -> int:
    if not initiatives:
        return 0
    now = timezone.now()
    pks = [i.pk for i in initiatives]
    members: dict[int, list[int]] = {pk: [] for pk in pks}
    for initiative_id, member_id in Author.objects.filter(
        initiative_id__in=pks, member__isnull=False
    ).values_list("initiative_id", "member_id"):
        members[initiative_id].append(member_id)
    entries = []
    items: dict[int, list[tuple[int | None, stats_engine.State]]] = {}
    for initiative in initiatives:
        authors = sorted(set(members[initiative.pk]))
        valid = initiative.benefit_valid_vnd if initiative.status == Status.VALID else None
        entries.append(
            HistoryEntry(
                initiative=initiative,
                action=Action.MOVED,
                from_status=initiative.status,
                to_status=initiative.status,
                actor=_user(by),
                at=now,
                note=note,
                benefit_valid_vnd=valid,
                benefit_claimed_vnd=initiative.benefit_claimed_vnd,
                members=authors,
                moved_from=unit,
            )
        )
        if initiative.submitted_at is not None:
            state = stats_engine.next_state(
                stats_engine.NOTHING,
                initiative.status,
                initiative.benefit_claimed_vnd,
                valid,
                authors,
            )
            items.setdefault(initiative.campaign_id, []).append((initiative.phase_id, state))
    HistoryEntry.objects.bulk_create(entries, batch_size=500)
    Initiative.objects.filter(pk__in=pks).update(
        unit=successor, version=F("version") + 1, updated_at=now
    )
    day = timezone.localdate(now)
    for campaign_id, campaign_items in sorted(items.items()):
        stats_engine.hand_over(campaign_id, unit.pk, successor.pk, day, campaign_items)
    audit.record(
        actor=by,
        action="initiative.moved",
        obj=unit,
        before={"unit": unit.code, "initiatives": pks},
        after={"unit": successor.code},
        note=note,
    )
    return len(pks)


# -- attachments ---------------------------------------------------------------------------


@transaction.atomic
def add_attachment(
    initiative: Initiative,
    *,
    by: Any,
    upload: UploadedFile,
    kind: str = AttachmentKind.DOCUMENT,
) -> Attachment:
    """Attach a file to a draft or a returned initiative. Its type is read from its bytes and
    must match its name; size and count are limited by the settings. The file is stored
    through Django's default storage under a name of the product's making."""
    initiative = _lock(initiative)
    if initiative.status not in (Status.DRAFT, Status.RETURNED):
        raise TransitionError(str(ATTACHING_REFUSED))
    if kind not in AttachmentKind.values:
        raise ValidationError({"kind": _("Choose what the file is.")})
    name = clean_line(upload.name or "")[:255] or "file"
    limit = settings.SANGKIEN_ATTACHMENT_MAX_BYTES
    if upload.size is not None and upload.size == 0:
        raise ValidationError({"file": _("%(name)s is empty.") % {"name": name}})
    if upload.size is None or upload.size > limit:
        raise ValidationError(
            {
                "file": _("%(name)s is larger than %(limit)s.")
                % {"name": name, "limit": filesizeformat(limit)}
            }
        )
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
        uploaded_by=_user(by),
    )
    attachment.file.save(name, upload, save=False)
    try:
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
    except Exception:
        # Nothing is half-written: the row failed, so the stored file goes too.
        attachment.file.delete(save=False)
        raise
    return attachment


@transaction.atomic
def remove_attachment(attachment: Attachment, *, by: Any) -> Attachment:
    """Take a file off a draft or returned initiative. The file itself is kept (nothing is
    lost); it no longer shows on the initiative."""
    initiative = _lock(attachment.initiative)
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
        RoleGrant.objects.filter(
            unit_id__in=ids, role__in=[Role.OFFICER, Role.REVIEWER], user__is_active=True
        )
        .select_related("user", "unit")
        .order_by("-unit__depth", "user_id")
    )
    if not grants:
        return []
    nearest = grants[0].unit.depth
    users: dict[int, Any] = {}
    for grant in grants:
        if grant.unit.depth == nearest:
            users.setdefault(grant.user_id, grant.user)
    return list(users.values())


def author_users(initiative: Initiative) -> list[Any]:
    """The users of the initiative's authors, and whoever entered it."""
    member_ids = [a.member_id for a in initiative.authors.all() if a.member_id]
    users: list[Any] = list(User.objects.filter(member_id__in=member_ids, is_active=True))
    if initiative.entered_by_id and all(u.pk != initiative.entered_by_id for u in users):
        users.append(initiative.entered_by)
    return users


def _url(initiative: Initiative) -> str:
    return f"/initiatives/{initiative.pk}/"


def _others(users: list[Any], by: Any) -> list[Any]:
    """Nobody is told about what they did themselves."""
    actor = getattr(by, "pk", None)
    return [u for u in users if u is not None and (actor is None or u.pk != actor)]


def _tell_reviewers(initiative: Initiative, *, resubmitted: bool, by: Any) -> None:
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

    notify(_others(reviewers_for(initiative.unit), by), text=text, url=_url(initiative))


def _tell_authors(initiative: Initiative, *, reason: str, by: Any) -> None:
    ref, title, status = initiative.reference, initiative.title, initiative.status
    benefit = initiative.benefit_valid_vnd
    claimed = initiative.benefit_claimed_vnd

    def headline() -> str:
        label = Status(status).label.lower()
        return _("Your initiative %(ref)s “%(title)s” is now: %(status)s.") % {
            "ref": ref,
            "title": title,
            "status": label,
        }

    def text() -> str:
        # The in-app notification is all most members read: it carries the reason.
        if not reason:
            return headline()
        return f"{headline()} {_('Reason: %(reason)s') % {'reason': reason}}"

    def body() -> str:
        lines = [headline()]
        if benefit is not None:
            lines.append(
                _("Validated benefit: %(amount)s đồng (claimed: %(claimed)s đồng).")
                % {
                    "amount": formats.number_format(benefit, force_grouping=True),
                    "claimed": formats.number_format(claimed, force_grouping=True),
                }
            )
        if reason:
            lines.append(_("Reason: %(reason)s") % {"reason": reason})
        return "\n".join(lines)

    notify(
        _others(author_users(initiative), by),
        text=text,
        subject=headline,
        body=body,
        url=_url(initiative),
    )
