"""What the layout's navigation needs from the notifications: the address of the list and
the signed-in user's unread count (read only when the page shows it)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse
from django.utils.functional import SimpleLazyObject

from .models import Notification

NOTIFICATIONS_PATH = "/notifications/"


def _notifications_url() -> str:
    try:
        return reverse("notifications:list")
    except NoReverseMatch:
        return NOTIFICATIONS_PATH


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "nav_unread": SimpleLazyObject(
            lambda: Notification.objects.filter(user=user).unread().count()
        ),
        "nav_notifications_url": _notifications_url(),
    }
