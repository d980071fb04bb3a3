"""Snapshots: the figures of a day frozen as `figures.report` gave them, never changed, and
compared with today or with another snapshot."""

from __future__ import annotations

import datetime as dt
import re
from html import unescape

import pytest
from django.urls import NoReverseMatch, reverse

from sangkien.core.errors import ValidationError
from sangkien.core.models import AuditEntry
from sangkien.initiatives.tests.builders import make_campaign, make_initiative
from sangkien.stats import figures, services
from sangkien.stats.models import Snapshot


@pytest.fixture
def campaign(tree):
    return make_campaign(tree.root, code="SK")


@pytest.fixture
def two_valid(campaign, tree, member, reviewer):
    for n in range(2):
        make_initiative(
            campaign,
            tree.grassroots,
            by=member,
            status="valid",
            decider=reviewer,
            title=f"Sáng kiến {n}",
            benefit_claimed_vnd=2_500_000,
        )
    return campaign


def take(tree, campaign, by, *, title="Sơ kết đợt 1", as_of=None, unit=None):
    return services.take_snapshot(
        unit or tree.upper, campaign, None, as_of, Snapshot.Kind.PHASE, title, by
    )


def url(name: str, *args, query: str = "") -> str:
    return reverse(f"stats:{name}", args=args) + (f"?{query}" if query else "")


def html(response) -> str:
    return response.content.decode()


# -- the service ----------------------------------------------------------------------------


def test_snapshot_stores_the_report_and_is_audited(tree, two_valid, unit_officer):
    snapshot = take(tree, two_valid, unit_officer)
    report = figures.report(tree.upper, two_valid).as_dict()
    children = report.pop("children")
    assert snapshot.data["unit"] == {
        k: v for k, v in report.items() if k not in ("campaign", "phase", "as_of", "tree")
    }
    assert snapshot.data["children"] == children
    assert snapshot.data["unit"]["initiatives_valid"] == 2
    assert snapshot.data["unit"]["benefit_valid_vnd"] == 5_000_000
    assert snapshot.data["as_of"] == figures.today().isoformat()
    assert snapshot.data["campaign"] == "SK" and snapshot.data["tree"] == "current"
    assert snapshot.created_by == unit_officer and snapshot.title == "Sơ kết đợt 1"
    entry = AuditEntry.objects.get(action="snapshot.take")
    assert entry.object_id == str(snapshot.pk) and entry.actor == unit_officer
    assert entry.after["unit"] == "TH-KCN" and entry.after["kind"] == "phase"


def test_snapshot_of_an_earlier_day_holds_that_days_figures(tree, two_valid, unit_officer):
    yesterday = figures.today() - dt.timedelta(days=1)
    snapshot = take(tree, two_valid, unit_officer, as_of=yesterday)
    assert snapshot.as_of == yesterday
    assert snapshot.data["unit"]["initiatives_valid"] == 0


def test_snapshot_never_changes(tree, two_valid, unit_officer):
    snapshot = take(tree, two_valid, unit_officer)
    snapshot.title = "Đổi tên"
    with pytest.raises(ValueError, match="never changed"):
        snapshot.save()
    fresh = Snapshot.objects.get(pk=snapshot.pk)
    fresh.data = {"unit": {}, "children": []}
    with pytest.raises(ValueError):
        fresh.save()
    assert Snapshot.objects.get(pk=snapshot.pk).title == "Sơ kết đợt 1"


def test_snapshot_refuses_bad_input(tree, campaign, unit_officer):
    with pytest.raises(ValidationError) as error:
        services.take_snapshot(
            tree.upper,
            campaign,
            None,
            figures.today() + dt.timedelta(days=1),
            "weekly",
            "   ",
            unit_officer,
        )
    assert set(error.value.message_dict) == {"title", "as_of", "kind"}
    other = make_campaign(tree.root, code="KHAC")
    with pytest.raises(ValidationError) as error:
        services.take_snapshot(
            tree.upper, campaign, other.phases.first(), None, "final", "Tổng kết", unit_officer
        )
    assert set(error.value.message_dict) == {"phase"}
    assert not Snapshot.objects.exists()
    assert not AuditEntry.objects.filter(action="snapshot.take").exists()


