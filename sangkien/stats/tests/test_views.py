"""The statistics pages: the dashboard, the public figures and emulation clusters. Figures on
the pages must be those of `figures.report` and of `GET /api/v1/stats`; pages are read
through data attributes, numbers in Vietnamese formatting."""

from __future__ import annotations

import datetime as dt
import json
import re
from html import unescape
from types import SimpleNamespace

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from conftest import (
    build_tree,
    make_member,
    make_member_record,
    make_reviewer,
    make_user,
    shared_world,
)
from sangkien.accounts.models import Role
from sangkien.core.models import AuditEntry
from sangkien.initiatives.tests.builders import make_campaign, make_initiative
from sangkien.orgs import services as orgs
from sangkien.quotas import services as quotas
from sangkien.stats import figures, services
from sangkien.stats.models import Cluster


@pytest.fixture
def english(client, settings):
    """Pages in English (the language cookie), and the test's own strings too."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    with translation.override("en"):
        yield


def make_third(tree):
    return orgs.create_unit(
        code="TH-KCN-003",
        name="Công đoàn Công ty TNHH Điện tử Bỉm Sơn",
        kind="grassroots",
        parent=tree.upper,
        by=None,
        founded_on=dt.date(2000, 1, 1),
    )


def member_of(unit, username: str, name: str):
    record = orgs.create_member(unit=unit, full_name=name, by=None)
    return make_user(username, member=record)


def build_world(tree, third, campaign, member, reviewer):
    """Three grassroots unions under TH-KCN with different figures and quotas:
    001: 3 valid (one with a lower validated benefit), 1 pending; quota 4, own target 6.
    002: 1 valid, 1 invalid; quota 10.
    003: 2 valid; no quota."""
    second = member_of(tree.grassroots2, "dv2", "Trần Văn Bình")
    third_member = member_of(third, "dv3", "Lê Thị Cúc")
    for n, benefit in enumerate([150_000_000, 20_000_000, 5_000_000]):
        make_initiative(
            campaign,
            tree.grassroots,
            by=member,
            status="valid",
            decider=reviewer,
            title=f"Sáng kiến hợp lệ {n}",
            benefit_claimed_vnd=benefit,
        )
    make_initiative(campaign, tree.grassroots, by=member, status="submitted", title="Chờ duyệt")
    make_initiative(
        campaign,
        tree.grassroots2,
        by=second,
        status="valid",
        decider=reviewer,
        title="Đổi khuôn",
        benefit_claimed_vnd=1_234_567,
    )
    make_initiative(
        campaign, tree.grassroots2, by=second, status="invalid", decider=reviewer, title="Trùng"
    )
    for n in range(2):
        make_initiative(
            campaign,
            third,
            by=third_member,
            status="valid",
            decider=reviewer,
            title=f"Bỉm Sơn {n}",
            benefit_claimed_vnd=40_000_000,
        )
    quotas.allocate(tree.province, campaign, None, {tree.upper: 20}, None)
    quotas.allocate(tree.upper, campaign, None, {tree.grassroots: 4, tree.grassroots2: 10}, None)
    quotas.set_target(tree.grassroots, campaign, None, 6, None)
    return campaign


def new_world() -> SimpleNamespace:
    """The tree, its member and reviewer, the campaign SK, TH-KCN-003 and `build_world`."""
    w = SimpleNamespace(tree=build_tree())
    w.member_record = make_member_record(w.tree)
    w.member = make_member(w.member_record)
    w.reviewer = make_reviewer(w.tree)
    w.campaign = make_campaign(w.tree.root, code="SK")
    w.third = make_third(w.tree)
    build_world(w.tree, w.third, w.campaign, w.member, w.reviewer)
    return w


# The world is built once for the module and each test that asks for it gets its own copy
# (conftest.shared_world); the others build their own tree and personas.
kept_world, shared = shared_world(new_world, "world")


@pytest.fixture
def tree(shared, db):
    return shared.tree if shared else build_tree()


@pytest.fixture
def member_record(shared, tree):
    return shared.member_record if shared else make_member_record(tree)


@pytest.fixture
def member(shared, member_record):
    return shared.member if shared else make_member(member_record)


@pytest.fixture
def reviewer(shared, tree):
    return shared.reviewer if shared else make_reviewer(tree)


@pytest.fixture
def third(shared, tree):
    return shared.third if shared else make_third(tree)


@pytest.fixture
def campaign(shared, tree):
    return shared.campaign if shared else make_campaign(tree.root, code="SK")


@pytest.fixture
def world(shared, db):
    return shared.campaign


def url(name: str, *args, query: str = "") -> str:
    return reverse(f"stats:{name}", args=args) + (f"?{query}" if query else "")


def html(response) -> str:
    return response.content.decode()


def headline(body: str) -> dict[str, str]:
    """{figure: text} of the headline figures."""
    found = re.findall(
        r'<div class="figure[^"]*" data-figure="(\w+)"><dt>[^<]*</dt><dd[^>]*>([^<]*)<', body
    )
    return {k: unescape(v).strip() for k, v in found}


def rows(body: str) -> list[str]:
    """Unit codes of the children table in order."""
    table = body[body.index('id="children"') :]
    return re.findall(r'<tr data-unit="([\w-]+)">', table)


def row_cells(body: str, code: str) -> dict[str, str]:
    table = body[body.index('id="children"') :]
    row = table[table.index(f'<tr data-unit="{code}">') :]
    row = row[: row.index("</tr>")]
    cells = dict(re.findall(r'data-figure="(\w+)">(.*?)</td>', row, flags=re.S))
    out = {
        k: re.sub(r"<[^>]+>", "", unescape(v)).replace("\xa0", " ").strip()
        for k, v in cells.items()
    }
    out.update(dict(re.findall(r'data-rank="(\w+)">([^<]*)<', row)))
    return out


def vi_number(n: int) -> str:
    return f"{n:,}".replace(",", ".")


def vi_money(n: int) -> str:
    return f"{vi_number(n)} ₫"


# -- access -------------------------------------------------------------------------------

PRIVATE = [
    ("index", ()),
    ("dashboard", ("TH",)),
    ("snapshots", ("TH",)),
    ("snapshot_create", ("TH",)),
    ("clusters", ("TH",)),
    ("cluster_create", ("TH",)),
]


@pytest.mark.parametrize(("name", "args"), PRIVATE)
def test_anonymous_is_sent_to_login(client, tree, campaign, name, args):
    response = client.get(url(name, *args))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


@pytest.mark.parametrize(("name", "args"), PRIVATE[1:])
def test_outsider_gets_404_for_thanh_hoa_pages(login, outsider, tree, campaign, name, args):
    assert login(outsider).get(url(name, *args)).status_code == 404


def test_outsider_gets_404_for_clusters_of_thanh_hoa(login, outsider, unit_officer, tree):
    cluster = services.create_cluster(
        tree.upper, name="Cụm KCN", units=[tree.grassroots, tree.grassroots2], by=unit_officer
    )
    client = login(outsider)
    for name in ("cluster", "cluster_edit", "cluster_delete"):
        assert client.get(url(name, cluster.pk)).status_code == 404
    assert client.post(url("cluster_delete", cluster.pk)).status_code == 404
    assert Cluster.objects.filter(pk=cluster.pk).exists()


def test_outsider_sees_own_province_dashboard(login, outsider, tree, campaign):
    assert login(outsider).get(url("dashboard", "HN")).status_code == 200


def test_member_sees_own_grassroots_dashboard_only(login, member, tree, campaign):
    client = login(member)
    assert client.get(url("dashboard", "TH-KCN-001")).status_code == 200
    assert client.get(url("dashboard", "TH-KCN")).status_code == 404
    assert client.get(url("dashboard", "TH-KCN-002")).status_code == 404


def test_index_goes_to_the_one_top_unit(login, unit_officer, tree, campaign):
    response = login(unit_officer).get(url("index"))
    assert response.status_code == 302
    assert response["Location"] == url("dashboard", "TH")


def test_index_lists_several_top_units(login, tree, campaign):
    user = make_user("two", role=Role.OFFICER, unit=tree.province)
    from sangkien.accounts import services as accounts

    accounts.grant_role(user, role=Role.OFFICER, unit=tree.other_province, by=None)
    body = html(login(user).get(url("index")))
    assert url("dashboard", "TH") in body and url("dashboard", "HN") in body


def test_best_and_lagging_split_when_many_children(login, unit_officer, tree, campaign, member):
    units = [
        orgs.create_unit(code=f"TH-X{i:02}", name=f"Công đoàn {i}", kind="upper",
                         parent=tree.province, by=None, founded_on=dt.date(2000, 1, 1))
        for i in range(8)
    ]  # fmt: skip
    quotas.allocate(tree.province, campaign, None, {u: 10 + i for i, u in enumerate(units)}, None)
    body = html(login(unit_officer).get(url("dashboard", "TH")))
    best = body[body.index('data-list="best"') :]
    lagging = best[best.index('data-list="lagging"') :]
    lagging = lagging[: lagging.index("</ol>")]
    best = best[: best.index("</ol>")]
    assert len(re.findall(r"<li ", best)) == 5
    shown = re.findall(r'data-unit="([\w-]+)"', lagging)
    assert len(shown) == 3  # 8 children with a quota; none in both lists
    assert not set(shown) & set(re.findall(r'data-unit="([\w-]+)"', best))


def test_default_campaign_is_newest_open_one_covering_the_unit(login, unit_officer, tree):
    today = figures.today()
    make_campaign(tree.root, code="OLD", starts_on=today - dt.timedelta(days=900),
                  ends_on=today - dt.timedelta(days=400))  # fmt: skip
    make_campaign(tree.other_province, code="HN26")  # newest, but not over Thanh Hóa
    make_campaign(tree.root, code="NOW", starts_on=today - dt.timedelta(days=10))
    body = html(login(unit_officer).get(url("dashboard", "TH")))
    assert '<option value="NOW" selected>' in body


def test_campaign_the_user_cannot_use_is_404(login, unit_officer, tree, campaign):
    make_campaign(tree.other_province, code="HN26")
    client = login(unit_officer)
    assert client.get(url("dashboard", "TH", query="campaign=HN26")).status_code == 404
    assert client.get(url("dashboard", "TH", query="campaign=NOPE")).status_code == 404


def test_no_campaign_says_so(login, unit_officer, tree):
    response = login(unit_officer).get(url("dashboard", "TH"))
    assert response.status_code == 200
    assert 'class="message warning"' in html(response)


# -- the dashboard's figures ----------------------------------------------------------------


def test_headline_matches_report_and_api(login, unit_officer, tree, world):
    client = login(unit_officer)
    body = html(client.get(url("dashboard", "TH-KCN", query="campaign=SK")))
    report = figures.report(tree.upper, world)
    api = client.get("/api/v1/stats", {"unit": "TH-KCN", "campaign": "SK"}).json()
    shown = headline(body)
    me = report.unit
    assert me.initiatives_valid == api["initiatives_valid"] == 6
    assert shown["initiatives_valid"] == vi_number(me.initiatives_valid)
    assert shown["initiatives_submitted"] == vi_number(api["initiatives_submitted"]) == "8"
    assert shown["initiatives_pending"] == vi_number(api["initiatives_pending"]) == "1"
    assert shown["initiatives_invalid"] == vi_number(api["initiatives_invalid"]) == "1"
    assert shown["participating_members"] == vi_number(api["participating_members"]) == "3"
    assert shown["participating_units"] == vi_number(api["participating_units"]) == "3"
    assert api["benefit_valid_vnd"] == me.benefit_valid_vnd == 256_234_567
    assert shown["benefit_valid_vnd"] == "256.234.567\xa0₫"
    assert shown["benefit_claimed_vnd"] == vi_money(api["benefit_claimed_vnd"]).replace(" ", "\xa0")
    # The quota of TH-KCN is 20: 6 valid is 30,0 % (Vietnamese decimal comma).
    assert api["quota"] == 20 and api["quota_percent"] == 30.0
    assert 'data-value="quota">20<' in body
    assert "30,0 %" in unescape(body).replace("\xa0", " ")


def test_children_rows_match_report_and_api(login, unit_officer, tree, world):
    client = login(unit_officer)
    body = html(client.get(url("dashboard", "TH-KCN", query="campaign=SK")))
    api = client.get("/api/v1/stats", {"unit": "TH-KCN", "campaign": "SK"}).json()
    report = figures.report(tree.upper, world)
    assert (
        rows(body) == [c.unit.code for c in report.children] == [c["unit"] for c in api["children"]]
    )
    for child, from_api in zip(report.children, api["children"], strict=True):
        cells = row_cells(body, child.unit.code)
        assert cells["initiatives_valid"] == vi_number(from_api["initiatives_valid"])
        assert cells["initiatives_submitted"] == vi_number(child.initiatives_submitted)
        assert cells["benefit_valid_vnd"] == vi_money(child.benefit_valid_vnd)
        assert cells["siblings"] == str(from_api["ranks"]["siblings"]["initiatives_valid"])
        assert cells["level"] == str(from_api["ranks"]["level"]["initiatives_valid"])
        if child.quota is None:
            assert cells["quota"] == "—" and cells["quota_percent"] == "—"
        else:
            assert cells["quota"] == vi_number(child.quota)
            rate = f"{child.quota_percent:.1f}".replace(".", ",")
            assert cells["quota_percent"] == f"{rate} %"
    assert row_cells(body, "TH-KCN-001")["quota_percent"] == "75,0 %"
    assert row_cells(body, "TH-KCN-001")["target"] == "6"


def test_plan_coverage_is_shown(login, unit_officer, tree, world, english):
    report = figures.report(tree.upper, world)
    assert report.unit.grassroots_active == 3 and report.unit.grassroots_with_plan == 0
    body = html(login(unit_officer).get(url("dashboard", "TH-KCN")))
    assert 'data-value="grassroots_with_plan">0 of 3 grassroots unions (0.0 %)<' in body


def test_own_target_is_shown_with_its_progress(login, unit_officer, tree, world):
    body = html(login(unit_officer).get(url("dashboard", "TH-KCN-001", query="campaign=SK")))
    assert 'data-value="target">6<' in body
    assert "50,0 %" in unescape(body).replace("\xa0", " ")  # 3 valid of the own target 6
    assert 'aria-valuenow="75"' in body  # the quota bar: 3 of 4
    assert 'aria-valuenow="50"' in body  # the target bar


SORT_CASES = [
    ("initiatives_valid", "desc", ["TH-KCN-001", "TH-KCN-003", "TH-KCN-002"]),
    ("initiatives_valid", "asc", ["TH-KCN-002", "TH-KCN-003", "TH-KCN-001"]),
    ("initiatives_submitted", "desc", ["TH-KCN-001", "TH-KCN-002", "TH-KCN-003"]),
    ("initiatives_pending", "desc", ["TH-KCN-001", "TH-KCN-002", "TH-KCN-003"]),
    ("initiatives_invalid", "desc", ["TH-KCN-002", "TH-KCN-001", "TH-KCN-003"]),
    ("participating_members", "desc", ["TH-KCN-001", "TH-KCN-002", "TH-KCN-003"]),
    ("benefit_valid_vnd", "desc", ["TH-KCN-001", "TH-KCN-003", "TH-KCN-002"]),
    ("benefit_claimed_vnd", "asc", ["TH-KCN-003", "TH-KCN-002", "TH-KCN-001"]),
    ("quota", "desc", ["TH-KCN-002", "TH-KCN-001", "TH-KCN-003"]),  # no quota: last
    ("quota_percent", "desc", ["TH-KCN-001", "TH-KCN-002", "TH-KCN-003"]),
    ("quota_percent", "asc", ["TH-KCN-002", "TH-KCN-001", "TH-KCN-003"]),  # still last
    ("target", "desc", ["TH-KCN-001", "TH-KCN-002", "TH-KCN-003"]),
    ("name", "asc", ["TH-KCN-001", "TH-KCN-002", "TH-KCN-003"]),  # CP Giày, TNHH Dệt, Điện
    ("name", "desc", ["TH-KCN-003", "TH-KCN-002", "TH-KCN-001"]),
]


@pytest.mark.parametrize(("sort", "direction", "expected"), SORT_CASES)
def test_children_sort_by_every_measure(login, unit_officer, world, sort, direction, expected):
    query = f"campaign=SK&sort={sort}&dir={direction}"
    body = html(login(unit_officer).get(url("dashboard", "TH-KCN", query=query)))
    assert rows(body) == expected


def test_every_figure_is_a_sort_choice_and_header_link(login, unit_officer, world):
    body = html(login(unit_officer).get(url("dashboard", "TH-KCN", query="campaign=SK")))
    for figure in (*figures.FIGURES, "target", "name"):
        assert f'data-sort-key="{figure}"' in body
        assert f'<option value="{figure}"' in body


def test_sort_header_reverses_the_current_order(login, unit_officer, world):
    query = "campaign=SK&sort=initiatives_valid&dir=desc"
    body = unescape(html(login(unit_officer).get(url("dashboard", "TH-KCN", query=query))))
    link = re.search(r'href="([^"]+)" data-sort-key="initiatives_valid"', body).group(1)
    assert "sort=initiatives_valid" in link and "dir=asc" in link and "campaign=SK" in link
    assert 'aria-sort="descending"' in body


def test_unknown_sort_is_ignored(login, unit_officer, world):
    response = login(unit_officer).get(url("dashboard", "TH-KCN", query="sort=bogus&dir=up"))
    assert response.status_code == 200
    assert rows(html(response)) == ["TH-KCN-001", "TH-KCN-002", "TH-KCN-003"]  # tree order


def test_htmx_sort_answers_the_table_alone(login, unit_officer, world):
    response = login(unit_officer).get(
        url("dashboard", "TH-KCN", query="sort=initiatives_valid&dir=asc"),
        headers={"HX-Request": "true", "HX-Target": "children"},
    )
    body = html(response)
    assert body.lstrip().startswith('<section class="card stats-children" id="children"')
    assert "<html" not in body
    assert rows(body) == ["TH-KCN-002", "TH-KCN-003", "TH-KCN-001"]
    assert "HX-Target" in response["Vary"]


def test_drill_down_links_keep_campaign_and_date(login, unit_officer, world):
    day = (figures.today() - dt.timedelta(days=3)).strftime("%d/%m/%Y")
    body = unescape(
        html(login(unit_officer).get(url("dashboard", "TH-KCN", query=f"campaign=SK&as_of={day}")))
    )
    link = re.search(r'href="([^"]+)" hx-boost="false" data-drill="TH-KCN-002"', body).group(1)
    assert link.startswith(url("dashboard", "TH-KCN-002") + "?")
    assert "campaign=SK" in link and f"as_of={day.replace('/', '%2F')}" in link


def test_best_and_lagging_by_completion_rate(login, unit_officer, world):
    body = html(login(unit_officer).get(url("dashboard", "TH-KCN")))
    best = body[body.index('data-list="best"') :]
    best = best[: best.index("</ol>")]
    assert re.findall(r'data-unit="([\w-]+)"', best) == ["TH-KCN-001", "TH-KCN-002"]
    assert 'data-list="lagging"' not in body  # two ranked units: both in the first list


def test_bad_date_is_reported_and_page_shows_today(login, unit_officer, world, english):
    client = login(unit_officer)
    response = client.get(url("dashboard", "TH-KCN", query="as_of=31/02/2026"))
    assert response.status_code == 200
    body = html(response)
    assert 'id="id_as_of_error"' in body
    assert "31/2/2026 is not a date of the calendar." in body  # sangkien.values, as everywhere
    assert f'data-as-of="{figures.today():%d/%m/%Y}"' in body
    assert headline(body)["initiatives_valid"] == "6"


def test_bad_date_message_is_in_the_users_language(login, unit_officer, world):
    """Vietnamese is the default; the message's Vietnamese lives in the catalogue."""
    response = login(unit_officer).get(url("dashboard", "TH-KCN", query="as_of=hôm-qua"))
    with translation.override("vi"):
        from sangkien import values

        with pytest.raises(values.ValueProblem) as problem:
            values.day("hôm-qua")
        expected = problem.value.message
    assert expected.startswith("“hôm-qua”") and expected != "“hôm-qua” is not a date"
    assert response.status_code == 200 and expected in html(response)


