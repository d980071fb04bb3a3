import pytest
from django.urls import reverse

from sangkien.initiatives.tests.builders import make_campaign, make_initiative
from sangkien.quotas import services
from sangkien.quotas.models import Quota, QuotaChange

Q = "?campaign=1TRIEU"


@pytest.fixture(autouse=True)
def _pages_in_english(client):
    """These tests read the English wording; the Vietnamese one is in /work/i18n."""
    client.cookies["sangkien_language"] = "en"


def url(name, code, query=Q):
    return reverse(f"quotas:{name}", args=[code]) + query


PAGES = [
    ("unit", "GET"),
    ("allocate", "POST"),
    ("target", "POST"),
    ("own", "POST"),
    ("upload", "POST"),
    ("template", "GET"),
]


def call(client, method, address, data=None):
    return client.post(address, data or {}) if method == "POST" else client.get(address)


# -- who may do what -----------------------------------------------------------------------


@pytest.mark.parametrize(("name", "method"), PAGES)
def test_outsider_gets_404(login, outsider, tree, campaign, name, method):
    client = login(outsider)
    for code in ("TH", "TH-KCN", "TH-KCN-001"):
        assert call(client, method, url(name, code)).status_code == 404


@pytest.mark.parametrize(("name", "method"), PAGES)
def test_anonymous_is_sent_to_login(client, tree, campaign, name, method):
    response = call(client, method, url(name, "TH-KCN"))
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=")


@pytest.mark.parametrize(("name", "method"), PAGES)
def test_member_sees_no_other_unit(login, member, tree, campaign, name, method):
    assert call(login(member), method, url(name, "TH-KCN")).status_code == 404


@pytest.mark.parametrize(
    ("name", "method", "status"),
    [
        ("unit", "GET", 200),
        ("allocate", "POST", 403),
        ("target", "POST", 403),
        ("own", "POST", 403),
        ("upload", "POST", 403),
        ("template", "GET", 403),
    ],
)
def test_member_may_look_at_own_unit_but_not_change(
    login, member, tree, campaign, name, method, status
):
    assert call(login(member), method, url(name, "TH-KCN-001")).status_code == status


@pytest.mark.parametrize(("name", "method"), [p for p in PAGES if p[0] != "unit"])
def test_support_team_and_reviewer_may_not_change(
    login, support_team, reviewer, tree, campaign, name, method
):
    for user in (support_team, reviewer):
        client = login(user)
        assert client.get(url("unit", "TH-KCN")).status_code == 200
        assert call(client, method, url(name, "TH-KCN")).status_code == 403


def test_officer_sees_inputs_others_see_figures(login, unit_officer, support_team, tree, campaign):
    services.allocate(tree.upper, campaign, None, {tree.grassroots: 120}, None)
    body = login(unit_officer).get(url("unit", "TH-KCN")).content.decode()
    assert f'name="q-{tree.grassroots.pk}" value="120"' in body
    assert f'name="versions" value="{tree.grassroots.pk}:1,{tree.grassroots2.pk}:0"' in body
    assert 'name="target"' in body and 'name="file"' in body
    assert 'name="assigned"' not in body  # not the unit running the campaign
    body = login(support_team).get(url("unit", "TH-KCN")).content.decode()
    assert 'name="q-' not in body and 'name="target"' not in body and 'name="file"' not in body
    assert "120" in body and tree.grassroots2.name in body


def test_unknown_campaign_or_phase_is_404(login, unit_officer, tree, campaign):
    client = login(unit_officer)
    assert client.get(url("unit", "TH-KCN", "?campaign=NOPE")).status_code == 404
    assert client.get(url("unit", "TH-KCN", Q + "&phase=9")).status_code == 404
    assert client.get(url("unit", "TH-KCN", Q + "&phase=x")).status_code == 404
    assert client.get(url("unit", "TH-KCN", Q + "&phase=2")).status_code == 200


def test_campaign_of_another_subtree_is_404(login, admin, tree, campaign):
    make_campaign(tree.other_province, code="HN2026")
    client = login(admin)
    assert client.get(url("unit", "TH", "?campaign=HN2026")).status_code == 404
    assert client.get(url("unit", "HN-001", "?campaign=HN2026")).status_code == 200


def test_page_without_campaign_says_so(login, unit_officer, tree):
    response = login(unit_officer).get(url("unit", "TH", ""))
    assert response.status_code == 200
    assert "No campaign covers this unit yet." in response.content.decode()
    assert login(unit_officer).post(url("allocate", "TH", "")).status_code == 404


