"""The caller's own personal API tokens: list them and revoke one. Tokens are made on the
My account page or with `sangkien token create`, never through the API, so a leaked token
cannot make itself a successor."""

from __future__ import annotations

import datetime as dt
from typing import cast

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Router, Schema
from pydantic import Field

from sangkien.accounts import services
from sangkien.accounts.models import ApiToken, User

from . import schemas

router = Router(tags=["tokens"])
ERRORS = {401: schemas.Error, 404: schemas.Error}


class Token(Schema):
    id: int
    prefix: str = Field(description="The first characters of the token, to recognise it.")
    name: str = Field(description="What its owner said it is for.")
    created_at: dt.datetime
    last_used_at: dt.datetime | None = Field(
        description="When it was last used (updated at most every five minutes)."
    )
    expires_at: dt.datetime = Field(description="From then on it answers 401.")
    revoked_at: dt.datetime | None = Field(description="When it was revoked; null if not.")
    active: bool = Field(description="Neither revoked nor expired.")


class TokenList(Schema):
    items: list[Token]
    next_cursor: None = Field(description="Always null: every token is on one page.")


def token_out(token: ApiToken) -> Token:
    return Token(
        id=token.pk,
        prefix=token.prefix,
        name=token.name,
        created_at=token.created_at,
        last_used_at=token.last_used_at,
        expires_at=token.expires_at,
        revoked_at=token.revoked_at,
        active=token.revoked_at is None and token.expires_at > timezone.now(),
    )


@router.get("", response={200: TokenList, **ERRORS})
def list_tokens(request: HttpRequest):
    """The caller's own tokens, newest first, revoked and expired ones included."""
    user = cast(User, request.user)  # the API's authentication let only a user in
    return TokenList(items=[token_out(t) for t in services.tokens_of(user)], next_cursor=None)


@router.post(
    "/{token_id}/revoke",
    response={200: Token, **ERRORS, 403: schemas.Error, 422: schemas.InvalidInput},
)
def revoke_token(request: HttpRequest, token_id: schemas.RowId):
    """Revoke one of the caller's own tokens (the one in use too): it answers 401 from now on.
    Revoking a revoked token changes nothing. Anyone else's token is not found (404)."""
    token = get_object_or_404(ApiToken, pk=token_id, user=request.user)
    return token_out(services.revoke_token(token, by=request.user))
