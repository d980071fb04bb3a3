"""Exports read back with openpyxl: exact cells (Vietnamese headers, values, date and money
formats, formula-like text kept as text), the list pages' filters, the user's scope, the
command line and the large path through a background job."""

from __future__ import annotations

import datetime as dt
import io
import json
from decimal import Decimal
from typing import Any

import openpyxl
import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from conftest import make_user
from sangkien.accounts import services as accounts
from sangkien.accounts.models import Role, RoleGrant
from sangkien.exports import services, tables
from sangkien.exports.xlsx import Column, write_table
from sangkien.initiatives.models import Initiative
from sangkien.initiatives.tests.builders import make_campaign, make_initiative
from sangkien.jobs.models import Job, JobStatus
from sangkien.jobs.testing import jobs_run_immediately
from sangkien.orgs import services as orgs
from sangkien.stats import figures

HYPERLINK = '=HYPERLINK("http://example.com","Bấm vào đây")'


def today() -> dt.date:
    return timezone.localdate()


def read(content: bytes) -> Any:
    return openpyxl.load_workbook(io.BytesIO(content)).active


def values(ws: Any) -> list[list[Any]]:
    return [[c.value for c in row] for row in ws.iter_rows()]


def post(client: Any, url: str, query: str = "") -> Any:
    return client.post(url + (f"?{query}" if query else ""))


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def campaign(tree):
    return make_campaign(tree.root, code="SK")


def member_of(unit, username: str, name: str, **extra):
    record = orgs.create_member(unit=unit, full_name=name, by=None, **extra)
    return make_user(username, member=record)


@pytest.fixture
def world(tree, campaign, member, reviewer):
    """In Thanh Hóa: a valid initiative whose title reads like a formula (TH-KCN-001), one
    under review (TH-KCN-002) and a draft; in Hà Nội: one under review."""
    second = member_of(tree.grassroots2, "dv2", "Trần Văn Bình")
    hanoi = member_of(tree.other_grassroots, "dvhn", "Lê Thị Cúc")
    valid = make_initiative(
        campaign,
        tree.grassroots,
        by=member,
        status="valid",
        decider=reviewer,
        title=HYPERLINK,
        benefit_claimed_vnd=150_000_000,
    )
    pending = make_initiative(
        campaign,
        tree.grassroots2,
        by=second,
        status="submitted",
        title="Tiết kiệm điện ở xưởng dệt",
        benefit_claimed_vnd=12_500_000,
        field="QL",
    )
    draft = make_initiative(campaign, tree.grassroots, by=member, title="Bản nháp riêng")
    other = make_initiative(
        campaign, tree.other_grassroots, by=hanoi, status="submitted", title="Sổ điểm điện tử"
    )
    return {"valid": valid, "pending": pending, "draft": draft, "other": other}


def initiative_headers() -> list[str]:
    return [
        "Số hiệu",
        "Tên sáng kiến",
        "Chương trình",
        "Đợt",
        "Mã đơn vị",
        "Tên đơn vị",
        _("Province or sector"),
        _("Units above"),
        "Lĩnh vực áp dụng",
        _("Authors (contribution)"),
        "Trạng thái",
        "Ngày gửi",
        "Ngày xét",
        "Giá trị làm lợi tác giả kê khai (đồng)",
        "Giá trị làm lợi được công nhận (đồng)",
        "Ngày áp dụng lần đầu",
    ]


# -- the writer -------------------------------------------------------------------------------


COLUMNS = [
    Column("Mã", "text"),
    Column("Tên", "text"),
    Column("Ngày", "date"),
    Column("Tiền", "money"),
    Column("Tỷ lệ", "percent"),
    Column("Số", "int"),
]
ROWS = [
    ("A1", HYPERLINK, dt.date(2026, 1, 5), 150_000_000, Decimal("75.5"), 3),
    ("A2", "  lề <b> & “ngoặc”  ", dt.date(1899, 12, 1), None, None, 0),
    ("+84912345678", "-5", None, "", 12.25, None),
    ("@SUM(A1)", "\t=1+1", dt.date(2000, 2, 29), 0, Decimal("0.0"), 7),
    ("\r=2", "bình thường", dt.date(1900, 3, 1), 1, None, None),
]


