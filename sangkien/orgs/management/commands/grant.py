from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from sangkien.accounts import services
from sangkien.accounts.models import Role, User
from sangkien.core.errors import ValidationError
from sangkien.orgs.models import Unit


class Command(BaseCommand):
    help = "Give USERNAME the role ROLE on the unit UNIT_CODE and its whole subtree."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("role", choices=Role.values)
        parser.add_argument("unit_code")

    def handle(self, *args: Any, **opts: Any) -> None:
        user = User.objects.filter(username__iexact=opts["username"]).first()
        if user is None:
            raise CommandError(f"No user is called {opts['username']}.")
        unit = Unit.objects.filter(code=opts["unit_code"].upper()).first()
        if unit is None:
            raise CommandError(f"No unit has the code {opts['unit_code']}.")
        try:
            services.grant_role(user, role=opts["role"], unit=unit, by=None)
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from exc
        self.stdout.write(f"{user.username} is now {opts['role']} on {unit.code}")
