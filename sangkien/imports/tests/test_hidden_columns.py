"""Hidden columns of an .ods are told apart as those of an .xlsx: the visible column of a
name is read before a hidden one of the same name, and a hidden column read is noted."""

from __future__ import annotations

import io
import zipfile

import openpyxl
import pytest
from django.utils import translation

from sangkien.imports.reading import open_table
from sangkien.imports.tests.test_reading import ods

HEADER = ["Tên sáng kiến", "Tên sáng kiến", "Tác giả", "Đơn vị"]
ROW = ["Tên cũ", "Máy cắt vải", "Nguyễn Văn An", "TH-KCN-001"]


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def ods_with_columns(rows, columns: str, sheet: str = "Trang1", before: str = "") -> bytes:
    """`ods(rows)` with the column elements `columns` (XML) placed before the rows of
    `sheet`, and `before` (another table, XML) ahead of it."""
    book = zipfile.ZipFile(io.BytesIO(ods(rows, sheet)))
    content = book.read("content.xml").decode()
    opening = f'<table:table table:name="{sheet}">'
    content = content.replace(opening, before + opening + columns, 1)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        for name in book.namelist():
            z.writestr(name, content if name == "content.xml" else book.read(name))
    return out.getvalue()


def title_column(table) -> int:
    return table.columns["title"]


def test_the_visible_column_is_read_before_a_hidden_one_in_an_ods():
    columns = (
        '<table:table-column table:visibility="collapse"/>'
        '<table:table-column table:number-columns-repeated="3"/>'
    )
    table = open_table(ods_with_columns([HEADER, ROW], columns), "ds.ods", "initiatives")
    assert title_column(table) == 1
    assert any("(A)" in n and "(B)" in n for n in table.notes), table.notes


def test_repeated_and_grouped_hidden_columns_of_an_ods_are_counted():
    header = ["Tác giả", "Tên sáng kiến", "Đơn vị", "Tên sáng kiến"]
    row = ["Nguyễn Văn An", "Tên cũ", "TH-KCN-001", "Máy cắt vải"]
    columns = (
        "<table:table-column/>"
        '<table:table-column-group><table:table-column table:number-columns-repeated="2" '
        'table:visibility="collapse"/></table:table-column-group>'
        "<table:table-column/>"
    )
    table = open_table(ods_with_columns([header, row], columns), "ds.ods", "initiatives")
    assert title_column(table) == 3  # B is hidden (with C), D is visible


def test_only_the_named_sheet_of_an_ods_counts():
    other = (
        '<table:table table:name="Khác"><table:table-column table:visibility="collapse" '
        'table:number-columns-repeated="4"/><table:table-row><table:table-cell/>'
        "</table:table-row></table:table>"
    )
    data = ods_with_columns([HEADER, ROW], "", before=other)
    table = open_table(data, "ds.ods", "initiatives")
    assert title_column(table) == 0  # nothing hidden on this sheet: the first is read
    assert table.notes == []


def test_an_ods_without_hidden_columns_reads_as_before():
    table = open_table(ods([HEADER, ROW]), "ds.ods", "initiatives")
    assert title_column(table) == 0 and table.notes == []


def test_the_xlsx_rule_is_the_same():
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(HEADER)
    sheet.append(ROW)
    sheet.column_dimensions["A"].hidden = True
    out = io.BytesIO()
    book.save(out)
    table = open_table(out.getvalue(), "ds.xlsx", "initiatives")
    assert title_column(table) == 1
    assert any("(A)" in n and "(B)" in n for n in table.notes)
