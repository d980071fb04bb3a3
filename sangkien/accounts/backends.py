"""Log in with a username, an email address or a phone number, and a password."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import ModelBackend
from django.db.models import Q

from sangkien.text import nfc

from .models import User


def find_user(identifier: str) -> User | None:
    identifier = nfc(identifier or "")
    if not identifier:
        return None
    q = Q(username__iexact=identifier)
    if "@" in identifier:
        q |= Q(email__iexact=identifier)
    else:
        from sangkien.text import normalise_phone

        phone = normalise_phone(identifier)
        if len(phone) >= 8:
            q |= Q(phone=phone)
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
        if user is None:
            User().set_password(password)  # same time as a real check
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None