def test_future_date_is_refused(login, unit_officer, world, english):
    day = (figures.today() + dt.timedelta(days=5)).strftime("%d/%m/%Y")
    body = html(login(unit_officer).get(url("dashboard", "TH-KCN", query=f"as_of={day}")))
    assert "Figures are known up to today" in body
    assert f'data-as-of="{figures.today():%d/%m/%Y}"' in body


def test_as_of_an_earlier_day_reads_that_day(login, unit_officer, world):
    yesterday = figures.today() - dt.timedelta(days=1)
    for text in (yesterday.strftime("%d/%m/%Y"), yesterday.isoformat()):
        body = html(login(unit_officer).get(url("dashboard", "TH-KCN", query=f"as_of={text}")))
        assert f'data-as-of="{yesterday:%d/%m/%Y}"' in body
        assert headline(body)["initiatives_valid"] == "0"  # everything was submitted today
        assert "id_as_of_error" not in body


def test_phase_choice_reads_the_phase(login, unit_officer, tree, world):
    phase2 = world.phases.get(number=2)
    body = html(login(unit_officer).get(url("dashboard", "TH-KCN", query="campaign=SK&phase=2")))
    report = figures.report(tree.upper, world, phase=phase2)
    assert headline(body)["initiatives_valid"] == vi_number(report.unit.initiatives_valid)
    assert f'<option value="2" selected>{phase2.name}</option>' in body


