"""The import pages: who may import what, the check of a file (a background job that writes
nothing), the confirmation (all or nothing, or only the valid rows, once per check), the
rejected rows and the templates as .xlsx, bad files, and the units an import may touch."""

from __future__ import annotations

import datetime as dt
import io
import re
from unittest import mock

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone, translation
from django.utils.translation import gettext

from conftest import make_user
from sangkien.accounts.models import Role
from sangkien.initiatives.models import Initiative, Status
from sangkien.initiatives.tests.builders import make_campaign
from sangkien.jobs import services as jobs
from sangkien.jobs.models import Job, JobStatus
from sangkien.jobs.testing import jobs_run_immediately
from sangkien.orgs import services as orgs
from sangkien.orgs.models import Member, Unit

pytestmark = pytest.mark.django_db

HEADER = [
    "STT", "Tên sáng kiến", "Tác giả", "Đơn vị", "Lĩnh vực", "Nội dung tóm tắt",
    "Thời gian áp dụng", "Giá trị làm lợi (đồng)", "Ghi chú",
]  # fmt: skip


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def campaign(tree):
    return make_campaign(tree.root, requires_recognition=False)


@pytest.fixture
def authors(tree):
    return {
        "an": orgs.create_member(unit=tree.grassroots, full_name="Nguyễn Văn An", by=None),
        "binh": orgs.create_member(unit=tree.grassroots, full_name="Lê Thị Bình", by=None),
        "duc": orgs.create_member(unit=tree.grassroots2, full_name="Phạm Văn Đức", by=None),
        "lan": orgs.create_member(unit=tree.other_grassroots, full_name="Đỗ Thị Lan", by=None),
    }


def day(days_ago: int) -> str:
    d = timezone.localdate() - dt.timedelta(days=days_ago)
    return f"{d.day}/{d.month}/{d.year}"


def row(n: int, title: str, author: str, unit: str, field: str = "KT", benefit=1_500_000):
    return [n, title, author, unit, field, "Tóm tắt nội dung sáng kiến.", day(30), benefit, None]


VALID = [
    row(1, "Máy cắt vải tự động", "Nguyễn Văn An", "TH-KCN-001"),
    row(2, "Băng tải thu hồi vải vụn", "Lê Thị Bình", "TH-KCN-001", "Quản lý, điều hành"),
    row(3, "Sổ tay an toàn điện tử", "Phạm Văn Đức", "TH-KCN-002", "QL", "2.000.000"),
]
# Row 5 of the sheet: a field the campaign does not have; row 6: an author who is no member.
INVALID = [
    row(4, "Phần mềm chấm công", "Nguyễn Văn An", "TH-KCN-001", "Y tế"),
    row(5, "Kiểm kê kho bằng mã vạch", "Hoàng Văn Không", "TH-KCN-002"),
]


def xlsx(rows: list[list], header: list[str] | None = HEADER) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Danh sách"
    if header:
        sheet.append(header)
    for cells in rows:
        sheet.append(cells)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def check(client, data: bytes, *, kind="initiatives", campaign="1TRIEU", name="sang-kien.xlsx"):
    """Upload a file; the check runs at once. The check's job."""
    with jobs_run_immediately():
        response = client.post(
            "/imports/",
            {"kind": kind, "campaign": campaign, "file": SimpleUploadedFile(name, data)},
        )
    assert response.status_code == 302, response.content.decode()[:2000]
    job = Job.objects.filter(kind="import").latest("pk")
    assert response.url == f"/imports/{job.pk}/"
    return job


def confirm(client, job: Job, *, accept_valid: bool = False):
    data = {"accept_valid": "on"} if accept_valid else {}
    with jobs_run_immediately():
        return client.post(f"/imports/{job.pk}/confirm/", data)


def text(msgid: str, **params) -> str:
    """A message as the page shows it (in Vietnamese, the default)."""
    with translation.override("vi"):
        message = gettext(msgid)
    return message % params if params else message


def html(response) -> str:
    return response.content.decode()


# -- who may import what ---------------------------------------------------------------------


def kinds_offered(response) -> list[str]:
    return [value for value, _label in response.context["form"].fields["kind"].choices]


def test_officer_may_import_every_kind(login, unit_officer, campaign):
    response = login(unit_officer).get("/imports/")
    assert response.status_code == 200
    assert kinds_offered(response) == ["units", "members", "initiatives"]
    page = html(response)
    for kind in ("units", "members", "initiatives"):
        assert f'href="/imports/template/{kind}.xlsx"' in page
    assert 'name="campaign"' in page and ">1 triệu sáng kiến</option>" in page
    assert 'enctype="multipart/form-data"' in page


