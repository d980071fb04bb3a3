"""The initiative journey in Chromium on a 360 px phone: a member submits from the unit's QR
address, an officer returns it, the member fixes and resubmits, the officer validates a lower
benefit, the member sees both benefits and the history. And a draft typed on the phone
survives a reload. The tests rely on field names, URLs and data attributes, not on classes or
wording."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from playwright.sync_api import expect

from conftest import PASSWORD
from sangkien.browser_testing import horizontal_overflow, log_in
from sangkien.campaigns.services import create_campaign
from sangkien.initiatives.models import Initiative, Status

pytestmark = pytest.mark.browser

PHONE = {"width": 360, "height": 740}


@pytest.fixture
def viewport():
    """These journeys are a phone's: 360 × 740."""
    return PHONE


@pytest.fixture
def campaign(tree):
    return create_campaign(
        code="SK2026",
        name="Sáng kiến 2026–2027",
        owner=tree.root,
        starts_on=dt.date(2026, 1, 1),
        ends_on=dt.date(2027, 12, 31),
        by=None,
        fields=[("KT", "Kỹ thuật, công nghệ"), ("QL", "Quản lý, điều hành")],
        requires_recognition=True,
    )


@pytest.fixture
def other_page(chromium, live_server):
    """A second phone with its own cookies (the officer's)."""
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


def detail_id(page) -> int:
    match = re.search(r"/initiatives/(\d+)/$", page.url)
    assert match, page.url
    return int(match.group(1))


def assert_fits(page) -> None:
    assert horizontal_overflow(page) <= 1, f"{page.url} scrolls sideways on a phone"


def test_member_submits_officer_returns_member_resubmits_officer_validates(
    page, other_page, tree, member, unit_officer, campaign
):
    # The member scans the unit's poster: log in, then straight to the form for that unit.
    page.goto("/initiatives/for/TH-KCN-001/")
    expect(page).to_have_url(re.compile(r"/accounts/login/"))
    login_form = page.locator("form").filter(has=page.locator("[name=identifier]"))
    login_form.locator("[name=identifier]").fill("member")
    login_form.locator("[name=password]").fill(PASSWORD)
    login_form.locator("[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/initiatives/new/\?unit=TH-KCN-001&campaign=SK2026"))
    expect(page.locator("[name=campaign]")).to_have_value("SK2026")
    expect(page.locator("[name=authors-0-member]")).to_have_value("DV00000001")
    expect(page.locator("[name=authors-0-share]")).to_have_value("100")
    assert_fits(page)

    page.locator("[name=title]").fill("Cải tiến khuôn ép đế giày")
    page.locator("[name=field]").select_option(label="Kỹ thuật, công nghệ")
    page.locator("[name=problem]").fill("Khuôn cũ làm hỏng nhiều đế.")
    page.locator("[name=description]").fill("Thay khuôn bằng thép chịu nhiệt.")
    page.locator("[name=first_applied_on]").fill("01/03/2026")
    page.locator("[name=benefit_claimed_vnd]").fill("1.500.000")
    page.locator("[name=benefit_method]").fill("Giảm phế phẩm 3% mỗi tháng.")
    page.locator("[name=recognition_body]").fill("Hội đồng sáng kiến công ty")
    # The decision number is forgotten: the submission is refused next to that field.
    page.locator("[name=recognition_date]").fill("15/04/2026")
    page.locator("button[name=action][value=submit]").click()
    error = page.locator("#id_recognition_number_error")
    expect(error).to_be_visible()
    assert Initiative.objects.get().status == Status.DRAFT  # the draft is kept
    page.locator("[name=recognition_number]").fill("12/QĐ-SV")
    page.locator("button[name=action][value=submit]").click()
    expect(page).to_have_url(re.compile(r"/initiatives/\d+/$"))
    pk = detail_id(page)
    assert Initiative.objects.get(pk=pk).status == Status.SUBMITTED
    assert_fits(page)

    # The officer returns it with a reason.
    officer = other_page
    log_in(officer, "officer", PASSWORD)
    officer.goto(f"/initiatives/{pk}/")
    expect(officer.locator("[data-benefit=claimed]")).to_contain_text("1.500.000")
    assert_fits(officer)
    decide = officer.locator(f"form[action^='/initiatives/{pk}/decide/']")
    decide.locator("input[name=decision][value=returned]").check()
    decide.locator("[name=reason]").fill("Bổ sung ảnh chụp khuôn mới và cách tính lợi ích.")
    decide.locator("[type=submit]").click()
    expect(officer).to_have_url(re.compile(rf"/initiatives/{pk}/(#main)?$"))
    assert Initiative.objects.get(pk=pk).status == Status.RETURNED

    # The member sees the reason, fixes the initiative and resubmits it.
    page.goto(f"/initiatives/{pk}/")
    expect(
        page.get_by_text("Bổ sung ảnh chụp khuôn mới và cách tính lợi ích.").first
    ).to_be_visible()
    page.locator(f"a[href='/initiatives/{pk}/edit/']").click()
    expect(page).to_have_url(re.compile(rf"/initiatives/{pk}/edit/$"))
    page.locator("[name=benefit_method]").fill("Giảm phế phẩm 3% mỗi tháng: 50.000 đế × 30.000 đ.")
    page.locator("[name=attachments]").set_input_files(
        files=[
            {
                "name": "khuon-moi.png",
                "mimeType": "image/png",
                "buffer": b"\x89PNG\r\n\x1a\n" + b"\0" * 32,
            }
        ]
    )
    page.locator("button[name=action][value=submit]").click()
    expect(page).to_have_url(re.compile(rf"/initiatives/{pk}/$"))
    initiative = Initiative.objects.get(pk=pk)
    assert initiative.status == Status.SUBMITTED
    assert initiative.attachments.count() == 1

    # The officer validates it with a lower benefit than claimed.
    officer.goto(f"/initiatives/{pk}/")
    decide = officer.locator(f"form[action^='/initiatives/{pk}/decide/']")
    decide.locator("input[name=decision][value=valid]").check()
    benefit = decide.locator("[name=benefit_valid_vnd]")
    expect(benefit).to_have_value("1.500.000")  # prefilled with the claimed one
    benefit.fill("1.200.000")
    decide.locator("[type=submit]").click()
    expect(officer).to_have_url(re.compile(rf"/initiatives/{pk}/(#main)?$"))
    initiative.refresh_from_db()
    assert (initiative.status, initiative.benefit_valid_vnd) == (Status.VALID, 1_200_000)

    # The member sees both benefits and the history of every step.
    page.goto(f"/initiatives/{pk}/")
    expect(page.locator("[data-benefit=claimed]")).to_have_text(re.compile(r"1\.500\.000\s₫"))
    expect(page.locator("[data-benefit=validated]")).to_have_text(re.compile(r"1\.200\.000\s₫"))
    rows = page.locator("#history tbody tr")
    expect(rows).to_have_count(initiative.history.count())
    assert initiative.history.count() >= 6  # created, submitted, returned, edited, …, validated
    expect(page.locator("#history")).to_contain_text("Bổ sung ảnh chụp khuôn mới")
    expect(rows.first.locator("td").first).to_have_text(re.compile(r"^\d\d/\d\d/\d{4} \d\d:\d\d$"))
    assert_fits(page)


