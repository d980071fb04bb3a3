"""Importing the files offices really make: a messy initiatives list built here with every
case the import must handle, with the exact outcome of each row; all or nothing; the valid
rows only; a second import that changes nothing; units and members; the command line."""

from __future__ import annotations

import datetime as dt
import io
import json
import unicodedata
from io import StringIO

import openpyxl
import pytest
from django.core.management import call_command
from django.utils import timezone, translation

from sangkien import legacy
from sangkien.core.models import AuditEntry
from sangkien.imports.importers import (
    IMPORTED,
    REJECTED,
    SKIPPED,
    UPDATED,
    errors_xlsx,
    run_import,
)
from sangkien.initiatives.models import Author, HistoryEntry, Initiative, Status
from sangkien.initiatives.tests.builders import make_campaign
from sangkien.orgs import services as orgs
from sangkien.orgs.models import Member, Unit
from sangkien.stats import figures, recount
from sangkien.stats.models import TreeDay, TreeTotal

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _vietnamese():
    with translation.override("vi"):
        yield


def d(days_ago: int) -> dt.date:
    return timezone.localdate() - dt.timedelta(days=days_ago)


def dmy(day: dt.date) -> str:
    return f"{day.day}/{day.month}/{day.year}"


@pytest.fixture
def people(tree):
    g1, g2 = tree.grassroots, tree.grassroots2
    return {
        "an": orgs.create_member(unit=g1, full_name="Nguyễn Văn An", by=None),
        "binh": orgs.create_member(unit=g1, full_name="Lê Thị Bình", by=None),
        "cuc": orgs.create_member(unit=g1, full_name="Trần Thị Cúc", by=None),
        "duc": orgs.create_member(unit=g2, full_name="Phạm Văn Đức", by=None),
        "hoa1": orgs.create_member(
            unit=g2, full_name="Lê Thị Hoa", by=None, birth_date=dt.date(1980, 5, 1)
        ),
        "hoa2": orgs.create_member(
            unit=g2, full_name="Lê Thị Hoa", by=None, birth_date=dt.date(1992, 7, 9)
        ),
    }


@pytest.fixture
def campaign(tree):
    return make_campaign(tree.root, requires_recognition=False)


HEADER_TOP = [
    "STT", "Tên sáng kiến", "Tác giả", None, "Đơn vị / CĐCS", "Lĩnh vực",
    "Nội dung tóm tắt", "Thời gian áp dụng", "Giá trị làm lợi (đồng)", "Ghi chú",
]  # fmt: skip
HEADER_SUB = [None, None, "Họ và tên", "Năm sinh", None, None, None, None, None, None]