def test_unknown_phase_is_reported(login, unit_officer, world):
    response = login(unit_officer).get(url("dashboard", "TH-KCN", query="phase=9"))
    assert response.status_code == 200
    assert 'id="id_phase_error"' in html(response)


def test_tree_as_it_stood_matches_the_dated_report(login, unit_officer, tree, world):
    client = login(unit_officer)
    body = html(client.get(url("dashboard", "TH-KCN")))
    assert 'data-tree="dated"' in body
    body = html(client.get(url("dashboard", "TH-KCN", query="tree=dated")))
    report = figures.report(tree.upper, world, tree=figures.DATED)
    assert report.tree == figures.DATED
    assert headline(body)["initiatives_valid"] == vi_number(report.unit.initiatives_valid)
    assert rows(body) == [c.unit.code for c in report.children]
    assert 'data-tree="current"' in body
    assert 'data-rank="level"' not in body  # the dated tree ranks among siblings only


def test_breadcrumbs_show_ancestors_in_scope(login, unit_officer, admin, world):
    body = html(login(unit_officer).get(url("dashboard", "TH-KCN-001")))
    crumbs = body[body.index('class="crumbs"') :]
    crumbs = crumbs[: crumbs.index("</nav>")]
    assert url("dashboard", "TH") in crumbs and url("dashboard", "TH-KCN") in crumbs
    assert url("dashboard", "VN") not in crumbs  # above the officer's province
    body = html(login(admin).get(url("dashboard", "TH-KCN-001")))
    assert url("dashboard", "VN") in body