@pytest.mark.parametrize("fast", [True, False])
def test_the_writer_keeps_text_as_text_and_types_numbers_and_dates(fast):
    buffer = io.BytesIO()
    assert write_table(buffer, COLUMNS, ROWS, sheet_name="Sáng kiến", fast=fast) == 5
    ws = read(buffer.getvalue())
    assert ws.title == "Sáng kiến" and ws.freeze_panes == "A2"
    assert [c.font.b for c in ws[1]] == [True] * 6
    assert values(ws)[1:] == [
        ["A1", "'" + HYPERLINK, dt.datetime(2026, 1, 5), 150_000_000, 75.5, 3],
        ["A2", "  lề <b> & “ngoặc”  ", "01/12/1899", None, None, 0],
        ["'+84912345678", "'-5", None, None, 12.25, None],
        ["'@SUM(A1)", "'\t=1+1", dt.datetime(2000, 2, 29), 0, 0.0, 7],
        # A carriage return is stored escaped (_x000D_), as XlsxWriter does; Excel shows it.
        ["'_x000D_=2", "bình thường", dt.datetime(1900, 3, 1), 1, None, None],
    ]
    row = ws[2]
    assert [c.data_type for c in row] == ["s", "s", "d", "n", "n", "n"]
    assert [c.number_format for c in row[2:]] == ["dd/mm/yyyy", "#,##0", "0.0", "#,##0"]
    assert not any(c.data_type == "f" for r in ws.iter_rows() for c in r)
    assert ws.column_dimensions["A"].width > 0


def test_both_ways_of_writing_rows_give_the_same_sheet():
    sheets = []
    for fast in (True, False):
        buffer = io.BytesIO()
        write_table(buffer, COLUMNS, ROWS, fast=fast)
        ws = read(buffer.getvalue())
        sheets.append(
            [[(c.value, c.data_type, c.number_format) for c in r] for r in ws.iter_rows()]
        )
    assert sheets[0] == sheets[1]


# -- initiatives ------------------------------------------------------------------------------


def test_initiatives_export_holds_the_queue_of_the_users_scope_cell_by_cell(
    world, unit_officer, login, campaign
):
    response = post(login(unit_officer), reverse("exports:initiatives"))
    assert response.status_code == 200
    assert response["Content-Type"] == services.XLSX_TYPE
    assert response["Content-Disposition"] == (
        f'attachment; filename="sang-kien-{today():%d-%m-%Y}.xlsx"'
    )
    ws = read(b"".join(response.streaming_content))
    rows = values(ws)
    assert rows[0] == initiative_headers()
    pending, valid = world["pending"], world["valid"]
    valid.refresh_from_db()
    phase = campaign.phase_on(today()).name
    day = dt.datetime.combine(today(), dt.time.min)
    assert rows[1:] == [
        [
            pending.reference,
            "Tiết kiệm điện ở xưởng dệt",
            "1 triệu sáng kiến",
            phase,
            "TH-KCN-002",
            "Công đoàn Công ty TNHH Dệt Đông Sơn",
            "Liên đoàn Lao động tỉnh Thanh Hóa",
            "Công đoàn các Khu công nghiệp Thanh Hóa",
            "Quản lý, điều hành",
            "Trần Văn Bình (100%)",
            "Đang xem xét",
            day,
            None,
            12_500_000,
            None,
            dt.datetime.combine(today() - dt.timedelta(days=60), dt.time.min),
        ],
        [
            valid.reference,
            "'" + HYPERLINK,
            "1 triệu sáng kiến",
            phase,
            "TH-KCN-001",
            "Công đoàn Công ty CP Giày Sao Vàng",
            "Liên đoàn Lao động tỉnh Thanh Hóa",
            "Công đoàn các Khu công nghiệp Thanh Hóa",
            "Kỹ thuật, công nghệ",
            "Nguyễn Thị Hoa (100%)",
            "Hợp lệ",
            day,
            day,
            150_000_000,
            valid.benefit_valid_vnd,
            dt.datetime.combine(today() - dt.timedelta(days=60), dt.time.min),
        ],
    ]
    title = ws["B3"]
    assert title.data_type == "s" and title.value.startswith("'=")
    assert [ws.cell(2, c).number_format for c in (12, 14, 16)] == [
        "dd/mm/yyyy",
        "#,##0",
        "dd/mm/yyyy",
    ]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("status=submitted", ["Tiết kiệm điện ở xưởng dệt"]),
        ("unit=TH-KCN-001", ["'" + HYPERLINK]),
        ("q=tiet+kiem+dien", ["Tiết kiệm điện ở xưởng dệt"]),
        ("order=oldest", ["'" + HYPERLINK, "Tiết kiệm điện ở xưởng dệt"]),
        ("field=999999", ["Tiết kiệm điện ở xưởng dệt", "'" + HYPERLINK]),  # ignored, as the page
    ],
)
def test_initiatives_export_applies_the_queue_filters(world, unit_officer, login, query, expected):
    response = post(login(unit_officer), reverse("exports:initiatives"), query)
    rows = values(read(b"".join(response.streaming_content)))
    assert [r[1] for r in rows[1:]] == expected


