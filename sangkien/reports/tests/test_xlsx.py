"""The .xlsx: the same content as the PDF in one sheet laid out for printing, read back with
openpyxl; numbers are numbers, no text starts a formula."""

from __future__ import annotations

import dataclasses
import datetime as dt
import io

import openpyxl
import pytest

from sangkien.orgs.models import Unit
from sangkien.reports.progress import MOTTO, MOTTO_SUB, default_letterhead, progress_report
from sangkien.reports.xlsx import render_xlsx

from .helpers import CHILDREN, FIGURES, TOTAL, vi

ISSUED = dt.date(2022, 6, 29)


def make(code: str, campaign, **letterhead):
    unit = Unit.objects.select_related("parent").get(code=code)
    head = dataclasses.replace(default_letterhead(unit, parent=unit.parent), **letterhead)
    return progress_report(unit, campaign, letterhead=head, issued_on=ISSUED)


def sheet(report):
    return openpyxl.load_workbook(io.BytesIO(render_xlsx(report))).active


def rows(ws) -> list[list]:
    return [list(r) for r in ws.iter_rows(values_only=True)]


def row_starting(ws, first) -> tuple[int, list]:
    for n, values in enumerate(rows(ws), start=1):
        if values[0] == first:
            return n, values
    raise AssertionError(f"no row starts with {first!r}")


def figure(ws, label):
    """The value beside a figure's label (label in A, value in G)."""
    return row_starting(ws, label)[1][6]


def test_header_blocks_title_and_date_line(tree, world, vietnamese):
    report = make("TH-KCN", world, number="15")
    ws = sheet(report)
    assert ws["A1"].value == "CÔNG ĐOÀN CÁC KHU CÔNG NGHIỆP THANH HÓA"
    assert ws["A2"].value == vi("STANDING COMMITTEE")
    assert ws["A2"].font.b
    assert ws["A3"].value == vi("No.: %(number)s/BC-%(symbol)s") % {"number": "15", "symbol": "CĐ"}
    assert ws["E1"].value == MOTTO and ws["E1"].font.b
    assert ws["E2"].value == MOTTO_SUB and ws["E2"].font.b and ws["E2"].font.u == "single"
    assert ws["E3"].value == "Thanh Hóa, ngày 29 tháng 6 năm 2022" and ws["E3"].font.i
    merged = {str(r) for r in ws.merged_cells.ranges}
    assert {"A1:D1", "A2:D2", "A3:D3", "E1:I1", "E2:I2", "E3:I3", "A5:I5"} <= merged
    assert ws["A5"].value == vi("REPORT")
    assert ws["A6"].value == report.subtitle
    assert ws["A7"].value == report.as_of_line
    assert report.as_of_line == vi("(as of %(date)s)") % {"date": report.as_of.strftime("%d/%m/%Y")}


def test_figures_are_numbers_with_formats(tree, world, vietnamese):
    ws = sheet(make("TH-KCN", world))
    labels = {
        "initiatives_submitted": "Submitted initiatives",
        "initiatives_valid": "Valid initiatives",
        "initiatives_pending": "Pending",
        "initiatives_invalid": "Invalid",
        "participating_members": "Participating members",
        "participating_units": "Participating grassroots unions",
        "benefit_claimed_vnd": "Benefit claimed (VND)",
        "benefit_valid_vnd": "Validated benefit (VND)",
        "quota": "Quota",
    }
    for key, label in labels.items():
        assert figure(ws, vi(label)) == FIGURES[key], key
    n, values = row_starting(ws, vi("Completion rate (%)"))
    assert values[6] == 25.0
    assert ws.cell(n, 7).number_format == "0.0"
    n, _values = row_starting(ws, vi("Validated benefit (VND)"))
    assert ws.cell(n, 7).number_format == "#,##0"


