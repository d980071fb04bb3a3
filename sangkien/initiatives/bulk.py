"""Decisions on many initiatives at once (the review queue's bulk action and the API's).

`decide_initiatives` takes the ids a reviewer selected and the one decision for all of them
(valid, with the claimed benefit or a value per row; returned with one reason; invalid with
one reason) and calls `services.decide_initiative` for each: every item is its own
transaction with its own history row, audit entry and notification, checked against the
same rules as a single decision. An item that cannot be decided (not visible to the
reviewer, outside the subtrees they decide for, their own, already decided, changed since
the page was read, or refused by the service) is listed with the reason; the others go
through. Ids the reviewer cannot see are answered as not found, saying nothing about them.

A decision costs about 25 queries (the row lock, the history, the aggregates and ranks, the
audit entry, the notification): 500 took 3.1 s on an idle 2-core machine and 26 s on the
same machine under load (decision record 0024). A small selection (up to SYNC_ITEMS) is
decided in the request; a bigger one runs as a background job with progress (`jobs.py`,
kind "decisions"), at most MAX_ITEMS.
Ids are read in chunks (SQLite's parameter limit); each item commits on its own, so other
writers are never held for the whole selection."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from sangkien.core.batches import chunks
from sangkien.core.errors import ConflictError, ValidationError

from . import services
from .models import Initiative, Status
from .permissions import (
    can_decide_initiative,
    can_view_initiative,
    decides_own,
    may_decide_initiative,
)

# Decided in the request up to this many; more go to a background job, at most MAX_ITEMS.
SYNC_ITEMS = 100
MAX_ITEMS = 10_000
DECISIONS = (Status.VALID, Status.RETURNED, Status.INVALID)


@dataclass
class Item:
    """What became of one selected initiative."""

    id: int
    done: bool
    problem: str = ""
    reference: str = ""
    title: str = ""
    status: str = ""

    @property
    def status_label(self) -> str:
        return str(Status(self.status).label) if self.status else ""


@dataclass
class Outcome:
    decision: str
    items: list[Item] = field(default_factory=list)

    @property
    def done(self) -> list[Item]:
        return [i for i in self.items if i.done]

    @property
    def refused(self) -> list[Item]:
        return [i for i in self.items if not i.done]


def _n(value: int) -> str:
    return number_format(value, force_grouping=True)


def summary(outcome: Outcome) -> str:
    """What went through and what did not, in one or two sentences."""
    done = len(outcome.done)
    if outcome.decision == Status.VALID:
        text = ngettext(
            "%(n)s initiative was declared valid.", "%(n)s initiatives were declared valid.", done
        )
    elif outcome.decision == Status.RETURNED:
        text = ngettext(
            "%(n)s initiative was returned to its authors for changes.",
            "%(n)s initiatives were returned to their authors for changes.",
            done,
        )
    else:
        text = ngettext(
            "%(n)s initiative was declared invalid.",
            "%(n)s initiatives were declared invalid.",
            done,
        )
    text %= {"n": _n(done)}
    refused = len(outcome.refused)
    if refused:
        text += " " + ngettext(
            "%(n)s could not be decided; the reason is given for it.",
            "%(n)s could not be decided; the reason is given for each.",
            refused,
        ) % {"n": _n(refused)}
    return text


def question(decision: str, n: int) -> str:
    """What a decision on every initiative of a filter is about to do, before it is confirmed."""
    if decision == Status.VALID:
        text = ngettext(
            "%(n)s initiative under review will be declared valid.",
            "%(n)s initiatives under review will be declared valid.",
            n,
        )
    elif decision == Status.RETURNED:
        text = ngettext(
            "%(n)s initiative under review will be returned to its authors for changes.",
            "%(n)s initiatives under review will be returned to their authors for changes.",
            n,
        )
    else:
        text = ngettext(
            "%(n)s initiative under review will be declared invalid.",
            "%(n)s initiatives under review will be declared invalid.",
            n,
        )
    return text % {"n": _n(n)}


def _not_found(pk: int) -> Item:
    return Item(
        id=pk,
        done=False,
        problem=_("No initiative with this number is in your review queue."),
    )


def _why_not(user: Any, initiative: Initiative, decision: str) -> str:
    """Why the user may not decide the initiative now ("" when they may)."""
    if can_decide_initiative(user, initiative):
        return ""
    if decides_own(user, initiative):
        return str(services.OWN_DECISION_REFUSED)
    if not may_decide_initiative(user, initiative):
        return _("Only the officers and reviewers of its unit decide on an initiative.")
    return services.refusal_message(initiative, services.DECISIONS[decision])


def _messages(exc: ValidationError) -> str:
    return " ".join(exc.messages)


def decide_initiatives(
    ids: Iterable[Any],
    *,
    by: Any,
    decision: str,
    reason: str = "",
    benefits: Mapping[int, Any] | None = None,
    versions: Mapping[int, Any] | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> Outcome:
    """Decide each initiative of `ids` the same way, each through
    `services.decide_initiative`. `benefits` maps an id to its validated benefit (a valid
    decision; the claimed benefit where none is given); `versions` maps an id to the version
    the reviewer saw (a row that changed since is refused). Raises ValidationError, nothing
    written, when the decision itself is not one (no decision, too many items).
    `progress(done, total)` is called after each chunk."""
    if decision not in DECISIONS:
        raise ValidationError({"decision": _("Choose valid, returned or invalid.")})
    wanted = wanted_ids(ids)
    if not wanted:
        raise ValidationError({"ids": _("Select at least one initiative.")})
    if len(wanted) > MAX_ITEMS:
        raise ValidationError(
            {
                "ids": _(
                    "%(n)s initiatives are selected; one bulk decision takes at most "
                    "%(max)s. Narrow the filters and decide them in parts."
                )
                % {"n": len(wanted), "max": MAX_ITEMS}
            }
        )
    benefits = benefits or {}
    versions = versions or {}
    outcome = Outcome(decision=decision)
    for chunk in chunks(wanted):
        found = {
            i.pk: i
            for i in Initiative.objects.filter(pk__in=chunk)
            .select_related("campaign", "campaign__owner", "unit", "decided_by__member")
            .prefetch_related("authors")
        }
        for pk in chunk:
            initiative = found.get(pk)
            if initiative is None or not can_view_initiative(by, initiative):
                outcome.items.append(_not_found(pk))
                continue
            outcome.items.append(
                _decide_one(
                    initiative,
                    by=by,
                    decision=decision,
                    reason=reason,
                    benefit=benefits.get(pk),
                    version=versions.get(pk),
                )
            )
        if progress is not None:
            progress(len(outcome.items), len(wanted))
    return outcome


def wanted_ids(values: Iterable[Any]) -> list[int]:
    """The distinct whole numbers of `values`, in their order (anything else left out)."""
    out: dict[int, None] = {}
    for value in values:
        try:
            out[int(value)] = None
        except (TypeError, ValueError):
            continue
    return list(out)


def _decide_one(
    initiative: Initiative, *, by: Any, decision: str, reason: str, benefit: Any, version: Any
) -> Item:
    item = Item(
        id=initiative.pk,
        done=False,
        reference=initiative.reference,
        title=initiative.title,
        status=initiative.status,
    )
    problem = _why_not(by, initiative, decision)
    if problem:
        item.problem = problem
        return item
    try:
        decided = services.decide_initiative(
            initiative,
            by=by,
            decision=decision,
            reason=reason,
            benefit_valid_vnd=benefit if decision == Status.VALID else None,
            expected_version=version,
        )
    except ConflictError as exc:
        item.problem = exc.message
        return item
    except ValidationError as exc:
        item.problem = _messages(exc)
        return item
    item.done = True
    item.status = decided.status
    return item
