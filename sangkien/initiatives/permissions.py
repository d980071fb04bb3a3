"""Who may see and do what with an initiative.

- Its authors (members linked to a user) and whoever entered it see it in every status.
- Officers, reviewers, support teams and administrators of the unit's subtree see it once it
  has been submitted (whatever happened to it since); drafts stay private to the people
  writing them (administrators of the subtree may look at one, to help, but not change it).
- Officers, reviewers and administrators of the subtree decide; officers and administrators
  reopen a decision. Nobody decides an initiative they wrote.
- A member enters initiatives for their own unit; support teams, officers and administrators
  enter on a member's behalf for the units of their subtree.
Everything else answers 404 (`get_initiative_for_user`)."""

from __future__ import annotations

from typing import Any

from django.db.models import Q
from django.http import Http404

from sangkien.accounts.models import Role
from sangkien.accounts.permissions import has_role_on, role_paths
from sangkien.orgs.models import Unit

from .models import DECIDED, EDITABLE, Initiative, InitiativeQuerySet, Status

VIEW_QUEUE = frozenset({Role.OFFICER, Role.REVIEWER, Role.SUPPORT, Role.ADMIN})
VIEW_DRAFTS = frozenset({Role.ADMIN})
DECIDE = frozenset({Role.OFFICER, Role.REVIEWER, Role.ADMIN})
REOPEN = frozenset({Role.OFFICER, Role.ADMIN})
ENTER_ON_BEHALF = frozenset({Role.SUPPORT, Role.OFFICER, Role.ADMIN})


def _signed_in(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_active)


def author_member_ids(initiative: Initiative) -> set[int]:
    cached = getattr(initiative, "_author_member_ids", None)
    if cached is None:
        cached = {a.member_id for a in initiative.authors.all() if a.member_id is not None}
        initiative._author_member_ids = cached  # type: ignore[attr-defined]
    return cached


def forget_authors(initiative: Initiative) -> None:
    if hasattr(initiative, "_author_member_ids"):
        del initiative._author_member_ids


def is_author(user: Any, initiative: Initiative) -> bool:
    return (
        _signed_in(user)
        and user.member_id is not None
        and user.member_id in author_member_ids(initiative)
    )


def is_own(user: Any, initiative: Initiative) -> bool:
    """An author, or the person who entered it."""
    if not _signed_in(user):
        return False
    return initiative.entered_by_id == user.pk or is_author(user, initiative)


def can_view_initiative(user: Any, initiative: Initiative) -> bool:
    if is_own(user, initiative):
        return True
    if initiative.submitted_at is None:  # a draft, or a draft withdrawn before submission
        return has_role_on(user, initiative.unit, VIEW_DRAFTS)
    return has_role_on(user, initiative.unit, VIEW_QUEUE)


def can_enter_for(user: Any, unit: Unit) -> bool:
    """May the user enter initiatives under `unit`?"""
    if not _signed_in(user):
        return False
    member = user.member if user.member_id else None
    if member is not None and member.left_on is None and member.unit_id == unit.pk:
        return True
    return has_role_on(user, unit, ENTER_ON_BEHALF)


def can_edit_initiative(user: Any, initiative: Initiative) -> bool:
    if initiative.status not in EDITABLE:
        return False
    if is_own(user, initiative):
        return True
    # A returned initiative may be fixed by the support team or an officer on the author's
    # behalf; a draft belongs to whoever is writing it.
    return initiative.status == Status.RETURNED and has_role_on(
        user, initiative.unit, ENTER_ON_BEHALF
    )


def can_submit_initiative(user: Any, initiative: Initiative) -> bool:
    return can_edit_initiative(user, initiative)


def can_withdraw_initiative(user: Any, initiative: Initiative) -> bool:
    return initiative.status in {Status.DRAFT, Status.SUBMITTED, Status.RETURNED} and is_own(
        user, initiative
    )


def can_decide_initiative(user: Any, initiative: Initiative) -> bool:
    return (
        initiative.status == Status.SUBMITTED
        and has_role_on(user, initiative.unit, DECIDE)
        and not is_author(user, initiative)
    )


def can_reopen_initiative(user: Any, initiative: Initiative) -> bool:
    return (
        initiative.status in DECIDED
        and has_role_on(user, initiative.unit, REOPEN)
        and not is_author(user, initiative)
    )


def can_review_unit(user: Any, unit: Unit) -> bool:
    """May the user open the review queue of `unit`?"""
    return has_role_on(user, unit, VIEW_QUEUE)


def own_initiatives(user: Any) -> InitiativeQuerySet:
    """What the user wrote or entered, in any status."""
    if not _signed_in(user):
        return Initiative.objects.none()
    q = Q(entered_by=user)
    if user.member_id:
        q |= Q(authors__member_id=user.member_id)
    return Initiative.objects.filter(q).distinct()


def queue_for(user: Any, unit: Unit | None = None) -> InitiativeQuerySet:
    """The submitted initiatives the user reviews: under `unit` (which the caller has checked
    with `can_review_unit`), or under every unit of the user's review roles."""
    if unit is not None:
        return Initiative.objects.in_subtree(unit).in_queue()
    paths = role_paths(user, VIEW_QUEUE)
    if paths == [""]:
        return Initiative.objects.in_queue()
    return Initiative.objects.in_subtrees(paths).in_queue()


def get_initiative_for_user(user: Any, pk: Any) -> Initiative:
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        raise Http404 from None
    initiative = (
        Initiative.objects.select_related(
            "campaign", "campaign__owner", "unit", "phase", "field", "entered_by", "decided_by"
        )
        .prefetch_related("authors")
        .filter(pk=pk)
        .first()
    )
    if initiative is None or not can_view_initiative(user, initiative):
        raise Http404
    return initiative
