"""What the layout's navigation needs from the unit tree: the one highest unit whose members
the signed-in user may list (read only when the page shows the link)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from sangkien.accounts.permissions import VIEW_MEMBERS, role_paths

from .permissions import top_units_for


def members_home(user: Any) -> str | None:
    """The code of the one unit whose members the user may list, if there is exactly one
    highest such unit (so the navigation can link straight to its member list)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    if not role_paths(user, VIEW_MEMBERS):
        return None
    tops = list(top_units_for(user, VIEW_MEMBERS).values_list("code", flat=True)[:2])
    return tops[0] if len(tops) == 1 else None


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"nav_members_code": SimpleLazyObject(lambda: members_home(user))}