def test_chart_data_is_the_series(login, unit_officer, tree, world):
    body = html(login(unit_officer).get(url("dashboard", "TH-KCN")))
    data = json.loads(
        re.search(
            r'<script id="chart-data" type="application/json">(.*?)</script>', body, re.S
        ).group(1)
    )
    series = figures.series(tree.upper, world)
    assert data["points"] == [[d.isoformat(), v, s] for d, v, s in series]
    assert data["points"][-1][1:] == [6, 8]
    assert data["quota"] == 20
    assert data["start"] == world.starts_on.isoformat()
    assert "vendor/chartjs/chart.umd.min.js" in body
    assert "stats/dashboard.js" in body


def test_ranks_of_the_unit_and_its_clusters(login, unit_officer, tree, world):
    services.create_cluster(
        tree.upper, name="Cụm Giày Dệt", units=[tree.grassroots, tree.grassroots2], by=unit_officer
    )
    body = html(login(unit_officer).get(url("dashboard", "TH-KCN-002")))
    report = figures.report(tree.grassroots2, world)
    clusters = report.unit.ranks["clusters"]
    assert clusters["Cụm Giày Dệt"]["initiatives_valid"] == 2
    row = body[body.index('<tr data-measure="initiatives_valid">') :]
    row = row[: row.index("</tr>")]
    assert 'data-rank="siblings">3<' in row  # 3 valid, 2 valid, 1 valid: third
    assert 'data-rank="cluster" data-cluster="Cụm Giày Dệt">2<' in row


