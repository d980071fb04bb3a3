from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser

from conftest import make_user
from sangkien.accounts.models import Role, User
from sangkien.accounts.permissions import (
    VIEW_MEMBERS,
    can_grant,
    can_view_personal_data,
    is_national_admin,
)
from sangkien.orgs import services as orgs
from sangkien.orgs.permissions import top_units_for, units_visible_to

THANH_HOA = {"TH", "TH-KCN", "TH-KCN-001", "TH-KCN-002"}
EVERYTHING = THANH_HOA | {"VN", "HN", "HN-001"}


def visible(user, roles=None) -> set[str]:
    qs = units_visible_to(user) if roles is None else units_visible_to(user, roles)
    return set(qs.values_list("code", flat=True))


@pytest.mark.parametrize(
    ("persona", "codes"),
    [
        ("member", {"TH-KCN-001"}),
        ("support_team", {"TH-KCN", "TH-KCN-001", "TH-KCN-002"}),
        ("unit_officer", THANH_HOA),
        ("reviewer", {"TH-KCN", "TH-KCN-001", "TH-KCN-002"}),
        ("editor", THANH_HOA),
        ("outsider", {"HN", "HN-001"}),
        ("admin", EVERYTHING),
    ],
)
def test_units_visible_to_each_persona(request, persona, codes):
    assert visible(request.getfixturevalue(persona)) == codes


@pytest.mark.parametrize(
    ("persona", "codes"),
    [
        ("member", set()),
        ("editor", set()),
        ("support_team", {"TH-KCN", "TH-KCN-001", "TH-KCN-002"}),
        ("unit_officer", THANH_HOA),
    ],
)
def test_units_whose_members_each_persona_may_list(request, persona, codes):
    assert visible(request.getfixturevalue(persona), VIEW_MEMBERS) == codes


def test_anonymous_sees_nothing(tree):
    assert visible(AnonymousUser()) == set()
    assert not top_units_for(AnonymousUser()).exists()


def test_deactivated_user_sees_nothing(unit_officer):
    unit_officer.is_active = False
    assert visible(unit_officer) == set()


def test_a_user_without_roles_sees_nothing(tree):
    assert visible(make_user("nobody")) == set()


def test_roles_on_two_subtrees_add_up(tree, outsider):
    from sangkien.accounts import services as accounts

    accounts.grant_role(outsider, role=Role.REVIEWER, unit=tree.grassroots, by=None)
    assert visible(outsider) == {"HN", "HN-001", "TH-KCN-001"}
    assert set(top_units_for(outsider).values_list("code", flat=True)) == {"HN", "TH-KCN-001"}


def test_nested_roles_give_the_higher_unit_at_the_top(tree, unit_officer):
    from sangkien.accounts import services as accounts

    accounts.grant_role(unit_officer, role=Role.REVIEWER, unit=tree.upper, by=None)
    assert list(top_units_for(unit_officer).values_list("code", flat=True)) == ["TH"]


def test_top_unit_of_a_national_admin_is_the_root(admin):
    assert list(top_units_for(admin).values_list("code", flat=True)) == ["VN"]


def test_superuser_sees_everything(tree):
    root = User.objects.create_superuser("root", "root@example.com", "mat-khau-quan-tri-1")
    assert visible(root) == EVERYTHING
    assert list(top_units_for(root).values_list("code", flat=True)) == ["VN"]


# -- personal data -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "allowed"),
    [
        ("member", True),  # their own record
        ("unit_officer", True),
        ("admin", True),
        ("support_team", False),
        ("reviewer", False),
        ("editor", False),
        ("outsider", False),
    ],
)
def test_who_may_see_personal_data(request, member_record, persona, allowed):
    assert can_view_personal_data(request.getfixturevalue(persona), member_record) is allowed


def test_a_member_may_not_see_another_members_personal_data(member, tree):
    other = orgs.create_member(unit=tree.grassroots, full_name="Phạm Văn Đức", by=None)
    assert not can_view_personal_data(member, other)


def test_anonymous_may_not_see_personal_data(member_record):
    assert not can_view_personal_data(AnonymousUser(), member_record)


def test_officer_of_the_grassroots_unit_may_see_personal_data(tree, member_record):
    officer = make_user("local", role=Role.OFFICER, unit=tree.grassroots)
    assert can_view_personal_data(officer, member_record)
    officer2 = make_user("neighbour", role=Role.OFFICER, unit=tree.grassroots2)
    assert not can_view_personal_data(officer2, member_record)


# -- granting roles ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "role", [Role.MEMBER, Role.SUPPORT, Role.OFFICER, Role.REVIEWER, Role.EDITOR]
)
def test_officer_may_grant_ordinary_roles_in_the_subtree(unit_officer, tree, role):
    assert can_grant(unit_officer, role, tree.grassroots)
    assert can_grant(unit_officer, role, tree.province)


def test_officer_may_not_grant_admin(unit_officer, tree):
    assert not can_grant(unit_officer, Role.ADMIN, tree.grassroots)


def test_officer_may_not_grant_outside_the_subtree(unit_officer, tree):
    assert not can_grant(unit_officer, Role.OFFICER, tree.other_province)
    assert not can_grant(unit_officer, Role.OFFICER, tree.root)


@pytest.mark.parametrize("persona", ["member", "support_team", "reviewer", "editor"])
def test_other_roles_may_not_grant(request, tree, persona):
    assert not can_grant(request.getfixturevalue(persona), Role.MEMBER, tree.grassroots)


def test_outsider_may_not_grant_in_another_province(outsider, tree):
    assert not can_grant(outsider, Role.MEMBER, tree.grassroots)
    assert can_grant(outsider, Role.MEMBER, tree.other_grassroots)


def test_admin_may_grant_every_role_anywhere(admin, tree):
    for role in Role.values:
        assert can_grant(admin, role, tree.grassroots)
        assert can_grant(admin, role, tree.root)


def test_province_admin_may_grant_admin_only_below(tree):
    province_admin = make_user("padmin", role=Role.ADMIN, unit=tree.province)
    assert can_grant(province_admin, Role.ADMIN, tree.upper)
    assert not can_grant(province_admin, Role.ADMIN, tree.other_province)


# -- national administrators ---------------------------------------------------------------


def test_admin_role_on_the_root_is_a_national_admin(admin):
    assert is_national_admin(admin)


def test_admin_role_on_a_province_is_not_a_national_admin(tree):
    assert not is_national_admin(make_user("padmin", role=Role.ADMIN, unit=tree.province))


@pytest.mark.parametrize(
    "persona", ["member", "support_team", "unit_officer", "reviewer", "editor", "outsider"]
)
def test_other_personas_are_not_national_admins(request, persona):
    assert not is_national_admin(request.getfixturevalue(persona))


def test_superuser_is_a_national_admin(db):
    root = User.objects.create_superuser("root", "root@example.com", "mat-khau-quan-tri-1")
    assert is_national_admin(root)


def test_deactivated_superuser_is_not_a_national_admin(db):
    root = User.objects.create_superuser("root", "root@example.com", "mat-khau-quan-tri-1")
    root.is_active = False
    assert not is_national_admin(root)


def test_anonymous_is_not_a_national_admin():
    assert not is_national_admin(AnonymousUser())
