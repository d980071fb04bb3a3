"""Shared personas for every test: a small tree (root → province → upper → two grassroots
unions, plus a second province) and one user per role, each on the unit where it works."""

from __future__ import annotations

import datetime as dt

import pytest

from sangkien.accounts import services as accounts
from sangkien.accounts.models import Role, User
from sangkien.orgs import services as orgs
from sangkien.orgs.models import Member, Unit

PASSWORD = "mat-khau-thu-nghiem-1"


class Tree:
    root: Unit
    province: Unit
    upper: Unit
    grassroots: Unit
    grassroots2: Unit
    other_province: Unit
    other_grassroots: Unit


@pytest.fixture
def tree(db) -> Tree:
    t = Tree()
    t.root = orgs.create_unit(
        code="VN",
        name="Tổng Liên đoàn Lao động Việt Nam",
        short_name="Tổng LĐLĐ",
        kind="national",
        parent=None,
        by=None,
        founded_on=dt.date(2000, 1, 1),
    )
    t.province = orgs.create_unit(
        code="TH",
        name="Liên đoàn Lao động tỉnh Thanh Hóa",
        short_name="LĐLĐ Thanh Hóa",
        kind="provincial",
        parent=t.root,
        by=None,
        founded_on=dt.date(2000, 1, 1),
    )
    t.upper = orgs.create_unit(
        code="TH-KCN",
        name="Công đoàn các Khu công nghiệp Thanh Hóa",
        kind="upper",
        parent=t.province,
        by=None,
        founded_on=dt.date(2000, 1, 1),
    )
    t.grassroots = orgs.create_unit(
        code="TH-KCN-001",
        name="Công đoàn Công ty CP Giày Sao Vàng",
        kind="grassroots",
        parent=t.upper,
        by=None,
        founded_on=dt.date(2000, 1, 1),
    )
    t.grassroots2 = orgs.create_unit(
        code="TH-KCN-002",
        name="Công đoàn Công ty TNHH Dệt Đông Sơn",
        kind="grassroots",
        parent=t.upper,
        by=None,
        founded_on=dt.date(2000, 1, 1),
    )
    t.other_province = orgs.create_unit(
        code="HN",
        name="Liên đoàn Lao động Thành phố Hà Nội",
        kind="provincial",
        parent=t.root,
        by=None,
        founded_on=dt.date(2000, 1, 1),
    )
    t.other_grassroots = orgs.create_unit(
        code="HN-001",
        name="Công đoàn Trường THPT Chu Văn An",
        kind="grassroots",
        parent=t.other_province,
        by=None,
        founded_on=dt.date(2000, 1, 1),
    )
    return t


def make_user(
    username: str,
    *,
    role: str | None = None,
    unit: Unit | None = None,
    member: Member | None = None,
    **extra,
) -> User:
    user = accounts.create_user(
        username=username, password=PASSWORD, by=None, member=member, check_password=False, **extra
    )
    if role and unit:
        accounts.grant_role(user, role=role, unit=unit, by=None)
    return user


@pytest.fixture
def member_record(tree) -> Member:
    return orgs.create_member(
        unit=tree.grassroots,
        full_name="Nguyễn Thị Hoa",
        by=None,
        code="DV00000001",
        birth_date=dt.date(1990, 5, 17),
        gender="female",
        position="Công nhân may",
        phone="0912345678",
        email="hoa@example.com",
        joined_on=dt.date(2015, 3, 1),
    )


@pytest.fixture
def member(tree, member_record) -> User:
    """A member: linked to a member record, holds the member role on their grassroots unit."""
    return make_user("member", member=member_record)


@pytest.fixture
def support_team(tree) -> User:
    return make_user("support", role=Role.SUPPORT, unit=tree.upper)


@pytest.fixture
def unit_officer(tree) -> User:
    return make_user(
        "officer",
        role=Role.OFFICER,
        unit=tree.province,
        email="officer@example.com",
        phone="0987654321",
    )


@pytest.fixture
def reviewer(tree) -> User:
    return make_user("reviewer", role=Role.REVIEWER, unit=tree.upper)


@pytest.fixture
def editor(tree) -> User:
    return make_user("editor", role=Role.EDITOR, unit=tree.province)


@pytest.fixture
def outsider(tree) -> User:
    """An officer of another province: sees nothing of Thanh Hóa."""
    return make_user("outsider", role=Role.OFFICER, unit=tree.other_province)


@pytest.fixture
def admin(tree) -> User:
    """A national administrator (admin role on the root)."""
    return make_user("admin", role=Role.ADMIN, unit=tree.root)


@pytest.fixture
def login(client):
    def _login(user: User):
        client.force_login(user)
        return client

    return _login


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """Personas hash passwords; the real hasher is slow by design and tests need not be."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Cached ranks (and anything else cached) never leak from one test into the next."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _no_language_left_over():
    """A page asked in English leaves English active in the thread (the locale middleware
    activates the request's language and never puts it back): each test starts with none,
    as a fresh process does, so what it reads does not depend on the test before it."""
    from django.utils import translation

    translation.deactivate()
    yield
    translation.deactivate()


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config, items):
    """The tests marked `long` run first (in their order), the rest as collected: in parallel
    runs a worker then never starts one of them when the others are nearly done."""
    items.sort(key=lambda item: item.get_closest_marker("long") is None)
