"""A unit with many children: its page and the API carry the children a page at a time,
sorted on the server by any figure, with a search box; the unit's own figures and its
leading and lagging units stay those of all its children."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse

from conftest import shared_world
from sangkien.orgs import services as orgs
from sangkien.stats import figures
from sangkien.stats.tests.test_views import new_world

EXTRA = 57  # with the three of the world: 60 children, two pages of 50 on the dashboard


def new_crowd():
    """TH-KCN with 60 grassroots unions: the world's three (stats/tests/test_views.py), and
    57 with nothing yet. Built once for the module; every test here reads it (its own copy)."""
    w = new_world()
    for n in range(EXTRA):
        orgs.create_unit(
            code=f"TH-KCN-{n + 100}",
            name=f"Công đoàn cơ sở Đông Sơn số {n + 100}",
            kind="grassroots",
            parent=w.tree.upper,
            by=None,
            founded_on=dt.date(2000, 1, 1),
        )
    return w


kept_world, shared = shared_world(new_crowd, "crowd")


@pytest.fixture
def tree(shared, db):
    return shared.tree


@pytest.fixture
def campaign(shared):
    return shared.campaign


@pytest.fixture
def crowd(shared, db):
    return shared.campaign


def rows(body: str) -> list[str]:
    table = body[body.index('class="stats-table"') :]
    return re.findall(r'<tr data-unit="([\w-]+)"', table)


def dashboard(client, query: str = "") -> str:
    url = reverse("stats:dashboard", args=["TH-KCN"]) + (f"?{query}" if query else "")
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def test_the_dashboard_pages_the_children_and_keeps_the_totals_whole(
    login,
    unit_officer,
    crowd,
    campaign,
    tree,
):
    client = login(unit_officer)
    first = dashboard(client)
    assert len(rows(first)) == 50
    assert "1–50" in first and "60" in first
    assert 'rel="next"' in first and 'rel="prev"' not in first
    second = dashboard(client, "page=2")
    assert len(rows(second)) == 10
    assert set(rows(first)).isdisjoint(rows(second))
    assert 'rel="prev"' in second and 'rel="next"' not in second
    # A page past the end shows the last one.
    assert rows(dashboard(client, "page=9")) == rows(second)
    # The unit's own figures are its whole subtree's on every page.
    whole = figures.report(tree.upper, campaign).unit
    for body in (first, second):
        valid = re.search(r'data-figure="initiatives_valid"[^>]*>\s*<[^>]*>([\d.]+)', body)
        assert valid is None or valid.group(1) == str(whole.initiatives_valid)


def test_sorting_is_done_on_the_server_across_pages(login, unit_officer, crowd):
    client = login(unit_officer)
    top = rows(dashboard(client, "sort=initiatives_valid&dir=desc"))
    # 001 has 3 valid, 003 has 2, 002 has 1; the rest none, in the order of the tree.
    assert top[:3] == ["TH-KCN-001", "TH-KCN-003", "TH-KCN-002"]
    bottom = rows(dashboard(client, "sort=initiatives_valid&dir=asc&page=2"))
    assert bottom[-3:] == ["TH-KCN-002", "TH-KCN-003", "TH-KCN-001"]
    # Sorting starts again at the first page.
    body = dashboard(client, "sort=name&dir=asc&page=2")
    assert re.search(r'href="[^"]*sort=initiatives_valid[^"]*page=', body) is None


def test_the_search_box_finds_children_by_name_without_tone_marks_or_by_code(
    login, unit_officer, crowd
):
    client = login(unit_officer)
    assert rows(dashboard(client, "q=bim son")) == ["TH-KCN-003"]
    assert rows(dashboard(client, "q=th-kcn-10")) == [f"TH-KCN-{n}" for n in range(100, 110)]
    # A search with more matches than a page pages them too.
    matching = {f"TH-KCN-{n + 100}" for n in range(EXTRA)}
    found = rows(dashboard(client, "q=Đông Sơn số")) + rows(
        dashboard(client, "q=dong son so&page=2")
    )
    assert len(found) == EXTRA and set(found) == matching
    nothing = dashboard(client, "q=không có đơn vị nào")
    assert "không có đơn vị nào" in nothing and 'class="stats-table"' not in nothing


def test_leaders_on_a_paged_dashboard_are_those_of_all_the_children(
    login,
    unit_officer,
    crowd,
    campaign,
    tree,
):
    everything = figures.report(tree.upper, campaign).children
    expected = figures.leaders_among(everything)
    live = figures.live_leaders(tree.upper, campaign, None)
    assert live.by == expected.by
    assert [f.unit.code for f in live.best] == [f.unit.code for f in expected.best]
    assert [f.unit.code for f in live.lagging] == [f.unit.code for f in expected.lagging]
    body = dashboard(login(unit_officer), "page=2")
    best = body[body.index('data-list="best"') :]
    best = best[: best.index("</ol>")]
    assert re.findall(r'data-unit="([\w-]+)"', best) == [f.unit.code for f in expected.best]


@pytest.mark.parametrize("sort", sorted(figures.SORTS))
@pytest.mark.parametrize("descending", [True, False])
def test_a_page_sorted_in_the_database_equals_the_same_page_sorted_in_python(
    crowd,
    campaign,
    tree,
    sort,
    descending,  # noqa: F811
):
    everything = figures.report(tree.upper, campaign).children
    for page in (1, 2, 9):
        query = figures.Children(page=page, size=7, sort=sort, descending=descending)
        units, total, got_page, pages = figures.children_page(tree.upper, campaign, None, query)
        rows_py, total_py, page_py, pages_py = figures._page_in_python(everything, query)
        assert (total, got_page, pages) == (total_py, page_py, pages_py) == (60, page, 9)
        assert [u.code for u in units] == [f.unit.code for f in rows_py]


def test_the_api_pages_sorts_and_searches_the_children(login, unit_officer, crowd):
    client = login(unit_officer)
    api = "/api/v1/stats"
    base = {"unit": "TH-KCN", "campaign": "SK"}
    body = client.get(api, base).json()
    assert body["children_total"] == 60 and body["children_pages"] == 1
    assert len(body["children"]) == 60
    page = client.get(api, {**base, "page_size": 25, "page": 3}).json()
    assert (len(page["children"]), page["children_page"], page["children_pages"]) == (10, 3, 3)
    top = client.get(api, {**base, "sort": "initiatives_valid", "page_size": 3}).json()
    assert [c["unit"] for c in top["children"]] == ["TH-KCN-001", "TH-KCN-003", "TH-KCN-002"]
    assert top["initiatives_valid"] == body["initiatives_valid"]  # the totals stay whole
    found = client.get(api, {**base, "q": "BIM SON"}).json()
    assert [c["unit"] for c in found["children"]] == ["TH-KCN-003"]
    for bad in ({"page": 0}, {"page_size": 0}, {"page_size": 5000}, {"sort": "nope"}):
        assert client.get(api, {**base, **bad}).status_code == 422, bad


def test_an_outsider_gets_404_on_a_page_of_children(login, outsider, crowd):
    client = login(outsider)
    url = reverse("stats:dashboard", args=["TH-KCN"]) + "?page=2&q=dong"
    assert client.get(url).status_code == 404
    query = {"unit": "TH-KCN", "campaign": "SK", "page": 2}
    assert client.get("/api/v1/stats", query).status_code == 404
