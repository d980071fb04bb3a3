"""The dashboard in Chromium on a 360 px phone: the chart is drawn by the chart package served
from our own static files, the children table sorts (htmx, no full reload) and a child's
dashboard opens from its row. Relies on URLs, field names and data attributes only."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from conftest import PASSWORD, make_user
from sangkien.browser_testing import horizontal_overflow, log_in
from sangkien.initiatives.tests.builders import make_campaign, make_initiative
from sangkien.orgs import services as orgs
from sangkien.quotas import services as quotas

pytestmark = pytest.mark.browser

PHONE = {"width": 360, "height": 740}


@pytest.fixture
def viewport():
    """A phone: 360 × 740."""
    return PHONE


@pytest.fixture
def world(tree, member, reviewer):
    campaign = make_campaign(tree.root, code="SK")
    record = orgs.create_member(unit=tree.grassroots2, full_name="Trần Văn Bình", by=None)
    second = make_user("dv2", member=record)
    for n in range(3):
        make_initiative(
            campaign, tree.grassroots, by=member, status="valid", decider=reviewer, title=f"A{n}"
        )
    make_initiative(campaign, tree.grassroots2, by=second, status="valid", decider=reviewer)
    make_initiative(campaign, tree.grassroots2, by=second, status="submitted", title="Chờ")
    quotas.allocate(tree.province, campaign, None, {tree.upper: 10}, None)
    quotas.allocate(tree.upper, campaign, None, {tree.grassroots: 6, tree.grassroots2: 2}, None)
    return campaign


def row_codes(page) -> list[str]:
    return page.locator("#children tbody tr").evaluate_all("rows => rows.map(r => r.dataset.unit)")


def painted_pixels(page) -> int:
    """How many pixels of the chart's canvas are not blank."""
    return int(
        page.evaluate(
            """() => {
              const c = document.getElementById('progress-chart');
              const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
              let n = 0;
              for (let i = 3; i < d.length; i += 4) if (d[i] !== 0) n++;
              return n;
            }"""
        )
    )


def test_dashboard_on_a_phone_draws_the_chart_sorts_and_drills_down(page, world, unit_officer):
    scripts: list[str] = []
    page.on(
        "response",
        lambda r: scripts.append(r.url) if r.request.resource_type == "script" else None,
    )
    log_in(page, "officer", PASSWORD)
    page.goto("/stats/TH-KCN/?campaign=SK")

    # The chart: Chart.js from our static files, drawn on the canvas.
    canvas = page.locator("#progress-chart")
    expect(canvas).to_have_attribute("data-drawn", "true")
    assert any(re.search(r"/static/vendor/chartjs/chart\.umd\.min\.js$", u) for u in scripts)
    assert not [u for u in scripts if not u.startswith(page.url.split("/stats/")[0])]
    box = canvas.bounding_box()
    assert box is not None and 250 <= box["width"] <= 360 and box["height"] > 100
    assert painted_pixels(page) > 500
    assert (
        page.evaluate("document.getElementById('progress-chart').chart.data.datasets.length") == 3
    )
    assert horizontal_overflow(page) <= 1, "the dashboard scrolls sideways on a phone"

    # Sorting by valid initiatives, lowest first, through the sort form (the table's header
    # is hidden on a phone), which htmx sends without reloading the page.
    assert row_codes(page) == ["TH-KCN-001", "TH-KCN-002"]
    page.evaluate("window.__same_page = true")
    page.locator("#sort-by").select_option("initiatives_valid")
    page.locator("#sort-dir").select_option("asc")
    page.locator("#children form.sort-form [type=submit]").click()
    expect(page).to_have_url(re.compile(r"sort=initiatives_valid&dir=asc"))
    expect(page.locator("#children tbody tr").first).to_have_attribute("data-unit", "TH-KCN-002")
    assert row_codes(page) == ["TH-KCN-002", "TH-KCN-001"]
    assert page.evaluate("window.__same_page === true"), "sorting reloaded the whole page"
    expect(page.locator("#progress-chart")).to_have_attribute("data-drawn", "true")

    # Drill down into the first row's unit: its own dashboard, the same campaign, a chart.
    page.locator('#children a[data-drill="TH-KCN-002"]').click()
    expect(page).to_have_url(re.compile(r"/stats/TH-KCN-002/\?campaign=SK$"))
    expect(page.locator("h1")).to_contain_text("Dệt Đông Sơn")
    expect(page.locator('[data-figure="initiatives_valid"] dd')).to_have_text("1")
    expect(page.locator("#progress-chart")).to_have_attribute("data-drawn", "true")
    assert horizontal_overflow(page) <= 1