def test_compare_sets_both_values_and_the_difference(tree, two_valid, unit_officer, member):
    yesterday = figures.today() - dt.timedelta(days=1)
    before = take(tree, two_valid, unit_officer, as_of=yesterday)
    after = take(tree, two_valid, unit_officer, title="Hôm nay")
    comparison = services.compare(before.data, after.data)
    assert [u.code for u in comparison] == ["TH-KCN", "TH-KCN-001", "TH-KCN-002"]
    assert comparison[0].is_unit and not comparison[1].is_unit
    valid = next(d for d in comparison[1].differences if d.figure == "initiatives_valid")
    assert (valid.before, valid.after, valid.change) == (0, 2, 2)
    money = next(d for d in comparison[0].differences if d.figure == "benefit_valid_vnd")
    assert (money.before, money.after, money.change, money.kind) == (
        0,
        5_000_000,
        5_000_000,
        "money",
    )
    quota = next(d for d in comparison[0].differences if d.figure == "quota_percent")
    assert quota.change is None  # no quota: nothing to subtract


def test_compare_marks_units_found_on_one_side_only():
    def unit(code, valid):
        return {"unit": code, "name": code, "initiatives_valid": valid}

    before = {"unit": unit("A", 5), "children": [unit("A1", 2), unit("A2", 3)]}
    after = {"unit": unit("A", 9), "children": [unit("A1", 4), unit("A3", 5)]}
    comparison = services.compare(before, after)
    assert [(u.code, u.only_in) for u in comparison] == [
        ("A", None),
        ("A1", None),
        ("A3", "after"),
        ("A2", "before"),
    ]
    a2 = next(d for d in comparison[3].differences if d.figure == "initiatives_valid")
    assert (a2.before, a2.after, a2.change) == (3, None, None)


# -- the pages ------------------------------------------------------------------------------


def test_officer_takes_a_snapshot_through_the_form(login, unit_officer, tree, two_valid):
    client = login(unit_officer)
    form = client.get(url("snapshot_create", "TH-KCN", query="campaign=SK"))
    assert form.status_code == 200
    assert f'value="{figures.today():%d/%m/%Y}"' in html(form)
    response = client.post(
        url("snapshot_create", "TH-KCN"),
        {
            "campaign": "SK",
            "title": "Sơ kết 6 tháng",
            "kind": "phase",
            "as_of": figures.today().strftime("%d/%m/%Y"),
            "phase": "",
            "tree": "current",
        },
    )
    snapshot = Snapshot.objects.get()
    assert response.status_code == 302 and response["Location"] == url("snapshot", snapshot.pk)
    assert snapshot.unit == tree.upper and snapshot.campaign == two_valid
    assert snapshot.data["unit"]["initiatives_valid"] == 2


