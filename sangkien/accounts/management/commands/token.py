from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from sangkien.accounts import services
from sangkien.accounts.models import ApiToken, User
from sangkien.core.errors import ValidationError


class Command(BaseCommand):
    help = (
        "Personal API tokens: `token create USERNAME [--name N] [--days D]` prints a new one; "
        "`token list USERNAME` lists a user's tokens; `token revoke USERNAME PREFIX` revokes "
        "the user's token that starts with PREFIX."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["create", "list", "revoke"])
        parser.add_argument("username")
        parser.add_argument("prefix", nargs="?", default="")
        parser.add_argument("--name", default="")
        parser.add_argument("--days", type=int, default=None)

    def handle(self, *args: Any, **opts: Any) -> None:
        user = User.objects.filter(username__iexact=opts["username"]).first()
        if user is None:
            raise CommandError(f"No user is called {opts['username']}.")
        action = opts["action"]
        if action == "create":
            try:
                raw = services.create_token(user, name=opts["name"], days=opts["days"])
            except ValidationError as exc:
                raise CommandError(" ".join(exc.messages)) from None
            self.stdout.write(raw)
        elif action == "list":
            now = timezone.now()
            for token in services.tokens_of(user):
                state = (
                    "revoked"
                    if token.revoked_at
                    else "expired"
                    if token.expires_at <= now
                    else "active"
                )
                self.stdout.write(
                    f"{token.prefix}\t{state}\t{token.expires_at:%Y-%m-%d}\t{token.name}"
                )
        else:
            prefix = opts["prefix"]
            if not prefix:
                raise CommandError("Give the prefix of the token to revoke.")
            found = list(ApiToken.objects.filter(user=user, prefix__startswith=prefix)[:2])
            if len(found) != 1:
                raise CommandError(
                    f"{user.username} has no token starting with {prefix}."
                    if not found
                    else f"More than one token of {user.username} starts with {prefix}."
                )
            services.revoke_token(found[0], by=None)
            self.stdout.write(f"Revoked {found[0].prefix}.")