def messy_rows() -> list[tuple[int, list]]:
    """(sheet row, cells) of the data part; the sheet's rows 1–6 are titles and header."""
    nfd_title = unicodedata.normalize("NFD", "Cải tiến quy trình kiểm tra chất lượng vải")
    tcvn3_title = legacy.encode("Sáng kiến giảm tiêu hao điện năng", "tcvn3")
    vni_summary = legacy.encode("Tắt máy khi nghỉ giữa ca", "vni")
    return [
        (7, [1, "Máy cắt vải tự động", "Nguyễn Văn An, Lê Thị Bình; Trần Thị Cúc", None,
             "TH-KCN-001", "KT", "Thay dao cắt tay bằng máy cắt tự động.", dmy(d(60)),
             "1.500.000 đ", "Đã áp dụng tại phân xưởng 2"]),
        (8, [2, "Băng tải thu hồi vải vụn", "Trần Thị Cúc (60%), Nguyễn Văn An (40%)", None,
             "CĐCS Công ty CP Giày Sao Vàng", "Kỹ thuật", "Băng tải gom vải vụn.",
             dt.datetime.combine(d(30), dt.time()), "1,5 triệu", None]),
        (9, [3, "Sổ tay an toàn điện tử", "Phạm Văn Đức", None,
             "cong doan cong ty tnhh det dong son", "QL", "Sổ tay trên điện thoại.",
             f"{d(40).month:02d}/{d(40).year}", "2 tỷ", None]),
        (10, [4, nfd_title, "Lê Thị Hoa", 1992, "TH-KCN-002", "QL", "Kiểm tra theo lô.",
              d(20).strftime("%d-%m-%Y"), 1500000, None]),
        (11, [5, tcvn3_title, "Nguyễn Văn An", None, "TH-KCN-001", "KT", vni_summary,
              dmy(d(10)), "500 nghìn", None]),
        (12, ["Cộng CĐCS", None, None, None, None, None, None, None, "2.003.500.000", None]),
        # Rejected rows, one problem each (row 16 has two).
        (13, [6, "Tái sử dụng nước làm mát", "Nguyễn Văn An", None,
              "Công ty May Xuân Thành", "KT", "Tuần hoàn nước.", dmy(d(50)), 0, None]),
        (14, [7, "Giảm thời gian thay khuôn", "Lê Thị Bình", None, "TH-KCN-001", "KT",
              "Khuôn thay nhanh.", dmy(d(50)), "không xác định", None]),
        (15, [8, "Hệ thống chiếu sáng tiết kiệm", "Trần Thị Cúc", None, "TH-KCN-001", "KT",
              "Đèn LED.", "31/02/2026", 100000, None]),
        (16, [9, "Phần mềm chấm công", "Hoàng Văn Không", None, "TH-KCN-001", "Y tế",
              "Chấm công bằng thẻ.", dmy(d(50)), 100000, None]),
        (17, [10, "Kiểm kê kho bằng mã vạch", "Lê Thị Hoa", None, "TH-KCN-002", "QL",
              "Mã vạch.", dmy(d(50)), 100000, None]),
        (18, [11, "Đào tạo tại chỗ", "Nguyễn Văn An", None, "Công đoàn Hà Nội", "QL",
              "Kèm cặp.", dmy(d(50)), 100000, None]),
        (20, [None, "Tổng cộng", None, None, None, None, None, None, "2.003.500.000", None]),
        (22, [None, "Người lập biểu", None, None, None, None, "Thủ trưởng đơn vị", None,
              None, None]),
        (23, [None, "(Ký, ghi rõ họ tên)", None, None, None, None, "(Ký tên, đóng dấu)",
              None, None, None]),
    ]  # fmt: skip


def messy_xlsx(rows: list[tuple[int, list]] | None = None) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Danh sách"
    sheet["A1"] = "LIÊN ĐOÀN LAO ĐỘNG TỈNH THANH HÓA"
    sheet["A2"] = "DANH SÁCH SÁNG KIẾN THAM GIA PHONG TRÀO"
    for c, value in enumerate(HEADER_TOP, start=1):
        sheet.cell(4, c, value)
    for c, value in enumerate(HEADER_SUB, start=1):
        if value:
            sheet.cell(5, c, value)
    sheet.merge_cells("C4:D4")
    for col in "ABEFGHIJ":
        sheet.merge_cells(f"{col}4:{col}5")
    for c in range(1, 11):
        sheet.cell(6, c, f"({c})")
    for number, cells in rows if rows is not None else messy_rows():
        for c, value in enumerate(cells, start=1):
            if value is not None:
                sheet.cell(number, c, value)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def outcomes(summary) -> dict[int, str]:
    return {o.number: o.status for o in summary.outcomes}


def messages(summary) -> dict[int, str]:
    return {o.number: o.message for o in summary.outcomes if o.status == REJECTED}


def state() -> tuple:
    return (
        Initiative.objects.count(),
        Author.objects.count(),
        HistoryEntry.objects.count(),
        AuditEntry.objects.count(),
        TreeDay.objects.count(),
        sorted(TreeTotal.objects.values_list("unit_id", "phase_key", "submitted")),
    )