def test_dashboard_queries_do_not_grow_with_children(login, unit_officer, tree, world):
    client = login(unit_officer)
    client.get(url("dashboard", "TH-KCN"))  # warm the session and the content types

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url("dashboard", "TH-KCN")).status_code == 200
        return len(ctx.captured_queries)

    before = count()
    for i in range(10):
        orgs.create_unit(code=f"TH-KCN-1{i:02}", name=f"Công đoàn cơ sở {i}", kind="grassroots",
                         parent=tree.upper, by=None, founded_on=dt.date(2000, 1, 1))  # fmt: skip
    client.get(url("dashboard", "TH-KCN"))  # caches keyed on the tree (plans) fill again
    after = count()
    assert after == before
    assert before <= 30


# -- the public figures -----------------------------------------------------------------------


def test_public_pages_need_no_login_and_may_be_cached(client, tree, world):
    response = client.get(url("public"))
    assert response.status_code == 200
    assert "public" in response["Cache-Control"] and "max-age=300" in response["Cache-Control"]
    assert "HX-Request" in response["Vary"]
    response = client.get(url("public_unit", "TH"))
    assert response.status_code == 200
    assert "max-age=300" in response["Cache-Control"]


def test_public_pages_for_a_signed_in_user_are_private(client, login, tree, world, member):
    anonymous = client.get(url("public_unit", "TH"))
    assert "public" in anonymous["Cache-Control"]
    signed_in = login(member)
    for response in (
        signed_in.get(url("public")),
        signed_in.get(url("public_unit", "TH")),
        signed_in.get(url("public_unit", "TH", query="campaign=SK"), HTTP_HX_REQUEST="true"),
    ):
        assert response.status_code == 200
        cache_control = {d.strip() for d in response["Cache-Control"].split(",")}
        assert "private" in cache_control
        assert "public" not in cache_control
        assert "max-age=300" not in cache_control
        assert "Cookie" in response["Vary"]


