"""API authentication: a personal token (`Authorization: Bearer TOKEN`, made with
`sangkien token create USERNAME`) or the browser session. Session requests that change data
must carry Django's CSRF token; token requests need none."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja.errors import AuthenticationError
from ninja.security import HttpBearer, SessionAuth

from sangkien.accounts.services import user_for_token


class TokenAuth(HttpBearer):
    def __call__(self, request: HttpRequest) -> Any:
        # Unlike ninja's own, never logs the header: it may hold a credential.
        scheme, _sep, token = request.headers.get(self.header, "").partition(" ")
        if scheme.lower() != self.openapi_scheme:
            return None
        return self.authenticate(request, token.strip())

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        user = user_for_token(token)
        if user is None:
            # A token that was sent but is unknown or revoked fails the request outright,
            # even when a session cookie would have let the caller in.
            raise AuthenticationError
        request.user = user
        return user


class ActiveSessionAuth(SessionAuth):
    """Django's session; ninja checks the CSRF token on POST, PUT, PATCH and DELETE."""

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        user = super().authenticate(request, key)
        if user is not None and user.is_active:
            return user
        return None


AUTH = [TokenAuth(), ActiveSessionAuth()]