def test_children_rows_and_total(tree, world, vietnamese):
    ws = sheet(make("TH-KCN", world))
    header_row, header = row_starting(ws, vi("No."))
    assert header == [
        vi("No."),
        vi("Unit name"),
        vi("Quota"),
        vi("Submitted initiatives"),
        vi("Valid initiatives"),
        vi("% of quota"),
        vi("Members taking part"),
        vi("Validated benefit (VND)"),
        vi("Rank"),
    ]
    table = rows(ws)[header_row : header_row + len(CHILDREN)]
    for got, (n, name, quota, sub, valid, pct, members, benefit, rank) in zip(
        table, CHILDREN, strict=True
    ):
        assert got == [
            n,
            name,
            quota if quota is not None else "—",
            sub,
            valid,
            float(pct) if pct is not None else "—",
            members,
            benefit,
            rank,
        ]
    total_row, total = row_starting(ws, vi("Total"))
    assert total_row == header_row + len(CHILDREN) + 1
    quota, sub, valid, pct, members, benefit = TOTAL
    assert total == [vi("Total"), None, quota, sub, valid, float(pct), members, benefit, None]
    assert f"A{total_row}:B{total_row}" in {str(r) for r in ws.merged_cells.ranges}
    assert ws.cell(total_row, 8).number_format == "#,##0"
    assert ws.cell(total_row, 3).font.b


def test_ranks_of_the_unit(tree, world, vietnamese):
    ws = sheet(make("TH-KCN-002", world))
    n, values = row_starting(ws, vi("Measure"))
    assert [v for v in values[1:] if v] == [vi("Among siblings"), vi("At the level")]
    rank_rows = [r for r in rows(ws)[n:] if r[0] == vi("Valid initiatives")]
    assert [v for v in rank_rows[0][1:] if v is not None] == [2, 2]


def test_signature_and_recipients(tree, world, vietnamese):
    ws = sheet(make("TH-KCN", world, signer_name="Nguyễn Văn Sơn"))
    found = {ws.cell(r, c).value: (r, c) for r in range(1, ws.max_row + 1) for c in (1, 5)}
    recipients = "\n".join(
        [vi("Recipients:"), f"- {vi('As above;')}", f"- {vi('Archived: Office.')}"]
    )
    assert recipients in found
    on_behalf = found[vi("ON BEHALF OF THE STANDING COMMITTEE")]
    assert found[vi("PRESIDENT")] == (on_behalf[0] + 1, 5)
    name_row, name_col = found["Nguyễn Văn Sơn"]
    assert name_col == 5 and name_row > on_behalf[0] + 2
    assert ws.cell(name_row, 5).font.b


def test_grassroots_union_has_no_table(tree, world, vietnamese):
    ws = sheet(make("TH-KCN-001", world))
    texts = {v for r in rows(ws) for v in r if isinstance(v, str)}
    assert vi("The unit has no units directly below it.") in texts
    assert vi("Total") not in texts
    assert ws.print_title_rows is None


def test_laid_out_for_printing(tree, world):
    ws = sheet(make("TH-KCN", world))
    assert ws.page_setup.paperSize == 9  # A4
    assert ws.page_setup.orientation == "portrait"
    assert ws.sheet_properties.pageSetUpPr.fitToPage
    assert ws.page_setup.fitToWidth in (None, 1)  # 1 is the default
    assert ws.page_setup.fitToHeight == 0
    header_row, _ = row_starting(ws, vi("No."))
    assert ws.print_title_rows == f"${header_row}:${header_row}"
    assert ws.page_margins.left == pytest.approx(3 / 2.54, abs=0.01)


def test_english(tree, world, english):
    ws = sheet(make("TH-KCN", world))
    assert ws.title == "Report"
    assert ws["A2"].value == "STANDING COMMITTEE"
    assert ws["E1"].value == MOTTO
    assert ws["E3"].value == "Thanh Hóa, ngày 29 tháng 6 năm 2022"
    assert ws["A5"].value == "REPORT"
    assert figure(ws, "Validated benefit (VND)") == 216_234_567
    assert row_starting(ws, "Total")[1][2:8] == [14, 7, 5, 35.7, 3, 216_234_567]


def test_no_text_starts_a_formula(tree, world, vietnamese):
    report = make(
        "TH-KCN",
        world,
        signer_name='=HYPERLINK("http://x","y")',
        signer_title="+CHỦ TỊCH",
        on_behalf="@TM",
        place="-Thanh Hóa",
        governing="=1+1",
        recipients=["=cmd|' /C calc'!A0"],
    )
    ws = sheet(report)
    risky = 0
    for row in ws.iter_rows():
        for cell in row:
            assert cell.data_type != "f", cell.coordinate
            if isinstance(cell.value, str) and cell.value.startswith(("=", "+", "-", "@")):
                risky += 1
                assert cell.quotePrefix, cell.coordinate
    assert risky >= 5
