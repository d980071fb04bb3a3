"""The entry form, the detail page and the workflow actions, through the views.

Expected messages are looked up with gettext in Vietnamese, so the checks hold whatever the
catalogue says."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils.html import escape
from django.utils.translation import gettext, override

from conftest import make_user
from sangkien.accounts.models import Role
from sangkien.campaigns.services import create_campaign
from sangkien.initiatives import services
from sangkien.initiatives.models import Attachment, HistoryEntry, Initiative, Status
from sangkien.initiatives.views import draft_owner
from sangkien.notifications.models import Notification
from sangkien.orgs import services as orgs

D = dt.date
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
PDF = b"%PDF-1.4\n%test\n"


def vi(msgid: str, **params) -> str:
    """The message as a Vietnamese page shows it (HTML-escaped)."""
    with override("vi"):
        text = gettext(msgid)
    return escape(text % params if params else text)


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def campaign(tree):
    return create_campaign(
        code="SK2026",
        name="Sáng kiến 2026–2027",
        owner=tree.root,
        starts_on=D(2026, 1, 1),
        ends_on=D(2027, 12, 31),
        by=None,
        fields=[("KT", "Kỹ thuật, công nghệ"), ("QL", "Quản lý, điều hành")],
        requires_recognition=False,
    )


@pytest.fixture
def field(campaign):
    return campaign.fields.get(code="KT")


def form_data(field, **overrides):
    """A complete request form as the browser posts it, with the member as sole author."""
    data = {
        "campaign": "SK2026",
        "title": "Cải tiến khuôn ép đế giày",
        "field": str(field.pk),
        "problem": "Khuôn cũ làm hỏng nhiều đế.",
        "description": "Thay khuôn bằng thép chịu nhiệt, thêm rãnh thoát khí.",
        "conditions": "Máy ép thủy lực 50 tấn.",
        "first_applied_on": "01/03/2026",
        "benefit_claimed_vnd": "1.500.000",
        "benefit_method": "Giảm phế phẩm 3% mỗi tháng.",
        "confidential": "Công thức thép: bí mật.",
        "investor": "",
        "first_application_people": "Tổ sản xuất số 2",
        "recognition_body": "Hội đồng sáng kiến công ty",
        "recognition_number": "12/QĐ-SV",
        "recognition_date": "15/04/2026",
        "authors-TOTAL_FORMS": "1",
        "authors-INITIAL_FORMS": "0",
        "authors-MIN_NUM_FORMS": "0",
        "authors-MAX_NUM_FORMS": "50",
        "authors-0-member": "DV00000001",
        "authors-0-name": "",
        "authors-0-share": "100",
        "action": "save",
    }
    data.update(overrides)
    return data


def assert_unique_ids(html: str) -> None:
    ids = re.findall(r'\sid="([^"]+)"', html)
    assert len(ids) == len(set(ids)), sorted({i for i in ids if ids.count(i) > 1})


def new_url(unit_code="TH-KCN-001", campaign_code="SK2026"):
    return reverse("initiatives:create") + f"?unit={unit_code}&campaign={campaign_code}"


def draft(by, campaign, field, unit=None, **extra):
    fields = {
        "title": "Máy cắt da tự động",
        "field": field,
        "problem": "Cắt tay chậm.",
        "description": "Gắn dao cắt điều khiển số.",
        "first_applied_on": D(2026, 2, 1),
        "benefit_claimed_vnd": 1_500_000,
        "confidential": "Sơ đồ mạch điều khiển.",
    }
    fields.update(extra)
    return services.create_initiative(
        campaign=campaign, unit=unit or by.member.unit, by=by, **fields
    )


@pytest.fixture
def submitted(member, campaign, field):
    initiative = draft(member, campaign, field)
    return services.submit_initiative(initiative, by=member)


def attach(initiative, by, name="anh.png", data=PNG):
    return services.add_attachment(
        initiative, by=by, upload=SimpleUploadedFile(name, data, content_type="image/png")
    )


@pytest.fixture
def filed(member, campaign, field):
    """A submitted initiative carrying one photo."""
    initiative = draft(member, campaign, field)
    file = attach(initiative, member, "Ảnh máy cắt.png")
    initiative = services.submit_initiative(initiative, by=member)
    return initiative, file


# -- outsiders get 404 from every page and action ------------------------------------------

INITIATIVE_PAGES = [
    ("initiatives:detail", "GET"),
    ("initiatives:edit", "GET"),
    ("initiatives:edit", "POST"),
    ("initiatives:submit", "GET"),
    ("initiatives:submit", "POST"),
    ("initiatives:decide", "GET"),
    ("initiatives:decide", "POST"),
    ("initiatives:withdraw", "GET"),
    ("initiatives:withdraw", "POST"),
    ("initiatives:reopen", "GET"),
    ("initiatives:reopen", "POST"),
    ("initiatives:attachment_add", "GET"),
    ("initiatives:attachment_add", "POST"),
]
FILE_PAGES = [
    ("initiatives:attachment", "GET"),
    ("initiatives:attachment", "POST"),
    ("initiatives:attachment_remove", "GET"),
    ("initiatives:attachment_remove", "POST"),
]


def _call(client, method, url, data=None):
    return client.post(url, data or {}) if method == "POST" else client.get(url)


@pytest.mark.parametrize(("name", "method"), INITIATIVE_PAGES)
def test_outsider_gets_404_on_initiative_pages(login, outsider, filed, name, method):
    initiative, _file = filed
    url = reverse(name, args=[initiative.pk])
    assert _call(login(outsider), method, url).status_code == 404


@pytest.mark.parametrize(("name", "method"), FILE_PAGES)
def test_outsider_gets_404_on_file_pages(login, outsider, filed, name, method):
    initiative, file = filed
    url = reverse(name, args=[initiative.pk, file.pk])
    assert _call(login(outsider), method, url).status_code == 404


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_outsider_gets_404_on_entry_pages_of_another_province(
    login, outsider, campaign, field, method
):
    client = login(outsider)
    assert (
        _call(client, method, reverse("initiatives:entry", args=["TH-KCN-001"])).status_code == 404
    )
    response = _call(client, method, new_url(), form_data(field))
    assert response.status_code == 404
    assert not Initiative.objects.exists()


@pytest.mark.parametrize(("name", "method"), INITIATIVE_PAGES)
def test_a_draft_is_not_found_by_officers(
    login, unit_officer, member, campaign, field, name, method
):
    initiative = draft(member, campaign, field)
    url = reverse(name, args=[initiative.pk])
    assert _call(login(unit_officer), method, url).status_code == 404


def test_unknown_initiative_is_404(login, member, campaign):
    assert login(member).get(reverse("initiatives:detail", args=[999999])).status_code == 404


def test_anonymous_visitor_is_sent_to_log_in(client, submitted):
    url = reverse("initiatives:detail", args=[submitted.pk])
    response = client.get(url)
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


# -- the new-initiative form ----------------------------------------------------------------


def test_member_opens_the_form_for_their_unit(login, member, campaign):
    response = login(member).get(reverse("initiatives:create"))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'name="title"' in html
    assert 'value="SK2026" selected' in html
    assert "Công đoàn Công ty CP Giày Sao Vàng" in html
    assert 'name="unit"' not in html  # a member's unit is fixed
    assert 'name="authors-0-member"' in html and 'value="DV00000001"' in html
    assert f'data-draft="{draft_owner(member)}:new::"' in html
    assert_unique_ids(html.split("<template")[0] + html.split("</template>")[1])
    assert "sangkien/drafts.js" in html


def test_member_saves_a_draft(login, member, campaign, field):
    client = login(member)
    response = client.post(new_url(), form_data(field))
    assert response.status_code == 302
    initiative = Initiative.objects.get()
    assert response["Location"] == reverse("initiatives:detail", args=[initiative.pk])
    assert initiative.status == Status.DRAFT
    assert initiative.benefit_claimed_vnd == 1_500_000
    assert initiative.first_applied_on == D(2026, 3, 1)
    assert initiative.recognition_date == D(2026, 4, 15)
    assert initiative.field == field
    assert initiative.entered_by == member and not initiative.on_behalf
    assert [(a.member.code, a.share) for a in initiative.authors.all()] == [("DV00000001", 100)]
    # The page after the save tells the browser to forget the copy kept while typing.
    page = client.get(response["Location"]).content.decode()
    assert f'data-drafts-clear="{draft_owner(member)}:new:TH-KCN-001:SK2026"' in page


def test_member_submits_straight_from_the_form(login, member, unit_officer, campaign, field):
    response = login(member).post(new_url(), form_data(field, action="submit"))
    assert response.status_code == 302
    initiative = Initiative.objects.get()
    assert initiative.status == Status.SUBMITTED
    assert list(initiative.history.values_list("action", flat=True)) == ["created", "submitted"]
    assert Notification.objects.filter(user=unit_officer).exists()


def test_benefit_accepts_plain_digits_and_spaces(login, member, campaign, field):
    login(member).post(new_url(), form_data(field, benefit_claimed_vnd="2 500 000 đ"))
    assert Initiative.objects.get().benefit_claimed_vnd == 2_500_000


def test_bad_benefit_is_refused_with_a_message(login, member, campaign, field):
    response = login(member).post(new_url(), form_data(field, benefit_claimed_vnd="1,5"))
    assert response.status_code == 400
    html = response.content.decode()
    assert 'id="id_benefit_claimed_vnd_error"' in html
    assert "1,5 triệu" in html  # the message says how to write it
    assert not Initiative.objects.exists()


@pytest.mark.parametrize(
    ("typed", "amount"),
    [("1,8 triệu", 1_800_000), ("1.500.000 đ", 1_500_000), ("2 tỷ 300 triệu", 2_300_000_000)],
)
def test_benefit_is_read_as_people_write_it(login, member, campaign, field, typed, amount):
    """The form reads money with the parser of the API and the imports."""
    response = login(member).post(new_url(), form_data(field, benefit_claimed_vnd=typed))
    assert response.status_code == 302, response.content.decode()[:2000]
    assert Initiative.objects.get().benefit_claimed_vnd == amount


def test_missing_title_is_refused_next_to_the_field(login, member, campaign, field):
    response = login(member).post(new_url(), form_data(field, title="  "))
    assert response.status_code == 400
    html = response.content.decode()
    message = vi("Enter a title that says what the initiative is.")
    assert re.search(r'id="id_title_error"><li>' + re.escape(message), html)
    # What was typed is shown again.
    assert "Khuôn cũ làm hỏng nhiều đế." in html
    assert not Initiative.objects.exists()


def test_bad_date_is_refused(login, member, campaign, field):
    response = login(member).post(new_url(), form_data(field, first_applied_on="31/02/2026"))
    assert response.status_code == 400
    assert (
        vi("%(day)s/%(month)s/%(year)s is not a date of the calendar.")
        % {"day": 31, "month": 2, "year": 2026}
        in response.content.decode()
    )


def test_date_outside_the_campaign_is_refused(login, member, campaign, field):
    response = login(member).post(new_url(), form_data(field, first_applied_on="01/12/2025"))
    assert response.status_code == 400
    assert 'id="id_first_applied_on_error"' in response.content.decode()
    assert not Initiative.objects.exists()


def test_shares_must_add_up_to_100(login, member_record, member, campaign, field):
    data = form_data(
        field,
        **{
            "authors-TOTAL_FORMS": "2",
            "authors-0-share": "60",
            "authors-1-name": "Lê Văn Tám",
            "authors-1-share": "30",
        },
    )
    response = login(member).post(new_url(), data)
    assert response.status_code == 400
    message = vi(
        "The authors' contributions add up to %(total)s%%; they must add up to 100%%.", total="90"
    )
    assert message in response.content.decode()
    assert not Initiative.objects.exists()


def test_a_bad_share_is_shown_on_its_row(login, member, campaign, field):
    data = form_data(
        field,
        **{
            "authors-TOTAL_FORMS": "3",
            "authors-0-share": "50",
            # An empty row between is ignored; the services count the filled rows.
            "authors-2-name": "Lê Văn Tám",
            "authors-2-share": "abc",
        },
    )
    response = login(member).post(new_url(), data)
    assert response.status_code == 400
    html = response.content.decode()
    assert 'id="id_authors-2-share_error"' in html
    assert 'id="id_authors-0-share_error"' not in html


def test_an_unknown_member_code_is_shown_on_its_row(login, member, campaign, field):
    data = form_data(field, **{"authors-0-member": "DV99999999"})
    response = login(member).post(new_url(), data)
    assert response.status_code == 400
    html = response.content.decode()
    assert 'id="id_authors-0-member_error"' in html
    assert vi("No member has the code %(code)s.", code="DV99999999") in html


def test_a_member_of_another_unit_reads_as_unknown_to_a_member(
    login, tree, member, member_record, campaign, field
):
    """As in the API: the form names only members the user could look up anyway."""
    other = orgs.create_member(unit=tree.grassroots2, full_name="Phạm Văn Lâm", by=None)
    data = form_data(
        field,
        title="",
        **{
            "authors-TOTAL_FORMS": "2",
            "authors-0-share": "50",
            "authors-1-member": other.code,
            "authors-1-share": "50",
        },
    )
    response = login(member).post(new_url(), data)
    assert response.status_code == 400
    html = response.content.decode()
    assert vi("No member has the code %(code)s.", code=other.code) in html
    assert 'id="id_authors-1-member_error"' in html
    assert 'id="id_authors-1-name_error"' not in html
    assert other.full_name not in html
    assert 'id="id_title_error"' in html  # the other problems are still shown
    assert not Initiative.objects.exists()


def test_support_team_names_members_of_its_subtree(
    login, tree, support_team, member_record, campaign, field
):
    other = orgs.create_member(unit=tree.grassroots2, full_name="Phạm Văn Lâm", by=None)
    data = form_data(
        field,
        unit="TH-KCN-001",
        **{
            "authors-TOTAL_FORMS": "2",
            "authors-0-share": "50",
            "authors-1-member": other.code,
            "authors-1-share": "50",
        },
    )
    response = login(support_team).post(reverse("initiatives:create"), data)
    assert response.status_code == 302
    initiative = Initiative.objects.get()
    assert {a.member for a in initiative.authors.all()} == {member_record, other}


def test_a_current_author_from_another_unit_stays_on_an_edit(
    login, tree, support_team, member, member_record, campaign, field
):
    other = orgs.create_member(unit=tree.grassroots2, full_name="Phạm Văn Lâm", by=None)
    initiative = draft(
        support_team,
        campaign,
        field,
        unit=tree.grassroots,
        authors=[
            {"member": member_record.code, "share": 50},
            {"member": other.code, "share": 50},
        ],
    )
    data = form_data(
        field,
        version=str(initiative.version),
        title="Tên mới",
        **{
            "authors-TOTAL_FORMS": "2",
            "authors-0-share": "50",
            "authors-1-member": other.code,
            "authors-1-share": "50",
        },
    )
    response = login(member).post(reverse("initiatives:edit", args=[initiative.pk]), data)
    assert response.status_code == 302
    initiative.refresh_from_db()
    assert initiative.title == "Tên mới"


def test_add_author_without_javascript_shows_one_more_row(login, member, campaign, field):
    response = login(member).post(new_url(), form_data(field, add_author="1"))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'name="authors-1-member"' in html
    assert 'name="authors-TOTAL_FORMS" value="2"' in html
    assert 'value="Cải tiến khuôn ép đế giày"' in html  # what was typed stays
    assert "field-errors" not in html
    assert not Initiative.objects.exists()


def test_add_author_with_htmx_returns_the_next_row(login, member):
    url = reverse("initiatives:author_row") + "?authors-TOTAL_FORMS=1"
    response = login(member).get(url, headers={"HX-Request": "true"})
    assert response.status_code == 200
    html = response.content.decode()
    assert 'name="authors-1-share"' in html
    assert 'hx-swap-oob="true"' in html and 'value="2"' in html


def test_files_are_attached_with_the_form(login, member, campaign, field):
    data = form_data(field)
    data["attachments"] = [
        SimpleUploadedFile("Bản vẽ.pdf", PDF, content_type="application/pdf"),
        SimpleUploadedFile("ảnh.png", PNG, content_type="image/png"),
    ]
    data["evidence"] = SimpleUploadedFile("quyet-dinh.png", PNG, content_type="image/png")
    response = login(member).post(new_url(), data)
    assert response.status_code == 302
    files = list(Attachment.objects.order_by("id").values_list("original_name", "kind"))
    assert files == [
        ("Bản vẽ.pdf", "document"),
        ("ảnh.png", "document"),
        ("quyet-dinh.png", "evidence"),
    ]


def test_a_refused_file_saves_nothing(login, member, campaign, field):
    data = form_data(field)
    data["attachments"] = SimpleUploadedFile("virus.exe", b"MZ\x90\x00", content_type="image/png")
    response = login(member).post(new_url(), data)
    assert response.status_code == 400
    assert 'id="id_attachments_error"' in response.content.decode()
    assert not Initiative.objects.exists()
    assert not Attachment.objects.exists()


def test_submit_with_missing_fields_keeps_the_draft_and_says_what_is_missing(
    login, member, campaign, field
):
    response = login(member).post(new_url(), form_data(field, problem="", action="submit"))
    assert response.status_code == 400
    initiative = Initiative.objects.get()
    assert initiative.status == Status.DRAFT
    html = response.content.decode()
    assert vi("Say which problem the initiative solves.") in html
    assert f'data-draft="{draft_owner(member)}:edit:{initiative.pk}:{initiative.version}"' in html
    # The form now saves that draft rather than making another one.
    assert f'action="{reverse("initiatives:edit", args=[initiative.pk])}"' in html
    assert f'data-drafts-clear="{draft_owner(member)}:new:TH-KCN-001:SK2026"' in html


def test_recognition_is_required_to_submit_when_the_campaign_says_so(
    login, member, campaign, field
):
    campaign.requires_recognition = True
    campaign.save()
    data = form_data(field, action="submit", recognition_number="")
    response = login(member).post(new_url(), data)
    assert response.status_code == 400
    assert 'id="id_recognition_number_error"' in response.content.decode()


def test_member_cannot_enter_for_another_unit(login, member, campaign, field):
    response = login(member).get(new_url("TH-KCN-002"))
    assert response.status_code == 404


def test_reviewer_without_membership_may_not_enter(login, reviewer, campaign):
    assert login(reviewer).get(reverse("initiatives:create")).status_code == 403


def test_no_open_campaign_says_so(login, member, tree):
    response = login(member).get(reverse("initiatives:create"))
    assert response.status_code == 200
    assert 'name="title"' not in response.content.decode()


def test_support_team_enters_on_a_members_behalf(login, support_team, member, campaign, field):
    client = login(support_team)
    page = client.get(reverse("initiatives:create")).content.decode()
    assert 'name="unit"' in page and 'list="unit-codes"' in page
    response = client.post(
        reverse("initiatives:create"), form_data(field, unit="th-kcn-001", action="submit")
    )
    assert response.status_code == 302
    initiative = Initiative.objects.get()
    assert initiative.unit.code == "TH-KCN-001"
    assert initiative.entered_by == support_team and initiative.on_behalf
    assert initiative.status == Status.SUBMITTED
    detail = client.get(response["Location"]).content.decode()
    assert "support" in detail  # who entered it (the username, having no name)
    assert vi("on behalf of the authors") in detail


def test_support_team_cannot_enter_outside_its_units(login, support_team, campaign, field):
    response = login(support_team).post(
        reverse("initiatives:create"), form_data(field, unit="HN-001")
    )
    assert response.status_code == 400
    assert 'id="id_unit_error"' in response.content.decode()
    assert not Initiative.objects.exists()


def test_support_team_cannot_enter_under_an_upper_level_union(login, support_team, campaign, field):
    response = login(support_team).post(
        reverse("initiatives:create"), form_data(field, unit="TH-KCN")
    )
    assert response.status_code == 400
    assert 'id="id_unit_error"' in response.content.decode()


# -- the unit's QR poster address -----------------------------------------------------------


def test_poster_address_sends_a_logged_out_visitor_to_log_in_and_back(client, tree):
    url = reverse("initiatives:entry", args=["TH-KCN-001"])
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))
    assert response["Location"].endswith("?next=" + url)


def test_poster_address_opens_the_form_with_the_campaign_chosen(login, member, campaign):
    response = login(member).get(reverse("initiatives:entry", args=["th-kcn-001"]))
    assert response.status_code == 302
    assert response["Location"] == new_url()
    page = login(member).get(response["Location"]).content.decode()
    assert 'value="SK2026" selected' in page


def test_poster_of_a_unit_the_user_cannot_enter_for_is_404(login, member, campaign):
    client = login(member)
    assert client.get(reverse("initiatives:entry", args=["TH-KCN-002"])).status_code == 404
    assert client.get(reverse("initiatives:entry", args=["NOPE"])).status_code == 404


# -- the detail page -----------------------------------------------------------------------


def test_author_sees_everything(login, member, submitted):
    response = login(member).get(reverse("initiatives:detail", args=[submitted.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert submitted.reference in html
    assert "1.500.000\u00a0₫" in html
    assert "Sơ đồ mạch điều khiển." in html  # the confidential part
    assert "Nguyễn Thị Hoa" in html and "100%" in html
    assert re.search(r"\d\d/\d\d/\d{4} \d\d:\d\d", html)  # history times
    assert 'class="badge status-submitted"' in html
    assert reverse("initiatives:withdraw", args=[submitted.pk]) in html
    assert reverse("initiatives:decide", args=[submitted.pk]) not in html
    assert_unique_ids(html)


def test_confidential_part_is_hidden_from_the_support_team(login, support_team, submitted):
    response = login(support_team).get(reverse("initiatives:detail", args=[submitted.pk]))
    assert response.status_code == 200
    assert "Sơ đồ mạch điều khiển." not in response.content.decode()


def test_officer_sees_the_confidential_part_and_the_decision_form(login, unit_officer, submitted):
    response = login(unit_officer).get(reverse("initiatives:detail", args=[submitted.pk]))
    html = response.content.decode()
    assert "Sơ đồ mạch điều khiển." in html
    assert reverse("initiatives:decide", args=[submitted.pk]) in html
    assert 'name="benefit_valid_vnd" value="1.500.000"' in html
    assert_unique_ids(html)
    assert reverse("initiatives:withdraw", args=[submitted.pk]) not in html


# -- editing --------------------------------------------------------------------------------


def test_member_edits_a_draft(login, member, campaign, field):
    initiative = draft(member, campaign, field)
    client = login(member)
    url = reverse("initiatives:edit", args=[initiative.pk])
    page = client.get(url).content.decode()
    assert 'value="Máy cắt da tự động"' in page
    assert 'value="1.500.000"' in page
    assert f'data-draft="{draft_owner(member)}:edit:{initiative.pk}:1"' in page
    data = form_data(field, version="1", title="Máy cắt da tự động, bản 2")
    del data["campaign"]
    response = client.post(url, data)
    assert response.status_code == 302
    initiative.refresh_from_db()
    assert initiative.title == "Máy cắt da tự động, bản 2"
    assert initiative.version == 2
    detail = client.get(response["Location"]).content.decode()
    assert f'data-drafts-clear="{draft_owner(member)}:edit:{initiative.pk}:1"' in detail


def test_editing_a_stale_page_is_a_conflict(login, member, campaign, field):
    initiative = draft(member, campaign, field)
    services.update_initiative(initiative, by=member, expected_version=1, title="Khác")
    data = form_data(field, version="1", title="Của tôi")
    response = login(member).post(reverse("initiatives:edit", args=[initiative.pk]), data)
    assert response.status_code == 409
    html = response.content.decode()
    assert vi("Someone else changed this initiative meanwhile. Reload it and try again.") in html
    assert 'value="Của tôi"' in html  # what was typed is still there
    initiative.refresh_from_db()
    assert initiative.title == "Khác"


def test_edit_with_bad_input_is_400(login, member, campaign, field):
    initiative = draft(member, campaign, field)
    data = form_data(field, version="1", title="")
    response = login(member).post(reverse("initiatives:edit", args=[initiative.pk]), data)
    assert response.status_code == 400
    assert vi("Enter a title that says what the initiative is.") in response.content.decode()


def test_a_submitted_initiative_cannot_be_edited(login, member, submitted):
    response = login(member).get(reverse("initiatives:edit", args=[submitted.pk]))
    assert response.status_code == 409


def test_reviewer_may_not_edit(login, reviewer, submitted):
    assert login(reviewer).get(reverse("initiatives:edit", args=[submitted.pk])).status_code == 403


def test_officer_fixes_a_returned_initiative_on_the_authors_behalf(
    login, member, unit_officer, submitted, field
):
    returned = services.decide_initiative(
        submitted, by=unit_officer, decision="returned", reason="Thiếu ảnh."
    )
    data = form_data(field, version=str(returned.version), action="submit")
    response = login(unit_officer).post(reverse("initiatives:edit", args=[returned.pk]), data)
    assert response.status_code == 302
    returned.refresh_from_db()
    assert returned.status == Status.SUBMITTED


# -- submitting, deciding, withdrawing, reopening --------------------------------------------


def test_member_submits_a_draft_from_the_detail_page(login, member, campaign, field):
    initiative = draft(member, campaign, field)
    url = reverse("initiatives:submit", args=[initiative.pk])
    response = login(member).post(url, {"version": "1"})
    assert response.status_code == 302
    initiative.refresh_from_db()
    assert initiative.status == Status.SUBMITTED


def test_submit_of_an_incomplete_draft_shows_the_form_with_messages(login, member, campaign, field):
    initiative = draft(member, campaign, field, description="")
    response = login(member).post(reverse("initiatives:submit", args=[initiative.pk]))
    assert response.status_code == 400
    assert vi("Describe the initiative: the steps, and what changed.") in (
        response.content.decode()
    )
    initiative.refresh_from_db()
    assert initiative.status == Status.DRAFT


def test_submitting_twice_is_a_conflict(login, member, submitted):
    response = login(member).post(reverse("initiatives:submit", args=[submitted.pk]))
    assert response.status_code == 409


def test_reviewer_may_not_submit(login, reviewer, submitted):
    response = login(reviewer).post(reverse("initiatives:submit", args=[submitted.pk]))
    assert response.status_code == 403


def test_action_pages_answer_get_with_the_detail_page(login, member, submitted):
    response = login(member).get(reverse("initiatives:decide", args=[submitted.pk]))
    assert response.status_code == 302
    assert response["Location"] == reverse("initiatives:detail", args=[submitted.pk])


def test_officer_returns_with_a_reason(login, unit_officer, submitted):
    version = submitted.version
    response = login(unit_officer).post(
        reverse("initiatives:decide", args=[submitted.pk]),
        {"decision": "returned", "reason": "Bổ sung ảnh chụp.", "benefit_valid_vnd": "1.500.000",
         "version": str(version)},
    )  # fmt: skip
    assert response.status_code == 302
    submitted.refresh_from_db()
    assert submitted.status == Status.RETURNED
    assert submitted.decision_reason == "Bổ sung ảnh chụp."
    assert submitted.benefit_valid_vnd is None


def test_returning_without_a_reason_is_400(login, unit_officer, submitted):
    response = login(unit_officer).post(
        reverse("initiatives:decide", args=[submitted.pk]),
        {"decision": "returned", "reason": "", "version": str(submitted.version)},
    )
    assert response.status_code == 400
    assert vi("Say what the authors must change.") in response.content.decode()
    submitted.refresh_from_db()
    assert submitted.status == Status.SUBMITTED


def test_deciding_without_a_choice_is_400(login, unit_officer, submitted):
    response = login(unit_officer).post(
        reverse("initiatives:decide", args=[submitted.pk]), {"version": str(submitted.version)}
    )
    assert response.status_code == 400
    assert vi("Choose valid, returned or invalid.") in response.content.decode()


def test_officer_validates_with_a_lower_benefit(login, unit_officer, member, submitted):
    response = login(unit_officer).post(
        reverse("initiatives:decide", args=[submitted.pk]),
        {"decision": "valid", "benefit_valid_vnd": "1.200.000", "version": str(submitted.version)},
    )
    assert response.status_code == 302
    submitted.refresh_from_db()
    assert submitted.status == Status.VALID
    assert (submitted.benefit_claimed_vnd, submitted.benefit_valid_vnd) == (1_500_000, 1_200_000)
    html = login(member).get(reverse("initiatives:detail", args=[submitted.pk])).content.decode()
    assert "1.500.000\u00a0₫" in html and "1.200.000\u00a0₫" in html


def test_validated_benefit_in_millions_is_accepted(login, unit_officer, submitted):
    """ "1,8 triệu" as validated benefit is 1.800.000 đồng, as in an imported sheet."""
    response = login(unit_officer).post(
        reverse("initiatives:decide", args=[submitted.pk]),
        {"decision": "valid", "benefit_valid_vnd": "1,8 triệu", "version": str(submitted.version)},
    )
    assert response.status_code == 302
    submitted.refresh_from_db()
    assert (submitted.status, submitted.benefit_valid_vnd) == (Status.VALID, 1_800_000)


def test_valid_with_the_prefilled_benefit_keeps_the_claimed_one(login, unit_officer, submitted):
    login(unit_officer).post(
        reverse("initiatives:decide", args=[submitted.pk]),
        {"decision": "valid", "benefit_valid_vnd": "", "version": str(submitted.version)},
    )
    submitted.refresh_from_db()
    assert submitted.benefit_valid_vnd == 1_500_000


def test_officer_declares_invalid_with_a_reason(login, unit_officer, submitted):
    response = login(unit_officer).post(
        reverse("initiatives:decide", args=[submitted.pk]),
        {"decision": "invalid", "reason": "Đã có từ 2020.", "version": str(submitted.version)},
    )
    assert response.status_code == 302
    submitted.refresh_from_db()
    assert submitted.status == Status.INVALID


def test_two_officers_deciding_at_once_the_second_gets_a_conflict(
    login, client, unit_officer, reviewer, submitted
):
    version = str(submitted.version)
    url = reverse("initiatives:decide", args=[submitted.pk])
    first = login(reviewer).post(url, {"decision": "valid", "version": version})
    assert first.status_code == 302
    second = login(unit_officer).post(
        url, {"decision": "invalid", "reason": "Không mới.", "version": version}
    )
    assert second.status_code == 409
    html = second.content.decode()
    # The services say either that it was decided meanwhile (and by whom) or that it changed.
    assert 'id="action-error"' in html
    assert (
        "reviewer" in html
        or vi("Someone else changed this initiative meanwhile. Reload it and try again.") in html
    )
    submitted.refresh_from_db()
    assert submitted.status == Status.VALID
    assert submitted.decided_by == reviewer
    assert HistoryEntry.objects.filter(initiative=submitted, action="invalidated").count() == 0


def test_author_may_not_decide(login, member, submitted):
    response = login(member).post(
        reverse("initiatives:decide", args=[submitted.pk]),
        {"decision": "valid", "version": str(submitted.version)},
    )
    assert response.status_code == 403


def test_support_team_may_not_decide(login, support_team, submitted):
    response = login(support_team).post(
        reverse("initiatives:decide", args=[submitted.pk]),
        {"decision": "valid", "version": str(submitted.version)},
    )
    assert response.status_code == 403


def test_author_who_is_also_an_officer_may_not_decide(login, tree, member_record, campaign, field):
    officer_member = make_user("officer-member", member=member_record)
    from sangkien.accounts import services as accounts

    accounts.grant_role(officer_member, role=Role.OFFICER, unit=tree.grassroots, by=None)
    initiative = services.submit_initiative(
        draft(officer_member, campaign, field), by=officer_member
    )
    response = login(officer_member).post(
        reverse("initiatives:decide", args=[initiative.pk]), {"decision": "valid"}
    )
    assert response.status_code == 403


def test_member_withdraws(login, member, submitted):
    response = login(member).post(
        reverse("initiatives:withdraw", args=[submitted.pk]),
        {"reason": "Trùng với sáng kiến khác.", "version": str(submitted.version)},
    )
    assert response.status_code == 302
    submitted.refresh_from_db()
    assert submitted.status == Status.WITHDRAWN


def test_officer_may_not_withdraw(login, unit_officer, submitted):
    response = login(unit_officer).post(reverse("initiatives:withdraw", args=[submitted.pk]))
    assert response.status_code == 403


def test_withdrawing_a_decided_initiative_is_a_conflict(login, member, unit_officer, submitted):
    services.decide_initiative(submitted, by=unit_officer, decision="valid")
    response = login(member).post(reverse("initiatives:withdraw", args=[submitted.pk]))
    assert response.status_code == 409


def test_officer_reopens_with_a_reason(login, unit_officer, submitted):
    decided = services.decide_initiative(submitted, by=unit_officer, decision="valid")
    response = login(unit_officer).post(
        reverse("initiatives:reopen", args=[decided.pk]),
        {"reason": "Phát hiện trùng lặp.", "version": str(decided.version)},
    )
    assert response.status_code == 302
    decided.refresh_from_db()
    assert decided.status == Status.SUBMITTED


def test_reopening_without_a_reason_is_400(login, unit_officer, submitted):
    decided = services.decide_initiative(submitted, by=unit_officer, decision="valid")
    response = login(unit_officer).post(
        reverse("initiatives:reopen", args=[decided.pk]), {"version": str(decided.version)}
    )
    assert response.status_code == 400
    assert vi("Say why the decision is reopened.") in response.content.decode()


def test_reviewer_may_not_reopen(login, unit_officer, reviewer, submitted):
    decided = services.decide_initiative(submitted, by=unit_officer, decision="valid")
    response = login(reviewer).post(
        reverse("initiatives:reopen", args=[decided.pk]), {"reason": "Xem lại."}
    )
    assert response.status_code == 403


def test_reopening_an_undecided_initiative_is_a_conflict(login, unit_officer, submitted):
    response = login(unit_officer).post(
        reverse("initiatives:reopen", args=[submitted.pk]), {"reason": "Xem lại."}
    )
    assert response.status_code == 409


# -- attachments ---------------------------------------------------------------------------


def test_member_adds_and_removes_files_on_a_draft(login, member, campaign, field):
    initiative = draft(member, campaign, field)
    client = login(member)
    response = client.post(
        reverse("initiatives:attachment_add", args=[initiative.pk]),
        {"attachments": [SimpleUploadedFile("ảnh.png", PNG)], "kind": "document"},
    )
    assert response.status_code == 302
    file = Attachment.objects.get()
    response = client.post(reverse("initiatives:attachment_remove", args=[initiative.pk, file.pk]))
    assert response.status_code == 302
    file.refresh_from_db()
    assert file.removed_at is not None
    download = reverse("initiatives:attachment", args=[initiative.pk, file.pk])
    assert client.get(download).status_code == 404


def test_a_file_of_the_wrong_type_is_refused(login, member, campaign, field):
    initiative = draft(member, campaign, field)
    response = login(member).post(
        reverse("initiatives:attachment_add", args=[initiative.pk]),
        {"attachments": [SimpleUploadedFile("bang.pdf", PNG)], "kind": "document"},
    )
    assert response.status_code == 400
    assert 'id="id_attachments_error"' in response.content.decode()
    assert not Attachment.objects.exists()


def test_no_file_chosen_is_400(login, member, campaign, field):
    initiative = draft(member, campaign, field)
    response = login(member).post(
        reverse("initiatives:attachment_add", args=[initiative.pk]), {"kind": "document"}
    )
    assert response.status_code == 400
    assert vi("Choose at least one file.") in response.content.decode()


def test_files_of_a_submitted_initiative_cannot_change(login, member, filed):
    initiative, file = filed
    client = login(member)
    response = client.post(
        reverse("initiatives:attachment_add", args=[initiative.pk]),
        {"attachments": [SimpleUploadedFile("ảnh.png", PNG)], "kind": "document"},
    )
    assert response.status_code == 409
    response = client.post(reverse("initiatives:attachment_remove", args=[initiative.pk, file.pk]))
    assert response.status_code == 409


def test_reviewer_may_not_add_files(login, reviewer, filed):
    initiative, _file = filed
    response = login(reviewer).post(
        reverse("initiatives:attachment_add", args=[initiative.pk]),
        {"attachments": [SimpleUploadedFile("ảnh.png", PNG)], "kind": "document"},
    )
    assert response.status_code == 403


def test_download_keeps_the_original_name(login, member, unit_officer, filed):
    initiative, file = filed
    url = reverse("initiatives:attachment", args=[initiative.pk, file.pk])
    for user in (member, unit_officer):
        response = login(user).get(url)
        assert response.status_code == 200
        assert response["Content-Type"] == "image/png"
        assert "attachment;" in response["Content-Disposition"]
        assert (
            "filename*=utf-8''%E1%BA%A2nh%20m%C3%A1y%20c%E1%BA%AFt.png"
            in (response["Content-Disposition"])
        )
        assert b"".join(response.streaming_content) == PNG


def test_download_of_a_file_of_another_initiative_is_404(login, member, campaign, field, filed):
    _initiative, file = filed
    other = draft(member, campaign, field, title="Khác")
    url = reverse("initiatives:attachment", args=[other.pk, file.pk])
    assert login(member).get(url).status_code == 404


def test_download_of_a_draft_file_is_404_for_officers(login, member, unit_officer, campaign, field):
    initiative = draft(member, campaign, field)
    file = attach(initiative, member)
    url = reverse("initiatives:attachment", args=[initiative.pk, file.pk])
    assert login(member).get(url).status_code == 200
    assert login(unit_officer).get(url).status_code == 404


# -- navigation ----------------------------------------------------------------------------


def test_navigation_shows_initiatives_and_unread_notifications(
    login, member, unit_officer, submitted
):
    html = login(unit_officer).get(reverse("initiatives:detail", args=[submitted.pk])).content
    html = html.decode()
    assert reverse("initiatives:mine") in html
    assert reverse("initiatives:queue") in html
    assert '<span class="count" aria-hidden="true">1</span>' in html  # "new initiative to review"
    member_html = login(member).get(reverse("initiatives:detail", args=[submitted.pk])).content
    member_html = member_html.decode()
    assert reverse("initiatives:queue") not in member_html
    assert reverse("initiatives:create") in member_html


def test_administrator_may_look_at_a_draft_but_not_change_it(login, admin, member, campaign, field):
    initiative = draft(member, campaign, field)
    client = login(admin)
    assert client.get(reverse("initiatives:detail", args=[initiative.pk])).status_code == 200
    data = form_data(field, version="1", title="Của quản trị")
    assert client.post(reverse("initiatives:edit", args=[initiative.pk]), data).status_code == 403
    assert client.post(reverse("initiatives:submit", args=[initiative.pk])).status_code == 403
    response = client.post(
        reverse("initiatives:attachment_add", args=[initiative.pk]),
        {"attachments": [SimpleUploadedFile("ảnh.png", PNG)], "kind": "document"},
    )
    assert response.status_code == 403
    initiative.refresh_from_db()
    assert (initiative.title, initiative.status) == ("Máy cắt da tự động", Status.DRAFT)


def test_draft_keys_differ_per_user_and_name_nobody(member, support_team):
    assert draft_owner(member) != draft_owner(support_team)
    assert member.username not in draft_owner(member)


def test_logout_clears_what_this_browser_keeps(login, member):
    response = login(member).post(reverse("accounts:logout"))
    assert response.status_code == 302
    assert response["Clear-Site-Data"] == '"storage"'