def test_messy_file_every_row_has_its_outcome(tree, people, campaign, unit_officer):
    before = state()
    summary = run_import(
        "initiatives", messy_xlsx(), "danh-sach.xlsx", user=unit_officer,
        scope=[tree.province.path], campaign=campaign,
    )  # fmt: skip
    assert outcomes(summary) == {
        7: IMPORTED, 8: IMPORTED, 9: IMPORTED, 10: IMPORTED, 11: IMPORTED,
        12: SKIPPED,
        13: REJECTED, 14: REJECTED, 15: REJECTED, 16: REJECTED, 17: REJECTED, 18: REJECTED,
        20: SKIPPED, 22: SKIPPED, 23: SKIPPED,
    }  # fmt: skip
    reasons = messages(summary)
    assert "Đơn vị / CĐCS" in reasons[13]
    assert "Giá trị làm lợi (đồng)" in reasons[14]
    assert "Thời gian áp dụng" in reasons[15]
    assert "Tác giả / Họ và tên" in reasons[16] or "Tác giả" in reasons[16]
    assert "Lĩnh vực" in reasons[16]  # two problems, both named
    assert "Tác giả" in reasons[17]  # two members named Lê Thị Hoa, no year of birth
    assert "Đơn vị / CĐCS" in reasons[18]  # Hà Nội is outside the officer's subtree
    # All or nothing: rejected rows, so nothing was written.
    assert summary.applied is False
    assert state() == before
    assert summary.as_json() == {
        "rows": 15, "imported": 5, "updated": 0, "rejected": 6, "skipped": 4, "applied": False,
    }  # fmt: skip


def test_valid_rows_only_then_a_second_import_is_a_no_op(tree, people, campaign, unit_officer):
    data = messy_xlsx()
    summary = run_import(
        "initiatives", data, "danh-sach.xlsx", user=unit_officer,
        scope=[tree.province.path], campaign=campaign, accept_valid=True,
    )  # fmt: skip
    assert summary.applied is True
    made = {i.title: i for i in Initiative.objects.prefetch_related("authors")}
    assert set(made) == {
        "Máy cắt vải tự động",
        "Băng tải thu hồi vải vụn",
        "Sổ tay an toàn điện tử",
        "Cải tiến quy trình kiểm tra chất lượng vải",  # NFD in the file, NFC here
        "Sáng kiến giảm tiêu hao điện năng",  # TCVN3 in the file, converted
    }
    first = made["Máy cắt vải tự động"]
    assert first.status == Status.SUBMITTED and first.unit == tree.grassroots
    assert first.benefit_claimed_vnd == 1_500_000 and first.first_applied_on == d(60)
    assert first.on_behalf and first.entered_by == unit_officer
    assert [(a.member_id, str(a.share)) for a in first.authors.order_by("position_in_list")] == [
        (people["an"].pk, "33.34"),
        (people["binh"].pk, "33.33"),
        (people["cuc"].pk, "33.33"),
    ]
    belt = made["Băng tải thu hồi vải vụn"]
    assert belt.unit == tree.grassroots and belt.benefit_claimed_vnd == 1_500_000
    assert belt.field.code == "KT" and belt.first_applied_on == d(30)
    assert [(a.name, str(a.share)) for a in belt.authors.order_by("position_in_list")] == [
        ("Trần Thị Cúc", "60.00"),
        ("Nguyễn Văn An", "40.00"),
    ]
    book = made["Sổ tay an toàn điện tử"]
    assert book.unit == tree.grassroots2 and book.benefit_claimed_vnd == 2_000_000_000
    month = d(40).replace(day=1)
    assert book.first_applied_on == max(month, campaign.starts_on)
    hoa = made["Cải tiến quy trình kiểm tra chất lượng vải"]
    assert [a.member_id for a in hoa.authors.all()] == [people["hoa2"].pk]  # born 1992
    saving = made["Sáng kiến giảm tiêu hao điện năng"]
    assert saving.benefit_claimed_vnd == 500_000
    assert saving.description == "Tắt máy khi nghỉ giữa ca"  # VNI in the file, converted
    # The figures moved exactly as five submissions move them.
    assert recount.check() == []
    province = figures.report(tree.province, campaign).unit
    assert province.initiatives_submitted == 5 and province.initiatives_pending == 5
    assert province.participating_members == 5 and province.participating_units == 2
    assert (
        province.benefit_claimed_vnd == 1_500_000 + 1_500_000 + 2_000_000_000 + 1_500_000 + 500_000
    )
    # The rejected rows come back with their cells and the reason.
    out = io.BytesIO()
    assert errors_xlsx(summary, out) == 6
    sheet = openpyxl.load_workbook(io.BytesIO(out.getvalue())).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "Dòng trong tệp" and rows[0][-1] == "Lý do"
    assert [r[0] for r in rows[1:]] == [13, 14, 15, 16, 17, 18]
    assert rows[1][2] == "Tái sử dụng nước làm mát" and "Đơn vị / CĐCS" in rows[1][-1]
    # The same file again: nothing new.
    before = state()
    again = run_import(
        "initiatives", data, "danh-sach.xlsx", user=unit_officer,
        scope=[tree.province.path], campaign=campaign, accept_valid=True,
    )  # fmt: skip
    assert {n: s for n, s in outcomes(again).items() if n <= 11} == {
        7: SKIPPED, 8: SKIPPED, 9: SKIPPED, 10: SKIPPED, 11: SKIPPED,
    }  # fmt: skip
    assert again.count(IMPORTED) == 0
    assert state()[:3] == before[:3] and state()[4:] == before[4:]
    assert recount.check() == []


