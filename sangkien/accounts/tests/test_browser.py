"""Journeys through the real pages in Chromium, on a desktop and on a 360 px phone. They rely
only on field names, URLs and the names of units, never on the markup's classes."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from conftest import PASSWORD
from sangkien.browser_testing import horizontal_overflow, log_in, submit_login

pytestmark = pytest.mark.browser


def link_named(page, name: str):
    return page.get_by_role("link", name=name, exact=True).first


def test_officer_logs_in_and_browses_down_the_tree_and_back(page, tree, unit_officer, viewport):
    log_in(page, "officer", PASSWORD)

    page.goto("/units/")
    link_named(page, tree.province.name).click()
    expect(page).to_have_url(re.compile(r"/units/TH/$"))
    expect(page.get_by_role("heading", name=tree.province.name)).to_be_visible()

    link_named(page, tree.upper.name).click()
    expect(page).to_have_url(re.compile(r"/units/TH-KCN/$"))
    # Both grassroots unions below are listed by name.
    expect(link_named(page, tree.grassroots2.name)).to_be_visible()

    link_named(page, tree.grassroots.name).click()
    expect(page).to_have_url(re.compile(r"/units/TH-KCN-001/$"))
    expect(page.get_by_role("heading", name=tree.grassroots.name)).to_be_visible()

    # The breadcrumb leads back up to the province, by its name or short name.
    crumb = page.locator('a[href$="/units/TH/"]').first
    expect(crumb).to_be_visible()
    expect(crumb).to_have_text(
        re.compile(f"^\\s*({tree.province.short_name}|{tree.province.name})\\s*$")
    )
    assert page.locator('a[href$="/units/TH-KCN/"]').count() >= 1
    # Nothing of the other province, nor the national root the officer has no role on.
    assert page.locator('a[href$="/units/HN/"]').count() == 0
    assert page.locator('a[href$="/units/VN/"]').count() == 0

    if viewport["width"] < 600:
        assert horizontal_overflow(page) <= 1, "the unit page scrolls sideways on a phone"

    crumb.click()
    expect(page).to_have_url(re.compile(r"/units/TH/$"))
    expect(page.get_by_role("heading", name=tree.province.name)).to_be_visible()


def test_log_in_with_a_phone_number(page, unit_officer):
    log_in(page, "0987 654 321", PASSWORD)
    page.goto("/units/")
    expect(
        page.get_by_role("link", name="Liên đoàn Lao động tỉnh Thanh Hóa", exact=True)
    ).to_be_visible()


def test_wrong_password_stays_on_the_login_page(page, unit_officer):
    submit_login(page, "officer", "not-the-password")
    expect(page).to_have_url(re.compile(r"/accounts/login/"))
    expect(page.locator("[name=identifier]")).to_have_value("officer")
    page.goto("/units/TH/")
    expect(page).to_have_url(re.compile(r"/accounts/login/"))  # still not signed in


def test_an_outsider_gets_not_found_for_another_province(page, outsider):
    log_in(page, "outsider", PASSWORD)
    response = page.goto("/units/TH/")
    assert response is not None and response.status == 404