def test_public_national_page_lists_level_one_units_with_ranks(client, tree, world):
    body = html(client.get(url("public", query="campaign=SK")))
    report = figures.report(tree.root, world)
    assert headline(body)["initiatives_valid"] == vi_number(report.unit.initiatives_valid)
    assert rows(body) == [c.unit.code for c in report.children]
    assert sorted(rows(body)) == ["HN", "TH"]
    th = row_cells(body, "TH")
    assert th["initiatives_valid"] == "6" and th["siblings"] == "1"
    assert row_cells(body, "HN")["siblings"] == "2"
    assert f'href="{url("public_unit", "TH")}?campaign=SK"' in body


def test_public_province_page_shows_its_children(client, tree, world):
    body = html(client.get(url("public_unit", "th")))
    assert rows(body) == ["TH-KCN"]
    assert row_cells(body, "TH-KCN")["initiatives_valid"] == "6"
    assert url("dashboard", "TH-KCN") not in body  # no links into the private pages


def test_public_pages_publish_no_personal_data(client, tree, world, member_record):
    for page in (url("public"), url("public_unit", "TH")):
        body = html(client.get(page))
        assert member_record.full_name not in body
        assert "Trần Văn Bình" not in body and "Lê Thị Cúc" not in body


def test_public_unit_is_level_one_only(client, tree, world):
    assert client.get(url("public_unit", "TH-KCN")).status_code == 404
    assert client.get(url("public_unit", "VN")).status_code == 404
    assert client.get(url("public_unit", "NOPE")).status_code == 404


