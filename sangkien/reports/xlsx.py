"""A progress report as one worksheet laid out for printing (XlsxWriter).

Columns A–I are those of the children table; the header blocks, the title, the figures, the
ranks and the signature are merged ranges over them. A4 portrait, fitted to one page wide,
the table's header row repeated on every printed page, margins as in the PDF. Numbers are
numbers with a format ("#,##0", "0.0"), so Excel shows them with the reader's separators.
Text is only ever written as text; a text that would start a formula
(`sangkien.core.cells.starts_formula`: "=", "+", "-", "@", a tab, a carriage return) is
marked as text with Excel's quote prefix rather than given the apostrophe of
`safe_cell_text`: the report is printed, and its lists ("- Như trên;") must print as typed.
Its cells are still within `MAX_CELL_TEXT`."""

from __future__ import annotations

import io
import math
from typing import Any

import xlsxwriter
from django.utils.translation import gettext as _
from xlsxwriter.worksheet import Worksheet

from sangkien.core.cells import MAX_CELL_TEXT, starts_formula

from .progress import INT, MONEY, PERCENT, TEXT, ProgressReport, as_text

LAST = 8  # column I
WIDTHS = (6, 38, 10, 11, 11, 11, 12, 18, 8)  # in characters
LEFT_COLS = (0, 3)  # the issuing body: A–D
RIGHT_COLS = (4, LAST)  # the motto: E–I
NUMBER_FORMATS = {INT: "#,##0", MONEY: "#,##0", PERCENT: "0.0"}
FONT = "Times New Roman"
ROW_HEIGHT = 15.75  # points per line of 12 pt text


def needs_quote(text: str) -> bool:
    return starts_formula(text)


def span_chars(first: int, last: int) -> float:
    return sum(WIDTHS[first : last + 1])


def lines_needed(text: str, first: int, last: int, factor: float = 1.0) -> int:
    """A rough count of wrapped lines (XlsxWriter cannot measure merged cells)."""
    width = max(1.0, span_chars(first, last) * factor)
    return sum(max(1, math.ceil(len(part) / width)) for part in (text or " ").split("\n"))


class Sheet:
    """A worksheet with a cache of formats and a row cursor."""

    def __init__(self, book: xlsxwriter.Workbook, ws: Worksheet) -> None:
        self.book = book
        self.ws = ws
        self.row = 0
        self._formats: dict[tuple, Any] = {}

    def fmt(self, **props: Any) -> Any:
        props = {"font_name": FONT, "font_size": 12, "valign": "vcenter", **props}
        key = tuple(sorted(props.items()))
        if key not in self._formats:
            self._formats[key] = self.book.add_format(props)
        return self._formats[key]

    def text(self, row: int, col: int, value: str, **props: Any) -> None:
        value = value[:MAX_CELL_TEXT]
        if needs_quote(value):
            props["quote_prefix"] = True
        if value:
            self.ws.write_string(row, col, value, self.fmt(**props))
        else:
            self.ws.write_blank(row, col, None, self.fmt(**props))

    def merged(self, row: int, first: int, last: int, value: str, **props: Any) -> None:
        if first != last:
            self.ws.merge_range(row, first, row, last, "", self.fmt(**props))
        self.text(row, first, value, **props)

    def value(self, row: int, col: int, value: Any, kind: str, **props: Any) -> None:
        """A number as a number with its format; anything else (or nothing) as text."""
        if kind in NUMBER_FORMATS and value is not None and not isinstance(value, str):
            self.ws.write_number(
                row, col, float(value), self.fmt(num_format=NUMBER_FORMATS[kind], **props)
            )
        else:
            self.text(row, col, as_text(value, kind), **props)

    def merged_value(
        self, row: int, first: int, last: int, value: Any, kind: str, **props: Any
    ) -> None:
        if first != last:
            self.ws.merge_range(row, first, row, last, "", self.fmt(**props))
        self.value(row, first, value, kind, **props)

    def height(self, row: int, lines: int, size: float = 12) -> None:
        self.ws.set_row(row, ROW_HEIGHT * lines * size / 12)


