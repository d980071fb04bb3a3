"""Who is told of a step, and what: reviewers of a new or resubmitted initiative, authors
of a decision."""

from __future__ import annotations

from typing import Any

from sangkien.accounts.models import Role, RoleGrant, User
from sangkien.notifications.services import notify
from sangkien.orgs.models import Unit

from .. import phrases
from ..models import Initiative

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
    said = phrases.REVIEW_RESUBMITTED if resubmitted else phrases.REVIEW_NEW
    text = said(ref=initiative.reference, title=initiative.title, unit=initiative.unit.name)
    notify(_others(reviewers_for(initiative.unit), by), text=text, url=_url(initiative))


def _tell_authors(initiative: Initiative, *, reason: str, by: Any) -> None:
    values = {
        "ref": initiative.reference,
        "title": initiative.title,
        "status": str(initiative.status),
        "reason": reason,
        "benefit": initiative.benefit_valid_vnd,
        "claimed": initiative.benefit_claimed_vnd,
    }
    notify(
        _others(author_users(initiative), by),
        text=phrases.DECIDED(**values),
        subject=phrases.DECIDED_HEADLINE(**values),
        body=phrases.DECIDED_BODY(**values),
        url=_url(initiative),
    )
