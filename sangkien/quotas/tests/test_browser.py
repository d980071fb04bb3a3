"""The allocation journey in Chromium, on a desktop and a 360 px phone: an officer types the
children's quotas and saves, sees the under-allocation warning, then uploads a spreadsheet,
reads the preview (loaded by htmx in place) and applies it. The tests rely on field names,
URLs and ids, not on classes or wording."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from conftest import PASSWORD
from sangkien.browser_testing import horizontal_overflow, log_in
from sangkien.quotas import services
from sangkien.quotas.models import Quota

pytestmark = pytest.mark.browser


def test_officer_allocates_by_hand_and_by_spreadsheet(page, unit_officer, tree, campaign, tmp_path):
    services.allocate(tree.province, campaign, None, {tree.upper: 100}, None)
    log_in(page, "officer", PASSWORD)
    page.goto("/quotas/TH-KCN/?campaign=1TRIEU")
    assert horizontal_overflow(page) <= 1, "the quota page scrolls sideways"

    page.fill(f"input[name='q-{tree.grassroots.pk}']", "60")
    page.fill(f"input[name='q-{tree.grassroots2.pk}']", "1.500")
    page.click("form[action*='/allocate/'] button[type='submit']")
    page.wait_for_url(re.compile(r"/quotas/TH-KCN/\?campaign=1TRIEU$"))
    expect(page.locator("#allocation-state")).to_contain_text("1.460")  # 1,560 − 100 over (vi)
    assert Quota.objects.get(unit=tree.grassroots2).assigned == 1500

    sheet = tmp_path / "phan-bo.csv"
    sheet.write_text("Mã đơn vị;Chỉ tiêu giao\nTH-KCN-001;60\nTH-KCN-002;40\n", encoding="utf-8")
    page.set_input_files("input[name='file']", str(sheet))
    page.click("form[action*='/upload/'] button[type='submit']")
    preview = page.locator("#upload-preview")
    expect(preview).to_be_visible()
    assert "/upload/" not in page.url  # htmx swapped the section in place
    assert horizontal_overflow(page) <= 1, "the preview scrolls sideways"
    assert Quota.objects.get(unit=tree.grassroots2).assigned == 1500  # nothing saved yet

    preview.locator("form[action*='/allocate/'] button[type='submit']").click()
    page.wait_for_url(re.compile(r"/quotas/TH-KCN/\?campaign=1TRIEU$"))
    expect(page.locator("#allocation-state")).to_have_class(re.compile("success"))
    assert Quota.objects.get(unit=tree.grassroots2).assigned == 40
