"""What the layout's navigation needs from the teams: whether the signed-in user serves on
a support team (read only when the page asks)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from .services import served_unit_ids


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"nav_teams": SimpleLazyObject(lambda: bool(served_unit_ids(user)))}