def test_snapshot_form_reports_a_bad_date(login, unit_officer, tree, campaign, client, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = login(unit_officer).post(
        url("snapshot_create", "TH-KCN"),
        {"campaign": "SK", "title": "X", "kind": "other", "as_of": "32/13/2026", "tree": "current"},
    )
    assert response.status_code == 400
    assert "32/13/2026 is not a date of the calendar." in html(response)
    assert not Snapshot.objects.exists()


def test_only_officers_and_administrators_take_snapshots(
    login, reviewer, member, admin, tree, campaign
):
    data = {"campaign": "SK", "title": "X", "kind": "other", "tree": "current"}
    data["as_of"] = figures.today().strftime("%d/%m/%Y")
    assert login(reviewer).get(url("snapshot_create", "TH-KCN")).status_code == 403
    assert login(reviewer).post(url("snapshot_create", "TH-KCN"), data).status_code == 403
    assert login(member).post(url("snapshot_create", "TH-KCN-001"), data).status_code == 403
    assert not Snapshot.objects.exists()
    assert login(admin).post(url("snapshot_create", "TH-KCN"), data).status_code == 302


def test_snapshot_pages_are_404_to_outsiders(login, outsider, unit_officer, tree, campaign):
    snapshot = take(tree, campaign, unit_officer)
    client = login(outsider)
    assert client.get(url("snapshots", "TH-KCN")).status_code == 404
    assert client.get(url("snapshot_create", "TH-KCN")).status_code == 404
    assert client.get(url("snapshot", snapshot.pk)).status_code == 404
    assert client.get(url("snapshot_compare", snapshot.pk)).status_code == 404


def test_snapshot_pages_need_a_login(client, unit_officer, tree, campaign):
    snapshot = take(tree, campaign, unit_officer)
    for page in (url("snapshot", snapshot.pk), url("snapshot_compare", snapshot.pk)):
        response = client.get(page)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_anyone_with_a_role_over_the_unit_views_its_snapshots(
    login, reviewer, member, unit_officer, tree, two_valid
):
    snapshot = take(tree, two_valid, unit_officer)
    body = html(login(reviewer).get(url("snapshots", "TH-KCN")))
    assert url("snapshot", snapshot.pk) in body
    assert url("snapshot_create", "TH-KCN") not in body  # no button for a reviewer
    assert login(reviewer).get(url("snapshot", snapshot.pk)).status_code == 200
    assert login(member).get(url("snapshot", snapshot.pk)).status_code == 404  # below it


def test_snapshot_page_shows_the_frozen_figures(
    login, unit_officer, tree, two_valid, member, reviewer
):
    snapshot = take(tree, two_valid, unit_officer)
    make_initiative(
        two_valid, tree.grassroots, by=member, status="valid", decider=reviewer, title="Mới"
    )
    body = html(login(unit_officer).get(url("snapshot", snapshot.pk)))
    unit_figures = body[body.index('data-unit="TH-KCN"') :]
    assert re.search(r'data-figure="initiatives_valid"><dt>[^<]*</dt><dd>2<', unit_figures)
    assert re.search(r'data-figure="benefit_valid_vnd"><dt>[^<]*</dt><dd>5\.000\.000\xa0₫<', body)
    row = body[body.index('<tr data-unit="TH-KCN-001">') :]
    row = row[: row.index("</tr>")]
    assert 'data-figure="initiatives_valid">2<' in row
    assert figures.report(tree.upper, two_valid).unit.initiatives_valid == 3  # today moved on


def test_snapshot_has_no_edit_page(login, unit_officer, tree, campaign):
    snapshot = take(tree, campaign, unit_officer)
    client = login(unit_officer)
    assert client.post(url("snapshot", snapshot.pk), {"title": "Đổi"}).status_code == 405
    with pytest.raises(NoReverseMatch):
        reverse("stats:snapshot_edit", args=[snapshot.pk])
    assert Snapshot.objects.get().title == "Sơ kết đợt 1"


def compared(body: str, code: str, figure: str) -> tuple[str, str, str]:
    row = body[body.index(f'<tr data-unit="{code}"') :]
    row = row[: row.index("</tr>")]
    cell = row[row.index(f'data-figure="{figure}"') :]
    cell = cell[: cell.index("</td>")]

    def side(name: str) -> str:
        found = re.search(rf'data-side="{name}"[^>]*>(.*?)</span>', cell, re.S)
        return unescape(re.sub(r"<[^>]+>", "", found.group(1))).strip() if found else ""

    return side("before"), side("after"), side("change")


def test_compare_with_today(login, unit_officer, tree, two_valid, member, reviewer):
    snapshot = take(tree, two_valid, unit_officer)
    make_initiative(
        two_valid,
        tree.grassroots,
        by=member,
        status="valid",
        decider=reviewer,
        title="Mới",
        benefit_claimed_vnd=1_000_000,
    )
    body = html(login(unit_officer).get(url("snapshot_compare", snapshot.pk)))
    assert compared(body, "TH-KCN", "initiatives_valid") == ("2", "3", "+1")
    assert compared(body, "TH-KCN-001", "benefit_valid_vnd") == (
        "5.000.000\xa0₫",
        "6.000.000\xa0₫",
        "+1.000.000\xa0₫",
    )
    assert compared(body, "TH-KCN-002", "initiatives_valid") == ("0", "0", "0")


def test_compare_two_snapshots_older_first(login, unit_officer, tree, two_valid):
    yesterday = figures.today() - dt.timedelta(days=1)
    old = take(tree, two_valid, unit_officer, as_of=yesterday, title="Hôm qua")
    new = take(tree, two_valid, unit_officer, title="Hôm nay")
    client = login(unit_officer)
    for first, second in ((old, new), (new, old)):
        body = html(client.get(url("snapshot_compare", first.pk, query=f"with={second.pk}")))
        assert compared(body, "TH-KCN-001", "initiatives_valid") == ("0", "2", "+2")
        assert "Hôm qua" in body and "Hôm nay" in body


def test_compare_with_another_units_snapshot_is_404(login, unit_officer, tree, campaign):
    mine = take(tree, campaign, unit_officer)
    other = take(tree, campaign, unit_officer, unit=tree.province, title="Tỉnh")
    client = login(unit_officer)
    assert client.get(url("snapshot_compare", mine.pk, query=f"with={other.pk}")).status_code == 404
    assert client.get(url("snapshot_compare", mine.pk, query="with=abc")).status_code == 404
