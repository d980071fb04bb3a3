"""No file the product writes holds a formula: units named like formulas ("=1+1",
"@SUM(A1)") in an export, the progress report, the quota template and the rejected rows of
an import, each opened with openpyxl. The rule itself is sangkien.core.cells."""

from __future__ import annotations

import io

import openpyxl
import pytest
from django.core.management import call_command
from django.urls import reverse

from sangkien.core.cells import MAX_CELL_TEXT, safe_cell_text, starts_formula, unquoted_cell_text
from sangkien.imports.importers import REJECTED, errors_xlsx, run_import
from sangkien.initiatives.tests.builders import make_campaign
from sangkien.orgs import services as orgs
from sangkien.reports.progress import progress_report
from sangkien.reports.xlsx import render_xlsx

NAMES = ("=1+1", "@SUM(A1)", "+84 Tổ công đoàn", "-Tổ 2", "\tTổ 3", "\rTổ 4")


@pytest.mark.parametrize("text", NAMES)
def test_text_starting_a_formula_gets_an_apostrophe_and_comes_back(text):
    assert starts_formula(text)
    assert safe_cell_text(text) == "'" + text
    assert unquoted_cell_text(safe_cell_text(text)) == text


@pytest.mark.parametrize("text", ["Công đoàn", "1+1", "'quoted", "", "Tổ = 3"])
def test_other_text_is_left_as_it_is(text):
    assert not starts_formula(text)
    assert safe_cell_text(text) == text
    assert unquoted_cell_text(text) == text


def test_cells_stay_within_excels_limit():
    assert len(safe_cell_text("=" + "x" * 40_000)) == MAX_CELL_TEXT
    assert safe_cell_text(42) == "42"


@pytest.fixture
def odd_units(tree):
    return [
        orgs.create_unit(
            code=f"TH-KCN-09{i}", name=name, kind="grassroots", parent=tree.upper, by=None
        )
        for i, name in enumerate(("=1+1", "@SUM(A1)"))
    ]


def cells(content: bytes) -> list:
    book = openpyxl.load_workbook(io.BytesIO(content))
    return [cell for sheet in book.worksheets for row in sheet.iter_rows() for cell in row]


def assert_no_formula(content: bytes, names=("=1+1", "@SUM(A1)"), quote_prefix=False) -> None:
    every = cells(content)
    assert [c.coordinate for c in every if c.data_type == "f"] == []
    for name in names:
        if quote_prefix:  # Excel's own text mark, the text unchanged (a printed report)
            found = [c for c in every if c.value == name]
            assert found and all(c.data_type == "s" and c.quotePrefix for c in found), name
        else:
            found = [c for c in every if c.value == "'" + name]
            assert found and all(c.data_type == "s" for c in found), name
            assert not [c for c in every if c.value == name], name


def test_the_units_export_writes_them_as_text(odd_units, tmp_path):
    out = tmp_path / "units.xlsx"
    call_command("export", "units", str(out), "--no-progress")
    assert_no_formula(out.read_bytes())


def test_the_progress_report_writes_them_as_text(odd_units, tree):
    campaign = make_campaign(tree.root)
    report = progress_report(tree.upper, campaign)
    assert_no_formula(render_xlsx(report), quote_prefix=True)


def test_the_quota_template_writes_them_as_text(odd_units, tree, login, unit_officer):
    campaign = make_campaign(tree.root)
    url = reverse("quotas:template", args=[tree.upper.code]) + f"?campaign={campaign.code}"
    response = login(unit_officer).get(url)
    assert response.status_code == 200
    assert_no_formula(response.content)


def test_the_rejected_rows_of_an_import_come_back_as_text(tree, unit_officer):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Mã đơn vị", "Tên đơn vị", "Đơn vị cấp trên", "Loại"])
    for r, (code, name) in enumerate((("TH-KCN-090", "=1+1"), ("TH-KCN-091", "@SUM(A1)")), 2):
        for c, value in enumerate((code, name, "KHONG-CO", "CĐCS"), 1):
            cell = sheet.cell(row=r, column=c, value=value)
            cell.data_type = "s"  # text in the source file, as an office would type it
    source = io.BytesIO()
    book.save(source)
    summary = run_import(
        "units", source.getvalue(), "dv.xlsx", user=unit_officer, scope=[tree.province.path]
    )
    assert [o.status for o in summary.outcomes] == [REJECTED, REJECTED]
    out = io.BytesIO()
    assert errors_xlsx(summary, out) == 2
    assert_no_formula(out.getvalue())