def test_a_changed_row_is_rejected_not_overwritten(tree, people, campaign, unit_officer):
    rows = [r for r in messy_rows() if r[0] == 7]
    run_import("initiatives", messy_xlsx(rows), "a.xlsx", user=unit_officer, campaign=campaign)
    rows[0][1][8] = "2.000.000"
    summary = run_import(
        "initiatives", messy_xlsx(rows), "a.xlsx", user=unit_officer, campaign=campaign
    )
    assert outcomes(summary) == {7: REJECTED}
    assert "SK-" in summary.outcomes[0].message
    assert Initiative.objects.get().benefit_claimed_vnd == 1_500_000


def test_a_csv_with_semicolons_and_no_diacritics_in_the_header(tree, people, campaign):
    text = (
        "Ten sang kien;Tac gia;Don vi;Linh vuc;Noi dung tom tat;Thoi gian ap dung;"
        "Gia tri lam loi\n"
        f"Máy cắt vải;Nguyễn Văn An;TH-KCN-001;KT;Cắt nhanh;{dmy(d(5))};1.500.000\n"
        "Tổng cộng;;;;;;1.500.000\n"
    )
    summary = run_import("initiatives", text.encode("utf-8-sig"), "ds.csv", campaign=campaign)
    assert outcomes(summary) == {2: IMPORTED, 3: SKIPPED}
    assert summary.applied and Initiative.objects.get().title == "Máy cắt vải"


def test_a_closed_campaign_refuses_the_whole_file(tree, people):
    from sangkien.imports.importers import ImportRefused

    closed = make_campaign(
        tree.root, code="CU", starts_on=d(800), ends_on=d(400), requires_recognition=False
    )
    with pytest.raises(ImportRefused):
        run_import("initiatives", messy_xlsx(), "a.xlsx", campaign=closed)
    assert Initiative.objects.count() == 0


# -- units and members -----------------------------------------------------------------------