def render_xlsx(report: ProgressReport) -> bytes:
    out = io.BytesIO()
    book = xlsxwriter.Workbook(
        out,
        {
            "in_memory": True,
            "strings_to_formulas": False,
            "strings_to_numbers": False,
            "strings_to_urls": False,
        },
    )
    book.set_properties({"title": f"{report.title} {report.subtitle}", "author": report.unit.name})
    ws = book.add_worksheet(_("Report")[:31])
    sheet = Sheet(book, ws)
    for col, width in enumerate(WIDTHS):
        ws.set_column(col, col, width)
    letterhead(sheet, report)
    title(sheet, report)
    figure_lines(sheet, report)
    ranks(sheet, report)
    children(sheet, report)
    signature(sheet, report)
    page_setup(sheet)
    book.close()
    return out.getvalue()


def letterhead(sheet: Sheet, report: ProgressReport) -> None:
    head = report.letterhead
    lf, ll = LEFT_COLS
    rf, rl = RIGHT_COLS
    center = {"align": "center", "text_wrap": True}
    left: list[tuple[str, dict[str, Any]]] = [
        (head.governing, {}),
        (head.issuing, {"bold": True}),
        (report.number_line, {}),
    ]
    right: list[tuple[str, dict[str, Any]]] = [
        (report.motto, {"bold": True}),
        (report.motto_sub, {"bold": True, "underline": 1}),
        (report.date_line, {"italic": True}),
    ]
    for (ltext, lprops), (rtext, rprops) in zip(left, right, strict=True):
        r = sheet.row
        sheet.merged(r, lf, ll, ltext, **center, **lprops)
        sheet.merged(r, rf, rl, rtext, **center, **rprops)
        lines = max(lines_needed(ltext, lf, ll, 0.8), lines_needed(rtext, rf, rl, 0.8))
        sheet.height(r, lines)
        sheet.row += 1
    sheet.row += 1


def title(sheet: Sheet, report: ProgressReport) -> None:
    center = {"align": "center", "text_wrap": True}
    for text, props in (
        (report.title, {"bold": True, "font_size": 14}),
        (report.subtitle, {"bold": True}),
        (report.as_of_line, {"italic": True}),
    ):
        sheet.merged(sheet.row, 0, LAST, text, **center, **props)
        sheet.height(sheet.row, lines_needed(text, 0, LAST, 0.85), props.get("font_size", 12))
        sheet.row += 1
    sheet.row += 1


def heading(sheet: Sheet, text: str) -> None:
    sheet.merged(sheet.row, 0, LAST, text, bold=True)
    sheet.row += 1


def figure_lines(sheet: Sheet, report: ProgressReport) -> None:
    heading(sheet, report.figures_heading)
    cell = {"border": 1, "font_size": 11}
    for line in report.lines:
        r = sheet.row
        sheet.merged(r, 0, 5, line.label, **cell, text_wrap=True)
        align = "left" if line.kind == TEXT else "right"
        sheet.merged_value(r, 6, LAST, line.value, line.kind, align=align, **cell)
        sheet.row += 1
    for note in report.notes:
        sheet.merged(sheet.row, 0, LAST, note, italic=True, font_size=11, text_wrap=True)
        sheet.row += 1
    sheet.row += 1


def ranks(sheet: Sheet, report: ProgressReport) -> None:
    heading(sheet, report.ranks_heading)
    spans = _scope_spans(len(report.rank_columns))
    first_scope = spans[0][0]
    head = {"border": 1, "font_size": 11, "bold": True, "bg_color": "#EBEBEB", "text_wrap": True}
    r = sheet.row
    sheet.merged(r, 0, first_scope - 1, report.measure_label, **head)
    for label, (first, last) in zip(report.rank_columns, spans, strict=True):
        sheet.merged(r, first, last, label, align="center", **head)
    sheet.height(r, 2, 11)
    sheet.row += 1
    cell = {"border": 1, "font_size": 11}
    for label, values in report.rank_rows:
        r = sheet.row
        sheet.merged(r, 0, first_scope - 1, label, **cell)
        for value, (first, last) in zip(values, spans, strict=True):
            sheet.merged_value(r, first, last, value, INT, align="center", **cell)
        sheet.row += 1
    sheet.row += 1


