from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse
from django.utils.functional import SimpleLazyObject

from sangkien.accounts.permissions import role_paths, roles_of

NOTIFICATIONS_PATH = "/notifications/"


def _notifications_url() -> str:
    try:
        return reverse("notifications:list")
    except NoReverseMatch:
        return NOTIFICATIONS_PATH


def _unread(user: Any) -> int:
    from sangkien.notifications.models import Notification

    return Notification.objects.filter(user=user).unread().count()


def navigation(request: HttpRequest) -> dict[str, Any]:
    """What the layout's navigation needs: the roles the signed-in user holds, whether they
    review initiatives or may enter them, and their unread notifications (read only when the
    page shows the count)."""
    from sangkien.initiatives.permissions import ENTER_ON_BEHALF, VIEW_QUEUE
    from sangkien.teams.services import served_unit_ids

    user = getattr(request, "user", None)
    signed_in = bool(user is not None and user.is_authenticated)
    context: dict[str, Any] = {"nav_roles": roles_of(user) if user is not None else set()}
    if signed_in:
        context.update(
            {
                "nav_review": SimpleLazyObject(lambda: bool(role_paths(user, VIEW_QUEUE))),
                "nav_enter": SimpleLazyObject(
                    lambda: bool(
                        (user.member_id and user.member.left_on is None)
                        or role_paths(user, ENTER_ON_BEHALF)
                        or served_unit_ids(user)
                    )
                ),
                "nav_teams": SimpleLazyObject(lambda: bool(served_unit_ids(user))),
                "nav_unread": SimpleLazyObject(lambda: _unread(user)),
                "nav_notifications_url": _notifications_url(),
            }
        )
    return context
