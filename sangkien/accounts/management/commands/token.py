from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from sangkien.accounts import services
from sangkien.accounts.models import User


class Command(BaseCommand):
    help = "Personal API tokens: `token create USERNAME` prints a new one."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["create"])
        parser.add_argument("username")
        parser.add_argument("--name", default="")

    def handle(self, *args: Any, **opts: Any) -> None:
        user = User.objects.filter(username__iexact=opts["username"]).first()
        if user is None:
            raise CommandError(f"No user is called {opts['username']}.")
        self.stdout.write(services.create_token(user, name=opts["name"]))
