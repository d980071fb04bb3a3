"""What every initiative service shares: the rules' limits, the refusals, the history
row that moves the figures, the row lock and the version check."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.utils import formats, timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from sangkien import values
from sangkien.campaigns.models import Campaign
from sangkien.core import locks, wording
from sangkien.core.errors import ConflictError, ValidationError
from sangkien.orgs.models import Unit
from sangkien.stats import engine as stats_engine

from .. import rules
from ..models import (
    DECIDED,
    Action,
    HistoryEntry,
    Initiative,
    Status,
)

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


def _history(
    initiative: Initiative,
    action: str,
    *,
    by: Any,
    from_status: str,
    note: str | wording.Wording = "",
    benefit_valid_vnd: int | None = None,
    changed: list[str] | None = None,
    at: dt.datetime | None = None,
) -> HistoryEntry:
    """`note` is a person's text, stored as typed, or a phrase the product writes, shown in
    the reader's language (its text as it reads now is kept too)."""
    note_code, note_params = wording.as_stored(note)
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
        note=str(note),
        note_code=note_code,
        note_params=note_params,
        benefit_valid_vnd=benefit_valid_vnd,
        changed_fields=changed or [],
        benefit_claimed_vnd=initiative.benefit_claimed_vnd,
        members=members,
    )
    # The figures move in the same transaction as the step that moves them, under the tree's
    # lock, which every caller took first (`_lock`, or `create_initiative` for a new draft).
    stats_engine.record(initiative, entry)
    return entry


def _lock(initiative: Initiative) -> Initiative:
    """The initiative as it is now, its row locked until the transaction ends. Only this
    row: the campaign and unit rows are read, never locked, so entries do not queue up
    behind each other. The unit tree's lock is taken shared first (`core.locks.hold_tree`):
    a reorganisation under way finishes before the step reads the unit, and one that starts
    waits for the step."""
    locks.hold_tree()
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