def test_support_team_may_import_initiatives_only(login, support_team, campaign):
    client = login(support_team)
    response = client.get("/imports/")
    assert response.status_code == 200
    assert kinds_offered(response) == ["initiatives"]
    assert "/imports/template/units.xlsx" not in html(response)
    assert client.get("/imports/template/units.xlsx").status_code == 404
    assert client.get("/imports/template/members.xlsx").status_code == 404
    with jobs_run_immediately():
        refused = client.post(
            "/imports/", {"kind": "units", "file": SimpleUploadedFile("dv.xlsx", xlsx([]))}
        )
    assert refused.status_code == 400 and not Job.objects.exists()


def test_a_member_of_a_support_team_may_import_initiatives(login, tree, unit_officer, campaign):
    from sangkien.teams import services as teams
    from sangkien.teams.models import TeamKind

    helper = make_user("helper")
    team = teams.create_team(
        unit=tree.upper, kind=TeamKind.SUPPORT, name="Tổ hỗ trợ KCN", by=unit_officer
    )
    teams.add_member(team, user=helper, by=unit_officer)
    teams.add_served_unit(team, unit=tree.grassroots, by=unit_officer)
    client = login(helper)
    response = client.get("/imports/")
    assert response.status_code == 200 and kinds_offered(response) == ["initiatives"]
    assert client.get("/imports/template/initiatives.xlsx").status_code == 200


@pytest.mark.parametrize("persona", ["member", "reviewer", "editor"])
def test_who_may_import_nothing_gets_404(request, login, persona):
    client = login(request.getfixturevalue(persona))
    assert client.get("/imports/").status_code == 404
    assert client.post("/imports/", {}).status_code == 404
    assert client.get("/imports/template/initiatives.xlsx").status_code == 404


def test_the_navigation_links_to_imports_for_who_may_import(client, unit_officer, support_team,
                                                           member, reviewer):  # fmt: skip
    for user, shown in ((unit_officer, True), (support_team, True), (member, False),
                        (reviewer, False)):  # fmt: skip
        client.force_login(user)
        assert ('href="/imports/"' in html(client.get("/initiatives/"))) is shown, user


def test_anonymous_is_sent_to_log_in(client, tree):
    job = Job.objects.create(kind="import", label="x", user=make_user("someone"))
    for url in (
        "/imports/",
        "/imports/template/units.xlsx",
        f"/imports/{job.pk}/",
    ):
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response.url
    response = client.post(f"/imports/{job.pk}/confirm/")
    assert response.status_code == 302 and "/accounts/login/" in response.url


def test_templates_open_with_openpyxl(login, unit_officer):
    client = login(unit_officer)
    for kind in ("units", "members", "initiatives"):
        response = client.get(f"/imports/template/{kind}.xlsx")
        assert response.status_code == 200
        assert response["Content-Type"].startswith("application/vnd.openxmlformats")
        assert "attachment" in response["Content-Disposition"]
        book = openpyxl.load_workbook(io.BytesIO(response.content))
        cells = [c for r in book.worksheets[0].iter_rows(values_only=True) for c in r if c]
        assert cells, kind
    assert client.get("/imports/template/quotas.xlsx").status_code == 404


def test_only_the_owner_sees_an_import(login, client, tree, unit_officer, admin, outsider,
                                        authors, campaign):  # fmt: skip
    job = check(login(unit_officer), xlsx(VALID))
    assert client.get(f"/imports/{job.pk}/").status_code == 200
    for other in (admin, outsider, make_user("officer2", role=Role.OFFICER, unit=tree.province)):
        client.force_login(other)
        assert client.get(f"/imports/{job.pk}/").status_code == 404
        with jobs_run_immediately():
            assert confirm(client, job, accept_valid=True).status_code == 404
    assert Job.objects.count() == 1 and Initiative.objects.count() == 0
    # Another kind of job of the same user is not an import.
    client.force_login(unit_officer)
    other_job = Job.objects.create(kind="export", label="Xuất", user=unit_officer)
    assert client.get(f"/imports/{other_job.pk}/").status_code == 404
    assert client.get("/imports/999999/").status_code == 404


# -- check, then confirm -----------------------------------------------------------------------


