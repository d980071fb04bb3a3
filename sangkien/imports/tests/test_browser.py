"""The import journey in Chromium, on a desktop and a 360 px phone: an officer uploads a list
of initiatives with valid and invalid rows, reads the check (nothing written), is refused
without ticking "only the valid rows", ticks it, confirms, sees the result and downloads the
rejected rows. Jobs run inside the request (no worker). The test relies on field names, URLs
and ids, not on wording."""

from __future__ import annotations

import re

import openpyxl
import pytest
from playwright.sync_api import expect

from conftest import PASSWORD
from sangkien.browser_testing import horizontal_overflow, log_in, open_menu
from sangkien.imports.tests.test_views import INVALID, VALID, xlsx
from sangkien.initiatives.models import Initiative
from sangkien.initiatives.tests.builders import make_campaign
from sangkien.jobs.models import Job
from sangkien.jobs.testing import IMMEDIATE
from sangkien.orgs import services as orgs

pytestmark = pytest.mark.browser


@pytest.fixture(autouse=True)
def _jobs_without_a_worker(settings, tmp_path):
    settings.TASKS = IMMEDIATE
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def campaign(tree):
    return make_campaign(tree.root, requires_recognition=False)


@pytest.fixture
def authors(tree):
    for unit, name in (
        (tree.grassroots, "Nguyễn Văn An"),
        (tree.grassroots, "Lê Thị Bình"),
        (tree.grassroots2, "Phạm Văn Đức"),
    ):
        orgs.create_member(unit=unit, full_name=name, by=None)


def test_officer_checks_a_file_then_imports_the_valid_rows(
    page, tree, unit_officer, campaign, authors, tmp_path
):
    log_in(page, "officer", PASSWORD)
    page.goto("/")
    open_menu(page)
    page.locator(".main-nav a[href='/imports/']").click()
    page.wait_for_url(re.compile(r"/imports/$"))
    assert horizontal_overflow(page) <= 1, "the import page scrolls sideways"

    sheet = tmp_path / "Danh sách sáng kiến.xlsx"
    sheet.write_bytes(xlsx(VALID + INVALID))
    page.check("input[name='kind'][value='initiatives']")
    page.select_option("select[name='campaign']", "1TRIEU")
    page.set_input_files("input[name='file']", str(sheet))
    page.click("#import-form button[type='submit']")
    page.wait_for_url(re.compile(r"/imports/\d+/$"))
    check_url = page.url

    rows = page.locator("#import-rows tbody tr")
    expect(rows).to_have_count(5)
    rejected = page.locator("#import-rows tr[data-status='rejected']")
    expect(rejected).to_have_count(2)
    expect(page.locator("#import-rows tr[data-row='5']")).to_contain_text("Y tế")
    expect(page.locator("#import-rows tr[data-row='6']")).to_contain_text("Hoàng Văn Không")
    expect(page.locator("#import-counts [data-count='rejected']")).to_have_text("2")
    assert horizontal_overflow(page) <= 1, "the rows scroll the page sideways"
    assert Initiative.objects.count() == 0  # the check writes nothing

    # All or nothing: confirming without the box is refused.
    confirm = page.locator("#import-confirm button[type='submit']")
    confirm.click()
    expect(page.locator("#form-errors")).to_be_visible()
    assert Initiative.objects.count() == 0 and Job.objects.count() == 1

    page.check("input[name='accept_valid']")
    page.locator("#import-confirm button[type='submit']").click()
    page.wait_for_url(lambda url: re.search(r"/imports/\d+/$", url) and url != check_url)
    expect(page.locator("#import-state")).to_have_attribute("data-state", "applied")
    expect(page.locator("#import-counts [data-count='imported']")).to_have_text("3")
    expect(page.locator("#import-rows tr[data-status='imported'] a")).to_have_count(3)
    assert sorted(Initiative.objects.values_list("title", flat=True)) == sorted(r[1] for r in VALID)
    assert horizontal_overflow(page) <= 1, "the result scrolls the page sideways"

    with page.expect_download() as info:
        page.click("#rejected-download")
    download = info.value
    assert download.suggested_filename == "dong-bi-loai-danh-sach-sang-kien.xlsx"
    with open(download.path(), "rb") as handle:  # saved without an extension
        book = openpyxl.load_workbook(handle)
    lines = list(book.active.iter_rows(values_only=True))
    assert lines[0][-1] == "Lý do"
    assert [line[0] for line in lines[1:]] == [5, 6]
    assert [line[2] for line in lines[1:]] == [r[1] for r in INVALID]
    assert all(line[-1] for line in lines[1:])
    assert "Lĩnh vực" in lines[1][-1] and "Tác giả" in lines[2][-1]
