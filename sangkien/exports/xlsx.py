"""Writing a table to .xlsx as a stream: XlsxWriter in constant-memory mode, rows in order,
one row in memory at a time.

The sheet: a bold header row (frozen), column widths, dates as real dates shown dd/mm/yyyy,
money (whole dong) and counts as integers shown "#,##0", percentages with one decimal.
Text is only ever written as text (never a formula, a number or a link), and a text that a
spreadsheet could still take for a formula once someone edits the cell or saves the sheet
as CSV — starting with "=", "+", "-", "@", a tab or a carriage return — gets a leading
apostrophe ("'"): `sangkien.core.cells.safe_cell_text`, the rule of every file the product
writes.

Rows go one of two ways, with the same result cell for cell (the tests read both back):
- `fast=True` (the default): each row is serialised once and appended to the worksheet's
  constant-memory row file, where XlsxWriter's own `write_*` calls would put it. Per cell,
  XlsxWriter's API costs ~6 µs (a cell object, a dimension check, then the XML), too slow
  for a million rows of sixteen columns; this path relies on XlsxWriter's internal row
  stream (`Worksheet.fh`, `previous_row`, the dimension fields), pinned at 3.3.1.
- `fast=False`: the public `write_string` / `write_number` / `write_datetime` calls.
The header row, formats, widths, frozen pane and the package itself are XlsxWriter's.
"""

from __future__ import annotations

import datetime as dt
import re
import threading
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal
from functools import partial
from typing import IO, Any
from zipfile import ZipFile

import xlsxwriter
import xlsxwriter.workbook
from xlsxwriter.utility import xl_col_to_name

from sangkien.core.cells import FORMULA_FIRST, MAX_CELL_TEXT, safe_cell_text
from sangkien.formats import input_date

TEXT, INT, MONEY, DATE, PERCENT = "text", "int", "money", "date", "percent"
KINDS = (TEXT, INT, MONEY, DATE, PERCENT)
NUMBER_FORMATS = {INT: "#,##0", MONEY: "#,##0", PERCENT: "0.0", DATE: "dd/mm/yyyy"}
# Excel's day 0 is 30/12/1899 for every date after 28/02/1900 (its 1900 leap-year bug).
EXCEL_EPOCH = dt.date(1899, 12, 30).toordinal()
FIRST_SERIAL_DATE = dt.date(1900, 3, 1)
SHEET_NAME_MAX = 31
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f]")


@dataclass(frozen=True)
class Column:
    header: Any  # a (lazy) translated string
    kind: str = TEXT
    width: float = 14


def excel_serial(day: dt.date) -> int:
    return day.toordinal() - EXCEL_EPOCH


def _escape(text: str) -> str:
    """XML text, with control characters as XlsxWriter writes them (_xHHHH_)."""
    if "&" in text or "<" in text or ">" in text:
        text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    if not text.isprintable() and _CONTROL.search(text):
        text = _CONTROL.sub(lambda m: f"_x{ord(m.group()):04X}_", text)
    return text


# The height of one line of the bold 11-point header, in points.
HEADER_LINE_HEIGHT = 15
MAX_HEADER_LINES = 6


