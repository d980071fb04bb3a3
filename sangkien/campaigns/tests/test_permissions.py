from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import Http404

from conftest import make_user
from sangkien.accounts.models import RoleGrant
from sangkien.accounts.permissions import forget_grants
from sangkien.campaigns import services
from sangkien.campaigns.permissions import (
    campaigns_for,
    can_manage_campaigns,
    get_campaign_for_user,
)
from sangkien.orgs import services as orgs


@pytest.fixture
def campaigns(tree):
    """A national campaign, one of each province, and one of a company's grassroots union."""

    def make(code, owner):
        return services.create_campaign(
            code=code,
            name=f"Chương trình {code}",
            owner=owner,
            starts_on=dt.date(2021, 9, 1),
            ends_on=dt.date(2023, 9, 1),
            by=None,
        )

    return {
        "VN": make("1TRIEU", tree.root),
        "TH": make("TH-2022", tree.province),
        "HN": make("HN-2022", tree.other_province),
        "CTY": make("SAOVANG-2022", tree.grassroots),
    }


def codes(user) -> set[str]:
    return {c.code for c in campaigns_for(user)}


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("member", {"1TRIEU", "TH-2022", "SAOVANG-2022"}),
        ("support_team", {"1TRIEU", "TH-2022", "SAOVANG-2022"}),
        ("reviewer", {"1TRIEU", "TH-2022", "SAOVANG-2022"}),
        ("unit_officer", {"1TRIEU", "TH-2022", "SAOVANG-2022"}),
        ("editor", {"1TRIEU", "TH-2022", "SAOVANG-2022"}),
        ("outsider", {"1TRIEU", "HN-2022"}),
        ("admin", {"1TRIEU", "TH-2022", "HN-2022", "SAOVANG-2022"}),
    ],
)
def test_campaigns_each_persona_can_use(request, campaigns, persona, expected):
    assert codes(request.getfixturevalue(persona)) == expected


def test_national_campaign_is_visible_to_a_member_of_a_grassroots_unit(campaigns, member):
    assert "1TRIEU" in codes(member)
    assert get_campaign_for_user(member, "1trieu") == campaigns["VN"]


def test_a_provinces_campaign_is_not_visible_to_an_officer_of_another_province(
    campaigns, outsider, unit_officer
):
    assert "TH-2022" not in codes(outsider)
    assert "HN-2022" not in codes(unit_officer)
    with pytest.raises(Http404):
        get_campaign_for_user(outsider, "TH-2022")


def test_a_company_campaign_is_not_visible_to_a_neighbouring_company(tree, campaigns):
    record = orgs.create_member(unit=tree.grassroots2, full_name="Vũ Thị Mai", by=None)
    neighbour = make_user("mai", member=record)
    assert codes(neighbour) == {"1TRIEU", "TH-2022"}


def test_the_member_record_counts_while_the_member_is_current(campaigns, member, member_record):
    RoleGrant.objects.filter(user=member).delete()  # only the member record is left
    forget_grants(member)
    assert codes(member) == {"1TRIEU", "TH-2022", "SAOVANG-2022"}
    orgs.end_membership(member_record, by=None, on=dt.date(2024, 1, 1))
    member.refresh_from_db()
    assert codes(member) == set()


def test_anonymous_sees_none(campaigns):
    assert codes(AnonymousUser()) == set()
    with pytest.raises(Http404):
        get_campaign_for_user(AnonymousUser(), "1TRIEU")


def test_inactive_user_sees_none(campaigns, member):
    member.is_active = False
    member.save()
    assert codes(member) == set()


def test_unknown_code_is_404(campaigns, admin):
    with pytest.raises(Http404):
        get_campaign_for_user(admin, "KHONG-CO")
    with pytest.raises(Http404):
        get_campaign_for_user(admin, None)


def test_campaigns_come_with_their_phases_and_fields_in_few_queries(
    campaigns, admin, django_assert_max_num_queries
):
    with django_assert_max_num_queries(4):
        listed = campaigns_for(admin)
        for campaign in listed:
            list(campaign.phases.all())
            list(campaign.fields.all())


@pytest.mark.parametrize(
    ("persona", "unit", "may"),
    [
        ("admin", "root", True),
        ("admin", "other_province", True),
        ("unit_officer", "province", True),
        ("unit_officer", "grassroots", True),
        ("unit_officer", "root", False),
        ("unit_officer", "other_province", False),
        ("reviewer", "upper", False),
        ("support_team", "upper", False),
        ("member", "grassroots", False),
        ("outsider", "province", False),
    ],
)
def test_who_manages_campaigns(request, tree, persona, unit, may):
    assert can_manage_campaigns(request.getfixturevalue(persona), getattr(tree, unit)) is may
