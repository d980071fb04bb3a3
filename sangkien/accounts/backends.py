"""Log in with a username, an email address or a phone number, and a password; every
password checked here is counted by the login limit (throttle.py), whichever page asked."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import ModelBackend
from django.db.models import Q

from sangkien.text import nfc

from . import throttle
from .models import User


def find_user(identifier: str) -> User | None:
    identifier = nfc(identifier or "")
    if not identifier:
        return None
    q = Q(username__iexact=identifier)
    if "@" in identifier:
        q |= Q(email__iexact=identifier)
    else:
        phones = throttle.phone_forms(identifier)
        if phones:
            q |= Q(phone__in=phones)
    matches = list(User.objects.filter(q)[:2])
    if len(matches) != 1:
        return None
    return matches[0]


class LoginBackend(ModelBackend):
    def authenticate(
        self, request: Any, username: str | None = None, password: str | None = None, **kwargs: Any
    ) -> User | None:
        if username is None or password is None:
            return None
        user = find_user(username)
        try:
            ticket = throttle.reserve_login(username, user, request)
        except throttle.Throttled as exc:
            if request is not None:
                setattr(request, throttle.REQUEST_MARK, exc)
            return None
        if user is None:
            User().set_password(password)  # same time as a real check
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            throttle.succeeded(ticket)
            return user
        return None