def test_initiatives_export_by_campaign_and_field(world, unit_officer, login, campaign):
    field = campaign.fields.get(code="QL")
    query = f"campaign={campaign.code}&field={field.pk}"
    response = post(login(unit_officer), reverse("exports:initiatives"), query)
    assert [r[0] for r in values(read(b"".join(response.streaming_content)))[1:]] == [
        world["pending"].reference
    ]


def test_initiatives_of_another_subtree_never_appear(world, outsider, login):
    client = login(outsider)
    assert post(client, reverse("exports:initiatives"), "unit=TH-KCN").status_code == 404
    response = post(client, reverse("exports:initiatives"))
    rows = values(read(b"".join(response.streaming_content)))
    assert [r[1] for r in rows[1:]] == ["Sổ điểm điện tử"]


def test_a_member_without_a_review_role_gets_404(world, member, login):
    assert post(login(member), reverse("exports:initiatives")).status_code == 404


def test_exports_are_posted_by_signed_in_users(world, unit_officer, login, client):
    url = reverse("exports:initiatives")
    assert client.post(url).status_code == 302
    assert login(unit_officer).get(url).status_code == 405


def test_headers_and_labels_follow_the_users_language(world, unit_officer, login, settings):
    client = login(unit_officer)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = post(client, reverse("exports:initiatives"))
    rows = values(read(b"".join(response.streaming_content)))
    assert rows[0][:4] == ["Reference", "Title", "Campaign", "Phase"]
    assert rows[0][13] == "Claimed benefit (VND)"
    assert [r[10] for r in rows[1:]] == ["Under review", "Valid"]


def test_authors_are_read_once_per_batch_not_once_per_row(world, campaign, member, monkeypatch):
    for n in range(6):
        make_initiative(campaign, world["valid"].unit, by=member, status="submitted", title=f"T{n}")
    qs = Initiative.objects.in_queue()

    def count(batch: int) -> tuple[int, int]:
        monkeypatch.setattr(tables, "BATCH", batch)
        table = tables.initiative_table(qs)
        with CaptureQueriesContext(connection) as ctx:
            rows = list(table.rows())
        return len(rows), len(ctx.captured_queries)

    rows, one_batch = count(100)
    assert rows == 9
    rows, three_batches = count(4)
    assert rows == 9
    # Names of campaigns, phases and fields once; then per batch the rows and their authors
    # (and the units, while new ones turn up): two more batches, at most three more each.
    assert one_batch <= 7
    assert one_batch + 2 * 2 <= three_batches <= one_batch + 2 * 3


def test_shares_are_written_as_people_write_them():
    with translation.override("vi"):
        assert tables.share_text(Decimal("60.00")) == "60"
        assert tables.share_text(Decimal("33.33")) == "33,33"
        assert tables.share_text(Decimal("12.50")) == "12,5"
    with translation.override("en"):
        assert tables.share_text(Decimal("33.33")) == "33.33"


