from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from sangkien.accounts import services
from sangkien.core.errors import ValidationError
from sangkien.orgs.models import Member


class Command(BaseCommand):
    help = "Create a user that logs in with a username, email or phone and a password."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--password", required=True)
        parser.add_argument("--email", default="")
        parser.add_argument("--phone", default="")
        parser.add_argument("--name", default="", help="full name (defaults to the member's)")
        parser.add_argument("--member", default=None, help="code of the member this user is")

    def handle(self, *args: Any, **opts: Any) -> None:
        member = None
        if opts["member"]:
            member = Member.objects.filter(code=opts["member"].upper()).first()
            if member is None:
                raise CommandError(f"No member has the code {opts['member']}.")
        try:
            user = services.create_user(
                username=opts["username"],
                password=opts["password"],
                email=opts["email"],
                phone=opts["phone"],
                full_name=opts["name"],
                member=member,
                by=None,
            )
        except ValidationError as exc:
            raise CommandError(
                "; ".join(f"{k}: {' '.join(v)}" for k, v in exc.message_dict.items())
            ) from exc
        self.stdout.write(f"Created user {user.username}")