def xlsx(rows: list[list]) -> bytes:
    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_units_under_parents_named_or_coded_and_idempotent(tree, unit_officer):
    data = xlsx(
        [
            ["DANH SÁCH CÔNG ĐOÀN CƠ SỞ"],
            [],
            ["Mã đơn vị", "Tên đơn vị", "Đơn vị cấp trên", "Loại", "Ngày thành lập"],
            ["TH-KCN-010", "Công đoàn Công ty CP Mía đường Lam Sơn", "TH-KCN", "CĐCS", "1/3/2005"],
            ["", "Công đoàn Công ty TNHH Giày Alena", "Công đoàn các Khu công nghiệp Thanh Hóa",
             "", None],
            ["TH-KCN-010-T1", "Tổ công đoàn Phân xưởng đường", "TH-KCN-010", "Tổ công đoàn", None],
            ["HN-900", "Công đoàn Trường Tiểu học Kim Liên", "HN", "CĐCS", None],
            ["TH-KCN-011", "", "TH-KCN", "", None],
        ]
    )  # fmt: skip
    summary = run_import("units", data, "dv.xlsx", user=unit_officer, scope=[tree.province.path])
    assert outcomes(summary) == {4: IMPORTED, 5: IMPORTED, 6: IMPORTED, 7: REJECTED, 8: REJECTED}
    assert summary.applied is False and not Unit.objects.filter(code="TH-KCN-010").exists()
    summary = run_import(
        "units", data, "dv.xlsx", user=unit_officer, scope=[tree.province.path],
        accept_valid=True,
    )  # fmt: skip
    lam_son = Unit.objects.get(code="TH-KCN-010")
    assert lam_son.parent == tree.upper and lam_son.kind == "grassroots"
    assert lam_son.founded_on == dt.date(2005, 3, 1)
    assert Unit.objects.get(code="TH-KCN-010-T1").parent == lam_son
    alena = Unit.objects.get(name="Công đoàn Công ty TNHH Giày Alena")
    assert alena.parent == tree.upper and alena.code.startswith("TH-KCN-")
    again = run_import(
        "units", data, "dv.xlsx", user=unit_officer, scope=[tree.province.path],
        accept_valid=True,
    )  # fmt: skip
    assert outcomes(again) == {4: SKIPPED, 5: SKIPPED, 6: SKIPPED, 7: REJECTED, 8: REJECTED}


def test_members_created_updated_and_skipped(tree, unit_officer):
    data = xlsx(
        [
            ["STT", "Họ và tên", "Ngày sinh", "Giới tính", "CĐCS", "Điện thoại", "Chức vụ"],
            [1, "Nguyễn Thị Mai", "12/05/1990", "Nữ", "TH-KCN-001", 912345678, "Công nhân"],
            [2, "Trần Văn Nam", "1985", "Nam", "Công ty CP Giày Sao Vàng", "+84 987 654 321", ""],
            [3, "Lê Văn Tám", "3/4/1988", "Nam", "Không có đơn vị này", "", ""],
            [4, "Nguyễn Thị Mai", "12/05/1990", "Nữ", "TH-KCN-001", "", ""],
            [None, "Tổng cộng: 4 đoàn viên"],
        ]
    )  # fmt: skip
    summary = run_import(
        "members", data, "dv.xlsx", user=unit_officer, scope=[tree.province.path],
        accept_valid=True,
    )  # fmt: skip
    assert outcomes(summary) == {2: IMPORTED, 3: IMPORTED, 4: REJECTED, 5: REJECTED, 6: SKIPPED}
    mai = Member.objects.get(full_name="Nguyễn Thị Mai")
    assert mai.unit == tree.grassroots and mai.phone == "0912345678" and mai.gender == "female"
    assert mai.birth_date == dt.date(1990, 5, 12)
    nam = Member.objects.get(full_name="Trần Văn Nam")
    assert nam.phone == "0987654321" and nam.birth_date == dt.date(1985, 1, 1)
    tree.grassroots.refresh_from_db()
    assert tree.grassroots.members_total == 2
    # Again, with a changed position for Mai: updated; Nam unchanged: skipped.
    data2 = xlsx(
        [
            ["Họ và tên", "Ngày sinh", "CĐCS", "Chức vụ"],
            ["Nguyễn Thị Mai", "12/05/1990", "TH-KCN-001", "Tổ trưởng"],
            ["Trần Văn Nam", "1985", "TH-KCN-001", ""],
        ]
    )
    again = run_import("members", data2, "dv2.xlsx", user=unit_officer, scope=[""])
    assert outcomes(again) == {2: UPDATED, 3: SKIPPED}
    mai.refresh_from_db()
    assert mai.position == "Tổ trưởng" and Member.objects.count() == 2


def test_a_member_code_that_is_a_path_is_rejected(tree, unit_officer):
    data = xlsx(
        [
            ["Mã đoàn viên", "Họ và tên", "CĐCS"],
            ["../../x", "Nguyễn Thị Mai", "TH-KCN-001"],
            ["DV-01", "Trần Văn Nam", "TH-KCN-001"],
        ]
    )
    summary = run_import(
        "members", data, "dv.xlsx", user=unit_officer, scope=[tree.province.path],
        accept_valid=True,
    )  # fmt: skip
    assert outcomes(summary) == {2: REJECTED, 3: IMPORTED}
    assert not Member.objects.filter(full_name="Nguyễn Thị Mai").exists()