def test_the_check_writes_nothing_and_the_confirmation_imports(login, tree, unit_officer,
                                                               authors, campaign):  # fmt: skip
    client = login(unit_officer)
    job = check(client, xlsx(VALID))
    job.refresh_from_db()
    assert job.status == JobStatus.DONE and job.params["dry_run"] is True
    assert job.params["scope"] == [tree.province.path] and job.params["campaign"] == "1TRIEU"
    assert job.result["counts"] == {
        "rows": 3, "imported": 3, "updated": 0, "rejected": 0, "skipped": 0, "applied": False,
    }  # fmt: skip
    assert not job.output_file  # no rejected rows, no file
    assert Initiative.objects.count() == 0

    page = client.get(f"/imports/{job.pk}/")
    assert page.status_code == 200
    content = html(page)
    assert 'data-row="2" data-status="imported"' in content
    assert "Máy cắt vải tự động" in content and "Sổ tay an toàn điện tử" in content
    assert f'action="/imports/{job.pk}/confirm/"' in content
    assert 'name="accept_valid"' in content and 'type="hidden"' in content  # nothing to accept
    assert "rejected-download" not in content
    assert "SK-0" not in content  # a check gives no initiative its number yet

    response = confirm(client, job)
    real = Job.objects.latest("pk")
    assert real.pk != job.pk and response.url == f"/imports/{real.pk}/"
    assert real.params == {**job.params, "dry_run": False, "from_job": job.pk}
    assert real.status == JobStatus.DONE and real.result["applied"] is True
    assert real.input_name == "sang-kien.xlsx"
    made = {i.title: i for i in Initiative.objects.select_related("unit", "field")}
    assert set(made) == {r[1] for r in VALID}
    assert Initiative.objects.filter(title="Băng tải thu hồi vải vụn", field__code="QL").exists()
    assert made["Sổ tay an toàn điện tử"].unit == tree.grassroots2
    assert made["Sổ tay an toàn điện tử"].benefit_claimed_vnd == 2_000_000
    assert all(i.status == Status.SUBMITTED and i.entered_by == unit_officer for i in made.values())

    content = html(client.get(f"/imports/{real.pk}/"))
    assert 'data-state="applied"' in content
    first = made["Máy cắt vải tự động"]
    assert f'href="/initiatives/{first.pk}/"' in content  # each imported row links to it
    assert 'href="/initiatives/"' in content  # and the list of what the user entered
    assert f'href="/imports/{job.pk}/"' in content  # back to the check
    # The check now points to its import instead of offering to confirm again.
    content = html(client.get(f"/imports/{job.pk}/"))
    assert f'href="/imports/{real.pk}/"' in content and "/confirm/" not in content
    # Both are in the user's recent imports.
    content = html(client.get("/imports/"))
    assert f'href="/imports/{job.pk}/"' in content and f'href="/imports/{real.pk}/"' in content


def test_with_rejected_rows_the_import_is_all_or_nothing(login, unit_officer, authors, campaign):
    client = login(unit_officer)
    job = check(client, xlsx(VALID + INVALID))
    assert job.result["counts"]["rejected"] == 2 and job.result["counts"]["imported"] == 3
    content = html(client.get(f"/imports/{job.pk}/"))
    assert 'id="all-or-nothing"' in content
    assert 'type="checkbox" name="accept_valid"' in content
    assert 'data-row="5" data-status="rejected"' in content
    assert 'data-row="6" data-status="rejected"' in content
    assert "Y tế" in content  # the reason names the value
    assert "Hoàng Văn Không" in content

    response = confirm(client, job)  # without ticking the box
    assert response.status_code == 400
    assert Job.objects.count() == 1 and Initiative.objects.count() == 0
    assert "form-errors" in html(response)


def test_only_the_valid_rows_when_the_box_is_ticked(login, unit_officer, authors, campaign):
    client = login(unit_officer)
    job = check(client, xlsx(VALID + INVALID))
    response = confirm(client, job, accept_valid=True)
    real = Job.objects.latest("pk")
    assert response.url == f"/imports/{real.pk}/"
    assert real.params["accept_valid"] is True and real.result["applied"] is True
    assert real.result["counts"]["imported"] == 3 and real.result["counts"]["rejected"] == 2
    assert sorted(Initiative.objects.values_list("title", flat=True)) == sorted(r[1] for r in VALID)
    assert real.output_name.startswith("dong-bi-loai-sang-kien")
    content = html(client.get(f"/imports/{real.pk}/"))
    assert 'data-state="applied"' in content and 'id="rejected-download"' in content


