"""Text in the reader's language: notifications, job titles and history notes are stored as a
phrase and written out when shown, in the language of whoever reads them; emails in their
recipient's language (their own setting), whatever language the writer used."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation

from sangkien.accounts import services as accounts
from sangkien.core import wording
from sangkien.exports.phrases import EXPORT_TITLE
from sangkien.initiatives import services as initiatives
from sangkien.initiatives.models import Action, HistoryEntry, Status
from sangkien.initiatives.tests.builders import make_campaign, make_initiative
from sangkien.jobs.models import Job
from sangkien.jobs.services import start
from sangkien.notifications.models import Notification
from sangkien.notifications.services import notify

PDF = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << >>\n%%EOF\n"


@pytest.fixture
def campaign(tree):
    return make_campaign(tree.root)


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def _with_email(user, address, language=""):
    user.email = address
    user.language = language
    user.save()
    return user


def _page(client, user, name, language, *args):
    client.force_login(user)
    client.cookies["sangkien_language"] = language
    session = client.session
    session["sangkien_language_of"] = user.pk  # the login's language already applied
    session.save()
    return client.get(reverse(name, args=args)).content.decode()


# -- notifications ---------------------------------------------------------------------------


def test_an_officer_writing_in_english_tells_a_vietnamese_member_in_vietnamese(
    client, tree, campaign, member, unit_officer, mailoutbox, django_capture_on_commit_callbacks
):
    _with_email(member, "hoa@example.com", "vi")
    initiative = make_initiative(campaign, tree.grassroots, by=member, status=Status.SUBMITTED)
    with django_capture_on_commit_callbacks(execute=True), translation.override("en"):
        initiatives.decide_initiative(
            initiative, by=unit_officer, decision="returned", reason="Bổ sung biên bản"
        )
    note = Notification.objects.get(user=member)
    assert note.code == "initiatives.decided"
    with translation.override("vi"):
        returned = str(Status.RETURNED.label).lower()
    html = _page(client, member, "notifications:list", "vi")
    assert f"đã chuyển sang trạng thái: {returned}. Lý do: Bổ sung biên bản" in html
    assert "is now:" not in html
    [mail] = mailoutbox
    assert "đã chuyển sang trạng thái" in mail.subject
    assert "Lý do: Bổ sung biên bản" in mail.body


def test_an_officer_writing_in_vietnamese_tells_an_english_member_in_english(
    client, tree, campaign, member, unit_officer, mailoutbox, django_capture_on_commit_callbacks
):
    _with_email(member, "hoa@example.com", "en")
    initiative = make_initiative(campaign, tree.grassroots, by=member, status=Status.SUBMITTED)
    with django_capture_on_commit_callbacks(execute=True), translation.override("vi"):
        initiatives.decide_initiative(
            initiative,
            by=unit_officer,
            decision="valid",
            benefit_valid_vnd=initiative.benefit_claimed_vnd,
        )
    html = _page(client, member, "notifications:list", "en")
    assert f"Your initiative {initiative.reference}" in html
    assert "is now: valid." in html
    assert "đã chuyển sang" not in html
    [mail] = mailoutbox
    assert mail.subject.startswith("Your initiative")
    assert "Validated benefit:" in mail.body
    # The same notification, read by the same member on a Vietnamese page, reads Vietnamese.
    assert "đã chuyển sang trạng thái" in _page(client, member, "notifications:list", "vi")


def test_each_email_is_written_in_its_recipients_language(
    tree, campaign, member, reviewer, unit_officer, mailoutbox, django_capture_on_commit_callbacks
):
    english = _with_email(reviewer, "reviewer@example.com", "en")
    vietnamese = _with_email(member, "hoa@example.com", "")  # no choice: Vietnamese
    with django_capture_on_commit_callbacks(execute=True), translation.override("en"):
        notify(
            [english, vietnamese],
            text=EXPORT_TITLE(kind="initiatives", rows=1500, unit=""),
        )
    bodies = {m.to[0]: m.body for m in mailoutbox}
    assert bodies == {
        "reviewer@example.com": "Initiatives to Excel (1,500 rows)",
        "hoa@example.com": "Xuất Excel sáng kiến (1.500 dòng)",
    }


def test_a_notification_from_before_phrases_keeps_its_text(client, member):
    Notification.objects.create(user=member, text="Sáng kiến SK-000001 đã hợp lệ.")
    Notification.objects.create(user=member, text="Gone", code="no.such.phrase", params={})
    html = _page(client, member, "notifications:list", "en")
    assert "Sáng kiến SK-000001 đã hợp lệ." in html
    assert "Gone" in html


def test_a_phrase_whose_parameters_changed_falls_back_to_the_stored_text(member):
    made = Notification.objects.create(
        user=member, text="as it was", code="initiatives.review_new", params={"ref": "SK-1"}
    )
    assert made.message == "as it was"
    assert wording.is_known("initiatives.review_new")


# -- job titles ------------------------------------------------------------------------------


def test_a_job_started_in_english_is_titled_in_the_readers_language(client, unit_officer):
    with translation.override("en"):
        job = start(
            "export",
            user=unit_officer,
            label=EXPORT_TITLE(kind="initiatives", rows=2500, unit=""),
            params={"kind": "initiatives", "code": "", "query": ""},
        )
    job = Job.objects.get(pk=job.pk)
    assert job.label == "Initiatives to Excel (2,500 rows)"  # as it read when it started
    assert "Xuất Excel sáng kiến (2.500 dòng)" in _page(
        client, unit_officer, "jobs:detail", "vi", job.pk
    )
    assert "Xuất Excel sáng kiến (2.500 dòng)" in _page(client, unit_officer, "jobs:list", "vi")
    assert "Initiatives to Excel (2,500 rows)" in _page(client, unit_officer, "jobs:list", "en")


def test_a_job_titled_in_vietnamese_reads_english_on_an_english_page(client, unit_officer):
    with translation.override("vi"):
        job = start(
            "export",
            user=unit_officer,
            label=EXPORT_TITLE(kind="members", rows=40, unit="Công đoàn cơ sở"),
            params={"kind": "members", "code": "", "query": ""},
        )
    html = _page(client, unit_officer, "jobs:detail", "en", job.pk)
    assert "Members of Công đoàn cơ sở to Excel (40 rows)" in html


def test_a_job_from_before_phrases_keeps_its_title(client, unit_officer):
    job = Job.objects.create(kind="export", label="Xuất Excel cũ", user=unit_officer)
    assert "Xuất Excel cũ" in _page(client, unit_officer, "jobs:detail", "en", job.pk)


# -- history notes ---------------------------------------------------------------------------


def _attached_in(language, initiative, member):
    with translation.override(language):
        initiatives.add_attachment(
            initiative,
            by=member,
            upload=SimpleUploadedFile("Biên bản.pdf", PDF, content_type="application/pdf"),
        )
    return HistoryEntry.objects.filter(initiative=initiative, action=Action.EDITED).last()


def test_a_history_note_written_in_english_reads_vietnamese_on_a_vietnamese_page(
    client, tree, campaign, member
):
    initiative = make_initiative(campaign, tree.grassroots, by=member)
    entry = _attached_in("en", initiative, member)
    assert entry.note == "Attached Biên bản.pdf" and entry.note_code == "initiatives.attached"
    html = _page(client, member, "initiatives:detail", "vi", initiative.pk)
    assert "Đính kèm tệp Biên bản.pdf" in html
    assert "Attached Biên bản.pdf" not in html


def test_a_history_note_written_in_vietnamese_reads_english_in_the_api(
    client, tree, campaign, member
):
    initiative = make_initiative(campaign, tree.grassroots, by=member)
    _attached_in("vi", initiative, member)
    token = accounts.create_token(member)
    response = client.get(
        f"/api/v1/initiatives/{initiative.pk}",
        headers={"Authorization": f"Bearer {token}", "Accept-Language": "en"},
    )
    notes = [h["note"] for h in response.json()["history"]]
    assert "Attached Biên bản.pdf" in notes
    response = client.get(
        f"/api/v1/initiatives/{initiative.pk}",
        headers={"Authorization": f"Bearer {token}", "Accept-Language": "vi"},
    )
    assert "Đính kèm tệp Biên bản.pdf" in [h["note"] for h in response.json()["history"]]


def test_a_persons_reason_reads_as_they_typed_it(client, tree, campaign, member, unit_officer):
    initiative = make_initiative(campaign, tree.grassroots, by=member, status=Status.SUBMITTED)
    with translation.override("en"):
        initiatives.decide_initiative(
            initiative, by=unit_officer, decision="returned", reason="Bổ sung biên bản"
        )
    entry = HistoryEntry.objects.get(initiative=initiative, action=Action.RETURNED)
    assert entry.note_code == "" and entry.note_text == "Bổ sung biên bản"


def test_a_history_note_from_before_phrases_keeps_its_text(client, tree, campaign, member):
    initiative = make_initiative(campaign, tree.grassroots, by=member)
    HistoryEntry.objects.filter(initiative=initiative).update(note="Ghi chú cũ")
    assert "Ghi chú cũ" in _page(client, member, "initiatives:detail", "en", initiative.pk)


# -- the user's own language -----------------------------------------------------------------


def test_my_account_saves_the_language_and_switches_the_pages(client, member):
    client.force_login(member)
    response = client.post(
        reverse("accounts:me"), {"email_notifications": "on", "language": "en"}, follow=True
    )
    member.refresh_from_db()
    assert member.language == "en"
    assert client.cookies["sangkien_language"].value == "en"
    assert "Your preferences were saved." in response.content.decode()


def test_my_account_refuses_a_language_not_offered(client, member):
    client.force_login(member)
    response = client.post(reverse("accounts:me"), {"language": "fr"})
    member.refresh_from_db()
    assert member.language == ""
    assert response.status_code in (200, 400)


def test_the_pages_after_login_are_in_the_users_language_and_the_switch_still_works(client, member):
    member.language = "en"
    member.save()
    client.cookies["sangkien_language"] = "vi"  # the switch, used before logging in
    client.force_login(member)
    response = client.get(reverse("notifications:list"))
    assert response.cookies["sangkien_language"].value == "en"
    assert "<h1>Notifications</h1>" in response.content.decode()
    # The switch changes the pages from there on.
    client.post(reverse("set_language"), {"language": "vi", "next": "/"})
    response = client.get(reverse("notifications:list"))
    assert "<h1>Thông báo</h1>" in response.content.decode()
    assert "sangkien_language" not in response.cookies


def test_without_a_choice_the_switch_alone_decides(client, member):
    client.cookies["sangkien_language"] = "en"
    client.force_login(member)
    response = client.get(reverse("notifications:list"))
    assert "sangkien_language" not in response.cookies
    assert "<h1>Notifications</h1>" in response.content.decode()
