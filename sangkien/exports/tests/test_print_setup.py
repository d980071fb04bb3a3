"""Exports on paper and in LibreOffice: a wrapped header row is as high as its lines (so it
never covers the first row), every export prints A4 landscape one page wide with its header
row on each page, and the figures say which unit, campaign and date they cover."""

from __future__ import annotations

import io

import openpyxl
from django.urls import reverse

from sangkien.exports.tests.test_exports import post
from sangkien.exports.xlsx import HEADER_LINE_HEIGHT, Column, header_lines, write_table
from sangkien.initiatives.tests.builders import make_campaign


def _book(columns, rows=()):
    out = io.BytesIO()
    write_table(out, columns, rows, sheet_name="Sáng kiến", caption="Tỉnh · Đợt 1 & 2")
    return openpyxl.load_workbook(io.BytesIO(out.getvalue()))


def test_the_header_row_is_as_high_as_its_longest_wrapped_header():
    columns = [
        Column("Mã", width=8),
        Column("Giá trị làm lợi đã được công nhận của sáng kiến (đồng)", width=14),
    ]
    assert header_lines(columns) == 5
    ws = _book(columns, [["SK-1", "x"]]).active
    assert ws.row_dimensions[1].height == 5 * HEADER_LINE_HEIGHT
    assert ws["A2"].value == "SK-1"


def test_short_headers_keep_one_line():
    assert header_lines([Column("Mã", width=8), Column("Tên", width=40)]) == 1


def test_every_export_prints_a4_landscape_one_page_wide_with_its_header_on_each_page():
    book = _book([Column("Mã"), Column("Tên")], [["a", "b"]])
    ws = book.active
    assert ws.page_setup.paperSize == 9
    assert ws.page_setup.orientation == "landscape"
    assert ws.sheet_properties.pageSetUpPr.fitToPage
    assert ws.page_setup.fitToWidth in (None, 1) and ws.page_setup.fitToHeight == 0
    assert ws.print_title_rows == "$1:$1"
    assert ws.oddHeader.left.text == "Tỉnh · Đợt 1 && 2"  # "&" doubled: not a code
    assert ws.oddFooter.center.text == "&P / &N"
    assert book.properties.title == "Tỉnh · Đợt 1 & 2"


def test_the_figures_say_which_unit_campaign_and_date_they_cover(login, unit_officer, tree):
    campaign = make_campaign(tree.root, code="SK")
    client = login(unit_officer)
    client.cookies["sangkien_language"] = "en"
    response = post(client, reverse("exports:figures", args=["TH-KCN"]), "campaign=SK")
    assert "so-lieu-SK-TH-KCN-" in response["Content-Disposition"]
    book = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    header = book.active.oddHeader.left.text
    assert tree.upper.name in header and campaign.name in header
    assert "figures as of" in header
    client.cookies["sangkien_language"] = "vi"
    response = post(client, reverse("exports:figures", args=["TH-KCN"]), "campaign=SK")
    book = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    assert "số liệu tính đến ngày" in book.active.oddHeader.left.text