# -- the command line ------------------------------------------------------------------------


def test_the_command_prints_the_summary_last(tree, people, campaign, tmp_path):
    path = tmp_path / "ds.xlsx"
    path.write_bytes(messy_xlsx())
    out, err = StringIO(), StringIO()
    with pytest.raises(SystemExit) as exit_info:
        call_command("import", "initiatives", str(path), campaign=campaign.code, stdout=out,
                     stderr=err)  # fmt: skip
    assert exit_info.value.code == 1
    summary = json.loads(out.getvalue().strip().splitlines()[-1])
    assert {k: summary[k] for k in ("rows", "imported", "rejected", "skipped", "applied")} == {
        "rows": 15, "imported": 5, "rejected": 6, "skipped": 4, "applied": False,
    }  # fmt: skip
    assert "dòng 13" in err.getvalue() or "row 13" in err.getvalue()
    errors = tmp_path / "loi.xlsx"
    out = StringIO()
    call_command(
        "import", "initiatives", str(path), campaign=campaign.code, accept_valid=True,
        errors=str(errors), stdout=out, stderr=StringIO(),
    )  # fmt: skip
    assert json.loads(out.getvalue().strip().splitlines()[-1])["imported"] == 5
    assert openpyxl.load_workbook(errors).active.max_row == 7
    dry = StringIO()
    call_command(
        "import", "initiatives", str(path), campaign=campaign.code, dry_run=True,
        stdout=dry, stderr=StringIO(),
    )  # fmt: skip
    result = json.loads(dry.getvalue().strip().splitlines()[-1])
    assert result["imported"] == 0 and result["skipped"] == 9 and result["applied"] is False


def test_a_unit_with_new_details_is_updated(tree, unit_officer):
    data = xlsx(
        [
            ["Mã đơn vị", "Tên đơn vị", "Đơn vị cấp trên", "Địa chỉ"],
            ["TH-KCN-001", "Công đoàn Công ty CP Giày Sao Vàng", "TH-KCN", "KCN Lễ Môn"],
            ["TH-KCN-002", "Công đoàn Công ty TNHH Dệt Đông Sơn", "TH-KCN", ""],
        ]
    )
    summary = run_import("units", data, "dv.xlsx", user=unit_officer, scope=[tree.province.path])
    assert outcomes(summary) == {2: UPDATED, 3: SKIPPED}
    assert "address" in summary.outcomes[0].message
    tree.grassroots.refresh_from_db()
    assert tree.grassroots.address == "KCN Lễ Môn"


def test_money_in_a_sheet_is_read_as_forms_and_the_api_read_it(tree, people, campaign):
    """ "1,8 triệu" is 1.800.000 đồng in a sheet, as in the form and the API
    (sangkien.values.money)."""
    rows = [r for r in messy_rows() if r[0] == 7]
    rows[0][1][8] = "1,8 triệu"
    summary = run_import("initiatives", messy_xlsx(rows), "a.xlsx", campaign=campaign)
    assert outcomes(summary) == {7: IMPORTED}
    assert Initiative.objects.get().benefit_claimed_vnd == 1_800_000


# -- what the import says of what it read ------------------------------------------------------


def _book(header: list, rows: list[list], hidden: str = "") -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Danh sách"
    sheet.append(header)
    for cells in rows:
        sheet.append(cells)
    for letter in hidden:
        sheet.column_dimensions[letter].hidden = True
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


SHORT_HEADER = ["Tên sáng kiến", "Tác giả", "Đơn vị", "Lĩnh vực", "Nội dung tóm tắt",
                "Ngày áp dụng"]  # fmt: skip


def short_row(title="Máy cắt vải tự động", unit="TH-KCN-001"):
    return [title, "Nguyễn Văn An", unit, "KT", "Cắt nhanh.", dmy(d(5))]