def test_the_rejected_rows_download_with_the_reason_in_vietnamese(login, unit_officer, authors,
                                                                  campaign):  # fmt: skip
    client = login(unit_officer)
    job = check(client, xlsx(VALID + INVALID), name="Danh sách quý 3.xlsx")
    job.refresh_from_db()
    assert job.output_name == "dong-bi-loai-danh-sach-quy-3.xlsx"
    content = html(client.get(f"/imports/{job.pk}/"))
    assert f'href="/jobs/{job.pk}/download/"' in content
    response = client.get(f"/jobs/{job.pk}/download/")
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][-1] == "Lý do"
    assert [r[0] for r in rows[1:]] == [5, 6]
    assert [r[2] for r in rows[1:]] == ["Phần mềm chấm công", "Kiểm kê kho bằng mã vạch"]
    assert "Lĩnh vực" in rows[1][-1] and "Tác giả" in rows[2][-1]


def test_a_check_is_confirmed_once(login, unit_officer, authors, campaign):
    client = login(unit_officer)
    job = check(client, xlsx(VALID))
    first = confirm(client, job)
    real = Job.objects.latest("pk")
    second = confirm(client, job)
    assert second.status_code == 302 and second.url == first.url == f"/imports/{real.pk}/"
    assert Job.objects.count() == 2 and Initiative.objects.count() == 3
    # A real import cannot be confirmed, nor a check that has not finished.
    assert confirm(client, real).url == f"/imports/{real.pk}/"
    waiting = jobs.start(
        "import", user=unit_officer, label="x", params={**job.params, "dry_run": True}
    )
    assert confirm(client, waiting).url == f"/imports/{waiting.pk}/"
    assert Job.objects.filter(params__from_job__isnull=False).count() == 1


def test_nothing_to_import_offers_no_confirmation(login, unit_officer, authors, campaign):
    client = login(unit_officer)
    job = check(client, xlsx(INVALID))
    content = html(client.get(f"/imports/{job.pk}/"))
    assert 'id="nothing-to-import"' in content and "/confirm/" not in content
    confirm(client, job, accept_valid=True)
    assert Job.objects.count() == 1


def test_a_second_import_of_the_same_file_finds_every_row_there(login, unit_officer, authors,
                                                                campaign):  # fmt: skip
    client = login(unit_officer)
    confirm(client, check(client, xlsx(VALID)))
    again = check(client, xlsx(VALID))
    assert again.result["counts"]["skipped"] == 3 and again.result["counts"]["imported"] == 0
    content = html(client.get(f"/imports/{again.pk}/"))
    assert 'data-status="skipped"' in content and 'id="nothing-to-import"' in content


def test_units_and_members_checked_then_imported(login, tree, unit_officer):
    client = login(unit_officer)
    units = xlsx(
        [["TH-KCN-010", "Công đoàn Công ty CP Mía đường Lam Sơn", "TH-KCN", "CĐCS"]],
        header=["Mã đơn vị", "Tên đơn vị", "Đơn vị cấp trên", "Loại"],
    )
    job = check(client, units, kind="units", campaign="", name="don-vi.xlsx")
    assert job.result["counts"]["imported"] == 1
    assert not Unit.objects.filter(code="TH-KCN-010").exists()
    confirm(client, job)
    assert Unit.objects.get(code="TH-KCN-010").parent == tree.upper
    real = Job.objects.latest("pk")
    assert 'href="/units/TH-KCN-010/"' in html(client.get(f"/imports/{real.pk}/"))

    members = xlsx(
        [["Nguyễn Thị Mai", "12/05/1990", "Nữ", "TH-KCN-010"]],
        header=["Họ và tên", "Ngày sinh", "Giới tính", "CĐCS"],
    )
    job = check(client, members, kind="members", campaign="", name="doan-vien.xlsx")
    assert job.result["counts"]["imported"] == 1 and not Member.objects.exists()
    confirm(client, job)
    mai = Member.objects.get()
    assert mai.unit.code == "TH-KCN-010" and mai.birth_date == dt.date(1990, 5, 12)
    content = html(client.get(f"/imports/{Job.objects.latest('pk').pk}/"))
    assert f'href="/units/members/{mai.code}/"' in content
    assert 'href="/units/TH/members/"' in content


# -- bad files -------------------------------------------------------------------------------