def _scope_spans(count: int) -> list[tuple[int, int]]:
    """The columns of each rank scope, at the right: two apiece when they leave the measure
    columns A–E, else one apiece (a unit in several clusters)."""
    width = 2 if count * 2 <= LAST + 1 - 5 else 1
    start = max(2, LAST + 1 - count * width)
    return [(start + width * i, start + width * i + width - 1) for i in range(count)]


def children(sheet: Sheet, report: ProgressReport) -> None:
    heading(sheet, report.children_heading)
    if not report.rows:
        sheet.merged(sheet.row, 0, LAST, report.empty_text, font_size=11)
        sheet.row += 2
        return
    head = {
        "border": 1,
        "font_size": 10,
        "bold": True,
        "bg_color": "#EBEBEB",
        "text_wrap": True,
        "align": "center",
    }
    header_row = sheet.row
    for col, column in enumerate(report.columns):
        sheet.text(header_row, col, column.label, **head)
    sheet.height(header_row, 3, 10)
    sheet.ws.repeat_rows(header_row)
    sheet.row += 1
    cell: dict[str, Any] = {"border": 1, "font_size": 10}
    for values in report.rows:
        for col, (value, column) in enumerate(zip(values, report.columns, strict=True)):
            props = dict(cell)
            if column.key in ("number", "rank"):
                props["align"] = "center"
            if column.kind == TEXT:
                props["text_wrap"] = True
            sheet.value(sheet.row, col, value, column.kind, **props)
        sheet.row += 1
    if report.total is not None:
        bold = {**cell, "bold": True}
        sheet.merged(sheet.row, 0, 1, str(report.total[1]), align="center", **bold)
        for col in range(2, LAST + 1):
            value, kind = report.total[col], report.columns[col].kind
            if value is None and col == LAST:
                sheet.text(sheet.row, col, "", **bold)
            else:
                sheet.value(sheet.row, col, value, kind, **bold)
        sheet.row += 1
    for note in report.table_notes:
        sheet.merged(sheet.row, 0, LAST, note, italic=True, font_size=10, text_wrap=True)
        sheet.row += 1
    sheet.row += 1


def signature(sheet: Sheet, report: ProgressReport) -> None:
    head = report.letterhead
    top = sheet.row
    # Left: "Nơi nhận:" and the list, in one cell (so no cell starts with "-").
    rows = max(6, len(head.recipients) + 1)
    fmt = sheet.fmt(font_size=10, valign="top", text_wrap=True)
    sheet.ws.merge_range(top, 0, top + rows - 1, 2, "", fmt)
    label = sheet.fmt(font_size=10, bold=True, italic=True)
    if head.recipients:
        body = sheet.fmt(font_size=10)
        lines = "\n" + "\n".join(head.recipients)
        sheet.ws.write_rich_string(top, 0, label, report.recipients_label, body, lines, fmt)
    else:
        sheet.ws.write_string(top, 0, report.recipients_label, fmt)
    # Right: on behalf of, the title, room to sign, the name.
    right = {"align": "center", "bold": True, "text_wrap": True}
    rf = 4
    sheet.merged(top, rf, LAST, head.on_behalf, **right)
    sheet.merged(top + 1, rf, LAST, head.signer_title, **right)
    for r in range(top + 2, top + rows - 1):
        sheet.merged(r, rf, LAST, "", **right)
    sheet.merged(top + rows - 1, rf, LAST, head.signer_name, **right)
    sheet.row = top + rows


def page_setup(sheet: Sheet) -> None:
    ws = sheet.ws
    ws.set_paper(9)  # A4
    ws.set_portrait()
    ws.fit_to_pages(1, 0)
    ws.set_margins(left=3 / 2.54, right=2 / 2.54, top=2 / 2.54, bottom=2 / 2.54)
    ws.center_horizontally()
    ws.set_footer("&C&P / &N")
    ws.print_area(0, 0, max(sheet.row - 1, 0), LAST)
    ws.hide_gridlines(2)
