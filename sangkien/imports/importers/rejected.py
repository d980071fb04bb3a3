"""The rejected rows back to the user as an .xlsx with their cells and the reason."""

from __future__ import annotations

import datetime as dt
from typing import IO, Any

import xlsxwriter
from django.utils.translation import gettext as _

from sangkien.core.cells import safe_cell_text

from .common import (
    Summary,
)

# -- the rejected rows back --------------------------------------------------------------------


def errors_xlsx(summary: Summary, out: str | IO[bytes]) -> int:
    """Write the rejected rows with their original cells, their row number in the file and
    the reason, in the user's language; returns how many rows were written. Text is written
    as text, never starting a formula (sangkien.core.cells)."""
    book = xlsxwriter.Workbook(
        out, {"constant_memory": True, "in_memory": not isinstance(out, str)}
    )
    sheet = book.add_worksheet(_("Rejected rows")[:31])
    bold = book.add_format(
        {"bold": True, "text_wrap": True, "valign": "top", "bg_color": "#F2F2F2"}
    )
    reason_format = book.add_format({"font_color": "#9C0006", "text_wrap": True, "valign": "top"})
    date_format = book.add_format({"num_format": "dd/mm/yyyy"})
    headers = list(summary.headers)
    width = max([len(headers), *(len(o.cells or []) for o in summary.rejected)])
    headers += [""] * (width - len(headers))
    sheet.write_string(0, 0, _("Row in the file"), bold)
    for c, header in enumerate(headers, start=1):
        sheet.write_string(0, c, safe_cell_text(str(header)), bold)
    # The sheet of the file the rows come from (none for a CSV), then the reason.
    sheet.write_string(0, width + 1, _("Sheet"), bold)
    sheet.write_string(0, width + 2, _("Reason"), bold)
    sheet.set_column(0, 0, 10)
    sheet.set_column(1, width + 1, 18)
    sheet.set_column(width + 2, width + 2, 60)
    sheet.freeze_panes(1, 0)
    written = 0
    for r, outcome in enumerate(summary.rejected, start=1):
        sheet.write_number(r, 0, outcome.number)
        for c, value in enumerate(outcome.cells or [], start=1):
            _write_cell(sheet, r, c, value, date_format)
        if summary.sheet:
            sheet.write_string(r, width + 1, safe_cell_text(summary.sheet))
        sheet.write_string(r, width + 2, safe_cell_text(outcome.message), reason_format)
        written += 1
    book.close()
    return written


def _write_cell(sheet: Any, r: int, c: int, value: Any, date_format: Any) -> None:
    if value is None or value == "":
        return
    if isinstance(value, bool):
        sheet.write_boolean(r, c, value)
    elif isinstance(value, int | float):
        sheet.write_number(r, c, value)
    elif isinstance(value, dt.datetime | dt.date):
        sheet.write_datetime(r, c, value, date_format)
    elif isinstance(value, dt.time | dt.timedelta):
        sheet.write_string(r, c, safe_cell_text(str(value)))
    else:
        sheet.write_string(r, c, safe_cell_text(str(value)))
