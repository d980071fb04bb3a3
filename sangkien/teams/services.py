"""Writes for teams, and the one read the initiative rules need (`served_unit_ids`).

Every write is one transaction with an audit entry. The views check who may call them
(sangkien.teams.permissions); the services check the data."""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext as _

from sangkien.accounts.models import RoleGrant, User
from sangkien.core import audit
from sangkien.core.errors import ConflictError, ValidationError
from sangkien.core.templatetags.ui import person as person_name
from sangkien.orgs.models import PATH_END, Unit, UnitKind, UnitStatus
from sangkien.text import clean_line, fold, nfc

from .models import ServedUnit, Team, TeamKind, TeamMember

TEAM_FIELDS = ["unit", "kind", "name", "description"]
# The units a support team can serve: those initiatives are entered under.
SERVED_UNIT_KINDS = frozenset({UnitKind.GRASSROOTS, UnitKind.GROUP})
SEARCH_LIMIT = 20


# -- who serves where (read by sangkien.initiatives.permissions) ----------------------------


def _served(user: Any) -> dict[int, str]:
    """{unit id: unit path} of the active units the user's support teams serve, read once
    per user object (like the role grants). A served unit that closed (merged, split,
    dissolved) is served no more; its successor is served once a team is given it."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return {}
    cached = getattr(user, "_sangkien_served_units", None)
    if cached is None:
        cached = dict(
            ServedUnit.objects.filter(
                team__kind=TeamKind.SUPPORT,
                team__members__user_id=user.pk,
                unit__status=UnitStatus.ACTIVE,
            ).values_list("unit_id", "unit__path")
        )
        user._sangkien_served_units = cached
    return cached


def served_unit_ids(user: Any) -> frozenset[int]:
    """The units for which the user, as a member of a support team, enters initiatives on
    members' behalf: exactly the units the user's support teams serve (not their children)."""
    return frozenset(_served(user))


def served_unit_paths(user: Any) -> list[str]:
    """The paths of the units the user's support teams serve (where the user works)."""
    return sorted(set(_served(user).values()))


def forget_served_units(user: Any) -> None:
    if hasattr(user, "_sangkien_served_units"):
        del user._sangkien_served_units


# -- teams ---------------------------------------------------------------------------------


def _lock(team: Team) -> Team:
    return Team.objects.select_related("unit").select_for_update().get(pk=team.pk)


def _clean_team(kind: str | None, name: str, description: str) -> tuple[str, str, dict]:
    errors: dict[str, str] = {}
    if kind is not None and kind not in TeamKind.values:
        errors["kind"] = _("Choose a steering committee or a support team.")
    name = clean_line(name or "")
    if not name:
        errors["name"] = _("Enter the team's name.")
    elif len(name) > 255:
        errors["name"] = _("The name is longer than 255 characters.")
    return name, nfc(description or ""), errors


@transaction.atomic
def create_team(*, unit: Unit, kind: str, name: str, by: Any, description: str = "") -> Team:
    name, description, errors = _clean_team(kind, name, description)
    if not unit.is_active:
        errors["unit"] = _("Unit %(code)s is no longer active.") % {"code": unit.code}
    if errors:
        raise ValidationError(errors)
    team = Team.objects.create(
        unit=unit,
        kind=kind,
        name=name,
        description=description,
        created_by=by if getattr(by, "is_authenticated", False) else None,
    )
    audit.record(actor=by, action="team.create", obj=team, after=audit.snapshot(team, TEAM_FIELDS))
    return team


@transaction.atomic
def update_team(
    team: Team,
    *,
    by: Any,
    name: str | None = None,
    description: str | None = None,
    expected_version: int | None = None,
) -> Team:
    team = _lock(team)
    if expected_version is not None and team.version != expected_version:
        raise ConflictError(_("Someone else changed this team meanwhile. Reload and try again."))
    before = audit.snapshot(team, TEAM_FIELDS)
    new_name, new_description, errors = _clean_team(
        None,
        team.name if name is None else name,
        team.description if description is None else description,
    )
    if errors:
        raise ValidationError(errors)
    team.name = new_name
    team.description = new_description
    team.version += 1
    team.save()
    audit.record(
        actor=by,
        action="team.update",
        obj=team,
        before=before,
        after=audit.snapshot(team, TEAM_FIELDS),
    )
    return team


# -- members -------------------------------------------------------------------------------


