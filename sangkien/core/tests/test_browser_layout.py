"""Every main page, as every role, on a 360 px phone and a 1280 px desktop: the page is never
wider than the screen, no text runs out of its box, and no amount of money is broken over two
lines. Wide tables may scroll inside their own box; what sits inside such a box is not
checked for overflow (that is what the box is for), but the box itself must fit.

The data is made to show overflow where it can: amounts in the billions of đồng, long
Vietnamese titles, an upper-level union with 57 grassroots unions below it.

Run with `-s` to see each page's width and the header's height (also written to
var/test-artifacts/layout.json)."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import openpyxl
import pytest
from playwright.sync_api import expect

from conftest import PASSWORD, make_user
from sangkien.accounts.models import Role
from sangkien.browser_testing import ARTIFACTS, DESKTOP, log_in
from sangkien.initiatives.tests.builders import make_campaign, make_initiative, today
from sangkien.jobs import services as jobs
from sangkien.jobs.testing import IMMEDIATE
from sangkien.orgs import services as orgs
from sangkien.plans import services as plans
from sangkien.quotas import services as quotas
from sangkien.stats import services as stats
from sangkien.teams import services as teams

pytestmark = pytest.mark.browser

PHONE = {"width": 360, "height": 740}
BIG = 2_500_000_000
LONG_TITLE = (
    "Cải tiến dây chuyền lắp ráp linh kiện điện tử bằng đồ gá định vị tự động, "
    "giảm thời gian thao tác và tỷ lệ sản phẩm lỗi trong ca đêm"
)

# What the browser measures on a page: its width against the screen's, the header's height,
# every element whose text overflows its box, and every amount of money drawn on two lines.
# An element inside a box that scrolls sideways on purpose (overflow-x: auto or scroll) is
# left alone, as are elements that are not drawn and visually hidden ones (1 px, clipped).
MEASURE = r"""
(vw) => {
  // vw: the screen's width; a phone's window.innerWidth grows with a page that is too wide.
  const doc = document.documentElement;
  const problems = [];
  const scrolls = (s) => s.overflowX === 'auto' || s.overflowX === 'scroll';
  const insideScroller = (el) => {
    for (let p = el.parentElement; p && p !== document.body; p = p.parentElement) {
      if (scrolls(getComputedStyle(p))) return true;
    }
    return false;
  };
  const hiddenByClip = (el) => {
    for (let p = el; p && p !== document.body; p = p.parentElement) {
      const s = getComputedStyle(p);
      const r = p.getBoundingClientRect();
      if (s.clip !== 'auto' && s.position === 'absolute') return true;
      if (s.clipPath && s.clipPath !== 'none') return true;
      if (r.width <= 1 && r.height <= 1 && s.overflow !== 'visible') return true;
    }
    return false;
  };
  const describe = (el) => {
    let d = el.tagName.toLowerCase();
    if (el.id) d += '#' + el.id;
    if (typeof el.className === 'string' && el.className.trim()) {
      d += '.' + el.className.trim().split(/\s+/).join('.');
    }
    const text = (el.innerText || el.textContent || '').trim().replace(/\s+/g, ' ');
    return d + ' "' + text.slice(0, 50) + '"';
  };
  const skipTags = new Set(['SCRIPT', 'STYLE', 'TEMPLATE', 'NOSCRIPT', 'OPTION', 'BR',
                            'svg', 'CANVAS', 'IMG', 'INPUT', 'SELECT', 'TEXTAREA', 'HTML']);
  for (const el of document.body.querySelectorAll('*')) {
    if (skipTags.has(el.tagName) || el.closest('svg')) continue;
    if (!el.getClientRects().length) continue;  // not drawn (display: none, closed details)
    const s = getComputedStyle(el);
    if (s.visibility === 'hidden' || hiddenByClip(el)) continue;
    if (insideScroller(el)) continue;
    const r = el.getBoundingClientRect();
    if (r.width > 0 && (r.right > vw + 1 || r.left < -1)) {
      problems.push('sticks out of the screen (' + Math.round(r.left) + '..' +
                    Math.round(r.right) + ' of ' + vw + '): ' + describe(el));
      continue;
    }
    if (scrolls(s)) {  // a box that scrolls its own content: on a desktop it need not scroll
      if (vw >= 1000 && el.scrollWidth > el.clientWidth + 1) {
        problems.push('scrolls sideways on a desktop (' + el.scrollWidth + ' in ' +
                      el.clientWidth + ' px): ' + describe(el));
      }
      continue;
    }
    const text = (el.textContent || '').trim();
    if (!text || el.clientWidth === 0) continue;
    if (el.scrollWidth > el.clientWidth + 1) {
      problems.push('text overflows its box by ' + (el.scrollWidth - el.clientWidth) +
                    ' px: ' + describe(el));
    }
  }
  // Money is never broken over two lines: "2.500.0 / 00 ₫".
  // Digits grouped by thousands, with the currency when a no-break space joins it.
  const money = /\d{1,3}(?:[.,]\d{3})+(?:\u00a0(?:₫|VND|đồng))?/g;
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const parent = node.parentElement;
    if (!parent || !parent.getClientRects().length || hiddenByClip(parent)) continue;
    if (parent.closest('script, style, option, textarea, title')) continue;
    for (const m of node.textContent.matchAll(money)) {
      const range = document.createRange();
      range.setStart(node, m.index);
      range.setEnd(node, m.index + m[0].length);
      const tops = new Set([...range.getClientRects()].filter((q) => q.width > 0)
                              .map((q) => Math.round(q.top)));
      if (tops.size > 1) problems.push('money broken over lines: "' + m[0] + '" in ' +
                                       describe(parent));
    }
  }
  // Every collapsible section shows a disclosure marker.
  for (const summary of document.querySelectorAll('details > summary')) {
    if (!summary.getClientRects().length) continue;
    const own = getComputedStyle(summary).display === 'list-item';
    const before = getComputedStyle(summary, '::before').content;
    if (!own && (!before || before === 'none' || before === 'normal')) {
      problems.push('a collapsible section without a marker: ' + describe(summary));
    }
  }
  const header = document.querySelector('header');
  return {
    scrollWidth: doc.scrollWidth,
    header: header ? Math.round(header.getBoundingClientRect().height) : 0,
    problems: problems,
  };
}
"""

MEASURED: dict[str, Any] = {}


@pytest.fixture(params=[PHONE, DESKTOP], ids=["phone", "desktop"])
def viewport(request):
    return request.param


@pytest.fixture(autouse=True)
def _setup(settings, tmp_path):
    settings.TASKS = IMMEDIATE
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.SANGKIEN_RANK_CACHE_SECONDS = 0


def xlsx_bytes(rows: list[list[Any]]) -> bytes:
    import io

    book = openpyxl.Workbook()
    for cells in rows:
        book.active.append(cells)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@pytest.fixture
def world(tree, member, support_team, unit_officer, reviewer, editor, admin):
    """A campaign with big amounts on long titles, 57 grassroots unions under TH-KCN, a team,
    a plan, a snapshot, a cluster, an export job and notifications."""
    campaign = make_campaign(tree.root, code="SK")
    units = [tree.grassroots, tree.grassroots2]
    for n in range(3, 58):
        units.append(
            orgs.create_unit(
                code=f"TH-KCN-{n:03d}",
                name=f"Công đoàn Công ty TNHH Sản xuất Thương mại và Dịch vụ Số {n}",
                kind="grassroots",
                parent=tree.upper,
                by=None,
                founded_on=dt.date(2000, 1, 1),
            )
        )
    officer_cs = make_user("officer.cs", role=Role.OFFICER, unit=tree.grassroots)
    officer_upper = make_user("officer.upper", role=Role.OFFICER, unit=tree.upper)
    people = [
        orgs.create_member(unit=unit, full_name=f"Nguyễn Thị Phương Thảo {i}", by=None)
        for i, unit in enumerate(units[:12])
    ]
    made = {}
    made["valid"] = make_initiative(
        campaign,
        tree.grassroots,
        by=member,
        status="valid",
        decider=reviewer,
        title=LONG_TITLE,
        benefit_claimed_vnd=BIG,
    )
    made["submitted"] = make_initiative(
        campaign,
        tree.grassroots,
        by=member,
        status="submitted",
        title="Hệ thống quản lý kho thông minh " * 3,
        benefit_claimed_vnd=12_345_678_900,
    )
    made["returned"] = make_initiative(
        campaign, tree.grassroots, by=member, status="returned", decider=reviewer
    )
    made["draft"] = make_initiative(campaign, tree.grassroots, by=member, benefit_claimed_vnd=BIG)
    for n, unit in enumerate(units[1:12], start=1):
        make_initiative(
            campaign,
            unit,
            by=officer_upper,
            authors=[{"member": people[n], "share": 100}],
            status="valid",
            decider=reviewer,
            title=f"{LONG_TITLE} {n}",
            benefit_claimed_vnd=BIG + n,
        )
    quotas.allocate(tree.province, campaign, None, {tree.upper: 150_000}, None)
    quotas.allocate(tree.upper, campaign, None, dict.fromkeys(units, 1500), None)
    team = teams.create_team(
        unit=tree.upper, kind="support", name="Tổ hỗ trợ nhập sáng kiến khu công nghiệp", by=None
    )
    teams.add_member(team, user=support_team, by=None, title="Tổ trưởng")
    teams.add_served_unit(team, unit=tree.grassroots, by=None)
    plans.create_plan(
        unit=tree.grassroots,
        campaign=campaign,
        by=None,
        signed_on=today() - dt.timedelta(days=100),
        employer_name="Công ty Cổ phần Giày Sao Vàng Thanh Hóa",
        employer_representative="Ông Lê Văn Giám Đốc",
        targets="Mỗi đoàn viên một sáng kiến; tiết kiệm 2.500.000.000 đồng.",
        reward_mechanism="Thưởng 5% giá trị làm lợi năm đầu.",
        target_initiatives=1500,
    )
    snapshot = stats.take_snapshot(
        tree.province, campaign, None, None, "phase", "Chốt số liệu đợt 1", unit_officer
    )
    cluster = stats.create_cluster(
        tree.upper, name="Cụm thi đua các khu công nghiệp", units=units[:10], by=unit_officer
    )
    job = jobs.start(
        "export",
        user=unit_officer,
        unit=tree.province,
        label="Xuất số liệu",
        params={"kind": "figures", "code": "TH", "query": "campaign=SK"},
    )
    return {
        "campaign": campaign,
        "initiatives": made,
        "team": team,
        "snapshot": snapshot,
        "cluster": cluster,
        "job": job,
        "tree": tree,
        "officer_cs": officer_cs,
        "officer_upper": officer_upper,
    }


def pages_for(role: str, w: dict[str, Any]) -> list[str]:
    """The main pages each role works with (all answer 200 for that role)."""
    i = {k: v.pk for k, v in w["initiatives"].items()}
    q = "?campaign=SK"
    signed_in = ["/accounts/me/", "/notifications/", "/initiatives/", "/units/", "/jobs/"]
    if role == "public":
        return ["/", "/accounts/login/", "/stats/public/", f"/stats/public/TH/{q}", "/nowhere/"]
    if role == "member":
        return [
            *signed_in,
            "/initiatives/new/",
            f"/initiatives/{i['valid']}/",
            f"/initiatives/{i['returned']}/",
            f"/initiatives/{i['draft']}/edit/",
            "/initiatives/for/TH-KCN-001/",
            "/units/TH-KCN-001/",
            "/units/members/DV00000001/",
            f"/stats/TH-KCN-001/{q}",
            f"/quotas/TH-KCN-001/{q}",
        ]
    officer = [
        *signed_in,
        "/initiatives/review/",
        f"/initiatives/{i['submitted']}/",
        f"/initiatives/{i['valid']}/",
        "/initiatives/new/",
        "/initiatives/units/TH-KCN-001/poster/",
        "/units/TH-KCN-001/",
        "/units/TH-KCN-001/members/",
        "/units/TH-KCN-001/members/new/",
        "/units/members/DV00000001/",
        "/units/members/DV00000001/edit/",
        "/units/TH-KCN-001/edit/",
        "/units/TH-KCN-001/roles/",
        f"/stats/TH-KCN-001/{q}",
        f"/quotas/TH-KCN-001/{q}",
        "/plans/unit/TH-KCN-001/",
        "/plans/SK/unit/TH-KCN-001/",
        "/plans/SK/unit/TH-KCN-001/plan/",
        "/plans/SK/unit/TH-KCN-001/plan/edit/",
        "/imports/",
        f"/reports/TH-KCN-001/{q}",
        "/stats/TH-KCN-001/snapshots/",
        "/stats/TH-KCN-001/clusters/",
        "/audit/",
    ]
    upper = [
        "/units/TH-KCN/",
        "/units/TH-KCN/new/",
        f"/stats/TH-KCN/{q}",
        f"/quotas/TH-KCN/{q}",
        "/plans/SK/unit/TH-KCN/",
        "/teams/unit/TH-KCN/",
        "/teams/unit/TH-KCN/new/",
        f"/teams/{w['team'].pk}/",
        f"/reports/TH-KCN/{q}",
    ]
    province = [
        "/units/TH/",
        f"/stats/TH/{q}",
        "/stats/",
        "/quotas/",
        f"/quotas/TH/{q}",
        "/stats/TH/snapshots/",
        "/stats/TH/snapshots/new/",
        f"/stats/snapshots/{w['snapshot'].pk}/",
        f"/stats/snapshots/{w['snapshot'].pk}/compare/",
        "/stats/TH/clusters/",
        "/stats/TH/clusters/new/",
        f"/stats/clusters/{w['cluster'].pk}/",
        f"/stats/clusters/{w['cluster'].pk}/edit/",
        f"/jobs/{w['job'].pk}/",
    ]
    if role == "officer.cs":
        return officer
    if role == "officer.upper":
        return officer + upper
    if role == "officer":
        return officer + upper + province
    if role == "support":
        return [
            *signed_in,
            "/teams/mine/",
            "/initiatives/review/",
            "/initiatives/new/",
            f"/initiatives/{i['submitted']}/",
            "/initiatives/units/TH-KCN-001/poster/",
            "/units/TH-KCN/",
            "/units/TH-KCN-001/members/",
            f"/stats/TH-KCN/{q}",
            "/imports/",
        ]
    if role == "reviewer":
        return [
            *signed_in,
            "/initiatives/review/",
            "/initiatives/review/?status=valid",
            f"/initiatives/{i['submitted']}/",
            f"/initiatives/{i['valid']}/",
            "/units/TH-KCN/",
            "/units/TH-KCN-001/members/",
            f"/stats/TH-KCN/{q}",
            f"/quotas/TH-KCN/{q}",
        ]
    if role == "editor":
        return [*signed_in, "/units/TH/", f"/stats/TH/{q}", f"/stats/TH-KCN/{q}"]
    if role == "admin":
        return [
            *signed_in,
            "/initiatives/review/",
            f"/initiatives/{i['draft']}/",
            "/units/VN/",
            f"/stats/VN/{q}",
            f"/stats/TH-KCN/{q}",
            "/units/TH-KCN-001/move/",
            "/units/TH-KCN-001/merge/",
            "/units/TH-KCN-001/split/",
            "/units/TH-KCN-001/dissolve/",
            "/units/VN/roles/",
            "/imports/",
        ]
    raise AssertionError(role)


def new_context(chromium: Any, live_server: Any, viewport: dict[str, int], **extra: Any) -> Any:
    """A browser context like the `page` fixture's: its own cookies, in Vietnamese."""
    phone = viewport["width"] < 600
    context = chromium.new_context(
        **extra,
        base_url=live_server.url,
        viewport=viewport,
        locale="vi-VN",
        is_mobile=phone,
        has_touch=phone,
        device_scale_factor=2 if phone else 1,
    )
    context.set_default_timeout(15_000)
    return context