# -- members and units ------------------------------------------------------------------------


@pytest.fixture
def people(tree, member):
    member_of(
        tree.grassroots2,
        "dv-b",
        "Trần Văn Bình",
        code="DV00000002",
        gender="male",
        birth_date=dt.date(1985, 2, 3),
        phone="0901234567",
        position="=cmd|' /C calc'!A0",
        joined_on=dt.date(2010, 9, 1),
    )
    member_of(tree.other_grassroots, "dv-hn", "Lê Thị Cúc", code="HN00000001")


def test_members_export_with_personal_data_for_officers(people, unit_officer, login):
    response = post(login(unit_officer), reverse("exports:members", args=["TH"]))
    ws = read(b"".join(response.streaming_content))
    assert response["Content-Disposition"].startswith('attachment; filename="doan-vien-TH-')
    assert values(ws) == [
        [
            "Mã đoàn viên",
            "Họ và tên",
            "Ngày sinh",
            "Giới tính",
            "Chức vụ / công việc",
            "Điện thoại",
            "Mã đơn vị",
            "Tên đơn vị",
            "Ngày vào công đoàn",
            "Ngày thôi sinh hoạt",
        ],
        [
            "DV00000002",
            "Trần Văn Bình",
            dt.datetime(1985, 2, 3),
            "Nam",
            "'=cmd|' /C calc'!A0",
            "0901234567",
            "TH-KCN-002",
            "Công đoàn Công ty TNHH Dệt Đông Sơn",
            dt.datetime(2010, 9, 1),
            None,
        ],
        [
            "DV00000001",
            "Nguyễn Thị Hoa",
            dt.datetime(1990, 5, 17),
            "Nữ",
            "Công nhân may",
            "0912345678",
            "TH-KCN-001",
            "Công đoàn Công ty CP Giày Sao Vàng",
            dt.datetime(2015, 3, 1),
            None,
        ],
    ]  # in the list's order: by given name
    assert ws["C2"].number_format == "dd/mm/yyyy"


def test_members_export_without_personal_data_and_with_the_search(people, reviewer, login):
    response = post(login(reviewer), reverse("exports:members", args=["TH-KCN"]), "q=binh")
    rows = values(read(b"".join(response.streaming_content)))
    assert "Ngày sinh" not in rows[0] and "Điện thoại" not in rows[0]
    assert [r[:2] for r in rows[1:]] == [["DV00000002", "Trần Văn Bình"]]


def test_members_of_another_subtree_are_404(people, outsider, member, login):
    assert post(login(outsider), reverse("exports:members", args=["TH"])).status_code == 404
    assert post(login(member), reverse("exports:members", args=["TH-KCN-001"])).status_code == 404


def test_units_export_lists_the_subtree_in_tree_order(tree, unit_officer, login, people):
    response = post(login(unit_officer), reverse("exports:units", args=["TH"]))
    rows = values(read(b"".join(response.streaming_content)))
    assert rows[0] == [
        "Mã đơn vị",
        "Tên đơn vị",
        "Loại",
        _("Parent unit code"),
        _("Level"),
        "Trạng thái",
        "Đoàn viên",
        "Ngày thành lập",
    ]
    founded = dt.datetime(2000, 1, 1)
    assert rows[1:] == [
        ["TH", "Liên đoàn Lao động tỉnh Thanh Hóa", "Liên đoàn Lao động tỉnh, thành phố", "VN",
         1, "Đang hoạt động", 2, founded],
        ["TH-KCN", "Công đoàn các Khu công nghiệp Thanh Hóa", "Công đoàn cấp trên trực tiếp cơ sở",
         "TH", 2, "Đang hoạt động", 2, founded],
        ["TH-KCN-001", "Công đoàn Công ty CP Giày Sao Vàng", "Công đoàn cơ sở", "TH-KCN", 3,
         "Đang hoạt động", 1, founded],
        ["TH-KCN-002", "Công đoàn Công ty TNHH Dệt Đông Sơn", "Công đoàn cơ sở", "TH-KCN", 3,
         "Đang hoạt động", 1, founded],
    ]  # fmt: skip


