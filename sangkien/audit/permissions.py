"""Who reads which audit entries: an officer or administrator reads the entries of the units
of their subtrees (the unit each entry belongs to, `AuditEntry.unit`); entries that belong to
no unit are a national administrator's. Personal data inside an entry's before and after
(date of birth, phone, email, ID numbers) is shown only to those who may see the personal
data of the members of the entry's unit; for the others it reads as hidden."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404

from sangkien.accounts.permissions import (
    VIEW_AUDIT,
    VIEW_PERSONAL_DATA,
    has_role_on,
    is_national_admin,
    role_paths,
)
from sangkien.core.models import AuditEntry
from sangkien.orgs.models import Unit, subtrees_q
from sangkien.orgs.permissions import get_unit_for_user

# Keys of a recorded state that hold personal data.
PERSONAL_KEYS = frozenset(
    {"birth_date", "date_of_birth", "phone", "email", "id_number", "identity_number"}
)
HIDDEN = "***"


def reads_audit(user: Any) -> bool:
    """Does the user read any audit log (for the navigation)?"""
    return bool(role_paths(user, VIEW_AUDIT))


def get_audit_unit_for_user(user: Any, code: str) -> Unit:
    """A unit whose audit log the user reads; 404 otherwise (outside their scope, or no
    officer's role there)."""
    return get_unit_for_user(user, code, VIEW_AUDIT)


def entries_visible_to(user: Any, unit: Unit | None = None) -> QuerySet[AuditEntry]:
    """The audit entries the user reads, of `unit`'s subtree when given. Nothing for a user
    without an officer's or administrator's role."""
    paths = role_paths(user, VIEW_AUDIT)
    qs = AuditEntry.objects.all()
    if unit is not None:
        if not has_role_on(user, unit, VIEW_AUDIT):
            return qs.none()
        return qs.filter(subtrees_q([unit.path], "unit__path"))
    if paths == [""]:
        return qs
    return qs.filter(subtrees_q(paths, "unit__path"))


def get_entry_for_user(user: Any, pk: int) -> AuditEntry:
    entry = entries_visible_to(user).select_related("unit", "actor").filter(pk=pk).first()
    if entry is None:
        raise Http404
    return entry


def can_view_personal_values(user: Any, entry: AuditEntry) -> bool:
    """May the user see the personal data recorded in this entry?"""
    unit = entry.unit
    if unit is None:
        return is_national_admin(user)
    return has_role_on(user, unit, VIEW_PERSONAL_DATA)


def hide_personal(state: Any) -> Any:
    """A recorded state with its personal values hidden (keys kept, so a change shows)."""
    if isinstance(state, dict):
        return {
            k: (HIDDEN if k in PERSONAL_KEYS and v not in (None, "") else hide_personal(v))
            for k, v in state.items()
        }
    if isinstance(state, list):
        return [hide_personal(v) for v in state]
    return state


def shown_states(user: Any, entry: AuditEntry) -> tuple[Any, Any, bool]:
    """(before, after, personal data visible) as the user may read them."""
    if can_view_personal_values(user, entry):
        return entry.before, entry.after, True
    return hide_personal(entry.before), hide_personal(entry.after), False


def actor_q(who: str) -> Q:
    """Entries by a person: their exact username, or a part of their name or email."""
    return (
        Q(actor__username__iexact=who)
        | Q(actor__first_name__icontains=who)
        | Q(actor__last_name__icontains=who)
        | Q(actor__email__iexact=who)
    )