def test_public_sorting_works(client, tree, world):
    body = html(client.get(url("public", query="sort=initiatives_valid&dir=asc")))
    assert rows(body) == ["HN", "TH"]
    body = html(client.get(url("public", query="sort=initiatives_valid&dir=desc")))
    assert rows(body) == ["TH", "HN"]


# -- emulation clusters -----------------------------------------------------------------------


def test_officer_creates_a_cluster_from_codes(login, unit_officer, tree, world):
    client = login(unit_officer)
    assert client.get(url("cluster_create", "TH-KCN")).status_code == 200
    response = client.post(
        url("cluster_create", "TH-KCN"),
        {"name": "  Cụm   Khu công nghiệp ", "units": "th-kcn-001, TH-KCN-003\nTH-KCN-001"},
    )
    cluster = Cluster.objects.get()
    assert response.status_code == 302 and response["Location"] == url("cluster", cluster.pk)
    assert cluster.name == "Cụm Khu công nghiệp" and cluster.owner == tree.upper
    assert sorted(cluster.units.values_list("code", flat=True)) == ["TH-KCN-001", "TH-KCN-003"]
    entry = AuditEntry.objects.get(action="cluster.create")
    assert entry.after["units"] == ["TH-KCN-001", "TH-KCN-003"]


@pytest.mark.parametrize(
    ("codes", "field_error"),
    [
        ("TH-KCN-001", "at least two"),
        ("TH-KCN-001 HN-001", "No unit of yours has the code: HN-001"),
        ("TH-KCN-001 XX-9", "No unit of yours has the code: XX-9"),
        ("TH-KCN-001 TH-KCN", "Not below"),
    ],
)
def test_cluster_form_refuses_bad_units(
    login, unit_officer, tree, world, english, codes, field_error
):
    response = login(unit_officer).post(
        url("cluster_create", "TH-KCN"), {"name": "Cụm", "units": codes}
    )
    assert response.status_code == 400
    assert 'id="id_units_error"' in html(response)
    assert field_error in unescape(html(response))
    assert not Cluster.objects.exists()


def test_cluster_names_are_unique_per_unit(login, unit_officer, tree, world, english):
    services.create_cluster(
        tree.upper, name="Cụm A", units=[tree.grassroots, tree.grassroots2], by=unit_officer
    )
    response = login(unit_officer).post(
        url("cluster_create", "TH-KCN"), {"name": "cụm a", "units": "TH-KCN-001 TH-KCN-003"}
    )
    assert response.status_code == 400 and 'id="id_name_error"' in html(response)


