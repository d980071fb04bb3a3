"""Who may do what, where. Every permission is a role held on a unit and covers that unit's
subtree; nothing outside the subtrees of a user's roles is visible (views answer 404).

Roles are read here as the paths of the units they are held on; the scoping helper every
list and lookup goes through, `units_visible_to(user)`, is the unit tree's
(sangkien.orgs.permissions)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sangkien.core.paths import minimal_paths

from .models import Role, RoleGrant

if TYPE_CHECKING:  # types only: the unit tree sits above the accounts
    from sangkien.orgs.models import Unit

ALL_ROLES = frozenset(Role.values)
# What each action needs, as the roles that allow it on the unit's subtree.
VIEW_UNITS = ALL_ROLES
VIEW_MEMBERS = frozenset({Role.OFFICER, Role.SUPPORT, Role.REVIEWER, Role.ADMIN})
VIEW_PERSONAL_DATA = frozenset({Role.OFFICER, Role.ADMIN})
MANAGE_UNITS = frozenset({Role.OFFICER, Role.ADMIN})
MANAGE_MEMBERS = frozenset({Role.OFFICER, Role.ADMIN})
MANAGE_GRANTS = frozenset({Role.OFFICER, Role.ADMIN})
REORGANISE = frozenset({Role.ADMIN})
# The audit log of a subtree (sangkien.audit.permissions), and anonymising a member on request.
VIEW_AUDIT = frozenset({Role.OFFICER, Role.ADMIN})
ANONYMISE_MEMBERS = frozenset({Role.ADMIN})
# Roles an officer may hand out; administrators may hand out every role.
GRANTABLE_BY_OFFICER = frozenset(
    {Role.MEMBER, Role.SUPPORT, Role.OFFICER, Role.REVIEWER, Role.EDITOR}
)


def _grants(user: Any) -> list[tuple[str, str]]:
    """(role, unit path) of the user's grants, read once per user object."""
    cached = getattr(user, "_sangkien_grants", None)
    if cached is None:
        cached = list(RoleGrant.objects.filter(user=user).values_list("role", "unit__path"))
        user._sangkien_grants = cached
    return cached


def forget_grants(user: Any) -> None:
    if hasattr(user, "_sangkien_grants"):
        del user._sangkien_grants


def is_national_admin(user: Any) -> bool:
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if user.is_superuser:
        return True
    return any(role == Role.ADMIN and len(path) <= 6 for role, path in _grants(user))


def role_paths(user: Any, roles: frozenset[str] = VIEW_UNITS) -> list[str]:
    """The minimal list of subtree paths where the user holds one of `roles`; [""] means
    everything (a national administrator)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return []
    if is_national_admin(user):
        return [""]
    return minimal_paths([path for role, path in _grants(user) if role in roles])


def has_role_on(user: Any, unit: Unit, roles: frozenset[str]) -> bool:
    return any(unit.path.startswith(p) for p in role_paths(user, roles))


def can_view_unit(user: Any, unit: Unit | None) -> bool:
    """May the user open this unit's pages? (Read off the cached grants; no query.)"""
    return unit is not None and has_role_on(user, unit, VIEW_UNITS)


def can_manage_unit(user: Any, unit: Unit) -> bool:
    return has_role_on(user, unit, MANAGE_UNITS)


def can_reorganise(user: Any, unit: Unit) -> bool:
    """Reorganise (move, merge, split, dissolve) `unit`: an administrator above it."""
    return any(
        unit.path.startswith(p) and len(unit.path) > len(p) for p in role_paths(user, REORGANISE)
    ) or is_national_admin(user)


def can_view_members(user: Any, unit: Unit) -> bool:
    return has_role_on(user, unit, VIEW_MEMBERS)


def can_manage_members(user: Any, unit: Unit) -> bool:
    return has_role_on(user, unit, MANAGE_MEMBERS)


def can_view_personal_data_below(user: Any, unit: Unit) -> bool:
    """Date of birth, phone and email of every member of `unit`'s subtree (an export)."""
    return has_role_on(user, unit, VIEW_PERSONAL_DATA)


def can_view_personal_data(user: Any, member: Any) -> bool:
    """Date of birth, phone and email: the member and officers of the member's subtree."""
    if getattr(user, "is_authenticated", False) and user.member_id == member.pk:
        return True
    return can_view_personal_data_below(user, member.unit)


def can_view_audit(user: Any, unit: Unit) -> bool:
    """Read the audit log of `unit`'s subtree."""
    return has_role_on(user, unit, VIEW_AUDIT)


def can_anonymise_member(user: Any, member: Any) -> bool:
    """Anonymise a member on request: an administrator of a unit at or above the member's
    unit, never oneself."""
    if getattr(user, "is_authenticated", False) and user.member_id == member.pk:
        return False
    return has_role_on(user, member.unit, ANONYMISE_MEMBERS)


def can_manage_grants(user: Any, unit: Unit) -> bool:
    return has_role_on(user, unit, MANAGE_GRANTS)


def can_grant(user: Any, role: str, unit: Unit) -> bool:
    if not can_manage_grants(user, unit):
        return False
    if role in GRANTABLE_BY_OFFICER:
        return True
    return has_role_on(user, unit, frozenset({Role.ADMIN}))


def roles_of(user: Any) -> set[str]:
    """The roles the user holds anywhere (for navigation)."""
    if not getattr(user, "is_authenticated", False):
        return set()
    roles = {role for role, _ in _grants(user)}
    if user.is_superuser:
        roles.add(Role.ADMIN)
    return roles


# -- accounts for members ------------------------------------------------------------------

INVITE_MEMBERS = MANAGE_MEMBERS
RESET_PASSWORDS = MANAGE_MEMBERS


def can_invite(user: Any, unit: Unit) -> bool:
    """Make and revoke sign-up codes for the members of `unit` (and print them)."""
    return has_role_on(user, unit, INVITE_MEMBERS)


def can_reset_password(user: Any, target: Any) -> bool:
    """Give `target` a temporary password: an officer of the target's member unit, when every
    role the target holds lies inside the officer's subtrees too (never someone above them,
    never a staff account, never oneself)."""
    if target is None or not getattr(user, "is_authenticated", False) or user.pk == target.pk:
        return False
    if target.is_superuser or target.is_staff or target.member_id is None:
        return False
    if not has_role_on(user, target.member.unit, RESET_PASSWORDS):
        return False
    paths = role_paths(user, RESET_PASSWORDS)
    if paths == [""]:
        return True
    return all(any(path.startswith(p) for p in paths) for _role, path in _grants(target))