def check_page(page: Any, url: str, viewport: dict[str, int], role: str) -> list[str]:
    response = page.goto(url)
    expected = 404 if url == "/nowhere/" else 200
    problems = []
    if response is None or response.status != expected:
        problems.append(f"answered {response.status if response else None}, not {expected}")
    result = page.evaluate(MEASURE, viewport["width"])
    MEASURED.setdefault(f"{viewport['width']}", {}).setdefault(role, {})[url] = {
        "scrollWidth": result["scrollWidth"],
        "header": result["header"],
    }
    if result["scrollWidth"] > viewport["width"]:
        wide, screen = result["scrollWidth"], viewport["width"]
        problems.append(f"page is {wide} px wide on a {screen} px screen")
    problems.extend(result["problems"])
    return [f"{role} {viewport['width']} px {url}: {p}" for p in problems]


def import_a_file(page: Any, tmp_path: Any) -> str:
    """Upload a small list of initiatives for checking; return the check's page."""
    sheet = tmp_path / "Danh sách sáng kiến.xlsx"
    sheet.write_bytes(
        xlsx_bytes(
            [
                ["STT", "Tên sáng kiến", "Tác giả", "Mã đơn vị", "Lĩnh vực", "Giá trị làm lợi"],
                [1, LONG_TITLE, "Nguyễn Thị Phương Thảo 0", "TH-KCN-001", "KT", "2.500.000.000"],
                [2, "Băng tải", "Không Có Ai", "TH-KCN-999", "Y tế", "abc"],
            ]
        )
    )
    page.goto("/imports/")
    page.check("input[name='kind'][value='initiatives']")
    page.select_option("select[name='campaign']", "SK")
    page.set_input_files("input[name='file']", str(sheet))
    page.locator("form[enctype] [type=submit]").first.click()
    page.wait_for_url(lambda url: "/imports/" in url and url.rstrip("/").split("/")[-1].isdigit())
    return page.url.split(page.url.split("/imports/")[0])[-1]