def test_index_goes_to_the_only_top_unit(login, unit_officer, admin, outsider, tree):
    response = login(unit_officer).get(reverse("quotas:index"))
    assert response.status_code == 302 and response["Location"] == url("unit", "TH", "")


# -- the page ------------------------------------------------------------------------------


def test_page_shows_children_targets_sum_and_warning(login, unit_officer, tree, campaign):
    services.allocate(tree.province, campaign, None, {tree.upper: 500}, None)
    services.set_target(tree.upper, campaign, None, 650, None)
    services.allocate(tree.upper, campaign, None, {tree.grassroots: 300}, None)
    services.set_target(tree.grassroots, campaign, None, 400, None)
    body = login(unit_officer).get(url("unit", "TH-KCN")).content.decode()
    assert tree.grassroots.name in body and tree.grassroots2.name in body
    assert "650" in body and "400" in body  # own target and the child's
    assert "Under-allocated: 200 of this unit's quota of 500" in body
    services.allocate(tree.upper, campaign, None, {tree.grassroots2: 250}, None)
    body = login(unit_officer).get(url("unit", "TH-KCN")).content.decode()
    assert "Over-allocated: the units below were given 50 more" in body


def test_page_shows_figures_so_far(login, unit_officer, member, reviewer, tree):
    campaign = make_campaign(tree.root, code="SK")
    services.allocate(tree.upper, campaign, None, {tree.grassroots: 4}, None)
    make_initiative(campaign, tree.grassroots, by=member, status="valid", decider=reviewer)
    make_initiative(
        campaign, tree.grassroots, by=member, status="submitted", title="Sáng kiến thứ hai"
    )
    body = login(unit_officer).get(url("unit", "TH-KCN", "?campaign=SK")).content.decode()
    row = body[body.index(f'id="q-{tree.grassroots.pk}"') :]
    row = row[: row.index("</tr>")]
    cells = [c.split("<", 1)[0].strip() for c in row.split('class="num">')[1:]]
    assert cells == ["—", "1", "2", "25.0%"]  # target, valid, submitted, % of quota


def test_phase_page_and_phase_sums(login, unit_officer, tree, campaign, phase1, phase2):
    services.allocate(tree.upper, campaign, phase1, {tree.grassroots: 40}, None)
    services.allocate(tree.upper, campaign, phase2, {tree.grassroots: 60}, None)
    client = login(unit_officer)
    body = client.get(url("unit", "TH-KCN", Q + "&phase=1")).content.decode()
    assert f'name="q-{tree.grassroots.pk}" value="40"' in body
    body = client.get(url("unit", "TH-KCN")).content.decode()
    assert f'name="q-{tree.grassroots.pk}" value=""' in body
    assert "100 over the phases" in body


def test_history_is_listed(login, unit_officer, tree, campaign):
    services.allocate(
        tree.upper, campaign, None, {tree.grassroots: 7}, unit_officer, note="Đợt đầu"
    )
    body = login(unit_officer).get(url("unit", "TH-KCN")).content.decode()
    history = body[body.index('id="history-h"') :]
    assert tree.grassroots.name in history and "Đợt đầu" in history and "— → 7" in history


# -- writing -------------------------------------------------------------------------------


def test_officer_allocates_from_the_table(login, unit_officer, tree, campaign):
    data = {
        f"q-{tree.grassroots.pk}": "1.500",
        f"q-{tree.grassroots2.pk}": "",
        "versions": f"{tree.grassroots.pk}:0,{tree.grassroots2.pk}:0",
        "note": "Theo Kế hoạch 12/KH",
    }
    response = login(unit_officer).post(url("allocate", "TH-KCN"), data, follow=True)
    assert response.redirect_chain[0] == (url("unit", "TH-KCN"), 302)
    assert "1 quota was saved." in response.content.decode()
    assert Quota.objects.get(unit=tree.grassroots).assigned == 1500
    assert not Quota.objects.filter(unit=tree.grassroots2).exists()
    assert QuotaChange.objects.get().note == "Theo Kế hoạch 12/KH"


def test_bad_value_is_shown_on_its_row_and_nothing_saved(login, unit_officer, tree, campaign):
    data = {f"q-{tree.grassroots.pk}": "12", f"q-{tree.grassroots2.pk}": "mười"}
    response = login(unit_officer).post(url("allocate", "TH-KCN"), data)
    body = response.content.decode()
    assert response.status_code == 400
    assert "Nothing was saved" in body
    assert f'id="err-{tree.grassroots2.pk}"' in body and "is not a whole number" in body
    assert f'name="q-{tree.grassroots2.pk}" value="mười"' in body  # what was typed stays
    assert not Quota.objects.exists()


