"""Teams: the services (checks, audit) and every page (outsider 404, wrong role 403)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import translation

from conftest import make_user
from sangkien.core.errors import ConflictError, ValidationError
from sangkien.core.models import AuditEntry
from sangkien.orgs import services as orgs
from sangkien.teams import services
from sangkien.teams.models import ServedUnit, Team, TeamKind, TeamMember


@pytest.fixture(autouse=True)
def _english(client, settings):
    """Pages and messages in English, so the checks read the msgids whatever the catalogue."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    with translation.override("en"):
        yield


@pytest.fixture
def team(tree, unit_officer):
    return services.create_team(
        unit=tree.upper, kind=TeamKind.SUPPORT, name="Tổ hỗ trợ sáng kiến KCN", by=unit_officer
    )


@pytest.fixture
def committee(tree, unit_officer):
    return services.create_team(
        unit=tree.province, kind=TeamKind.STEERING, name="Ban chỉ đạo", by=unit_officer
    )


@pytest.fixture
def helper(tree):
    return make_user("helper", full_name="Trần Thị Mai")


# -- services ------------------------------------------------------------------------------


def test_create_team_normalises_and_audits(tree, unit_officer):
    team = services.create_team(
        unit=tree.upper, kind=TeamKind.STEERING, name="  Ban  chỉ đạo  ", by=unit_officer
    )
    assert team.name == "Ban chỉ đạo" and team.created_by == unit_officer
    entry = AuditEntry.objects.get(action="team.create")
    assert entry.object_id == str(team.pk) and entry.after["name"] == "Ban chỉ đạo"


def test_create_team_refuses_bad_input_field_by_field(tree, unit_officer):
    with pytest.raises(ValidationError) as exc:
        services.create_team(unit=tree.upper, kind="club", name=" ", by=unit_officer)
    assert set(exc.value.message_dict) == {"kind", "name"}
    assert not Team.objects.exists()


def test_create_team_refuses_a_closed_unit(tree, admin):
    orgs.dissolve_unit(tree.grassroots2, by=admin, on=dt.date.today())
    tree.grassroots2.refresh_from_db()
    with pytest.raises(ValidationError) as exc:
        services.create_team(unit=tree.grassroots2, kind="support", name="Tổ", by=admin)
    assert "unit" in exc.value.message_dict


def test_update_team_refuses_a_stale_version(team, unit_officer):
    services.update_team(team, by=unit_officer, name="Tổ hỗ trợ 1", expected_version=1)
    with pytest.raises(ConflictError):
        services.update_team(team, by=unit_officer, name="Tổ hỗ trợ 2", expected_version=1)
    team.refresh_from_db()
    assert team.name == "Tổ hỗ trợ 1" and team.version == 2
    assert AuditEntry.objects.filter(action="team.update").count() == 1


def test_add_and_remove_member(team, helper, unit_officer):
    services.add_member(team, user=helper, title="Tổ trưởng", by=unit_officer)
    assert TeamMember.objects.get(team=team).title == "Tổ trưởng"
    with pytest.raises(ValidationError) as exc:
        services.add_member(team, user=helper, by=unit_officer)
    assert "user" in exc.value.message_dict
    services.remove_member(team, user=helper, by=unit_officer)
    assert not TeamMember.objects.exists()
    with pytest.raises(ValidationError):
        services.remove_member(team, user=helper, by=unit_officer)
    actions = list(AuditEntry.objects.filter(object_type="teams.team").values_list("action"))
    assert ("team.member_add",) in actions and ("team.member_remove",) in actions


def test_add_member_refuses_a_disabled_account(team, helper, unit_officer):
    helper.is_active = False
    helper.save()
    with pytest.raises(ValidationError):
        services.add_member(team, user=helper, by=unit_officer)


def test_served_units_lie_inside_the_teams_unit(tree, team, unit_officer):
    services.add_served_unit(team, unit=tree.grassroots, by=unit_officer)
    assert list(team.served_units.all()) == [tree.grassroots]
    for unit in (tree.other_grassroots, tree.province, tree.upper):
        with pytest.raises(ValidationError) as exc:
            services.add_served_unit(team, unit=unit, by=unit_officer)
        assert "unit" in exc.value.message_dict
    with pytest.raises(ValidationError):  # twice
        services.add_served_unit(team, unit=tree.grassroots, by=unit_officer)
    services.remove_served_unit(team, unit=tree.grassroots, by=unit_officer)
    assert not ServedUnit.objects.exists()
    with pytest.raises(ValidationError):
        services.remove_served_unit(team, unit=tree.grassroots, by=unit_officer)