ROLES = [
    "public",
    "member",
    "support",
    "officer.cs",
    "officer.upper",
    "officer",
    "reviewer",
    "editor",
    "admin",
]


@pytest.mark.long
def test_every_main_page_fits_the_screen_for_every_role(
    chromium, live_server, world, viewport, tmp_path
):
    problems: list[str] = []
    for role in ROLES:
        context = new_context(chromium, live_server, viewport)
        page = context.new_page()
        try:
            if role != "public":
                log_in(page, role, PASSWORD)
            urls = pages_for(role, world)
            for url in urls:
                problems += check_page(page, url, viewport, role)
            if role in {"officer", "officer.cs"}:
                problems += check_page(page, import_a_file(page, tmp_path), viewport, role)
        finally:
            context.close()
        found = MEASURED[str(viewport["width"])][role]
        widest = max(m["scrollWidth"] for m in found.values())
        print(
            f"{role} at {viewport['width']} px: {len(found)} pages, widest {widest} px, "
            f"header {max(m['header'] for m in found.values())} px"
        )
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / f"layout-{viewport['width']}.json").write_text(
        json.dumps(MEASURED[str(viewport["width"])], indent=1, ensure_ascii=False)
    )
    assert not problems, f"{len(problems)} problems:\n" + "\n".join(problems)


