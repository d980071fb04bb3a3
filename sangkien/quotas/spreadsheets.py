"""Quota spreadsheets: reading an uploaded allocation into a preview, and writing the
template of a unit's children (decision record 0010).

Reading: .xlsx/.xlsm/.xls/.ods through python-calamine, .csv as UTF-8 (with or without a
BOM, comma, semicolon or tab separated). The header row is found by its names, ignoring
diacritics, case and notes in brackets, within the first rows of the first sheet that has
one, so title rows above it are fine ("Mã đơn vị"/"Mã", "Tên đơn vị", "Chỉ tiêu"/"Chỉ tiêu
giao", or the English names). Each row is matched to a direct child of the unit by code, or
by its exact name (diacritics and case ignored) when there is no code. Every problem is
reported with its row and column; the preview is applied only when there is none, through
`services.allocate`, all or nothing.

Writing: an .xlsx with a title row, the header and one row per child with its current
quota, text cells typed as text and never starting a formula (sangkien.core.cells); the
apostrophe that guard adds is taken off again when the file comes back."""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from typing import Any

import openpyxl
import python_calamine
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from sangkien.campaigns.models import Campaign, Phase
from sangkien.core.cells import safe_cell_text, unquoted_cell_text
from sangkien.orgs.models import Unit
from sangkien.text import fold, nfc

from . import services
from .models import Quota

MAX_UPLOAD_BYTES = 5 * 1024 * 1024
MAX_DATA_ROWS = 5_000
HEADER_SCAN_ROWS = 20
SPREADSHEET_EXTENSIONS = (".xlsx", ".xlsm", ".xls", ".ods")
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

CODE, NAME, QUOTA = "code", "name", "quota"
# Header names, folded (no diacritics, lower case, punctuation as spaces).
HEADERS = {
    CODE: {"ma don vi", "ma", "ma dv", "ma so", "ma cdcs", "unit code", "code"},
    NAME: {"ten don vi", "ten", "don vi", "ten cdcs", "ten cong doan", "unit", "unit name",
           "name"},
    QUOTA: {"chi tieu", "chi tieu giao", "chi tieu duoc giao", "so chi tieu", "chi tieu sang kien",
            "quota", "assigned quota", "assigned"},
}  # fmt: skip
# A quota header may go on ("Chỉ tiêu giao đợt 1") but not name the self-set target.
QUOTA_PREFIXES = ("chi tieu ", "quota ", "assigned quota ")
NOT_QUOTA_WORDS = ("dang ky", "muc tieu", "target", "ty le", "percent")
TOTAL_ROWS = {"tong", "tong cong", "cong", "tong so", "total", "sum"}
_BRACKETS = re.compile(r"\([^)]*\)|\[[^\]]*\]")
_NOT_WORD = re.compile(r"[^0-9a-z]+")


