from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from sangkien.accounts import services
from sangkien.core.errors import ValidationError
from sangkien.orgs.models import Member, Unit


class Command(BaseCommand):
    help = (
        "Make one-time sign-up codes for the current members of UNIT_CODE who have no account "
        "(or for the members named by --member) and print one line per member: member code, "
        "sign-up code, name, sign-up address. Earlier unused codes of those members are revoked."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("unit_code")
        parser.add_argument("--member", action="append", default=[], help="a member code")
        parser.add_argument("--limit", type=int, default=None, help="at most this many")
        parser.add_argument("--days", type=int, default=None, help="days the codes stay valid")

    def handle(self, *args: Any, **opts: Any) -> None:
        unit = Unit.objects.filter(code=opts["unit_code"].upper()).first()
        if unit is None:
            raise CommandError(f"No unit has the code {opts['unit_code']}.")
        if opts["member"]:
            codes = [c.upper() for c in opts["member"]]
            found = {m.code: m for m in Member.objects.in_subtree(unit).filter(code__in=codes)}
            unknown = [c for c in codes if c not in found]
            if unknown:
                raise CommandError(f"No member of {unit.code} has the code {', '.join(unknown)}.")
            members = [found[c] for c in codes]
        else:
            qs = Member.objects.filter(unit=unit, left_on__isnull=True, user__isnull=True)
            members = list(qs.order_by("sort_key", "id")[: opts["limit"]])
        try:
            issued = services.invite_members(members, by=None, valid_days=opts["days"])
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from exc
        for item in issued:
            self.stdout.write(
                f"{item.member.code}\t{item.code}\t{item.member.full_name}\t{item.url}"
            )
