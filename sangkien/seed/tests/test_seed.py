from __future__ import annotations

import io
import unicodedata

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from sangkien.accounts.models import RoleGrant, User
from sangkien.orgs.models import Member, Membership, Unit, UnitKind, UnitVersion, decode_path
from sangkien.orgs.services import ALLOWED_CHILDREN, recount_member_totals
from sangkien.seed.demo import DEMO_LOGINS, DEMO_PASSWORD
from sangkien.seed.generator import SCALES, iter_members, plan_units
from sangkien.text import fold, person_sort_key, sort_key


@pytest.fixture(autouse=True)
def fast_hasher(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def run_seed(**opts) -> str:
    out = io.StringIO()
    call_command("seed", scale="test", no_progress=True, stdout=out, **opts)
    return out.getvalue()


def snapshot() -> tuple[list, list]:
    units = list(Unit.objects.order_by("code").values_list("code", "name", "founded_on"))
    members = list(
        Member.objects.order_by("code").values_list(
            "code", "full_name", "birth_date", "joined_on", "phone", "unit__code"
        )
    )
    return units, members


@pytest.mark.django_db
def test_same_seed_gives_same_data_and_another_seed_differs():
    run_seed(seed=1)
    first = snapshot()
    run_seed(seed=1, reset=True)
    assert snapshot() == first
    run_seed(seed=2, reset=True)
    other = snapshot()
    assert [m[1] for m in other[1]] != [m[1] for m in first[1]]
    assert other[0] != first[0]


@pytest.mark.django_db
def test_units_form_a_consistent_tree_with_versions():
    run_seed()
    units = {u.pk: u for u in Unit.objects.all()}
    roots = [u for u in units.values() if u.parent_id is None]
    assert [r.code for r in roots] == ["VN"]
    versions = {v.unit_id: v for v in UnitVersion.objects.all()}
    assert len(versions) == len(units) == UnitVersion.objects.count()
    for unit in units.values():
        ids = decode_path(unit.path)
        assert ids[-1] == unit.pk
        assert unit.depth == len(ids) - 1
        if unit.parent_id is not None:
            parent = units[unit.parent_id]
            assert ids[:-1] == decode_path(parent.path)
            assert unit.kind in ALLOWED_CHILDREN[parent.kind]
            assert unit.code.startswith(parent.code) or parent.kind == UnitKind.NATIONAL
            assert unit.founded_on >= parent.founded_on
        version = versions[unit.pk]
        assert (version.parent_id, version.name, version.kind) == (
            unit.parent_id,
            unit.name,
            unit.kind,
        )
        assert version.valid_from == unit.founded_on and version.valid_to is None
    kinds = {u.kind for u in units.values()}
    assert {UnitKind.NATIONAL, UnitKind.PROVINCIAL, UnitKind.UPPER, UnitKind.GRASSROOTS} <= kinds


@pytest.mark.django_db
def test_members_total_and_memberships_are_right():
    run_seed()
    assert recount_member_totals() == 0
    root = Unit.objects.get(code="VN")
    assert root.members_total == Member.objects.count() >= 150
    assert Membership.objects.count() == Member.objects.count()
    for m in Member.objects.select_related("unit").prefetch_related("memberships"):
        assert m.unit.kind == UnitKind.GRASSROOTS
        (membership,) = m.memberships.all()
        assert membership.unit_id == m.unit_id
        assert membership.started_on == m.joined_on and membership.ended_on is None
        assert m.unit.founded_on <= m.joined_on
        assert m.birth_date.year in range(1965, 2005)
        assert m.code.startswith("DV") and len(m.code) == 10


@pytest.mark.django_db
def test_names_are_nfc_and_keyed_as_the_services_do():
    run_seed()
    for u in Unit.objects.all():
        assert unicodedata.is_normalized("NFC", u.name)
        assert u.name_folded == fold(u.name + " " + u.short_name)
        assert u.sort_key == sort_key(u.name)
    members = list(Member.objects.all())
    for m in members:
        assert unicodedata.is_normalized("NFC", m.full_name)
        assert len(m.full_name.split()) >= 3
        assert m.name_folded == fold(m.full_name)
        assert m.sort_key == person_sort_key(m.full_name)
        assert m.gender in {"male", "female"}
        assert not m.phone or (len(m.phone) == 10 and m.phone.startswith("0"))
    assert sum(m.full_name.startswith("Nguyễn ") for m in members) > len(members) * 0.2
    assert sum(bool(m.phone) for m in members) > len(members) * 0.6


@pytest.mark.django_db
def test_every_role_has_a_demo_user_who_logs_in_by_username_email_or_phone():
    run_seed()
    assert {d.role for d in DEMO_LOGINS} == {
        "member", "support", "officer", "reviewer", "editor", "admin",
    }  # fmt: skip
    for login in DEMO_LOGINS:
        user = User.objects.get(username=login.username)
        for identifier in (login.username, login.email, login.phone):
            assert authenticate(username=identifier, password=DEMO_PASSWORD) == user
        assert authenticate(username=login.username, password="wrong") is None
        assert RoleGrant.objects.filter(user=user, role=login.role).exists()
    admin = User.objects.get(username="admin")
    assert admin.grants.get().unit.code == "VN"
    member = User.objects.get(username="member")
    assert member.member is not None
    assert member.grants.get().unit_id == member.member.unit_id


@pytest.mark.django_db
def test_once_does_nothing_on_a_seeded_database():
    run_seed()
    before = snapshot()
    users = User.objects.count()
    out = run_seed(once=True)
    assert "nothing to do" in out
    assert snapshot() == before
    assert User.objects.count() == users


@pytest.mark.django_db
def test_seeding_a_seeded_database_needs_reset():
    run_seed()
    with pytest.raises(CommandError, match="--reset"):
        run_seed()


@pytest.mark.django_db
def test_demo_logins_lists_every_role():
    run_seed()
    out = io.StringIO()
    call_command("demo_logins", url="http://127.0.0.1:8123/", stdout=out)
    text = out.getvalue()
    assert "http://127.0.0.1:8123/" in text
    assert DEMO_PASSWORD in text
    for login in DEMO_LOGINS:
        assert login.username in text and login.label_en in text


def test_scales_have_the_designed_sizes():
    for name, upper, grassroots, members in [
        ("demo", 25, 400, 30_000),
        ("province", 170, 3_655, 310_000),
    ]:
        plan = plan_units(SCALES[name], 1)
        kinds = [u.kind for u in plan.units]
        assert kinds.count(UnitKind.PROVINCIAL) == 1
        assert kinds.count(UnitKind.UPPER) == upper
        assert kinds.count(UnitKind.GRASSROOTS) == grassroots
        assert abs(plan.members - members) < members * 0.05
        sizes = sorted(u.size for u in plan.grassroots)
        assert sizes[-1] >= 1000  # a few big factories
        assert 20 <= sizes[len(sizes) // 2] <= 60  # many small units
        assert len({u.code for u in plan.units}) == len(plan.units)


def test_member_stream_is_deterministic_per_seed():
    plan = plan_units(SCALES["test"], 7)
    first = [(m.code, m.full_name, m.birth_date) for m in iter_members(plan)]
    again = [
        (m.code, m.full_name, m.birth_date) for m in iter_members(plan_units(SCALES["test"], 7))
    ]
    assert first == again
    assert len(first) == plan.members


@pytest.mark.django_db
def test_member_indexes_and_constraints_survive_the_load():
    def names(model) -> set[str]:
        with connection.cursor() as cur:
            return set(connection.introspection.get_constraints(cur, model._meta.db_table))

    before = (names(Member), names(Membership))
    run_seed()
    assert (names(Member), names(Membership)) == before
