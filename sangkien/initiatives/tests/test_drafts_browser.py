"""Drafts kept on the device belong to the person who typed them: at a shared computer the
next person never gets them back, and logging out clears them."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from conftest import PASSWORD
from sangkien.browser_testing import log_in
from sangkien.initiatives.tests.test_browser import PHONE, campaign  # noqa: F401

pytestmark = pytest.mark.browser

SECRET = "Nhiệt độ khuôn 185 độ C"


@pytest.fixture
def viewport():
    return PHONE


def _draft_keys(page) -> list[str]:
    return page.evaluate("Object.keys(localStorage).filter(k => k.startsWith('sangkien:draft:'))")


def test_a_draft_is_never_restored_for_another_user_and_goes_at_logout(
    page,
    member,
    support_team,
    campaign,  # noqa: F811
):
    log_in(page, "member", PASSWORD)
    page.goto("/initiatives/new/?unit=TH-KCN-001")
    page.locator("[name=title]").fill("Giá đỡ điện thoại cho thợ may")
    page.locator("[name=confidential]").fill(SECRET)
    page.locator("[name=title]").press("Tab")
    assert len(_draft_keys(page)) == 1

    # The next person at the same browser, without the first one logging out.
    page.context.clear_cookies()
    log_in(page, "support", PASSWORD)
    page.goto("/initiatives/new/?unit=TH-KCN-001")
    expect(page.locator("[data-draft-notice]")).to_be_hidden()
    expect(page.locator("[name=title]")).to_have_value("")
    expect(page.locator("[name=confidential]")).to_have_value("")

    # Logging out clears every draft this browser keeps (on a phone the button is in the menu).
    page.locator("[data-menu-button]").click()
    page.locator("form[action$='/accounts/logout/'] button").first.click()
    page.wait_for_load_state()
    assert _draft_keys(page) == []
    log_in(page, "member", PASSWORD)
    page.goto("/initiatives/new/?unit=TH-KCN-001")
    expect(page.locator("[data-draft-notice]")).to_be_hidden()
    expect(page.locator("[name=title]")).to_have_value("")