def test_a_steering_committee_serves_no_unit(tree, committee, unit_officer):
    with pytest.raises(ValidationError):
        services.add_served_unit(committee, unit=tree.grassroots, by=unit_officer)


def test_served_unit_ids_come_from_support_teams_only(tree, team, committee, helper, unit_officer):
    services.add_served_unit(team, unit=tree.grassroots, by=unit_officer)
    services.add_member(committee, user=helper, by=unit_officer)
    assert services.served_unit_ids(helper) == frozenset()
    services.add_member(team, user=helper, by=unit_officer)
    assert services.served_unit_ids(helper) == {tree.grassroots.pk}
    assert services.served_unit_paths(helper) == [tree.grassroots.path]


def test_a_closed_unit_is_served_no_more(tree, team, helper, unit_officer, admin):
    services.add_served_unit(team, unit=tree.grassroots, by=unit_officer)
    services.add_member(team, user=helper, by=unit_officer)
    orgs.merge_units([tree.grassroots], into=tree.grassroots2, by=admin)
    assert services.served_unit_ids(helper) == frozenset()


def test_search_finds_people_working_in_the_subtree_only(
    tree, team, member, support_team, outsider, helper
):
    assert [u.username for u in services.search_users(tree.upper, "hoa")] == ["member"]
    assert [u.username for u in services.search_users(tree.upper, "Hòa")] == ["member"]
    assert [u.username for u in services.search_users(tree.upper, "support")] == ["support"]
    assert services.search_users(tree.upper, "outsider") == []
    assert services.search_users(tree.upper, "helper") == []  # works nowhere yet
    assert services.search_users(tree.upper, "h") == []  # too short


# -- pages ---------------------------------------------------------------------------------


def test_team_list_for_roles_covering_the_unit(login, tree, team, reviewer, outsider):
    url = reverse("teams:unit", args=["TH-KCN"])
    page = login(reviewer).get(url)
    assert page.status_code == 200 and "Tổ hỗ trợ sáng kiến KCN" in page.content.decode()
    assert reverse("teams:create", args=["TH-KCN"]) not in page.content.decode()
    assert login(outsider).get(url).status_code == 404


def test_officer_creates_a_team(login, tree, unit_officer):
    client = login(unit_officer)
    url = reverse("teams:create", args=["TH-KCN"])
    assert client.get(url).status_code == 200
    response = client.post(url, {"kind": "support", "name": "Tổ hỗ trợ số 1"})
    team = Team.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "teams:detail", args=[team.pk]
    )
    assert team.unit == tree.upper and team.kind == TeamKind.SUPPORT


def test_create_team_form_shows_errors(login, unit_officer):
    response = login(unit_officer).post(
        reverse("teams:create", args=["TH-KCN"]), {"kind": "support", "name": ""}
    )
    assert response.status_code == 400 and not Team.objects.exists()


def test_create_team_wrong_role_403_outsider_404(login, reviewer, outsider):
    url = reverse("teams:create", args=["TH-KCN"])
    assert login(reviewer).get(url).status_code == 403
    assert login(reviewer).post(url, {"kind": "support", "name": "X"}).status_code == 403
    assert login(outsider).get(url).status_code == 404
    assert not Team.objects.exists()


def test_team_detail_visibility(login, team, reviewer, outsider, helper, unit_officer):
    url = reverse("teams:detail", args=[team.pk])
    assert login(reviewer).get(url).status_code == 200
    assert login(outsider).get(url).status_code == 404
    assert login(helper).get(url).status_code == 404
    services.add_member(team, user=helper, by=unit_officer)
    assert login(helper).get(url).status_code == 200  # a member sees their own team
    assert login(helper).get(reverse("teams:edit", args=[team.pk])).status_code == 403


