"""Shared personas for every test: a small tree (root → province → upper → two grassroots
unions, plus a second province) and one user per role, each on the unit where it works.

A module whose tests read an expensive world builds it once and hands each test its own
copy (`shared_world`, `KeptWorld`)."""

from __future__ import annotations

import copy
import datetime as dt
from collections.abc import Callable, Iterator
from typing import Any, TypeVar

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


def make_support_team(tree: Tree) -> User:
    return make_user("support", role=Role.SUPPORT, unit=tree.upper)


@pytest.fixture
def support_team(tree) -> User:
    return make_support_team(tree)


@pytest.fixture
def unit_officer(tree) -> User:
    return make_unit_officer(tree)


def make_unit_officer(tree: Tree) -> User:
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
    return make_admin(tree)


def make_admin(tree: Tree) -> User:
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


class KeptWorld:
    """A world built once and kept for the tests of a module that read it.

    `get()` builds it (through the services, like any fixture) the first time, inside a
    transaction of its own that stays open; each test then runs inside it, in a savepoint
    of its own (pytest-django's `db`) rolled back after the test, so what a test writes
    never reaches the next one, and it gets a deep copy of the world, so that changing an
    object in memory does not leak either (Django's setUpTestData does the same). A test
    that does not read the world calls `close()` first, which rolls the world back: it
    sees the database as it would alone, whatever ran before it. The module's fixture
    closes it at the module's end. Both are called before the test's `db` (see
    `shared_world`); not for transactional tests, which cannot see an open transaction."""

    def __init__(self, blocker: Any, build: Callable[[], Any]) -> None:
        self.blocker = blocker
        self.build = build
        self.atomic: Any = None
        self.world: Any = None

    def get(self) -> Any:
        if self.atomic is None:
            with self.blocker.unblock():
                self._outside_tests()
                self.atomic = transaction.atomic()
                self.atomic.__enter__()
                with override_settings(PASSWORD_HASHERS=FAST_HASHERS):
                    translation.deactivate()
                    try:
                        self.world = self.build()
                    except BaseException:
                        self.close()
                        raise
                    finally:
                        translation.deactivate()
                        cache.clear()
        return fresh(self.world)

    def close(self) -> None:
        if self.atomic is None:
            return
        with self.blocker.unblock():
            self._outside_tests()
            atomic, self.atomic, self.world = self.atomic, None, None
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)
            cache.clear()

    def _outside_tests(self) -> None:
        connection = transaction.get_connection()
        inside = connection.in_atomic_block and (
            self.atomic is None or len(connection.savepoint_ids) > 0
        )
        if inside:
            # Called after a test's `db`: the world would live (or die) in its transaction.
            raise RuntimeError("a kept world is opened and closed before the test's database")


def shared_world(build: Callable[[], Any], wanted: str) -> tuple[Any, Any]:
    """The two fixtures of a module that keeps a world (`KeptWorld`): a module-scoped
    `kept_world`, and an autouse `shared` that is the test's copy of the world when the test
    asks for the fixture named `wanted` (directly or through another), else None (the
    world closed). The module's own fixtures (tree, personas …) take theirs from `shared`
    when it is set and build their own otherwise. Use:
    `kept_world, shared = shared_world(new_world, "world")`."""

    @pytest.fixture(scope="module")
    def kept_world(django_db_setup: Any, django_db_blocker: Any) -> Iterator[KeptWorld]:
        kept = KeptWorld(django_db_blocker, build)
        yield kept
        kept.close()

    @pytest.fixture(autouse=True)
    def shared(request: pytest.FixtureRequest, kept_world: KeptWorld) -> Any:
        if wanted in request.fixturenames:
            return kept_world.get()
        kept_world.close()
        return None

    return kept_world, shared


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