def test_a_text_file_is_refused_on_the_form(login, unit_officer, campaign):
    client = login(unit_officer)
    response = client.post(
        "/imports/",
        {"kind": "initiatives", "campaign": "1TRIEU",
         "file": SimpleUploadedFile("ghi-chu.txt", "Tên sáng kiến\nMáy cắt\n".encode())},
    )  # fmt: skip
    assert response.status_code == 400 and not Job.objects.exists()
    assert "ghi-chu.txt" in html(response) and 'id="id_file_error"' in html(response)


def test_a_form_sent_empty_says_what_is_missing(login, unit_officer, campaign):
    response = login(unit_officer).post("/imports/", {})
    assert response.status_code == 400 and not Job.objects.exists()
    assert 'id="id_kind_error"' in html(response) and 'id="id_file_error"' in html(response)


def test_an_empty_file_is_refused_on_the_form(login, unit_officer, campaign):
    client = login(unit_officer)
    response = client.post(
        "/imports/",
        {"kind": "initiatives", "campaign": "1TRIEU",
         "file": SimpleUploadedFile("trong.xlsx", b"")},
    )  # fmt: skip
    assert response.status_code == 400 and not Job.objects.exists()
    assert text("The file is empty: it has no rows to import.") in html(response)


def test_a_file_too_large_is_refused_on_the_form(login, unit_officer, campaign, monkeypatch):
    from sangkien.imports import forms

    monkeypatch.setattr(forms, "MAX_UPLOAD_BYTES", 10)
    response = login(unit_officer).post(
        "/imports/",
        {"kind": "units", "file": SimpleUploadedFile("lon.xlsx", b"x" * 11)},
    )
    assert response.status_code == 400 and not Job.objects.exists()
    assert 'id="id_file_error"' in html(response)


def test_initiatives_need_a_campaign(login, unit_officer, campaign):
    response = login(unit_officer).post(
        "/imports/",
        {"kind": "initiatives", "campaign": "",
         "file": SimpleUploadedFile("a.xlsx", xlsx(VALID))},
    )  # fmt: skip
    assert response.status_code == 400 and 'id="id_campaign_error"' in html(response)
    assert not Job.objects.exists()


@pytest.mark.parametrize(
    "name,data",
    [
        ("khong-cot.xlsx", xlsx([["Một", "Hai"], ["Ba", "Bốn"]], header=["Cột A", "Cột B"])),
        ("hong.xlsx", b"PK\x03\x04 this is not a workbook at all"),
        ("sai.csv", "Họ tên,Quê quán\nAn,Thanh Hóa\n".encode()),
    ],
)
def test_a_file_the_import_cannot_read_fails_with_its_message(login, unit_officer, campaign,
                                                              name, data):  # fmt: skip
    client = login(unit_officer)
    job = check(client, data, name=name)
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED and job.message
    assert "job number" not in job.message and "số tác vụ" not in job.message  # a real reason
    response = client.get(f"/imports/{job.pk}/")
    assert response.status_code == 200
    content = html(response)
    assert 'id="import-error"' in content and 'href="/imports/"' in content
    from django.utils.html import escape

    assert escape(job.message) in content
    assert "/confirm/" not in content


# -- scope -----------------------------------------------------------------------------------


def test_an_officer_of_another_province_cannot_import_into_it(login, tree, outsider, authors,
                                                              campaign):  # fmt: skip
    client = login(outsider)
    lan = row(3, "Sổ tay điện tử", "Đỗ Thị Lan", "HN-001")
    job = check(client, xlsx([*VALID[:2], lan]))
    assert job.params["scope"] == [tree.other_province.path]
    counts = job.result["counts"]
    assert counts["rejected"] == 2 and counts["imported"] == 1
    rejected = [o for o in job.result["outcomes"] if o["status"] == "rejected"]
    assert [o["number"] for o in rejected] == [2, 3]
    assert all("Đơn vị" in o["message"] for o in rejected)
    confirm(client, job, accept_valid=True)
    assert list(Initiative.objects.values_list("unit__code", flat=True)) == ["HN-001"]

    units = xlsx(
        [["TH-KCN-099", "Công đoàn Công ty Lạ", "TH-KCN", "CĐCS"]],
        header=["Mã đơn vị", "Tên đơn vị", "Đơn vị cấp trên", "Loại"],
    )
    job = check(client, units, kind="units", campaign="")
    assert job.result["counts"]["rejected"] == 1 and job.result["counts"]["imported"] == 0
    assert "Đơn vị cấp trên" in job.result["outcomes"][0]["message"]
    confirm(client, job, accept_valid=True)
    assert not Unit.objects.filter(code="TH-KCN-099").exists()


