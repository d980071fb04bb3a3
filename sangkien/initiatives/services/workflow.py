"""The validation workflow: submission, decisions, withdrawal, reopening, the transition
table's steps by name."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from sangkien import values
from sangkien.campaigns.models import Campaign
from sangkien.core import audit
from sangkien.core.errors import ValidationError
from sangkien.text import nfc

from .. import rules
from ..models import (
    TRANSITIONS,
    Action,
    Initiative,
    Status,
)
from .common import (
    DECISIONS,
    ENTRY_UNIT_KINDS,
    MAX_BENEFIT_VND,
    OWN_DECISION_REFUSED,
    RECOGNITION_FIELDS,
    REQUIRED_TO_SUBMIT,
    TransitionError,
    _check_unit,
    _check_version,
    _day,
    _decides_own,
    _history,
    _lock,
    _text,
    _to_int,
    _user,
    refusal_message,
)
from .entry import (
    _clean_authors,
    _clean_fields,
)
from .handover import _hand_over
from .notices import _tell_authors, _tell_reviewers

# -- the workflow --------------------------------------------------------------------------


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
