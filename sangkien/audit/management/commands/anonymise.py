"""`sangkien anonymise MEMBER_CODE --reason "…" --by USERNAME`: anonymise a member on
request (the page's service, audited with the reason and who asked for it)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from sangkien.audit import services
from sangkien.orgs.models import Member


class Command(BaseCommand):
    help = "Anonymise a member on request: name replaced, personal data cleared, login closed."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("code", help="the member code")
        parser.add_argument("--reason", required=True, help="the request (required)")
        parser.add_argument("--by", default="", help="username of who carries it out")

    def handle(self, *args: Any, **options: Any) -> None:
        member = Member.objects.filter(code=options["code"].strip().upper()).first()
        if member is None:
            raise CommandError(_("No member has the code %(code)s.") % {"code": options["code"]})
        by = None
        if options["by"]:
            by = get_user_model().objects.filter(username=options["by"]).first()
            if by is None:
                raise CommandError(_("No user is called %(name)s.") % {"name": options["by"]})
        try:
            services.anonymise_member(member, by=by, reason=options["reason"])
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from None
        self.stdout.write(services.anonymous_name(member))
