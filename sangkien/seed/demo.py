"""The demo logins: one user per role, on units of the seeded tree, all with one password.

They are made through the account services like any other user, so they log in by
username, email or phone.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from sangkien.accounts import services as accounts
from sangkien.accounts.models import Role, User
from sangkien.orgs.models import Member, Unit, UnitKind

from .generator import Plan, PlannedUnit, person_name

DEMO_PASSWORD = "sangkien-demo"  # documented in the README; demo data only


@dataclass(frozen=True)
class DemoLogin:
    username: str
    role: str
    label: str  # Vietnamese, for the table `sangkien demo-logins` prints
    label_en: str
    place: str  # root, province, upper or grassroots
    phone: str
    female: bool

    @property
    def email(self) -> str:
        return f"{self.username}@example.com"


DEMO_LOGINS = [
    DemoLogin("admin", Role.ADMIN, "Quản trị toàn quốc", "national admin", "root",
              "0900000001", False),
    DemoLogin("officer", Role.OFFICER, "Cán bộ LĐLĐ tỉnh", "provincial officer", "province",
              "0900000002", True),
    DemoLogin("officer.upper", Role.OFFICER, "Cán bộ công đoàn cấp trên cơ sở",
              "upper-level officer", "upper", "0900000003", False),
    DemoLogin("officer.cs", Role.OFFICER, "Cán bộ công đoàn cơ sở", "grassroots officer",
              "grassroots", "0900000004", True),
    DemoLogin("support", Role.SUPPORT, "Tổ hỗ trợ", "support team", "upper",
              "0900000005", True),
    DemoLogin("reviewer", Role.REVIEWER, "Hội đồng xét duyệt", "reviewer", "province",
              "0900000006", False),
    DemoLogin("editor", Role.EDITOR, "Biên tập viên", "editor", "province",
              "0900000007", True),
    DemoLogin("member", Role.MEMBER, "Đoàn viên", "member", "grassroots",
              "0900000008", True),
]  # fmt: skip


def demo_units(plan: Plan) -> dict[str, PlannedUnit]:
    """Where the demo users work: the root, Thanh Hóa (or the first province), its first
    commune or ward union and the first grassroots union of at least 10 members there."""
    root = plan.units[0]
    provinces = [u for u in plan.units if u.kind == UnitKind.PROVINCIAL]
    province = next((u for u in provinces if u.code == "TH"), provinces[0])
    uppers = [u for u in plan.units if u.parent is province and u.kind == UnitKind.UPPER]
    upper = next((u for u in uppers if "-X" in u.code), uppers[0])
    below = [u for u in plan.units if u.parent is upper and u.kind == UnitKind.GRASSROOTS]
    grassroots = next((u for u in below if u.size >= 10), below[0])
    return {"root": root, "province": province, "upper": upper, "grassroots": grassroots}


def create_demo_users(plan: Plan) -> list[User]:
    places = demo_units(plan)
    units = {u.pk: u for u in Unit.objects.filter(pk__in=[p.id for p in places.values()])}
    users = []
    for login in DEMO_LOGINS:
        unit = units[places[login.place].id]
        member = None
        full_name = ""
        if login.role == Role.MEMBER:
            member = Member.objects.filter(unit=unit).order_by("id").first()
        else:
            rng = random.Random(f"sangkien:{plan.seed}:demo:{login.username}")
            full_name = person_name(rng, login.female)
        user = accounts.create_user(
            username=login.username,
            password=DEMO_PASSWORD,
            email=login.email,
            phone=login.phone,
            full_name=full_name,
            member=member,
            by=None,
            check_password=False,
        )
        if login.role != Role.MEMBER:  # create_user grants the member role itself
            accounts.grant_role(user, role=login.role, unit=unit, by=None)
        users.append(user)
    return users
