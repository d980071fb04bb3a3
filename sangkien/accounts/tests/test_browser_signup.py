"""Journeys of getting in, in Chromium on a 360 px phone: an officer prints the union's
sign-up codes and a member with no account signs up from their card and lands on the home;
a member who forgot their password resets it from the email (read from Django's outbox:
the live server runs in this process). They rely on field names, URLs and data attributes."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from conftest import PASSWORD
from sangkien.browser_testing import horizontal_overflow, log_in
from sangkien.campaigns.services import create_campaign
from sangkien.orgs import services as orgs

pytestmark = pytest.mark.browser

PHONE = {"width": 360, "height": 740}
NEW_PASSWORD = "dang-ky-tu-dien-thoai-26"


@pytest.fixture
def viewport():
    return PHONE


@pytest.fixture
def member_page(chromium, live_server):
    """A second phone with its own cookies (the member's)."""
    context = chromium.new_context(
        base_url=live_server.url,
        viewport=PHONE,
        locale="vi-VN",
        is_mobile=True,
        has_touch=True,
        device_scale_factor=2,
    )
    context.set_default_timeout(15_000)
    yield context.new_page()
    context.close()


@pytest.fixture
def union(tree):
    create_campaign(
        code="SK2026",
        name="Sáng kiến 2026–2027",
        owner=tree.root,
        starts_on=dt.date(2026, 1, 1),
        ends_on=dt.date(2027, 12, 31),
        by=None,
        fields=[("KT", "Kỹ thuật, công nghệ")],
        requires_recognition=False,
    )
    for i, name in enumerate(("Lê Văn Minh", "Phạm Thị Thu", "Đỗ Quang Huy"), start=2):
        orgs.create_member(
            unit=tree.grassroots,
            full_name=name,
            by=None,
            code=f"DV0000000{i}",
            birth_date=dt.date(1990, 1, i),
        )
    return tree.grassroots


def test_a_member_signs_up_from_the_unions_printed_code_and_lands_on_the_home(
    page, member_page, union, unit_officer
):
    page.add_init_script("window.__printed = 0; window.print = () => { window.__printed += 1; };")
    log_in(page, "officer", PASSWORD)
    page.goto(f"/units/{union.code}/")
    page.locator(f"a[href='/accounts/units/{union.code}/invitations/']").first.click()
    expect(page).to_have_url(re.compile(rf"/accounts/units/{union.code}/invitations/$"))
    assert horizontal_overflow(page) <= 1, "the sign-up codes page scrolls sideways"
    page.locator("form:has(input[name='action'][value='all']) [type=submit]").click()

    cards = page.locator(".invite-card")
    expect(cards).to_have_count(3)
    assert horizontal_overflow(page) <= 1, "the sheet of codes scrolls sideways"
    card = cards.filter(has_text="Phạm Thị Thu")
    expect(card.locator("svg")).to_be_visible()  # the QR code
    code = card.locator("[data-code]").inner_text().strip()
    assert re.fullmatch(r"[A-Z2-9]{5}-[A-Z2-9]{5}", code)
    page.locator("[data-print]").click()  # the print dialog opens (no inline handler)
    assert page.evaluate("window.__printed") == 1
    # Printed on A4, one card per member, with nothing of the page around them.
    page.emulate_media(media="print")
    expect(page.locator(".site-header")).to_be_hidden()
    expect(cards.first).to_be_visible()
    page.emulate_media(media="screen")

    # The member types the sign-up address and the code from the card.
    member = member_page
    member.goto("/accounts/signup/")
    assert horizontal_overflow(member) <= 1, "the sign-up page scrolls sideways"
    member.fill("[name=code]", code.lower().replace("-", " "))
    member.fill("[name=member_code]", "DV00000003")
    member.fill("[name=username]", "thu.pham")
    member.fill("[name=email]", "thu@example.com")
    member.fill("[name=password1]", NEW_PASSWORD)
    member.fill("[name=password2]", NEW_PASSWORD)
    member.locator("form:has([name=password1]) [type=submit]").click()
    expect(member).to_have_url(re.compile(r"/$"))
    expect(member.locator("h1")).to_contain_text("Phạm Thị Thu")
    enter = member.get_by_role("link", name="Nhập sáng kiến", exact=True).last
    expect(enter).to_be_visible()
    assert horizontal_overflow(member) <= 1, "the home scrolls sideways"
    enter.click()
    expect(member).to_have_url(re.compile(r"/initiatives/new/"))

    # The same code does not work twice.
    member.context.clear_cookies()
    member.goto("/accounts/signup/?code=" + code)
    expect(member.locator("[name=code]")).to_have_value(code)
    member.fill("[name=member_code]", "DV00000003")
    member.fill("[name=username]", "thu.pham2")
    member.fill("[name=password1]", NEW_PASSWORD)
    member.fill("[name=password2]", NEW_PASSWORD)
    member.locator("form:has([name=password1]) [type=submit]").click()
    expect(member.locator("#id_code_error")).to_be_visible()


def test_a_member_resets_a_forgotten_password_from_the_email(page, member):
    member.email = "hoa@example.com"
    member.save(update_fields=["email"])
    page.goto("/accounts/login/")
    page.get_by_role("link", name="Quên mật khẩu?").click()
    expect(page).to_have_url(re.compile(r"/accounts/password/reset/$"))
    assert horizontal_overflow(page) <= 1
    page.fill("[name=email]", "hoa@example.com")
    page.locator("form:has([name=email]) [type=submit]").click()
    expect(page).to_have_url(re.compile(r"/accounts/password/reset/sent/$"))

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["hoa@example.com"]
    assert "Chọn mật khẩu mới" in message.subject  # in Vietnamese, as the page was
    path = re.search(r"https?://[^/\s]+(/accounts/password/reset/\S+/)", message.body)[1]
    page.goto(path)
    page.fill("[name=new_password1]", NEW_PASSWORD)
    page.fill("[name=new_password2]", NEW_PASSWORD)
    page.locator("form:has([name=new_password1]) [type=submit]").click()
    expect(page).to_have_url(re.compile(r"/accounts/password/reset/done/$"))

    log_in(page, "member", NEW_PASSWORD)
    expect(page).to_have_url(re.compile(r"/$"))
    expect(page.get_by_role("link", name="Nhập sáng kiến", exact=True).last).to_be_visible()
    assert horizontal_overflow(page) <= 1
