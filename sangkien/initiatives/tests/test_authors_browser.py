"""Co-authors by name on a 360 px phone: typing a name lists the union's members of that name
(diacritics ignored), choosing one links the member; a name typed and saved without choosing
is proposed for linking before anything is saved."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from playwright.sync_api import expect

from conftest import PASSWORD
from sangkien.browser_testing import horizontal_overflow, log_in
from sangkien.campaigns.services import create_campaign
from sangkien.initiatives.models import Author, Initiative
from sangkien.orgs import services as orgs

pytestmark = pytest.mark.browser


@pytest.fixture
def viewport():
    return {"width": 360, "height": 740}


@pytest.fixture
def campaign(tree):
    return create_campaign(
        code="SK2026", name="Sáng kiến 2026–2027", owner=tree.root,
        starts_on=dt.date(2026, 1, 1), ends_on=dt.date(2027, 12, 31), by=None,
        fields=[("KT", "Kỹ thuật, công nghệ")], requires_recognition=False,
    )  # fmt: skip


def test_a_co_author_typed_by_name_is_linked_to_the_member(page, tree, member, campaign):
    dinh = orgs.create_member(unit=tree.grassroots, full_name="Đinh Văn Định", by=None,
                              code="DV00000077")  # fmt: skip
    orgs.create_member(unit=tree.grassroots, full_name="Đinh Thị Thu", by=None, code="DV00000078")
    log_in(page, "member", PASSWORD)
    page.goto("/initiatives/new/?unit=TH-KCN-001&campaign=SK2026")
    page.locator("[name=title]").fill("Máy cắt vải tự động")
    page.locator("[name=authors-0-share]").fill("50")
    page.locator("button[name=add_author]").click()
    row = page.locator("[data-author-row]").nth(1)
    row.locator("[name=authors-1-name]").press_sequentially("dinh van", delay=30)
    pick = row.locator("[data-pick-member=DV00000077]")
    expect(pick).to_be_visible()
    expect(row.locator("[data-pick-member=DV00000078]")).to_have_count(0)
    assert horizontal_overflow(page) <= 1
    pick.click()
    expect(row.locator("[name=authors-1-member]")).to_have_value("DV00000077")
    row.locator("[name=authors-1-share]").fill("50")
    page.locator("button[name=action][value=save]:not([aria-hidden=true])").click()
    expect(page).to_have_url(re.compile(r"/initiatives/\d+/$"))
    assert Author.objects.get(position_in_list=1).member == dinh


def test_a_name_saved_without_choosing_is_proposed_first(page, tree, member, campaign):
    dinh = orgs.create_member(unit=tree.grassroots, full_name="Đinh Văn Định", by=None,
                              code="DV00000077")  # fmt: skip
    log_in(page, "member", PASSWORD)
    page.goto("/initiatives/new/?unit=TH-KCN-001&campaign=SK2026")
    page.locator("[name=title]").fill("Máy cắt vải tự động")
    page.locator("[name=authors-0-share]").fill("50")
    page.locator("button[name=add_author]").click()
    page.locator("[name=authors-1-name]").fill("DINH VAN DINH")
    page.locator("[name=authors-1-share]").fill("50")
    page.locator("button[name=action][value=save]:not([aria-hidden=true])").click()
    choice = page.locator("input[name=authors-1-link][value=DV00000077]")
    expect(choice).to_be_visible()
    assert not Initiative.objects.exists()
    assert horizontal_overflow(page) <= 1
    choice.check()
    page.locator("button[name=action][value=save]:not([aria-hidden=true])").click()
    expect(page).to_have_url(re.compile(r"/initiatives/\d+/$"))
    assert Author.objects.get(position_in_list=1).member == dinh