def test_the_visible_column_is_read_before_a_hidden_one_of_the_same_name(tree, people, campaign):
    data = _book(["Tên sáng kiến", *SHORT_HEADER], [["Tên cũ", *short_row()]], hidden="A")
    summary = run_import("initiatives", data, "a.xlsx", campaign=campaign)
    assert outcomes(summary) == {2: IMPORTED}
    assert Initiative.objects.get().title == "Máy cắt vải tự động"
    assert len(summary.notes) == 1 and "(A)" in summary.notes[0] and "(B)" in summary.notes[0]
    # Only a hidden column of that name: it is read, and the import says so.
    data = _book(SHORT_HEADER, [short_row("Băng tải")], hidden="A")
    summary = run_import("initiatives", data, "b.xlsx", campaign=campaign)
    assert outcomes(summary) == {2: IMPORTED} and "(A)" in summary.notes[0]
    assert run_import("initiatives", _book(SHORT_HEADER, [short_row("X")]), "c.xlsx",
                      campaign=campaign, dry_run=True).notes == []  # fmt: skip


def test_a_unit_name_matched_without_its_tone_marks_is_noted(tree, people, campaign):
    data = _book(SHORT_HEADER, [short_row(unit="CĐCS Công ty CP Giầy Sao Vàng")])
    summary = run_import("initiatives", data, "a.xlsx", campaign=campaign)
    assert outcomes(summary) == {2: IMPORTED}
    assert "TH-KCN-001" in summary.outcomes[0].message
    assert "Giầy" in summary.outcomes[0].message  # what was written, and what it was read as
    exact = run_import("initiatives", _book(SHORT_HEADER, [short_row("Y", tree.grassroots.name)]),
                       "b.xlsx", campaign=campaign, dry_run=True)  # fmt: skip
    assert exact.outcomes[0].message == ""


def test_a_corrected_title_is_not_a_second_initiative(tree, people, campaign):
    run_import("initiatives", _book(SHORT_HEADER, [short_row("Máy cắt vả tự động")]), "a.xlsx",
               campaign=campaign)  # fmt: skip
    first = Initiative.objects.get()
    summary = run_import(
        "initiatives", _book(SHORT_HEADER, [short_row("Máy cắt vải tự động")]), "a.xlsx",
        campaign=campaign,
    )  # fmt: skip
    assert outcomes(summary) == {2: REJECTED}
    assert first.reference in summary.outcomes[0].message
    assert Initiative.objects.count() == 1
    # Another initiative of the same author, with a title of its own, is imported.
    other = run_import("initiatives", _book(SHORT_HEADER, [short_row("Băng tải thu hồi vải")]),
                       "b.xlsx", campaign=campaign)  # fmt: skip
    assert outcomes(other) == {2: IMPORTED}


def test_the_command_line_speaks_the_language_and_names_the_sheet(tree, people, campaign,
                                                                   tmp_path):  # fmt: skip
    path = tmp_path / "ds.xlsx"
    path.write_bytes(messy_xlsx())
    errors = tmp_path / "loi.xlsx"
    err = StringIO()
    with pytest.raises(SystemExit):
        call_command("import", "initiatives", str(path), campaign=campaign.code,
                     errors=str(errors), stdout=StringIO(), stderr=err)  # fmt: skip
    lines = err.getvalue().splitlines()
    assert "Trang tính “Danh sách”, dòng 13: " in err.getvalue()
    assert not any(line.startswith("row ") for line in lines)
    assert "Không có gì được nhập" in lines[-1], lines[-1]
    assert "6 dòng bị từ chối" in err.getvalue()
    sheet = openpyxl.load_workbook(errors).active
    header = [c.value for c in sheet[1]]
    assert header[-2:] == ["Trang tính", "Lý do"]
    assert sheet.cell(2, len(header) - 1).value == "Danh sách"
    english = StringIO()
    with pytest.raises(SystemExit):
        call_command("import", "initiatives", str(path), campaign=campaign.code,
                     language="en", stdout=StringIO(), stderr=english)  # fmt: skip
    assert "Sheet “Danh sách”, row 13: " in english.getvalue()
    assert english.getvalue().splitlines()[-1].startswith("Nothing was imported")