def eligible_users(unit: Unit) -> Any:
    """Users working inside `unit`'s subtree: a role held on a unit there, or a current
    member record there. Name searches look only among these."""
    end = unit.path + PATH_END
    grants = RoleGrant.objects.filter(
        user_id=OuterRef("pk"), unit__path__gte=unit.path, unit__path__lt=end
    )
    in_subtree = Q(
        member__unit__path__gte=unit.path,
        member__unit__path__lt=end,
        member__left_on__isnull=True,
    )
    return User.objects.filter(is_active=True).filter(Q(Exists(grants)) | in_subtree)


def search_users(unit: Unit, q: str, *, limit: int = SEARCH_LIMIT) -> list[User]:
    """Users working inside `unit`'s subtree whose username is `q` or whose name contains it
    (diacritics and case ignored for the names of members)."""
    q = clean_line(q or "")
    if len(q) < 2:
        return []
    folded = fold(q)
    match = (
        Q(username__iexact=q)
        | Q(first_name__icontains=q)
        | Q(last_name__icontains=q)
        | Q(member__name_folded__contains=folded)
    )
    return list(
        eligible_users(unit)
        .filter(match)
        .select_related("member", "member__unit")
        .order_by("username")[:limit]
    )


@transaction.atomic
def add_member(team: Team, *, user: User, by: Any, title: str = "") -> TeamMember:
    team = _lock(team)
    title = clean_line(title or "")
    errors: dict[str, str] = {}
    if not user.is_active:
        errors["user"] = _("The account %(name)s is disabled.") % {"name": user.username}
    elif TeamMember.objects.filter(team=team, user=user).exists():
        errors["user"] = _("%(name)s is already in this team.") % {"name": person_name(user)}
    if len(title) > 100:
        errors["title"] = _("The title is longer than 100 characters.")
    if errors:
        raise ValidationError(errors)
    try:
        with transaction.atomic():
            member = TeamMember.objects.create(
                team=team,
                user=user,
                title=title,
                added_by=by if getattr(by, "is_authenticated", False) else None,
            )
    except IntegrityError:
        raise ValidationError(
            {"user": _("%(name)s is already in this team.") % {"name": person_name(user)}}
        ) from None
    forget_served_units(user)
    audit.record(
        actor=by,
        action="team.member_add",
        obj=team,
        after={"user": user.pk, "username": user.username, "title": title},
    )
    return member


@transaction.atomic
def remove_member(team: Team, *, user: User, by: Any) -> None:
    team = _lock(team)
    member = TeamMember.objects.filter(team=team, user=user).first()
    if member is None:
        raise ValidationError(
            {"user": _("%(name)s is not in this team.") % {"name": person_name(user)}}
        )
    member.delete()
    forget_served_units(user)
    audit.record(
        actor=by,
        action="team.member_remove",
        obj=team,
        before={"user": user.pk, "username": user.username, "title": member.title},
    )


# -- units served --------------------------------------------------------------------------


@transaction.atomic
def add_served_unit(team: Team, *, unit: Unit, by: Any) -> ServedUnit:
    """A support team serves `unit`, which must be an active grassroots union or union group
    inside the team's unit's subtree."""
    team = _lock(team)
    error = ""
    if not team.is_support:
        error = _("Only a support team serves units.")
    elif not unit.is_descendant_of(team.unit):
        error = _("%(code)s is not inside %(unit)s.") % {"code": unit.code, "unit": team.unit}
    elif not unit.is_active:
        error = _("Unit %(code)s is no longer active.") % {"code": unit.code}
    elif unit.kind not in SERVED_UNIT_KINDS:
        error = _(
            "%(code)s is not a grassroots union or a union group; a support team serves "
            "the units initiatives are entered under."
        ) % {"code": unit.code}
    elif ServedUnit.objects.filter(team=team, unit=unit).exists():
        error = _("The team already serves %(code)s.") % {"code": unit.code}
    if error:
        raise ValidationError({"unit": error})
    served = ServedUnit.objects.create(
        team=team, unit=unit, added_by=by if getattr(by, "is_authenticated", False) else None
    )
    if getattr(by, "is_authenticated", False):
        forget_served_units(by)
    audit.record(
        actor=by, action="team.serve_add", obj=team, after={"unit": unit.pk, "code": unit.code}
    )
    return served


@transaction.atomic
def remove_served_unit(team: Team, *, unit: Unit, by: Any) -> None:
    team = _lock(team)
    deleted, _rows = ServedUnit.objects.filter(team=team, unit=unit).delete()
    if not deleted:
        raise ValidationError(
            {"unit": _("The team does not serve %(code)s.") % {"code": unit.code}}
        )
    if getattr(by, "is_authenticated", False):
        forget_served_units(by)
    audit.record(
        actor=by,
        action="team.serve_remove",
        obj=team,
        before={"unit": unit.pk, "code": unit.code},
    )
