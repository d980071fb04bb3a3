"""Support-team members enter initiatives on members' behalf for exactly the units their
team serves: not the units below them, not the rest of the team's unit, and no longer once
they leave the team. The helper here holds no role at all and has no member record."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from conftest import make_user
from sangkien.accounts.models import RoleGrant
from sangkien.accounts.permissions import role_paths
from sangkien.initiatives.models import Initiative, Status
from sangkien.initiatives.permissions import (
    can_enter_for,
    entry_units,
    get_initiative_for_user,
    may_name_as_author,
    named_authors,
    own_initiatives,
)
from sangkien.orgs import services as orgs
from sangkien.teams import services as teams
from sangkien.teams.models import TeamKind

from .builders import make_campaign


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def group(tree):
    """A union group inside the served grassroots union."""
    return orgs.create_unit(
        code="TH-KCN-001-T1",
        name="Tổ công đoàn Phân xưởng đế",
        kind="group",
        parent=tree.grassroots,
        by=None,
        founded_on=dt.date(2000, 1, 1),
    )


@pytest.fixture
def sibling_member(tree):
    return orgs.create_member(unit=tree.grassroots2, full_name="Lê Văn Bình", by=None)


@pytest.fixture
def helper(tree):
    """A person in the support team: no role grant, no member record."""
    return make_user("helper", full_name="Trần Thị Mai")


@pytest.fixture
def team(tree, helper, unit_officer):
    team = teams.create_team(
        unit=tree.upper, kind=TeamKind.SUPPORT, name="Tổ hỗ trợ sáng kiến KCN", by=unit_officer
    )
    teams.add_served_unit(team, unit=tree.grassroots, by=unit_officer)
    teams.add_member(team, user=helper, title="Tổ viên", by=unit_officer)
    return team


@pytest.fixture
def campaign(tree):
    return make_campaign(tree.root, code="SK", requires_recognition=False)


def fresh(user):
    return type(user).objects.get(pk=user.pk)


def form_data(campaign, **overrides):
    field = campaign.fields.get(code="KT")
    data = {
        "campaign": campaign.code,
        "unit": "TH-KCN-001",
        "title": "Cải tiến băng tải cấp đế",
        "field": str(field.pk),
        "problem": "Đế giày bị kẹt ở băng tải.",
        "description": "Lắp thêm con lăn dẫn hướng ở đầu băng tải.",
        "conditions": "Băng tải hiện có.",
        "first_applied_on": (dt.date.today() - dt.timedelta(days=30)).strftime("%d/%m/%Y"),
        "benefit_claimed_vnd": "2.000.000",
        "benefit_method": "Giảm thời gian dừng máy.",
        "authors-TOTAL_FORMS": "1",
        "authors-INITIAL_FORMS": "0",
        "authors-MIN_NUM_FORMS": "0",
        "authors-MAX_NUM_FORMS": "50",
        "authors-0-member": "DV00000001",
        "authors-0-name": "",
        "authors-0-share": "100",
        "action": "submit",
    }
    data.update(overrides)
    return data


# -- the rules -------------------------------------------------------------------------------


def test_helper_holds_no_role(helper, team):
    assert not RoleGrant.objects.filter(user=helper).exists()
    assert role_paths(helper) == []


def test_team_member_enters_for_exactly_the_served_unit(tree, team, helper, group):
    helper = fresh(helper)
    assert can_enter_for(helper, tree.grassroots)
    assert not can_enter_for(helper, tree.grassroots2)  # sibling, not served
    assert not can_enter_for(helper, group)  # below the served unit
    assert not can_enter_for(helper, tree.upper)  # the team's own unit
    assert not can_enter_for(helper, tree.other_grassroots)


def test_entry_units_are_the_served_units(tree, team, helper, group):
    assert list(entry_units(fresh(helper))) == [tree.grassroots]


def test_entry_units_add_served_units_to_a_role_holders_subtrees(tree, reviewer, unit_officer):
    # A reviewer enters for nobody; once in a support team they enter for what it serves.
    assert entry_units(reviewer) is None
    team = teams.create_team(
        unit=tree.province, kind=TeamKind.SUPPORT, name="Tổ hỗ trợ", by=unit_officer
    )
    teams.add_served_unit(team, unit=tree.grassroots2, by=unit_officer)
    teams.add_member(team, user=reviewer, by=unit_officer)
    assert list(entry_units(fresh(reviewer))) == [tree.grassroots2]


def test_steering_committee_members_do_not_enter(tree, helper, unit_officer):
    committee = teams.create_team(
        unit=tree.upper, kind=TeamKind.STEERING, name="Ban chỉ đạo", by=unit_officer
    )
    teams.add_member(committee, user=helper, title="Trưởng ban", by=unit_officer)
    helper = fresh(helper)
    assert not can_enter_for(helper, tree.grassroots)
    assert entry_units(helper) is None


def test_team_member_names_members_of_the_served_unit_only(
    tree, team, helper, member_record, sibling_member
):
    helper = fresh(helper)
    assert may_name_as_author(helper, member_record, tree.grassroots, set())
    # A member of an unserved unit, named on an initiative of the served unit, reads unknown.
    assert not may_name_as_author(helper, sibling_member, tree.grassroots, set())
    _rows, errors = named_authors(
        helper, [{"member": sibling_member.code, "share": 100}], unit=tree.grassroots
    )
    assert list(errors) == ["authors.0.member"]


def test_removed_team_member_loses_entry(tree, team, helper, unit_officer):
    helper = fresh(helper)
    assert can_enter_for(helper, tree.grassroots)
    teams.remove_member(team, user=helper, by=unit_officer)
    assert not can_enter_for(helper, tree.grassroots)  # the cached units were forgotten
    assert not can_enter_for(fresh(helper), tree.grassroots)
    assert entry_units(fresh(helper)) is None


def test_unit_no_longer_served_is_no_longer_entered(tree, team, helper, unit_officer):
    teams.remove_served_unit(team, unit=tree.grassroots, by=unit_officer)
    assert not can_enter_for(fresh(helper), tree.grassroots)


def test_disabled_account_enters_for_nobody(tree, team, helper):
    helper.is_active = False
    helper.save()
    assert not can_enter_for(fresh(helper), tree.grassroots)


def test_role_grants_keep_their_rules(tree, support_team, member, group):
    # Unchanged: a support role on the upper union covers its whole subtree.
    assert can_enter_for(support_team, tree.grassroots2)
    assert can_enter_for(support_team, group)
    assert can_enter_for(member, tree.grassroots)
    assert not can_enter_for(member, tree.grassroots2)


# -- through the pages ----------------------------------------------------------------------


def new_url(campaign, code):
    return reverse("initiatives:create") + f"?unit={code}&campaign={campaign.code}"


def test_team_member_opens_the_entry_form_for_the_served_unit(login, tree, team, helper, campaign):
    client = login(helper)
    response = client.get(new_url(campaign, "TH-KCN-001"))
    assert response.status_code == 200
    page = response.content.decode()
    assert 'name="title"' in page and 'name="unit"' in page
    # The poster address of the served unit leads to the same form.
    entry = client.get(reverse("initiatives:entry", args=["TH-KCN-001"]))
    assert entry.status_code == 302 and "unit=TH-KCN-001" in entry["Location"]


def test_team_member_submits_on_behalf_of_a_member(
    login, tree, team, helper, member_record, campaign
):
    client = login(helper)
    response = client.post(reverse("initiatives:create"), form_data(campaign))
    assert response.status_code == 302, response.content.decode()[:2000]
    initiative = Initiative.objects.get()
    assert initiative.unit == tree.grassroots
    assert initiative.entered_by == helper and initiative.on_behalf
    assert initiative.status == Status.SUBMITTED
    assert [a.member_id for a in initiative.authors.all()] == [member_record.pk]
    # They see what they entered: its page and their list.
    assert client.get(response["Location"]).status_code == 200
    assert list(own_initiatives(fresh(helper))) == [initiative]
    assert get_initiative_for_user(fresh(helper), initiative.pk) == initiative


@pytest.mark.parametrize("code", ["TH-KCN-002", "TH-KCN-001-T1", "TH-KCN", "HN-001"])
def test_team_member_cannot_enter_for_units_not_served(
    login, tree, team, helper, group, campaign, code
):
    client = login(helper)
    assert client.get(new_url(campaign, code)).status_code == 404
    assert client.get(reverse("initiatives:entry", args=[code])).status_code == 404
    response = client.post(reverse("initiatives:create"), form_data(campaign, unit=code))
    assert response.status_code == 400
    assert 'id="id_unit_error"' in response.content.decode()
    assert not Initiative.objects.exists()


def test_team_member_cannot_name_members_of_unserved_units(
    login, tree, team, helper, member_record, sibling_member, campaign
):
    response = login(helper).post(
        reverse("initiatives:create"),
        form_data(campaign, **{"authors-0-member": sibling_member.code}),
    )
    assert response.status_code == 400
    assert not Initiative.objects.exists()


def test_removed_team_member_loses_the_entry_form(
    login, tree, team, helper, unit_officer, member_record, campaign
):
    teams.remove_member(team, user=helper, by=unit_officer)
    client = login(helper)
    # No role, no member record, no team: the form is not for them at all.
    assert client.get(new_url(campaign, "TH-KCN-001")).status_code == 403
    assert client.get(reverse("initiatives:entry", args=["TH-KCN-001"])).status_code == 404
    assert client.post(reverse("initiatives:create"), form_data(campaign)).status_code == 403
    assert not Initiative.objects.exists()