def test_units_of_another_subtree_are_404(tree, outsider, login):
    assert post(login(outsider), reverse("exports:units", args=["TH-KCN"])).status_code == 404


# -- figures ----------------------------------------------------------------------------------


def test_figures_export_has_the_dashboards_figures_and_ranks(
    world, unit_officer, login, campaign, tree
):
    response = post(
        login(unit_officer),
        reverse("exports:figures", args=["TH-KCN"]),
        f"campaign={campaign.code}",
    )
    rows = values(read(b"".join(response.streaming_content)))
    report = figures.report(tree.upper, campaign)
    assert [r[0] for r in rows[1:]] == ["TH-KCN", "TH-KCN-001", "TH-KCN-002"]
    assert rows[0][:5] == ["Mã đơn vị", "Tên đơn vị", _("Level"), "Sáng kiến đã gửi",
                           "Sáng kiến hợp lệ"]  # fmt: skip
    n = len(figures.FIGURES)
    for row, f in zip(rows[1:], [report.unit, *report.children], strict=True):
        expected = [getattr(f, name) for name in figures.FIGURES]
        expected = [float(v) if isinstance(v, Decimal) else v for v in expected]
        assert row[3 : 3 + n] == expected
        assert row[3 + n + 1 : 3 + n + 5] == [f.ranks["siblings"][m] for m in figures.RANK_MEASURES]
        assert row[3 + n + 5 :] == [f.ranks["level"][m] for m in figures.RANK_MEASURES]
    assert rows[2][3:5] == [1, 1] and rows[3][3:5] == [1, 0]


def test_figures_of_another_subtree_are_404(world, outsider, login, campaign):
    url = reverse("exports:figures", args=["TH"])
    assert post(login(outsider), url, f"campaign={campaign.code}").status_code == 404


# -- the large path: a background job ------------------------------------------------------------


def test_a_large_export_runs_as_a_job_with_a_download(world, unit_officer, login, settings):
    settings.SANGKIEN_EXPORT_INLINE_ROWS = 1
    client = login(unit_officer)
    with jobs_run_immediately():
        response = post(client, reverse("exports:initiatives"), "order=oldest")
    job = Job.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "jobs:detail", args=[job.pk]
    )
    assert job.kind == "export" and job.user == unit_officer
    assert job.status == JobStatus.DONE, job.message
    assert job.result["rows"] == 2 and (job.done, job.total) == (2, 2)
    assert job.output_name == f"sang-kien-{today():%d-%m-%Y}.xlsx"
    page = client.get(reverse("jobs:detail", args=[job.pk])).content.decode()
    assert reverse("jobs:download", args=[job.pk]) in page
    download = client.get(reverse("jobs:download", args=[job.pk]))
    rows = values(read(b"".join(download.streaming_content)))
    assert [r[1] for r in rows[1:]] == ["'" + HYPERLINK, "Tiết kiệm điện ở xưởng dệt"]
    assert client.get(reverse("jobs:download", args=[job.pk])).status_code == 200


def test_a_job_checks_the_scope_again_when_it_runs(world, unit_officer, login, settings):
    settings.SANGKIEN_EXPORT_INLINE_ROWS = 1
    client = login(unit_officer)
    response = post(client, reverse("exports:members", args=["TH"]))  # queued, not run
    job = Job.objects.get()
    assert response.status_code == 302
    grant = RoleGrant.objects.get(user=unit_officer, role=Role.OFFICER)
    accounts.revoke_role(grant, by=None)
    with jobs_run_immediately():
        from sangkien.jobs.services import enqueue

        enqueue(job.pk)
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED
    assert job.message == _("You can no longer see what this export was asked for.")


# -- the command line -----------------------------------------------------------------------------