def test_stale_table_is_a_conflict(login, unit_officer, admin, tree, campaign):
    services.allocate(tree.upper, campaign, None, {tree.grassroots: 5}, admin)
    data = {f"q-{tree.grassroots.pk}": "9", "versions": f"{tree.grassroots.pk}:0"}
    response = login(unit_officer).post(url("allocate", "TH-KCN"), data)
    assert response.status_code == 409
    assert "changed the quotas of" in response.content.decode()
    assert Quota.objects.get(unit=tree.grassroots).assigned == 5


def test_garbled_version_is_a_conflict(login, unit_officer, tree, campaign):
    data = {f"q-{tree.grassroots.pk}": "9", "versions": f"{tree.grassroots.pk}:x"}
    assert login(unit_officer).post(url("allocate", "TH-KCN"), data).status_code == 409
    assert not Quota.objects.exists()


@pytest.mark.parametrize(
    "versions",
    [None, "", "garbage", "1:2:3", "x:0", "{other}:0", ",,,", "{unit}", "{unit}:-1", "{unit}:1e9"],
)
def test_a_missing_or_garbage_versions_field_is_a_conflict_not_a_blind_write(
    login, unit_officer, admin, tree, campaign, versions
):
    """Whatever the field holds, a value is written only against the version it was read at:
    here someone else wrote version 1 meanwhile, and nothing of this post may overwrite it."""
    services.allocate(tree.upper, campaign, None, {tree.grassroots: 5}, admin)
    data = {f"q-{tree.grassroots.pk}": "9"}
    if versions is not None:
        data["versions"] = versions.format(unit=tree.grassroots.pk, other=tree.grassroots2.pk)
    response = login(unit_officer).post(url("allocate", "TH-KCN"), data)
    assert response.status_code == 409
    body = response.content.decode()
    assert "Reload" in body and tree.grassroots.name in body
    assert Quota.objects.get(unit=tree.grassroots).assigned == 5


def test_a_value_without_its_version_is_refused_in_vietnamese(
    client, login, unit_officer, tree, campaign
):
    client.cookies["sangkien_language"] = "vi"
    data = {f"q-{tree.grassroots.pk}": "9", "versions": f"{tree.grassroots2.pk}:0"}
    response = login(unit_officer).post(url("allocate", "TH-KCN"), data)
    assert response.status_code == 409
    assert "Tải lại trang" in response.content.decode()
    assert not Quota.objects.exists()


def test_raising_above_target_warns_that_target_was_cleared(login, unit_officer, tree, campaign):
    services.allocate(tree.upper, campaign, None, {tree.grassroots: 5}, None)
    services.set_target(tree.grassroots, campaign, None, 8, None)
    data = {f"q-{tree.grassroots.pk}": "10", "versions": f"{tree.grassroots.pk}:2"}
    response = login(unit_officer).post(url("allocate", "TH-KCN"), data, follow=True)
    assert "The self-set targets of Công đoàn Công ty CP Giày Sao Vàng were cleared" in (
        response.content.decode()
    )


def test_officer_sets_the_units_target(login, unit_officer, tree, campaign):
    services.allocate(tree.province, campaign, None, {tree.upper: 100}, None)
    client = login(unit_officer)
    response = client.post(url("target", "TH-KCN"), {"target": "90", "version": "1"})
    assert response.status_code == 400
    assert "cannot be below its assigned quota of 100" in response.content.decode()
    response = client.post(url("target", "TH-KCN"), {"target": "150", "version": "1"})
    assert response.status_code == 302
    assert Quota.objects.get(unit=tree.upper).target == 150
    response = client.post(url("target", "TH-KCN"), {"target": "160", "version": "1"})
    assert response.status_code == 409


def test_admin_sets_the_campaign_units_own_quota(login, admin, unit_officer, tree, campaign):
    response = login(admin).post(url("own", "VN"), {"assigned": "1.000.000", "version": "0"})
    assert response.status_code == 302
    assert Quota.objects.get(unit=tree.root).assigned == 1_000_000
    body = login(admin).get(url("unit", "VN")).content.decode()
    assert 'name="assigned"' in body
    # The province's officer gets the province's quota from above.
    assert login(unit_officer).post(url("own", "TH"), {"assigned": "5"}).status_code == 403
