"""In Chromium: the Content-Security-Policy refuses inline script (and the `page` fixture
notices), and the pages that used inline handlers work without them."""

from __future__ import annotations

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from conftest import PASSWORD
from sangkien.browser_testing import DESKTOP, csp_violations, log_in
from sangkien.core.middleware import CONTENT_SECURITY_POLICY

pytestmark = pytest.mark.browser

COUNT_PRINTS = "window.__printed = 0; window.print = () => { window.__printed += 1; };"


@pytest.fixture
def viewport():
    return DESKTOP


def test_the_policy_refuses_inline_script_and_the_page_fixture_sees_it(chromium, live_server):
    context = chromium.new_context(base_url=live_server.url)
    try:
        tab = context.new_page()
        violations = csp_violations(tab)
        html = "<!doctype html><p>probe</p><script>document.title = 'ran';</script>"
        tab.route(
            "**/csp-probe/",
            lambda route: route.fulfill(
                status=200,
                content_type="text/html",
                headers={"Content-Security-Policy": CONTENT_SECURITY_POLICY},
                body=html,
            ),
        )
        tab.goto("/csp-probe/")
        expect(tab.locator("p")).to_have_text("probe")
        assert tab.title() != "ran"
        assert violations, "Chromium reported no violation of the policy"
        assert "script-src" in violations[0]
    finally:
        context.close()


def test_the_qr_posters_print_button_prints_without_inline_script(page, tree, unit_officer):
    page.add_init_script(COUNT_PRINTS)
    log_in(page, unit_officer.username, PASSWORD)
    page.goto(reverse("initiatives:poster", args=[tree.grassroots.code]))
    page.locator("[data-print]").click()
    assert page.evaluate("window.__printed") == 1