def run_cli(*args: str, capsys) -> dict[str, Any]:
    call_command("export", *args, "--no-progress")
    out = capsys.readouterr().out.strip().splitlines()
    return json.loads(out[-1])


def test_cli_exports_everything_and_prints_a_summary(world, tmp_path, capsys):
    out = tmp_path / "all.xlsx"
    summary = run_cli("initiatives", str(out), capsys=capsys)
    assert summary["kind"] == "initiatives" and summary["rows"] == 3
    assert summary["file"] == str(out) and summary["seconds"] >= 0
    rows = values(openpyxl.load_workbook(out).active)
    assert rows[0] == initiative_headers()
    assert [r[1] for r in rows[1:]] == ["Sổ điểm điện tử", "Tiết kiệm điện ở xưởng dệt",
                                        "'" + HYPERLINK]  # fmt: skip


def test_cli_limits_to_a_unit_and_a_campaign(world, tmp_path, capsys, campaign):
    out = tmp_path / "th.xlsx"
    summary = run_cli(
        "initiatives", str(out), "--unit", "th-kcn", "--campaign", "sk", capsys=capsys
    )
    assert summary["rows"] == 2
    summary = run_cli("units", str(tmp_path / "u.xlsx"), "--unit", "HN", capsys=capsys)
    assert summary["rows"] == 2
    summary = run_cli("members", str(tmp_path / "m.xlsx"), capsys=capsys)
    assert summary["rows"] == 3
    summary = run_cli(
        "figures", str(tmp_path / "f.xlsx"), "--unit", "TH", "--campaign", "SK",
        "--as-of", today().isoformat(), capsys=capsys,
    )  # fmt: skip
    assert summary["rows"] == 2


def test_cli_writes_english_when_asked(world, tmp_path, capsys):
    out = tmp_path / "en.xlsx"
    call_command("export", "units", str(out), "--language", "en", "--no-progress")
    assert values(openpyxl.load_workbook(out).active)[0][:2] == ["Unit code", "Unit name"]


def test_cli_progress_goes_to_stderr(world, tmp_path, capsys):
    call_command("export", "initiatives", str(tmp_path / "p.xlsx"))
    captured = capsys.readouterr()
    assert "export initiatives: 3 / 3 rows (100%)" in captured.err
    assert json.loads(captured.out.strip().splitlines()[-1])["rows"] == 3


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["widgets", "x.xlsx"], "invalid choice"),
        (["units", "x.csv"], "must end in .xlsx"),
        (["units", "/no/such/folder/x.xlsx"], "no such folder"),
        (["units", "x.xlsx", "--unit", "NOPE"], "no unit has the code NOPE"),
        (["initiatives", "x.xlsx", "--campaign", "NOPE"], "no campaign has the code NOPE"),
        (["figures", "x.xlsx", "--unit", "TH"], "give --unit and --campaign"),
        (["figures", "x.xlsx", "--unit", "TH", "--campaign", "SK", "--as-of", "31/12/2026"],
         "not a date YYYY-MM-DD"),
        (["units", "x.xlsx", "--as-of", "2026-01-01"], "figures only"),
    ],
)  # fmt: skip
def test_cli_refuses_bad_arguments_clearly(world, tmp_path, monkeypatch, args, message):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(CommandError, match=message):
        call_command("export", *args)


def test_batches_continue_from_the_last_row_of_the_one_before(people, tree, monkeypatch):
    from sangkien.orgs.models import Member, Unit

    member_of(tree.grassroots, "dv-c", "Trần Văn Bình", code="DV00000003")  # same name
    whole = [list(r) for r in tables.member_table(Member.objects.all(), personal=True).rows()]
    units = [list(r) for r in tables.unit_table(Unit.objects.all()).rows()]
    monkeypatch.setattr(tables, "BATCH", 1)
    assert [list(r) for r in tables.member_table(Member.objects.all(), personal=True).rows()] == (
        whole
    )
    assert [list(r) for r in tables.unit_table(Unit.objects.all()).rows()] == units
    assert [r[0] for r in whole] == ["DV00000002", "DV00000003", "HN00000001", "DV00000001"]
