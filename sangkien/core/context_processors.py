from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from sangkien.accounts.permissions import roles_of


def navigation(request: HttpRequest) -> dict[str, Any]:
    """The roles the signed-in user holds, so the layout shows the right links."""
    user = getattr(request, "user", None)
    return {"nav_roles": roles_of(user) if user is not None else set()}