@pytest.mark.parametrize("javascript", [True, False], ids=["htmx", "no-js"])
def test_the_header_is_compact_and_its_menu_opens(
    chromium, live_server, world, viewport, javascript
):
    context = new_context(chromium, live_server, viewport, java_script_enabled=javascript)
    page = context.new_page()
    log_in(page, "officer", PASSWORD)
    page.goto("/units/TH/")
    assert page.evaluate("typeof window.htmx") == ("object" if javascript else "undefined")
    height = page.locator("header").first.bounding_box()["height"]
    print(f"header at {viewport['width']} px: {height:.0f} px")
    review = page.locator("header a[href='/initiatives/review/']")
    button = page.locator("[data-menu-button]")
    if viewport["width"] < 600:
        assert height <= 120, f"the closed header is {height:.0f} px high"
        expect(review).to_be_hidden()
        button.click()
        expect(review).to_be_visible()
        assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
        button.click()
        expect(review).to_be_hidden()
        button.click()
    else:
        assert height <= 120, f"the desktop header is {height:.0f} px high"
        expect(button).to_be_hidden()
        expect(review).to_be_visible()
    review.click()
    page.wait_for_url("**/initiatives/review/")
    page.wait_for_load_state("networkidle")  # the counts htmx loads after the page
    context.close()


def test_on_paper_the_chart_stays_above_the_next_heading(chromium, live_server, world):
    context = new_context(chromium, live_server, DESKTOP)
    page = context.new_page()
    log_in(page, "officer", PASSWORD)
    page.goto("/stats/TH-KCN/?campaign=SK")
    expect(page.locator("#progress-chart")).to_have_attribute("data-drawn", "true")
    page.emulate_media(media="print")
    page.evaluate("window.dispatchEvent(new Event('beforeprint'))")
    gap = page.evaluate(
        """() => {
          const canvas = document.getElementById('progress-chart').getBoundingClientRect();
          const card = document.querySelector('.chart-card');
          let next = card.nextElementSibling;
          while (next && !next.getClientRects().length) next = next.nextElementSibling;
          return next.getBoundingClientRect().top - canvas.bottom;
        }"""
    )
    assert gap >= 0, f"the chart runs {-gap:.0f} px over the next section on paper"
    context.close()