class SpreadsheetError(Exception):
    """The file as a whole cannot be used; nothing was read from it."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


# -- reading cells -------------------------------------------------------------------------


@dataclass
class Sheet:
    name: str | None  # None for a CSV file
    rows: list[list[Any]]


def read_sheets(upload: UploadedFile) -> list[Sheet]:
    """The sheets of an uploaded file, as rows of cell values from A1 (so indexes are the
    sheet's own row and column numbers minus one)."""
    filename = (upload.name or "").lower()
    if upload.size is not None and upload.size > MAX_UPLOAD_BYTES:
        raise SpreadsheetError(
            _("The file is larger than %(n)s MB; upload only the allocation table.")
            % {"n": MAX_UPLOAD_BYTES // (1024 * 1024)}
        )
    data = upload.read()
    if filename.endswith(".csv"):
        return [Sheet(None, _read_csv(data))]
    if filename.endswith(SPREADSHEET_EXTENSIONS):
        return _read_workbook(data)
    raise SpreadsheetError(_("Upload an .xlsx, .ods, .xls or .csv file."))


def _read_csv(data: bytes) -> list[list[Any]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise SpreadsheetError(
            _("The CSV file is not UTF-8 text: save it as “CSV UTF-8” and upload it again.")
        ) from exc
    try:
        dialect: Any = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    rows: list[list[Any]] = []
    for row in csv.reader(io.StringIO(text, newline=""), dialect):
        rows.append(row)
        if len(rows) > MAX_DATA_ROWS + HEADER_SCAN_ROWS:
            break
    return rows


def _read_workbook(data: bytes) -> list[Sheet]:
    try:
        book = python_calamine.load_workbook(io.BytesIO(data))
        sheets = []
        for meta in book.sheets_metadata:
            if str(meta.typ) != str(python_calamine.SheetTypeEnum.WorkSheet):
                continue
            if str(meta.visible) != str(python_calamine.SheetVisibleEnum.Visible):
                continue
            sheet = book.get_sheet_by_name(meta.name)
            rows = sheet.to_python(
                skip_empty_area=False, nrows=MAX_DATA_ROWS + HEADER_SCAN_ROWS + 1
            )
            sheets.append(Sheet(meta.name, rows))
    except python_calamine.PasswordError as exc:
        raise SpreadsheetError(
            _("The file is protected by a password: remove the password and upload it again.")
        ) from exc
    except Exception as exc:  # calamine raises several kinds for a file it cannot read
        raise SpreadsheetError(
            _("This file cannot be read as a spreadsheet. Save it as .xlsx and try again.")
        ) from exc
    return sheets


def cell_text(value: Any) -> str:
    """A cell as text: numbers without a trailing .0, dates as written, NFC."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return nfc(str(value))


def _header_key(value: Any) -> str:
    text = _BRACKETS.sub(" ", fold(cell_text(value)))
    return _NOT_WORD.sub(" ", text).strip()


def header_kind(value: Any) -> str | None:
    key = _header_key(value)
    if not key:
        return None
    for kind, names in HEADERS.items():
        if key in names:
            return kind
    if key.startswith(QUOTA_PREFIXES) and not any(w in key for w in NOT_QUOTA_WORDS):
        return QUOTA
    return None


@dataclass
class Header:
    row: int  # 0-based index of the header row
    columns: dict[str, int]  # kind → 0-based column
    titles: dict[str, str]  # kind → the header text as written


def find_header(rows: list[list[Any]]) -> Header | None:
    """The first row (among the first few) naming a quota column and a code or name column."""
    for index, row in enumerate(rows[:HEADER_SCAN_ROWS]):
        columns: dict[str, int] = {}
        titles: dict[str, str] = {}
        for col, value in enumerate(row):
            kind = header_kind(value)
            if kind and kind not in columns:
                columns[kind] = col
                titles[kind] = cell_text(value)
        if QUOTA in columns and (CODE in columns or NAME in columns):
            return Header(index, columns, titles)
    return None


# -- the preview ---------------------------------------------------------------------------


class Outcome:
    CHANGE = "change"
    SAME = "same"
    SKIP = "skip"
    ERROR = "error"


@dataclass
class RowResult:
    row: int  # the sheet's row number (1-based)
    code: str
    name: str
    raw_quota: str
    unit: Unit | None = None
    before: int | None = None
    after: int | None = None
    version: int = 0
    outcome: str = Outcome.SAME
    errors: list[str] = field(default_factory=list)


@dataclass
class UploadPreview:
    filename: str
    sheet: str | None
    header_row: int  # 1-based
    titles: dict[str, str]
    rows: list[RowResult]
    summary: services.AllocationSummary
    file_errors: list[str] = field(default_factory=list)

    @property
    def errors(self) -> list[str]:
        return [*self.file_errors, *(e for r in self.rows for e in r.errors)]

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def changes(self) -> list[RowResult]:
        return [r for r in self.rows if r.outcome == Outcome.CHANGE]

    def count(self, outcome: str) -> int:
        return sum(1 for r in self.rows if r.outcome == outcome)

    @property
    def counts(self) -> dict[str, int]:
        return {o: self.count(o) for o in (Outcome.CHANGE, Outcome.SAME, Outcome.SKIP)}

    def values(self) -> dict[Unit, int | None]:
        """What to hand to `services.allocate` (only the rows that change something)."""
        return {r.unit: r.after for r in self.changes if r.unit is not None}

    def versions(self) -> dict[Unit, int]:
        return {r.unit: r.version for r in self.changes if r.unit is not None}

    @property
    def versions_field(self) -> str:
        """The versions read for the preview, as the confirm form posts them."""
        return ",".join(f"{unit.pk}:{version}" for unit, version in self.versions().items())


def _where(row: int, header: Header, kind: str) -> str:
    return _("Row %(row)s, column %(column)s (%(title)s)") % {
        "row": row,
        "column": get_column_letter(header.columns[kind] + 1),
        "title": header.titles[kind],
    }


def _cell(row: list[Any], header: Header, kind: str) -> Any:
    col = header.columns.get(kind)
    if col is None or col >= len(row):
        return None
    return row[col]


def preview_upload(
    upload: UploadedFile, parent: Unit, campaign: Campaign, phase: Phase | None
) -> UploadPreview:
    """Read an uploaded allocation for the children of `parent` and say, row by row, what
    applying it would do. Raises SpreadsheetError when the file as a whole is unusable."""
    sheets = read_sheets(upload)
    found = next(((s, h) for s in sheets if (h := find_header(s.rows)) is not None), None)
    if found is None:
        raise SpreadsheetError(
            _(
                "No header row found. The first rows must name a column “Chỉ tiêu” (the quota) "
                "and a column “Mã đơn vị” (the unit code) or “Tên đơn vị” (the unit name)."
            )
        )
    sheet, header = found
    children = services.active_children(parent)
    by_code = {c.code: c for c in children}
    by_name: dict[str, list[Unit]] = {}
    for child in children:
        by_name.setdefault(fold(child.name), []).append(child)
    stored = {
        q.unit_id: q
        for q in Quota.objects.filter(
            campaign=campaign, phase_key=services.phase_key(phase), unit__in=children
        )
    }
    results: list[RowResult] = []
    file_errors: list[str] = []
    seen: dict[int, int] = {}
    data_rows = sheet.rows[header.row + 1 :]
    if len(data_rows) > MAX_DATA_ROWS:
        file_errors.append(
            _("The sheet has more than %(n)s rows; a unit has far fewer units below it.")
            % {"n": MAX_DATA_ROWS}
        )
        data_rows = data_rows[:MAX_DATA_ROWS]
    for offset, row in enumerate(data_rows):
        number = header.row + 2 + offset
        # The template's text comes back as written: "'=1+1" is the unit "=1+1".
        code = unquoted_cell_text(cell_text(_cell(row, header, CODE)).strip())
        name = unquoted_cell_text(cell_text(_cell(row, header, NAME)).strip())
        raw = _cell(row, header, QUOTA)
        raw_text = cell_text(raw).strip()
        if not code and not name and not raw_text:
            continue  # an empty line
        if not code and fold(name) in TOTAL_ROWS:
            continue  # the sheet's own total line
        result = RowResult(row=number, code=code, name=name, raw_quota=raw_text)
        results.append(result)
        unit = _match(result, header, by_code, by_name, parent)
        if unit is not None and unit.pk in seen:
            kind = CODE if code else NAME
            result.errors.append(
                _("%(where)s: %(unit)s is already on row %(first)s.")
                % {"where": _where(number, header, kind), "unit": unit.code, "first": seen[unit.pk]}
            )
            unit = None
        if unit is not None:
            seen[unit.pk] = number
            result.unit = unit
            quota = stored.get(unit.pk)
            result.before = quota.assigned if quota else None
            result.version = quota.version if quota else 0
        try:
            value = services.parse_quota(raw.strip() if isinstance(raw, str) else raw)
        except ValueError as exc:
            result.errors.append(
                _("%(where)s: %(problem)s")
                % {"where": _where(number, header, QUOTA), "problem": exc}
            )
            value = None
        if result.errors:
            result.outcome = Outcome.ERROR
        elif not raw_text:
            result.outcome = Outcome.SKIP
        else:
            result.after = value
            result.outcome = Outcome.CHANGE if value != result.before else Outcome.SAME
    summary = _projected_summary(parent, campaign, phase, children, results)
    return UploadPreview(
        filename=upload.name or "",
        sheet=sheet.name,
        header_row=header.row + 1,
        titles=header.titles,
        rows=results,
        summary=summary,
        file_errors=file_errors,
    )


def _match(
    result: RowResult,
    header: Header,
    by_code: dict[str, Unit],
    by_name: dict[str, list[Unit]],
    parent: Unit,
) -> Unit | None:
    if result.code:
        unit = by_code.get(result.code.upper())
        if unit is None:
            exists = Unit.objects.filter(code=result.code.upper()).exists()
            message = (
                _("%(where)s: %(code)s is not a unit directly under %(parent)s.")
                if exists
                else _("%(where)s: no unit has the code %(code)s.")
            )
            result.errors.append(
                message
                % {
                    "where": _where(result.row, header, CODE),
                    "code": result.code,
                    "parent": parent.name,
                }
            )
        return unit
    if result.name and NAME in header.columns:
        matches = by_name.get(fold(result.name), [])
        if len(matches) == 1:
            return matches[0]
        where = _where(result.row, header, NAME)
        if matches:
            result.errors.append(
                _("%(where)s: several units below %(parent)s have this name; give the code.")
                % {"where": where, "parent": parent.name}
            )
        else:
            result.errors.append(
                _("%(where)s: no unit directly under %(parent)s is named “%(name)s”.")
                % {"where": where, "parent": parent.name, "name": result.name}
            )
        return None
    kind = CODE if CODE in header.columns else NAME
    result.errors.append(
        _("%(where)s: enter the code or the name of the unit.")
        % {"where": _where(result.row, header, kind)}
    )
    return None


def _projected_summary(
    parent: Unit,
    campaign: Campaign,
    phase: Phase | None,
    children: list[Unit],
    results: list[RowResult],
) -> services.AllocationSummary:
    """The allocation summary as it would stand after applying the rows that change."""
    values = services.quotas_for(campaign, phase, [parent.pk, *(c.pk for c in children)])
    for r in results:
        if r.outcome == Outcome.CHANGE and r.unit is not None:
            old = values.get(r.unit.pk, services.QuotaValue(None, None))
            values[r.unit.pk] = services.QuotaValue(r.after, old.target)
    return services.allocation_summary(parent, campaign, phase, children=children, values=values)


# -- the template --------------------------------------------------------------------------


def _text_cell(ws: Any, row: int, col: int, value: str) -> Any:
    """A text cell that stays text: a string cell, never starting a formula (a unit named
    "=1+1" is written "'=1+1", sangkien.core.cells)."""
    cell = ws.cell(row=row, column=col)
    cell.value = safe_cell_text(value)
    cell.data_type = "s"
    return cell


def template_workbook(parent: Unit, campaign: Campaign, phase: Phase | None) -> bytes:
    """An .xlsx listing the active children of `parent` with their current assigned quota
    (blank where none), ready to fill in and upload back."""
    children = services.active_children(parent)
    stored = {
        q.unit_id: q.assigned
        for q in Quota.objects.filter(
            campaign=campaign, phase_key=services.phase_key(phase), unit__in=children
        )
    }
    book = openpyxl.Workbook()
    ws = book.active
    ws.title = _("Quotas")[:31]
    period = phase.name if phase is not None else _("whole campaign")
    title = _("Quota allocation of %(unit)s: %(campaign)s, %(period)s") % {
        "unit": parent.name,
        "campaign": campaign.name,
        "period": period,
    }
    _text_cell(ws, 1, 1, title).font = Font(bold=True, size=13)
    note = _(
        "Fill in the column “%(column)s” (whole numbers, one row per unit) and upload the "
        "file on the allocation page. A blank cell leaves the unit's quota as it is."
    ) % {"column": _("Assigned quota")}
    _text_cell(ws, 2, 1, note).alignment = Alignment(wrap_text=False)
    headers = [_("Unit code"), _("Unit name"), _("Assigned quota")]
    fill = PatternFill("solid", fgColor="DDE4F0")
    for col, text in enumerate(headers, start=1):
        cell = _text_cell(ws, 4, col, text)
        cell.font = Font(bold=True)
        cell.fill = fill
    for index, child in enumerate(children, start=5):
        _text_cell(ws, index, 1, child.code)
        _text_cell(ws, index, 2, child.name)
        value = stored.get(child.pk)
        if value is not None:
            ws.cell(row=index, column=3, value=value).number_format = "#,##0"
    ws.column_dimensions["A"].width = 18
    ws.column_dimensions["B"].width = 60
    ws.column_dimensions["C"].width = 18
    ws.freeze_panes = "A5"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