def test_cluster_edit_and_delete(login, unit_officer, tree, third, world):
    cluster = services.create_cluster(
        tree.upper, name="Cụm A", units=[tree.grassroots, tree.grassroots2], by=unit_officer
    )
    client = login(unit_officer)
    body = html(client.get(url("cluster_edit", cluster.pk)))
    assert "TH-KCN-001\nTH-KCN-002" in body
    response = client.post(
        url("cluster_edit", cluster.pk), {"name": "Cụm B", "units": "TH-KCN-002 TH-KCN-003"}
    )
    assert response.status_code == 302
    cluster.refresh_from_db()
    assert cluster.name == "Cụm B"
    assert sorted(cluster.units.values_list("code", flat=True)) == ["TH-KCN-002", "TH-KCN-003"]
    assert AuditEntry.objects.get(action="cluster.update").before["name"] == "Cụm A"
    assert client.get(url("cluster_delete", cluster.pk)).status_code == 200
    response = client.post(url("cluster_delete", cluster.pk))
    assert response.status_code == 302 and response["Location"] == url("clusters", "TH-KCN")
    assert not Cluster.objects.exists()
    assert AuditEntry.objects.filter(action="cluster.delete").count() == 1


def test_only_officers_change_clusters(login, reviewer, member, unit_officer, tree, world):
    cluster = services.create_cluster(
        tree.upper, name="Cụm A", units=[tree.grassroots, tree.grassroots2], by=unit_officer
    )
    client = login(reviewer)  # sees TH-KCN, may not change its clusters
    assert client.get(url("cluster", cluster.pk)).status_code == 200
    assert client.get(url("cluster_create", "TH-KCN")).status_code == 403
    assert (
        client.post(url("cluster_edit", cluster.pk), {"name": "X", "units": ""}).status_code == 403
    )
    assert client.post(url("cluster_delete", cluster.pk)).status_code == 403
    assert Cluster.objects.filter(pk=cluster.pk, name="Cụm A").exists()
    # A member of one of its units does not see the cluster of the union above.
    assert login(member).get(url("cluster", cluster.pk)).status_code == 404


def test_cluster_page_ranks_its_units_by_each_measure(login, unit_officer, tree, third, world):
    cluster = services.create_cluster(
        tree.upper, name="Cụm A", units=[tree.grassroots, tree.grassroots2, third], by=unit_officer
    )
    client = login(unit_officer)
    body = html(client.get(url("cluster", cluster.pk)))
    assert rows_in(body) == ["TH-KCN-001", "TH-KCN-003", "TH-KCN-002"]
    table = figures.figures_for([tree.grassroots, tree.grassroots2, third], world)
    for m in figures.RANK_MEASURES:
        expected = figures.competition_ranks({pk: f.measure(m) for pk, f in table.items()})
        for pk, f in table.items():
            row = body[body.index(f'<tr data-unit="{f.unit.code}">') :]
            row = row[: row.index("</tr>")]
            shown = re.search(rf'data-rank="{m}">([^<]*)<', row).group(1)
            assert shown == (str(expected[pk]) if expected[pk] is not None else "—")
    body = html(client.get(url("cluster", cluster.pk, query="sort=quota_percent")))
    assert rows_in(body) == ["TH-KCN-001", "TH-KCN-002", "TH-KCN-003"]  # no quota: last
    assert 'data-rank="quota_percent">1<' in body


def rows_in(body: str) -> list[str]:
    return re.findall(r'<tr data-unit="([\w-]+)">', body)


def test_cluster_list_shows_own_and_member_clusters(login, unit_officer, tree, world):
    cluster = services.create_cluster(
        tree.upper, name="Cụm A", units=[tree.grassroots, tree.grassroots2], by=unit_officer
    )
    client = login(unit_officer)
    assert url("cluster", cluster.pk) in html(client.get(url("clusters", "TH-KCN")))
    body = html(client.get(url("clusters", "TH-KCN-001")))
    assert url("cluster", cluster.pk) in body  # the cluster it competes in


def test_cluster_ranking_service_sorts_and_ranks_ties(unit_officer, tree, third, world):
    cluster = services.create_cluster(
        tree.upper, name="Cụm", units=[tree.grassroots2, third], by=unit_officer
    )
    ranking = services.cluster_ranking(cluster, world, sort="participating_members")
    assert [r.figures.unit.code for r in ranking] == ["TH-KCN-002", "TH-KCN-003"]
    assert [r.ranks["participating_members"] for r in ranking] == [1, 1]  # one member each
    assert [r.ranks["quota_percent"] for r in ranking] == [1, None]