def header_lines(columns: Sequence[Column]) -> int:
    """How many lines the widest-wrapping header takes in its column (about one character
    per unit of column width, less for bold text)."""
    lines = 1
    for column in columns:
        per_line = max(1, int(column.width * 0.9))
        words = str(column.header).split()
        count, used = 1, 0
        for word in words:
            size = len(word)
            if used and used + 1 + size > per_line:
                count += 1
                used = size
            else:
                used += size + (1 if used else 0)
            count += max(0, (size - 1) // per_line)
        lines = max(lines, count)
    return min(lines, MAX_HEADER_LINES)


def _header_text(text: str) -> str:
    """Text for a printed page header or footer: "&" starts a code there."""
    return safe_cell_text(text).replace("&", "&&")[:200]


class SheetWriter:
    """One worksheet of `columns` written to `target` (a path or a binary file object)."""

    def __init__(
        self,
        target: str | IO[bytes],
        columns: Sequence[Column],
        *,
        sheet_name: str = "",
        fast: bool = True,
        caption: str = "",
    ) -> None:
        for column in columns:
            if column.kind not in KINDS:
                raise ValueError(f"unknown column kind {column.kind!r}")
        options = {
            "constant_memory": True,
            "strings_to_numbers": False,
            "strings_to_formulas": False,
            "strings_to_urls": False,
            "default_date_format": NUMBER_FORMATS[DATE],
        }
        self.book = xlsxwriter.Workbook(target, options)
        self.columns = list(columns)
        name = re.sub(r"[\[\]:*?/\\]", " ", str(sheet_name)).strip()[:SHEET_NAME_MAX]
        self.sheet = self.book.add_worksheet(name or None)
        self.fast = fast
        self.row = 0
        self.formats = {
            kind: self.book.add_format({"num_format": fmt}) for kind, fmt in NUMBER_FORMATS.items()
        }
        header = self.book.add_format(
            {"bold": True, "text_wrap": True, "valign": "top", "bg_color": "#F2F2F2", "bottom": 1}
        )
        # A wrapped header gets the height of its lines: spreadsheets that do not size rows
        # by themselves (LibreOffice) would draw it over the first row.
        self.sheet.set_row(0, HEADER_LINE_HEIGHT * header_lines(self.columns))
        for col, column in enumerate(self.columns):
            self.sheet.set_column(col, col, column.width)
            self.sheet.write_string(0, col, safe_cell_text(column.header), header)
        self.sheet.freeze_panes(1, 0)
        self._print_setup(caption)
        self.row = 1
        self._letters = [xl_col_to_name(c) for c in range(len(self.columns))]
        self._styles = {kind: fmt._get_xf_index() for kind, fmt in self.formats.items()}

    def _print_setup(self, caption: str) -> None:
        """On paper: A4 landscape, as wide as one page, the header row on every page, and
        atop each page what the table covers (`caption`), with page numbers below."""
        ws = self.sheet
        ws.set_paper(9)  # A4
        ws.set_landscape()
        ws.fit_to_pages(1, 0)
        ws.repeat_rows(0)
        if caption:
            ws.set_header("&L" + _header_text(caption))
            self.book.set_properties({"title": caption})
        ws.set_footer("&C&P / &N")

    # -- rows --------------------------------------------------------------------------------

    def write_rows(self, rows: Iterable[Sequence[Any]]) -> int:
        """Append rows (one value per column; None leaves the cell empty); how many."""
        if self.fast:
            return self._write_fast(rows)
        count = 0
        for values in rows:
            self._write_api(values)
            count += 1
        return count

    def _write_api(self, values: Sequence[Any]) -> None:
        ws, row = self.sheet, self.row
        for col, (column, value) in enumerate(zip(self.columns, values, strict=True)):
            if value is None or value == "":
                continue
            kind = column.kind
            if kind == TEXT:
                ws.write_string(row, col, safe_cell_text(value))
            elif kind == DATE:
                if value < FIRST_SERIAL_DATE:
                    ws.write_string(row, col, input_date(value))
                else:
                    ws.write_number(row, col, excel_serial(value), self.formats[DATE])
            elif kind == PERCENT:
                ws.write_number(row, col, float(value), self.formats[PERCENT])
            else:
                ws.write_number(row, col, int(value), self.formats[kind])
        self.row += 1

    def _write_fast(self, rows: Iterable[Sequence[Any]]) -> int:
        ws = self.sheet
        if self.row == 1:
            ws._write_single_row(1)  # the header row goes out through XlsxWriter itself
        plan = list(zip(self._letters, [c.kind for c in self.columns], strict=True))
        styles = self._styles
        date_style, pct_style = styles[DATE], styles[PERCENT]
        first = self.row
        row = first
        out: list[str] = []
        write = ws.fh.write
        for values in rows:
            r = str(row + 1)
            parts = [f'<row r="{r}">']
            add = parts.append
            for (letter, kind), value in zip(plan, values, strict=True):
                if value is None or value == "":
                    continue
                if kind == TEXT:
                    text = value if type(value) is str else str(value)
                    if text[:1] in FORMULA_FIRST or len(text) > MAX_CELL_TEXT:
                        text = safe_cell_text(text)
                    text = _escape(text)
                    if text[:1].isspace() or text[-1:].isspace():
                        add(f'<c r="{letter}{r}" t="inlineStr"><is><t xml:space="preserve">')
                        add(f"{text}</t></is></c>")
                    else:
                        add(f'<c r="{letter}{r}" t="inlineStr"><is><t>{text}</t></is></c>')
                elif kind == DATE:
                    if value < FIRST_SERIAL_DATE:
                        text = input_date(value)
                        add(f'<c r="{letter}{r}" t="inlineStr"><is><t>{text}</t></is></c>')
                    else:
                        serial = value.toordinal() - EXCEL_EPOCH
                        add(f'<c r="{letter}{r}" s="{date_style}"><v>{serial}</v></c>')
                elif kind == PERCENT:
                    add(f'<c r="{letter}{r}" s="{pct_style}"><v>{_number(value)}</v></c>')
                else:
                    add(f'<c r="{letter}{r}" s="{styles[kind]}"><v>{int(value)}</v></c>')
            add("</row>")
            out.append("".join(parts))
            row += 1
            if len(out) >= 512:
                write("".join(out))
                out.clear()
        if out:
            write("".join(out))
        if row > first:
            # What XlsxWriter's own calls would have recorded: the extent of the data (for
            # the sheet's <dimension>) and the last row written.
            ws.dim_rowmin = 0 if ws.dim_rowmin is None else ws.dim_rowmin
            ws.dim_rowmax = max(ws.dim_rowmax or 0, row - 1)
            ws.dim_colmin = 0 if ws.dim_colmin is None else min(ws.dim_colmin, 0)
            ws.dim_colmax = max(ws.dim_colmax or 0, len(self.columns) - 1)
            ws.previous_row = row
        self.row = row
        return row - first

    def close(self) -> None:
        with fast_zip():
            self.book.close()


_zip_lock = threading.Lock()


@contextmanager
def fast_zip() -> Iterator[None]:
    """Deflate the package at level 1 instead of zlib's default 6 while XlsxWriter zips it:
    for a million rows the sheet is about a gigabyte of XML, which level 6 takes about twice
    as long to pack, for a file some 15 % smaller. XlsxWriter has no option for it, so the
    ZipFile its workbook module uses is swapped for the duration of the close (under a lock,
    so two exports closing at once put the original back; a report closed meanwhile in
    another thread is packed at level 1 too, which is still a valid file)."""
    with _zip_lock:
        original = xlsxwriter.workbook.ZipFile
        xlsxwriter.workbook.ZipFile = partial(ZipFile, compresslevel=1)
        try:
            yield
        finally:
            xlsxwriter.workbook.ZipFile = original


def _number(value: Any) -> str:
    if isinstance(value, Decimal):
        return format(value, "f")
    return repr(float(value))


def write_table(
    target: str | IO[bytes],
    columns: Sequence[Column],
    rows: Iterable[Sequence[Any]],
    *,
    sheet_name: str = "",
    fast: bool = True,
    caption: str = "",
) -> int:
    """Write a whole table (header and rows) to `target`; the number of rows."""
    writer = SheetWriter(target, columns, sheet_name=sheet_name, fast=fast, caption=caption)
    try:
        return writer.write_rows(rows)
    finally:
        writer.close()