def test_edit_team_page(login, team, unit_officer):
    client = login(unit_officer)
    url = reverse("teams:edit", args=[team.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, {"name": "Tổ hỗ trợ mới", "description": "", "version": "1"})
    assert response.status_code == 302
    stale = client.post(url, {"name": "Khác", "description": "", "version": "1"})
    assert stale.status_code == 409
    team.refresh_from_db()
    assert team.name == "Tổ hỗ trợ mới"


def test_edit_team_wrong_role_403_outsider_404(login, team, reviewer, outsider):
    url = reverse("teams:edit", args=[team.pk])
    assert login(reviewer).get(url).status_code == 403
    assert login(outsider).get(url).status_code == 404
    assert login(outsider).post(url, {"name": "X", "version": "1"}).status_code == 404


def test_add_member_by_username_and_remove(login, team, helper, unit_officer):
    client = login(unit_officer)
    response = client.post(
        reverse("teams:member_add", args=[team.pk]), {"identifier": "helper", "title": "Tổ viên"}
    )
    assert response.status_code == 302
    assert TeamMember.objects.get(team=team).user == helper
    again = client.post(reverse("teams:member_add", args=[team.pk]), {"identifier": "helper"})
    assert again.status_code == 400 and "already in this team" in again.content.decode()
    unknown = client.post(reverse("teams:member_add", args=[team.pk]), {"identifier": "nobody"})
    assert unknown.status_code == 400
    response = client.post(reverse("teams:member_remove", args=[team.pk, helper.pk]))
    assert response.status_code == 302 and not TeamMember.objects.exists()
    gone = client.post(reverse("teams:member_remove", args=[team.pk, helper.pk]))
    assert gone.status_code == 404


def test_member_search_on_the_team_page(login, team, member, unit_officer, outsider):
    page = login(unit_officer).get(reverse("teams:detail", args=[team.pk]), {"q": "Hoa"})
    html = page.content.decode()
    assert "Nguyễn Thị Hoa" in html and 'value="member"' in html
    nobody = login(unit_officer).get(reverse("teams:detail", args=[team.pk]), {"q": "outsider"})
    assert 'name="identifier" value="outsider"' not in nobody.content.decode()
    assert "Nobody working in this unit matches." in nobody.content.decode()


def test_member_changes_wrong_role_403_outsider_404(login, team, helper, reviewer, outsider):
    add = reverse("teams:member_add", args=[team.pk])
    remove = reverse("teams:member_remove", args=[team.pk, helper.pk])
    assert login(reviewer).post(add, {"identifier": "helper"}).status_code == 403
    assert login(reviewer).post(remove).status_code == 403
    assert login(outsider).post(add, {"identifier": "helper"}).status_code == 404
    assert login(outsider).post(remove).status_code == 404
    assert login(reviewer).get(add).status_code == 405
    assert not TeamMember.objects.exists()


def test_served_units_by_code(login, tree, team, unit_officer):
    client = login(unit_officer)
    url = reverse("teams:served_add", args=[team.pk])
    assert client.post(url, {"code": "th-kcn-001"}).status_code == 302
    assert list(team.served_units.all()) == [tree.grassroots]
    outside = client.post(url, {"code": "HN-001"})
    assert outside.status_code == 400 and "inside" in outside.content.decode()
    upper = client.post(url, {"code": "TH-KCN"})
    assert upper.status_code == 400
    remove = reverse("teams:served_remove", args=[team.pk, tree.grassroots.pk])
    assert client.post(remove).status_code == 302
    assert not team.served_units.exists()


def test_served_units_wrong_role_403_outsider_404(login, tree, team, reviewer, outsider):
    url = reverse("teams:served_add", args=[team.pk])
    remove = reverse("teams:served_remove", args=[team.pk, tree.grassroots.pk])
    assert login(reviewer).post(url, {"code": "TH-KCN-001"}).status_code == 403
    assert login(outsider).post(url, {"code": "TH-KCN-001"}).status_code == 404
    assert login(outsider).post(remove).status_code == 404
    assert not ServedUnit.objects.exists()


def test_my_teams_lists_served_units_with_entry_links(login, tree, team, helper, unit_officer):
    assert "not in any team" in login(helper).get(reverse("teams:mine")).content.decode()
    services.add_served_unit(team, unit=tree.grassroots, by=unit_officer)
    services.add_member(team, user=helper, by=unit_officer)
    html = login(helper).get(reverse("teams:mine")).content.decode()
    assert "Tổ hỗ trợ sáng kiến KCN" in html
    assert reverse("initiatives:entry", args=["TH-KCN-001"]) in html


def test_pages_need_a_login(client, team):
    response = client.get(reverse("teams:detail", args=[team.pk]))
    assert response.status_code == 302 and "login" in response["Location"]
