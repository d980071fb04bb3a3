"""`sangkien load_users OUT.json`: the accounts a load test plays, on a demo database.

Members of grassroots unions under the open campaign's owner (each with an API token),
support teams serving an upper-level union (a token each), and officers of the province, of
its upper-level unions and of grassroots unions (a password for the pages and a token each).
Written as JSON for the load scenario (loadtest/locustfile.py). Refused on a database that
`sangkien seed` did not make: the accounts have a known password."""

from __future__ import annotations

import json
from typing import Any

from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.auth.hashers import make_password
from django.contrib.sessions.backends.db import SessionStore
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from sangkien.accounts import services as accounts
from sangkien.accounts.models import Role, User
from sangkien.campaigns.models import Campaign
from sangkien.orgs.models import Member, Unit, UnitKind
from sangkien.seed.demo import DEMO_LOGINS, DEMO_PASSWORD

PREFIX = "load."


class Command(BaseCommand):
    help = (
        "Make (or find again) the accounts a load test plays on a demo database and write "
        "them, with their API tokens, to OUT.json."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("out", help="the JSON file to write")
        parser.add_argument("--members", type=int, default=60, help="members (default 60)")
        parser.add_argument("--support", type=int, default=10, help="support teams (default 10)")
        parser.add_argument("--officers", type=int, default=30, help="officers (default 30)")

    def handle(self, *args: Any, **opts: Any) -> None:
        demo = User.objects.filter(username__in=[d.username for d in DEMO_LOGINS]).count()
        if demo != len(DEMO_LOGINS):
            raise CommandError(
                "This database was not made by `sangkien seed`: load-test accounts (with a "
                "known password) are made only on demo data."
            )
        today = timezone.localdate()
        campaign = next(
            (c for c in Campaign.objects.select_related("owner") if c.is_open_on(today)), None
        )
        if campaign is None:
            raise CommandError("No campaign is open today: seed the demo again.")
        owner = campaign.owner
        under = Unit.objects.active().in_subtree(owner)
        grassroots = list(under.filter(kind=UnitKind.GRASSROOTS).order_by("code"))
        uppers = list(under.filter(kind=UnitKind.UPPER).order_by("code"))
        if not grassroots or not uppers:
            raise CommandError(f"{owner.code} has no grassroots or upper-level unions.")
        self._made = 0
        with transaction.atomic():
            clients = self._members(opts["members"], grassroots, campaign)
            clients += self._support(opts["support"], uppers, campaign)
            clients += self._officers(opts["officers"], owner, uppers, grassroots)
        with open(opts["out"], "w", encoding="utf-8") as fh:
            json.dump({"campaign": campaign.code, "clients": clients}, fh, ensure_ascii=False)
        counts = {
            k: sum(1 for c in clients if c["kind"] == k) for k in ("member", "support", "officer")
        }
        self.stdout.write(
            f"{counts['member']} members, {counts['support']} support teams and "
            f"{counts['officer']} officers of {owner.code} ({campaign.code}) in {opts['out']}"
        )

    def _user(self, username: str, *, member: Member | None = None, name: str = "") -> User:
        """The account, made without a password: the clients use tokens, and the officers
        get one password hash for all (hashing it once per account takes minutes)."""
        user = User.objects.filter(username=username).first()
        if user is None:
            self._made += 1
            if self._made % 10 == 0:
                self.stderr.write(f"Accounts made: {self._made}")
            user = accounts.create_user(
                username=username,
                password=None,
                email=f"{username}@example.com",
                full_name=name or (member.full_name if member else username),
                member=member,
                by=None,
                check_password=False,
            )
        return user

    def _members(self, n: int, grassroots: list[Unit], campaign: Campaign) -> list[dict[str, Any]]:
        out = []
        step = max(1, len(grassroots) // max(n, 1))
        for unit in grassroots[::step][:n]:
            member = (
                Member.objects.filter(unit=unit, left_on__isnull=True)
                .filter(Q(user__isnull=True) | Q(user__username__startswith=PREFIX))
                .order_by("id")
                .first()
            )
            if member is None:
                continue
            user = self._user(f"{PREFIX}m.{member.code.lower()}", member=member)
            out.append(
                {
                    "kind": "member",
                    "username": user.username,
                    "token": accounts.create_token(user, name="load test"),
                    "unit": unit.code,
                    "member": member.code,
                }
            )
        return out

    def _support(self, n: int, uppers: list[Unit], campaign: Campaign) -> list[dict[str, Any]]:
        out = []
        for i, upper in enumerate(uppers[:n]):
            units = list(
                Unit.objects.active()
                .in_subtree(upper)
                .filter(kind=UnitKind.GRASSROOTS)
                .order_by("code")[:20]
            )
            members = [
                m.code
                for m in Member.objects.filter(unit__in=units, left_on__isnull=True)
                .select_related("unit")
                .order_by("id")[:100]
            ]
            by_unit = dict(
                Member.objects.filter(code__in=members).values_list("code", "unit__code")
            )
            if not members:
                continue
            user = self._user(f"{PREFIX}s.{i}", name=f"Tổ hỗ trợ {upper.short_name or upper.code}")
            if not user.grants.filter(role=Role.SUPPORT, unit=upper).exists():
                accounts.grant_role(user, role=Role.SUPPORT, unit=upper, by=None)
            out.append(
                {
                    "kind": "support",
                    "username": user.username,
                    "token": accounts.create_token(user, name="load test"),
                    "unit": upper.code,
                    "members": [[code, by_unit[code]] for code in members],
                }
            )
        return out

    def _officers(
        self, n: int, province: Unit, uppers: list[Unit], grassroots: list[Unit]
    ) -> list[dict[str, Any]]:
        units = [province, *uppers[: max(1, n // 3)]]
        units += grassroots[:: max(1, len(grassroots) // max(1, n - len(units)))]
        out = []
        password = make_password(DEMO_PASSWORD)
        for i, unit in enumerate(units[:n]):
            user = self._user(f"{PREFIX}o.{i}", name=f"Cán bộ {unit.short_name or unit.code}")
            User.objects.filter(pk=user.pk).update(password=password)
            user.password = password  # the session's hash is taken from it
            if not user.grants.filter(role=Role.OFFICER, unit=unit).exists():
                accounts.grant_role(user, role=Role.OFFICER, unit=unit, by=None)
            officer = {
                "kind": "officer",
                "username": user.username,
                "password": DEMO_PASSWORD,
                "token": accounts.create_token(user, name="load test"),
                "unit": unit.code,
            }
            # Most officers are signed in already, as on a campaign day (a session lasts two
            # weeks); one in five logs in through the form while the test runs.
            if i % 5:
                officer["session"] = _signed_in(user)
            out.append(officer)
        return out


def _signed_in(user: User) -> str:
    """The key of a session in which `user` is signed in, as the login form leaves it."""
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    return str(session.session_key)
