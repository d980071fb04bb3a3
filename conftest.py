"""Shared personas for every test: a small tree (root → province → upper → two grassroots
unions, plus a second province) and one user per role, each on the unit where it works.

A module whose tests only read an expensive world builds it once (`module_db`, then
`fresh` hands each test its own copy): see the docstring of `module_db`."""

from __future__ import annotations

import copy
import datetime as dt
from collections.abc import Iterator
from typing import TypeVar

import pytest
from django.core.cache import cache
from django.db import transaction
from django.test.utils import override_settings
from django.utils import translation

from sangkien.accounts import services as accounts
from sangkien.accounts.models import Role, User
from sangkien.orgs import services as orgs
from sangkien.orgs.models import Member, Unit

PASSWORD = "mat-khau-thu-nghiem-1"
# The real hasher is slow by design; tests need not be.
FAST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
T = TypeVar("T")


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
    return build_tree()


def build_tree() -> Tree:
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
    return make_member_record(tree)


def make_member_record(tree: Tree) -> Member:
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
    return make_member(member_record)


def make_member(member_record: Member) -> User:
    return make_user("member", member=member_record)


def make_reviewer(tree: Tree) -> User:
    return make_user("reviewer", role=Role.REVIEWER, unit=tree.upper)


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
    return make_reviewer(tree)


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
    settings.PASSWORD_HASHERS = FAST_HASHERS


@pytest.fixture(scope="module")
def module_db(django_db_setup, django_db_blocker) -> Iterator[None]:
    """One transaction around a whole module, rolled back at its end: a module-scoped
    fixture that asks for this one builds its world once (through the services, like the
    function-scoped fixtures), and every test of the module then runs inside it, in a
    savepoint of its own (pytest-django's `db`) rolled back after the test, so what a test
    writes never reaches the next one. Tests take the world through `fresh`, a deep copy,
    so that changing an object in memory does not leak either (Django's setUpTestData does
    the same). For modules of `db` tests only: a transactional test cannot see the world.

    Every test of such a module sees the world while it is open, whether or not it asks
    for it: in a module that mixes both, the tests that do not ask come first, and the
    module's fixtures build their own only for those (see stats/tests/test_views.py)."""
    with django_db_blocker.unblock():
        if transaction.get_connection().in_atomic_block:
            # Asked for (by getfixturevalue) after a test's `db`: the world would be built
            # inside that test's transaction and be gone after it.
            raise RuntimeError("module_db must be set up before the test's database")
        with transaction.atomic(), override_settings(PASSWORD_HASHERS=FAST_HASHERS):
            translation.deactivate()
            try:
                yield
            finally:
                transaction.set_rollback(True)
                translation.deactivate()
        cache.clear()


def fresh(world: T) -> T:
    """A test's own copy of a world built once for its module (model instances included)."""
    return copy.deepcopy(world)


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Cached ranks (and anything else cached) never leak from one test into the next."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _no_language_left_over():
    """A page asked in English leaves English active in the thread (the locale middleware
    activates the request's language and never puts it back): each test starts with none,
    as a fresh process does, so what it reads does not depend on the test before it."""
    translation.deactivate()
    yield
    translation.deactivate()


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config, items):
    """The tests marked `long` run first (in their order), the rest as collected: in parallel
    runs a worker then never starts one of them when the others are nearly done."""
    items.sort(key=lambda item: item.get_closest_marker("long") is None)