# -- while the job runs ------------------------------------------------------------------------


def test_a_running_check_shows_progress_then_reloads(login, unit_officer, authors, campaign):
    client = login(unit_officer)
    job = jobs.start(
        "import",
        user=unit_officer,
        label="Kiểm tra",
        params={"kind": "initiatives", "campaign": "1TRIEU", "dry_run": True,
                "accept_valid": False, "scope": None},
        input_file=SimpleUploadedFile("a.xlsx", xlsx(VALID)),
    )  # fmt: skip
    content = html(client.get(f"/imports/{job.pk}/"))
    assert f'id="job-{job.pk}"' in content and f'hx-get="/jobs/{job.pk}/progress/"' in content
    assert 'id="import-watch"' in content and 'id="import-rows"' not in content
    watch = client.get(f"/imports/{job.pk}/", HTTP_HX_REQUEST="true")
    assert watch.status_code == 204 and "HX-Refresh" not in watch
    jobs.run(job.pk)
    watch = client.get(f"/imports/{job.pk}/", HTTP_HX_REQUEST="true")
    assert watch.status_code == 204 and watch["HX-Refresh"] == "true"
    content = html(client.get(f"/imports/{job.pk}/"))
    assert 'id="import-rows"' in content and 'id="import-watch"' not in content


def test_the_page_lists_at_most_the_rejected_rows_and_the_first_others(login, unit_officer,
                                                                       authors, campaign,
                                                                       monkeypatch):  # fmt: skip
    from sangkien.imports import jobs as import_jobs

    monkeypatch.setattr(import_jobs, "MAX_OTHERS_SHOWN", 1)
    client = login(unit_officer)
    job = check(client, xlsx(VALID + INVALID))
    shown = [(o["number"], o["status"]) for o in job.result["outcomes"]]
    assert shown == [(2, "imported"), (5, "rejected"), (6, "rejected")]
    assert job.result["outcomes_total"] == 5
    assert 'id="rows-shown"' in html(client.get(f"/imports/{job.pk}/"))


@pytest.mark.parametrize("dead", ["stuck", "failed"])
def test_confirming_again_never_leads_to_a_stuck_import(
    login, unit_officer, authors, campaign, dead
):
    """The worker of the import died: confirming the check again starts the import again
    (and it finishes) instead of showing it "running" forever."""
    client = login(unit_officer)
    job = check(client, xlsx(VALID))
    with mock.patch.object(jobs, "enqueue"), jobs_run_immediately():  # no worker gets it
        client.post(f"/imports/{job.pk}/confirm/")
    real = Job.objects.latest("pk")
    long_ago = timezone.now() - dt.timedelta(hours=1)
    status = JobStatus.RUNNING if dead == "stuck" else JobStatus.FAILED
    Job.objects.filter(pk=real.pk).update(
        status=status, started_at=long_ago, heartbeat_at=long_ago, attempts=jobs.MAX_ATTEMPTS
    )
    response = confirm(client, job)
    assert response.status_code == 302 and response.url == f"/imports/{real.pk}/"
    real.refresh_from_db()
    assert real.status == JobStatus.DONE, real.message
    assert Initiative.objects.count() == 3 and Job.objects.count() == 2


def test_a_total_row_is_labelled_skipped_not_already_there(login, unit_officer, authors,
                                                           campaign):  # fmt: skip
    client = login(unit_officer)
    job = check(client, xlsx([*VALID, [None, "Tổng cộng", None, None, None, None, None,
                                       "3.500.000", None]]))  # fmt: skip
    content = html(client.get(f"/imports/{job.pk}/"))
    badge = re.search(r'data-row="5" data-status="skipped">.*?<span class="badge[^"]*">([^<]*)<',
                      content, re.S)  # fmt: skip
    assert badge is not None
    assert badge.group(1) == text("Skipped") != text("Already there")


def test_a_hidden_column_is_said_on_the_check(login, unit_officer, authors, campaign):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Danh sách"
    sheet.append(["Tên sáng kiến", *HEADER])
    sheet.append(["Tên cũ", *VALID[0]])
    sheet.column_dimensions["A"].hidden = True
    out = io.BytesIO()
    book.save(out)
    client = login(unit_officer)
    job = check(client, out.getvalue())
    content = html(client.get(f"/imports/{job.pk}/"))
    assert 'id="import-notes"' in content and "(A)" in content
    assert job.result["outcomes"][0]["label"] == "Máy cắt vải tự động"