def test_a_draft_typed_on_the_phone_survives_a_reload(page, member, campaign):
    log_in(page, "member", PASSWORD)
    page.goto("/initiatives/new/")
    notice = page.locator("[data-draft-notice]")
    expect(notice).to_be_hidden()
    page.locator("[name=title]").fill("Giá đỡ điện thoại cho thợ may")
    page.locator("[name=description]").fill("Kẹp nhựa gắn vào bàn máy.")
    # A second author, added with htmx, is kept too.
    page.locator("button[name=add_author]").click()
    expect(page.locator("[name=authors-1-name]")).to_be_visible()
    page.locator("[name=authors-0-share]").fill("70")
    page.locator("[name=authors-1-name]").fill("Lê Văn Tám")
    page.locator("[name=authors-1-share]").fill("30")

    page.reload()
    expect(notice).to_be_visible()
    expect(page.locator("[name=title]")).to_have_value("Giá đỡ điện thoại cho thợ may")
    expect(page.locator("[name=description]")).to_have_value("Kẹp nhựa gắn vào bàn máy.")
    expect(page.locator("[name=authors-1-name]")).to_have_value("Lê Văn Tám")
    expect(page.locator("[name=authors-0-share]")).to_have_value("70")
    assert_fits(page)

    # Discarding puts the page back as it came from the server, and forgets the copy.
    notice.locator("[data-draft-discard]").click()
    expect(notice).to_be_hidden()
    expect(page.locator("[name=title]")).to_have_value("")
    expect(page.locator("[name=authors-1-name]")).to_have_count(0)
    page.reload()
    expect(notice).to_be_hidden()
    expect(page.locator("[name=title]")).to_have_value("")

    # Typed again and saved as a draft on the server: the copy on the device is forgotten.
    page.locator("[name=title]").fill("Giá đỡ điện thoại cho thợ may")
    page.locator("button[name=action][value=save]").last.click()
    expect(page).to_have_url(re.compile(r"/initiatives/\d+/$"))
    assert Initiative.objects.get().status == Status.DRAFT
    page.goto("/initiatives/new/")
    expect(page.locator("[name=title]")).to_have_value("")
    expect(notice).to_be_hidden()
