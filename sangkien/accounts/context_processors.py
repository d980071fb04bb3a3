"""What the layout's navigation needs from the accounts: the roles the signed-in user holds."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from .permissions import roles_of


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    return {"nav_roles": roles_of(user) if user is not None else set()}
