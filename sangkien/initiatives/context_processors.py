"""What the layout's navigation needs from the initiatives: whether the signed-in user
reviews initiatives, and whether they may enter one (read only when the page asks)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from sangkien.accounts.permissions import role_paths
from sangkien.teams.services import served_unit_ids

from .permissions import ENTER_ON_BEHALF, VIEW_QUEUE


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "nav_review": SimpleLazyObject(lambda: bool(role_paths(user, VIEW_QUEUE))),
        "nav_enter": SimpleLazyObject(
            lambda: bool(
                (user.member_id and user.member.left_on is None)
                or role_paths(user, ENTER_ON_BEHALF)
                or served_unit_ids(user)
            )
        ),
    }
