"""Reading the tables offices really make: find the header, then stream the rows.

`open_table(source, filename, kind)` opens a spreadsheet and finds the table of `kind`
("units", "members", "initiatives"; the columns are in `columns.COLUMNS`) in it; the returned
`Table` says where the header is and which column holds what, and `Table.rows()` streams the
rows below it as `Row` (data, raw cell values) or `Skipped` (with the reason). Nothing here
parses a value (see `values`) or touches the database.

Formats, chosen by the file name and checked against the content: .xlsx, .xlsm, .xls, .xlsb
and .ods through python-calamine; .csv (also .txt, .tsv) through the csv module. A workbook
saved with a .csv name, or a CSV saved with an .xls name (as some systems export), is read
for what it is; a web page saved as .xls is refused with a message.

CSV: the encoding is UTF-8 (with or without a BOM) when the whole file decodes as strict
UTF-8; UTF-16 when it starts with a UTF-16 BOM; otherwise Windows-1258 when that reading
makes Vietnamese syllables of the non-ASCII words, else Windows-1252 (so TCVN3 or VNI text
keeps its characters and is recognised cell by cell by `values.text`), else Latin-1.
`Table.encoding` says which ("utf-8", "utf-8-sig", "utf-16", "cp1258", "cp1252", "latin-1"),
so the caller can show it. The separator (comma, semicolon or tab) is the one with which a
header is found. A CSV row's number is its record number (what a spreadsheet shows).

The header: on each visible worksheet in turn, the first of the first 30 rows that names
every required column (`columns.match_header`) is the header; the first sheet that has one
is read. A header may span two rows: a top cell merged over several columns ("Tác giả" over
"Họ và tên" | "Năm sinh"; merges are read from .xlsx/.xls, and an empty top cell over a
filled cell is taken as part of the filled top cell on its left) combines with each cell
below it (tried as "top bottom", "bottom top", then the bottom cell alone; the top alone
where the bottom is empty). Two rows are taken when they name more columns than the top row
alone, or as many with every cell of the second row used. `Table.headers[i]` is the header
text of column i as the file says it ("Tác giả / Họ và tên"), for messages. Of two columns
of one name the visible one is read; a hidden column read is noted (`Table.notes`). Hidden
columns are known in .xlsx and .ods files, not in .xls (calamine does not tell them).

Under the header:
- a numbering row ("1 2 3 …", "(1) (2) …", "A B 1 2", "(3) = (1) x (2)") right under the
  header is part of the header: not yielded, its number in `Table.numbering_row`;
- blank rows are not yielded; `Table.blank_rows` counts them (after `rows()` ran);
- a row is data when it has a value in every required column; data rows are always
  yielded as `Row`, wherever they are;
- any other row is yielded as `Row` too (the importer rejects it, naming what is missing),
  unless it is one of these, yielded as `Skipped` with the reason:
  - a total row: its first text cell says "Tổng cộng", "Cộng", "Tổng số", "Tổng",
    "Total", or begins "Tổng cộng …", "Tổng số …", "Cộng đơn vị …", "Cộng CĐCS …" (sub-totals
    in the middle of the table too);
  - the header repeated (a table printed page by page);
  - the signature block: from a row whose every cell reads like a signature line ("Người
    lập biểu", "Thủ trưởng đơn vị", "(Ký, ghi rõ họ tên)", "TM. Ban chấp hành", "Chủ tịch",
    "Xác nhận của …", "Thanh Hóa, ngày … tháng … năm …"), every later row that is not data;
  - a note ("Ghi chú: …", "Lưu ý …", "* …", "Nguồn: …") or a section heading ("I. KHỐI
    DOANH NGHIỆP", "A") in a row that is not data.

`Row.values` has a key for every column of the kind (None when the file has no such column
or the cell is empty or blank). When the file has "Mã đơn vị" but no unit name column, the
code column is also `unit`; when it has "Đồng tác giả" but no "Tác giả", that column is
also `authors`; when it has both "Tác giả" and "Đồng tác giả", `values["authors"]` is the two
texts joined by "; " (and `values["coauthors"]` the second alone).

Memory: rows are streamed; python-calamine holds the cells of the chosen sheet (compact,
in Rust) while the table is read, never a Python list of the rows; CSV is read record by
record.
"""

from __future__ import annotations

import codecs
import csv
import io
import os
import re
import unicodedata
import zipfile
from collections.abc import Callable, Generator, Iterable, Iterator
from contextlib import closing
from dataclasses import dataclass, field
from itertools import islice
from typing import IO, Any
from xml.etree import ElementTree

import python_calamine
from django.utils.translation import gettext as _

from sangkien import legacy

from .columns import COLUMNS, Column, alternatives, header_keys, header_words, match_header

HEADER_SCAN_ROWS = 30
_LOOKAHEAD = 5  # rows read past the scan, for a header's second row and numbering row
WORKBOOK_EXTENSIONS = (".xlsx", ".xlsm", ".xls", ".xlsb", ".ods")
CSV_EXTENSIONS = (".csv", ".txt", ".tsv")
DELIMITERS = (",", ";", "\t")
_CHUNK = 1 << 20

_ZIP_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ENCRYPTED = "EncryptedPackage".encode("utf-16-le")

Source = str | os.PathLike | bytes | bytearray | IO[bytes]


class SpreadsheetError(Exception):
    """The file as a whole cannot be used; `message` (translated) says what and where."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass
class Row:
    """A row of data: its number in the sheet (1-based), every cell of it, and the raw value
    of each column of the kind (None for an empty cell or a column the file lacks)."""

    number: int
    cells: list[Any]
    values: dict[str, Any]


@dataclass
class Skipped:
    """A row that is not data, and why (translated)."""

    number: int
    cells: list[Any]
    reason: str


# -- cells -----------------------------------------------------------------------------------


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _label(value: Any) -> str:
    """A text cell folded for recognising row labels ("" for other cells)."""
    if not isinstance(value, str) or not value.strip():
        return ""
    text = value if value.isascii() else legacy.readable(unicodedata.normalize("NFC", value))
    return header_words(text)


def cell_text(value: Any) -> str:
    """A cell as it reads: numbers without ".0", text trimmed."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return unicodedata.normalize("NFC", str(value)).strip()


# -- the header ------------------------------------------------------------------------------


@dataclass
class _Header:
    top: int  # 0-based row index
    bottom: int | None
    columns: dict[str, int]
    headers: list[str]
    extra: list[str]
    multipliers: dict[str, int]
    scores: dict[str, int]
    used_bottom: bool = True
    notes: list[str] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.columns)


def _resolve(
    kind: str,
    candidates: Iterable[tuple[int, str, tuple[str, int, int] | None]],
    hidden: frozenset[int] = frozenset(),
) -> _Header:
    """A header from (column, header text, match) triples: each key keeps its best match, a
    visible column before a hidden one (`hidden`: 0-based indexes of hidden columns)."""
    columns: dict[str, int] = {}
    scores: dict[str, int] = {}
    multipliers: dict[str, int] = {}
    texts: dict[int, str] = {}
    unmatched: list[int] = []
    matched: dict[str, list[int]] = {}
    for index, text, match in candidates:
        texts[index] = text
        if match is None:
            if text:
                unmatched.append(index)
            continue
        key, multiplier, score = match
        matched.setdefault(key, []).append(index)
        if key in columns and (columns[key] not in hidden, scores[key]) >= (
            index not in hidden,
            score,
        ):
            unmatched.append(index)
            continue
        if key in columns:
            unmatched.append(columns[key])
        columns[key], scores[key] = index, score
        if multiplier != 1:
            multipliers[key] = multiplier
        else:
            multipliers.pop(key, None)
    width = max(texts, default=-1) + 1
    headers = [texts.get(i, "") for i in range(width)]
    extra = [texts[i] for i in sorted(unmatched)]
    notes: list[str] = []
    for key, index in columns.items():
        if index in hidden:
            notes.append(
                _("The column “%(header)s” (%(letter)s) is hidden in the sheet; it was read.")
                % {"header": texts[index], "letter": column_letter(index)}
            )
            continue
        for other in matched.get(key, []):
            if other in hidden:
                notes.append(
                    _(
                        "The hidden column “%(header)s” (%(letter)s) was not read: the "
                        "visible column “%(visible)s” (%(visible_letter)s) was."
                    )
                    % {
                        "header": texts[other], "letter": column_letter(other),
                        "visible": texts[index], "visible_letter": column_letter(index),
                    }
                )  # fmt: skip
    return _Header(0, None, columns, headers, extra, multipliers, scores, notes=notes)


def column_letter(index: int) -> str:
    """The spreadsheet letters of a 0-based column index: 0 is A, 26 is AA."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _single(kind: str, row: list[Any], index: int, hidden: frozenset[int]) -> _Header:
    header = _resolve(
        kind,
        ((c, cell_text(v), match_header(kind, v)) for c, v in enumerate(row) if not _blank(v)),
        hidden,
    )
    header.top = index
    return header


def _carry(top: list[Any], bottom: list[Any], merged: list[tuple[int, int]]) -> list[Any]:
    """The top row with each merged (or visually spanning) cell's value carried right over
    the columns it covers; `merged` lists (first, last) column spans starting in this row."""
    width = max(len(top), len(bottom))
    carried = [top[i] if i < len(top) else None for i in range(width)]
    for first, last in merged:
        if first < width and not _blank(carried[first]):
            for i in range(first + 1, min(last + 1, width)):
                carried[i] = carried[first]
    # Without merge information: an empty top cell over a filled bottom cell belongs to the
    # filled top cell on its left, as long as the bottom row is filled all the way.
    for i in range(1, width):
        below = bottom[i] if i < len(bottom) else None
        left_below = bottom[i - 1] if i - 1 < len(bottom) else None
        if (
            _blank(carried[i])
            and not _blank(carried[i - 1])
            and not _blank(below)
            and not _blank(left_below)
        ):
            carried[i] = carried[i - 1]
    return carried


def _double(
    kind: str,
    top: list[Any],
    bottom: list[Any],
    index: int,
    merged: list[tuple[int, int]],
    hidden: frozenset[int],
) -> _Header:
    carried = _carry(top, bottom, merged)
    candidates = []
    used_all = True
    for c in range(len(carried)):
        t = cell_text(carried[c]) if not _blank(carried[c]) else ""
        b = cell_text(bottom[c]) if c < len(bottom) and not _blank(bottom[c]) else ""
        if not t and not b:
            continue
        match = None
        if t and b:
            for attempt in (f"{t} {b}", f"{b} {t}", b):
                match = match_header(kind, attempt)
                if match is not None:
                    break
            text = t if t == b else f"{t} / {b}"
            if match is None:
                used_all = False
        elif b:
            match = match_header(kind, b)
            text = b
            if match is None:
                used_all = False
        else:
            match = match_header(kind, t)
            text = t
        candidates.append((c, text, match))
    header = _resolve(kind, candidates, hidden)
    header.top, header.bottom, header.used_bottom = index, index + 1, used_all
    return header


_NUMBERING_CELL = re.compile(r"\(?\s*(\d{1,3})\s*\)?(?:\s*[=x*×+\-/:]\s*\(?\s*\d{1,3}\s*\)?)*")
_LETTER_CELL = re.compile(r"\(?\s*[A-Za-z]\s*\)?")


def _is_numbering(cells: list[Any]) -> bool:
    """ "1 2 3 …", "(1) (2) …", "A B 1 2 …" across the columns."""
    numbers: list[int] = []
    filled = 0
    for value in cells:
        if _blank(value):
            continue
        filled += 1
        if isinstance(value, bool):
            return False
        if isinstance(value, int | float):
            if not float(value).is_integer():
                return False
            numbers.append(int(value))
        elif isinstance(value, str):
            text = value.strip()
            if m := _NUMBERING_CELL.fullmatch(text):
                numbers.append(int(m.group(1)))
            elif not _LETTER_CELL.fullmatch(text):
                return False
        else:
            return False
    return (
        filled >= 2
        and len(numbers) >= 2
        and all(a < b for a, b in zip(numbers, numbers[1:], strict=False))
    )


def _complete(kind: str, columns: dict[str, int]) -> list[str]:
    """The required keys of `kind` that `columns` lacks (alternatives count)."""
    return [
        key for key in header_keys(kind) if not any(k in columns for k in alternatives(kind, key))
    ]


@dataclass
class _Candidate:
    """The best incomplete header seen, for the message when there is none."""

    sheet: str | None
    row: int  # 1-based
    found: int
    missing: list[str]


def _find_header(
    kind: str,
    rows: list[list[Any]],
    merges: list[tuple[tuple[int, int], tuple[int, int]]] | None,
    sheet: str | None,
    best: _Candidate | None,
    hidden: frozenset[int] = frozenset(),
) -> tuple[_Header | None, _Candidate | None]:
    spans: dict[int, list[tuple[int, int]]] = {}
    for (r1, c1), (_r2, c2) in merges or []:
        if c2 > c1:
            spans.setdefault(r1, []).append((c1, c2))
    for index in range(min(len(rows), HEADER_SCAN_ROWS)):
        row = rows[index]
        if all(_blank(v) for v in row):
            continue
        single = _single(kind, row, index, hidden)
        if not single.columns:
            continue
        chosen = single
        following = rows[index + 1] if index + 1 < len(rows) else []
        if not all(_blank(v) for v in following) and not _is_numbering(following):
            double = _double(kind, row, following, index, spans.get(index, []), hidden)
            if double.count > single.count or (double.count == single.count and double.used_bottom):
                chosen = double
        missing = _complete(kind, chosen.columns)
        if not missing:
            return chosen, best
        found = len(header_keys(kind)) - len(missing)
        if best is None or (found, chosen.count) > (best.found, 0):
            best = _Candidate(sheet, index + 1, found, missing)
    return None, best


def _alias(kind: str, columns: dict[str, int]) -> None:
    for column in COLUMNS[kind]:
        if column.stands_for and column.key in columns and column.stands_for not in columns:
            columns[column.stands_for] = columns[column.key]


def _labels(kind: str, keys: list[str]) -> str:
    by_key: dict[str, Column] = {c.key: c for c in COLUMNS[kind]}
    return ", ".join(f"“{by_key[k].label}”" for k in keys)


def _no_header(kind: str, best: _Candidate | None, sheets: list[str | None]) -> SpreadsheetError:
    if best is not None and best.found:
        where = (
            _("sheet “%(sheet)s”, row %(row)s") % {"sheet": best.sheet, "row": best.row}
            if best.sheet is not None
            else _("row %(row)s") % {"row": best.row}
        )
        return SpreadsheetError(
            _(
                "The header (%(where)s) has no column %(missing)s. Add the column, or name it "
                "as in the template."
            )
            % {"where": where, "missing": _labels(kind, best.missing)}
        )
    names = ", ".join(f"“{s}”" for s in sheets if s is not None)
    required = _labels(kind, header_keys(kind))
    if names:
        return SpreadsheetError(
            _(
                "No header row found in the first %(n)s rows of the sheets %(sheets)s: the "
                "header must name the columns %(required)s."
            )
            % {"n": HEADER_SCAN_ROWS, "sheets": names, "required": required}
        )
    return SpreadsheetError(
        _(
            "No header row found in the first %(n)s rows: the header must name the columns "
            "%(required)s."
        )
        % {"n": HEADER_SCAN_ROWS, "required": required}
    )


# -- row labels ------------------------------------------------------------------------------

_TOTAL = re.compile(
    r"(?:tong|tong cong|cong|tong so|total|grand total|sub ?total|sum"
    r"|(?:tong )?cong (?:[ivxlc]+|[a-z]|\d+))"
    r"|(?:tong cong|tong so|tong hop cong|cong don vi|cong cdcs|cong cd|cong cong doan|cong toan"
    r"|cong khoi|cong nhom|cong cum|cong phan|cong muc|cong loai|cong theo|cong chung"
    r"|cong lai|grand total|sub ?total|total)\b.*"
)
_SIGNATURE = re.compile(
    r"(?:(?:tm|kt|tl|tuq|q) (?:ban|chu tich|pho|giam doc|tong|truong|thu truong|hoi dong"
    r"|cong doan|lanh dao|ubnd|dang uy|uy ban)"
    r"|thay mat|nguoi lap|nguoi ky|nguoi kiem tra|nguoi duyet|nguoi tong hop"
    r"|thu truong|ghi ro ho ten|dong dau|da ky|xac nhan"
    r"|giam doc|pho giam doc|tong giam doc|chu tich|pho chu tich|ke toan|ban chap hanh"
    r"|ban thuong vu|noi nhan|lanh dao|truong ban|pho ban|truong phong|pho truong"
    r"|phu trach|prepared by|approved by|signature)\b.*"
    r"|ky(?: (?:ten|va|ghi|dong|xac|duyet)\b.*)?"
    r"|.*\bngay\b.*\bthang\b.*\bnam\b.*"
)
_NOTE = re.compile(r"(?:ghi chu|luu y|chu y|chu thich|nguon|note|notes)\b.*")
_SECTION = re.compile(r"\s*(?:[IVXLC]+|[A-Z])(?:\s*[.):\-–]\s*\S.*|\s*[.)]?\s*)")


def is_total(value: Any) -> bool:
    """Whether a cell names a total or sub-total row."""
    return bool(_TOTAL.fullmatch(_label(value)))


def is_signature(value: Any) -> bool:
    """Whether a cell reads like a line of a signature block."""
    label = _label(value)
    return bool(label) and bool(_SIGNATURE.fullmatch(label))


# -- the table -------------------------------------------------------------------------------


@dataclass
class Table:
    """Where the table of a kind is in a file; `rows()` streams its rows."""

    sheet: str | None
    header_rows: tuple[int, ...]  # 1-based
    headers: list[str]  # the header text of each column, by 0-based index
    columns: dict[str, int]  # key -> 0-based column index
    extra: list[str]  # headers of columns that are not read
    multipliers: dict[str, int]  # key -> unit of a money column ("triệu đồng": 1_000_000)
    encoding: str | None  # CSV: the encoding the file was read in
    total: int | None = None  # rows under the header (an upper bound), for progress
    kind: str = ""
    numbering_row: int | None = None  # 1-based
    blank_rows: int = 0  # counted while `rows()` runs
    _read: Callable[[], Iterator[tuple[int, list[Any]]]] | None = field(default=None, repr=False)
    _top_labels: dict[int, str] = field(default_factory=dict, repr=False)  # header's top row
    _required: list[tuple[str, ...]] = field(default_factory=list, repr=False)
    _keys: list[str] = field(default_factory=list, repr=False)
    notes: list[str] = field(default_factory=list)  # what the reader says of the header

    def __post_init__(self) -> None:
        if self.kind:
            self._required = [tuple(alternatives(self.kind, k)) for k in header_keys(self.kind)]
            self._keys = [c.key for c in COLUMNS[self.kind]]

    @property
    def first_data_row(self) -> int:
        """The 1-based number of the first row under the header (and numbering row)."""
        return max((*self.header_rows, self.numbering_row or 0)) + 1

    def values(self, cells: list[Any]) -> dict[str, Any]:
        """The raw value of each column of the kind in a row of cells."""
        out: dict[str, Any] = dict.fromkeys(self._keys)
        width = len(cells)
        for key, index in self.columns.items():
            value = cells[index] if index < width else None
            out[key] = None if _blank(value) else value
        coauthors = out.get("coauthors")
        authors_index = self.columns.get("authors")
        if (
            coauthors is not None
            and authors_index is not None
            and authors_index != self.columns.get("coauthors")
        ):
            main = out.get("authors")
            out["authors"] = coauthors if main is None else f"{cell_text(main)}; {coauthors}"
        return out

    def is_data(self, values: dict[str, Any]) -> bool:
        """Whether a row has a value in every required column."""
        return all(any(values.get(k) is not None for k in keys) for keys in self._required)

    def rows(self) -> Iterator[Row | Skipped]:
        """The rows under the header, in order, as `Row` or `Skipped` (blank rows left out)."""
        assert self._read is not None
        self.blank_rows = 0
        start = self.first_data_row
        in_signature = False
        for number, cells in self._read():
            if number < start:
                continue
            if all(c is None or (c.__class__ is str and not c.strip()) for c in cells):
                self.blank_rows += 1
                continue
            if self._top_labels and self._repeats_header(cells):
                yield Skipped(number, cells, _("the header repeated"))
                continue
            values = self.values(cells)
            if self.is_data(values):
                in_signature = False
                yield Row(number, cells, values)
                continue
            reason, in_signature = self._reason(cells, in_signature)
            if reason:
                yield Skipped(number, cells, reason)
            else:
                yield Row(number, cells, values)

    def _reason(self, cells: list[Any], in_signature: bool) -> tuple[str, bool]:
        """Why a row that is not data is skipped ("" to keep it), and the signature state."""
        filled = [(i, c) for i, c in enumerate(cells) if not _blank(c)]
        first = filled[0][1]
        first_text = next((c for _i, c in filled if isinstance(c, str)), None)
        if is_total(first_text):
            return _("total row"), in_signature
        if in_signature:
            return _("signature block"), True
        if all(is_signature(c) for _i, c in filled):
            return _("signature block"), True
        label = _label(first)
        if _NOTE.fullmatch(label) or (isinstance(first, str) and first.lstrip().startswith("*")):
            return _("note"), False
        if len(filled) <= 2 and isinstance(first, str) and _SECTION.fullmatch(first):
            return _("section heading"), False
        return "", False

    def _repeats_header(self, cells: list[Any]) -> bool:
        """Whether a row repeats the header: at least two cells, and half of the filled ones,
        say what the header's top row says at the same place (case and spaces aside)."""
        same = filled = 0
        top = self._top_labels
        for i, c in enumerate(cells):
            if c is None:
                continue
            filled += 1
            if isinstance(c, str) and i in top and " ".join(c.split()).casefold() == top[i]:
                same += 1
            elif filled >= 3 and not same:
                return False  # a row of data: nothing like the header in its first cells
        return same >= 2 and same * 2 >= filled


# -- sources ---------------------------------------------------------------------------------


def _binary(source: Source) -> IO[bytes]:
    """A seekable binary stream over `source` (a path is opened; the caller closes it)."""
    if isinstance(source, bytes | bytearray):
        return io.BytesIO(bytes(source))
    if isinstance(source, str | os.PathLike):
        return open(source, "rb")  # noqa: SIM115 - closed by the reader that uses it
    stream = source
    if not (hasattr(stream, "seekable") and stream.seekable()):
        return io.BytesIO(stream.read())
    stream.seek(0)  # the whole file, even when someone read it before
    return stream


def _start(stream: IO[bytes]) -> tuple[int, bytes]:
    position = stream.tell()
    head = stream.read(_CHUNK)
    stream.seek(position)
    return position, head


def _contains(stream: IO[bytes], needle: bytes) -> bool:
    position = stream.tell()
    tail = b""
    try:
        while chunk := stream.read(_CHUNK):
            if needle in tail + chunk:
                return True
            tail = chunk[-len(needle) :]
        return False
    finally:
        stream.seek(position)


def open_table(source: Source, filename: str, kind: str) -> Table:
    """The table of `kind` in the file `source` (a path, bytes or a binary file) named
    `filename`. Raises SpreadsheetError when the file cannot be read or has no such table."""
    if kind not in COLUMNS:
        raise ValueError(f"unknown kind {kind!r}")
    name = (filename or "").lower()
    if not name.endswith(WORKBOOK_EXTENSIONS + CSV_EXTENSIONS):
        raise SpreadsheetError(_("Upload an .xlsx, .xls, .ods or .csv file."))
    stream = _binary(source)
    try:
        _position, head = _start(stream)
        if not head.strip(b"\x00\t\r\n \xef\xbb\xbf"):
            raise SpreadsheetError(_("The file is empty."))
        if head.startswith(_OLE_MAGIC) and _contains(stream, _ENCRYPTED):
            raise SpreadsheetError(_password_message())
        if head.startswith((_ZIP_MAGIC, _OLE_MAGIC)):
            table = _open_workbook(source, stream, kind)
        else:
            _refuse_other_text(head, name)
            table = _open_csv(source, stream, kind)
    finally:
        if isinstance(source, str | os.PathLike):
            stream.close()  # the readers open the path again
    return table


def _password_message() -> str:
    return _("The file is protected by a password: remove the password and upload it again.")


def _unreadable_message() -> str:
    return _("This file cannot be read as a spreadsheet. Save it as .xlsx and upload it again.")


def _refuse_other_text(head: bytes, name: str) -> None:
    start = head.lstrip(b"\xef\xbb\xbf\r\n\t ")[:512].lower()
    if start.startswith((b"<!doctype html", b"<html", b"<table", b"<?xml", b"<")):
        raise SpreadsheetError(
            _(
                "This file is a web page or an XML file named like a spreadsheet. Open it in "
                "Excel, save it as .xlsx and upload that."
            )
        )
    utf16 = head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE))
    if start.startswith(b"%pdf") or (b"\x00\x00\x00" in head[:512] and not utf16):
        raise SpreadsheetError(_unreadable_message())


def _first_rows(rows: Generator[tuple[int, list[Any]], None, None]) -> list[list[Any]]:
    """The cells of the rows the header is looked for in (the reader is closed after)."""
    with closing(rows):
        return [cells for _n, cells in islice(rows, HEADER_SCAN_ROWS + _LOOKAHEAD)]


# -- workbooks -------------------------------------------------------------------------------


def _calamine_rows(sheet: Any) -> Generator[tuple[int, list[Any]], None, None]:
    """The rows of a calamine sheet as (1-based number, cells from column A)."""
    start = sheet.start
    offset = start[1] if start else 0
    pad = [None] * offset
    # iter_rows gives every row from the sheet's first row (row 1), but only the columns
    # from the first used one: pad them back so indexes are the sheet's own columns.
    for index, raw in enumerate(sheet.iter_rows()):
        yield index + 1, pad + [None if v == "" else v for v in raw]


def _xml(data: bytes) -> ElementTree.Element:
    """A small XML part of an .xlsx. A part that declares a DOCTYPE (entities) is refused;
    ElementTree never fetches external entities, and expat limits entity expansion."""
    if b"<!DOCTYPE" in data[:4096].upper():
        raise ValueError("DOCTYPE in a spreadsheet part")
    return ElementTree.fromstring(data)  # noqa: S314 - no DOCTYPE, no external entities


# The most columns a sheet has (an .xlsx's; an .ods repeats a column up to this many).
MAX_COLUMNS = 16_384
_ODS_TABLE = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"


def _hidden_columns(stream: IO[bytes], sheet: str) -> frozenset[int]:
    """The 0-based indexes of the columns an .xlsx or an .ods hides on `sheet` (an .xlsx's
    `<col hidden>` elements, an .ods's `<table:table-column table:visibility>`, read before
    the sheet's rows); empty for other formats or when unsure. An .xls is not read for it:
    calamine does not say which columns it hides, and no reader of ours parses its
    COLINFO records."""
    position = stream.tell()
    try:
        stream.seek(0)
        with zipfile.ZipFile(stream) as book:
            if "xl/workbook.xml" not in book.namelist() and "content.xml" in book.namelist():
                return _ods_hidden_columns(book, sheet)
            ns = {
                "m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
                "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
            }
            workbook = _xml(book.read("xl/workbook.xml"))
            rid = next(
                (
                    e.get(f"{{{ns['r']}}}id")
                    for e in workbook.iterfind("m:sheets/m:sheet", ns)
                    if e.get("name") == sheet
                ),
                None,
            )
            rels = _xml(book.read("xl/_rels/workbook.xml.rels"))
            target = next((e.get("Target") for e in rels if e.get("Id") == rid), None)
            if not target:
                return frozenset()
            path = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
            hidden: set[int] = set()
            with book.open(path) as xml:
                if b"<!DOCTYPE" in xml.peek(4096)[:4096].upper():  # type: ignore[attr-defined]
                    return frozenset()
                events = ElementTree.iterparse(xml, events=("start",))  # noqa: S314 - see _xml
                for _event, element in events:
                    tag = element.tag.rsplit("}", 1)[-1]
                    if tag == "sheetData":
                        break
                    if tag == "col" and element.get("hidden") in ("1", "true"):
                        first = int(element.get("min", "1"))
                        last = min(int(element.get("max", first)), first + MAX_COLUMNS)
                        hidden.update(range(first - 1, last))
            return frozenset(hidden)
    except (zipfile.BadZipFile, KeyError, ValueError, ElementTree.ParseError):
        return frozenset()
    finally:
        stream.seek(position)


def _ods_hidden_columns(book: zipfile.ZipFile, sheet: str) -> frozenset[int]:
    """An .ods's hidden columns on `sheet`: its column elements (in groups and header
    columns too) come before its first row; `visibility` "collapse" (hidden) or "filter"
    (hidden by a filter) hides them, `number-columns-repeated` counts each several times."""
    hidden: set[int] = set()
    name_attr = f"{{{_ODS_TABLE}}}name"
    with book.open("content.xml") as xml:
        if b"<!DOCTYPE" in xml.peek(4096)[:4096].upper():  # type: ignore[attr-defined]
            return frozenset()
        inside = False
        column = 0
        events = ElementTree.iterparse(xml, events=("start", "end"))  # noqa: S314 - see _xml
        for event, element in events:
            if event == "end":
                element.clear()  # the sheets before it are read through, not kept
                continue
            namespace, _sep, tag = element.tag[1:].partition("}")
            if namespace != _ODS_TABLE:
                continue
            if tag == "table":
                inside = element.get(name_attr) == sheet
                continue
            if not inside:
                continue
            if tag in ("table-row", "table-rows", "table-header-rows", "table-row-group"):
                break
            if tag == "table-column":
                try:
                    repeated = int(element.get(f"{{{_ODS_TABLE}}}number-columns-repeated", "1"))
                except ValueError:
                    return frozenset()
                repeated = max(1, min(repeated, MAX_COLUMNS - column))
                visibility = element.get(f"{{{_ODS_TABLE}}}visibility", "visible")
                if visibility in ("collapse", "filter"):
                    hidden.update(range(column, column + repeated))
                column += repeated
                if column >= MAX_COLUMNS:
                    break
    return frozenset(hidden)


def _open_workbook(source: Source, stream: IO[bytes], kind: str) -> Table:
    target: Any = source if isinstance(source, str | os.PathLike) else stream
    try:
        book = python_calamine.load_workbook(target)
    except python_calamine.PasswordError as exc:
        raise SpreadsheetError(_password_message()) from exc
    except Exception as exc:  # calamine raises several kinds for a file it cannot read
        raise SpreadsheetError(_unreadable_message()) from exc
    best: _Candidate | None = None
    names: list[str | None] = []
    any_rows = False
    for meta in book.sheets_metadata:
        if meta.typ != python_calamine.SheetTypeEnum.WorkSheet:
            continue
        if meta.visible != python_calamine.SheetVisibleEnum.Visible:
            continue
        names.append(meta.name)
        try:
            sheet = book.get_sheet_by_name(meta.name)
            first = _first_rows(_calamine_rows(sheet))
            merges = sheet.merged_cell_ranges
        except python_calamine.PasswordError as exc:
            raise SpreadsheetError(_password_message()) from exc
        except Exception as exc:
            raise SpreadsheetError(
                _("The sheet “%(sheet)s” cannot be read: %(error)s")
                % {"sheet": meta.name, "error": exc}
            ) from exc
        any_rows = any_rows or any(not _blank(v) for row in first for v in row)
        hidden = _hidden_columns(stream, meta.name)
        header, best = _find_header(kind, first, merges, meta.name, best, hidden)
        if header is None:
            continue
        end = sheet.end
        table = _table(kind, header, first, meta.name, encoding=None)
        last = end[0] + 1 if end else 0
        table.total = max(last - table.first_data_row + 1, 0)

        def read(sheet: Any = sheet, book: Any = book) -> Iterator[tuple[int, list[Any]]]:
            return _calamine_rows(sheet)  # `book` is kept alive with the sheet

        table._read = read
        return table
    if not any_rows:
        raise SpreadsheetError(_("The file has no data: every sheet is empty."))
    raise _no_header(kind, best, names)


def _table(
    kind: str, header: _Header, first: list[list[Any]], sheet: str | None, encoding: str | None
) -> Table:
    columns = dict(header.columns)
    _alias(kind, columns)
    header_rows = (header.top + 1,) if header.bottom is None else (header.top + 1, header.top + 2)
    numbering_row = None
    after = header.top + 1 if header.bottom is None else header.bottom + 1
    while after < len(first) and all(_blank(v) for v in first[after]):
        after += 1
    if after < len(first) and _is_numbering(first[after]):
        numbering_row = after + 1
    top = first[header.top]
    table = Table(
        sheet=sheet,
        header_rows=header_rows,
        headers=header.headers,
        columns=columns,
        extra=header.extra,
        multipliers=header.multipliers,
        encoding=encoding,
        kind=kind,
        numbering_row=numbering_row,
        notes=list(header.notes),
    )
    table._top_labels = {
        i: " ".join(v.split()).casefold()
        for i, v in enumerate(top)
        if isinstance(v, str) and v.strip()
    }
    return table


# -- CSV -------------------------------------------------------------------------------------


def _is_utf8(stream: IO[bytes]) -> tuple[bool, int]:
    """Whether the whole stream is strict UTF-8, and how many lines it has (an upper bound
    of its records: a quoted cell may hold line breaks)."""
    decoder = codecs.getincrementaldecoder("utf-8")("strict")
    lines = 0
    last = b"\n"
    position = stream.tell()
    try:
        while chunk := stream.read(_CHUNK):
            lines += chunk.count(b"\n")
            last = chunk[-1:]
            decoder.decode(chunk)
        decoder.decode(b"", final=True)
        return True, lines + (last != b"\n")
    except UnicodeDecodeError:
        return False, lines
    finally:
        stream.seek(position)


def _decodes(stream: IO[bytes], encoding: str) -> bool:
    decoder = codecs.getincrementaldecoder(encoding)("strict")
    position = stream.tell()
    try:
        while chunk := stream.read(_CHUNK):
            decoder.decode(chunk)
        return True
    except UnicodeDecodeError:
        return False
    finally:
        stream.seek(position)


def _vietnamese_share(text: str) -> tuple[int, int]:
    """(words with a non-ASCII letter, how many of them are Vietnamese syllables)."""
    words = [w for w in re.findall(r"\w+", text) if not w.isascii() and not w.isdigit()]
    return len(words), sum(1 for w in words if legacy.is_syllable(w))


def _eight_bit(stream: IO[bytes], head: bytes) -> str:
    """The 8-bit encoding of a file that is not UTF-8: Windows-1258 when that reading makes
    Vietnamese words, else Windows-1252, else Latin-1 (which decodes anything)."""
    sample = unicodedata.normalize("NFC", head.decode("cp1258", errors="replace"))
    words, vietnamese = _vietnamese_share(sample)
    if words and vietnamese >= 0.8 * words and _decodes(stream, "cp1258"):
        return "cp1258"
    if _decodes(stream, "cp1252"):
        return "cp1252"
    return "latin-1"


def _csv_encoding(stream: IO[bytes], head: bytes) -> tuple[str, int | None]:
    if head.startswith(codecs.BOM_UTF8):
        ok, lines = _is_utf8(stream)
        if not ok:
            raise SpreadsheetError(
                _("The file says it is UTF-8 text but is not: save it again as “CSV UTF-8”.")
            )
        return "utf-8-sig", lines
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16", None
    ok, lines = _is_utf8(stream)
    if ok:
        return "utf-8", lines
    return _eight_bit(stream, head), lines


def _csv_records(
    stream: IO[bytes], encoding: str, delimiter: str
) -> Generator[tuple[int, list[Any]], None, None]:
    position = stream.tell()
    text = io.TextIOWrapper(stream, encoding=encoding, newline="")
    try:
        reader = csv.reader((line.replace("\x00", "") for line in text), delimiter=delimiter)
        for number, record in enumerate(reader, start=1):
            cells: list[Any] = [None if v == "" else v for v in record]
            if encoding == "cp1258":
                cells = [
                    unicodedata.normalize("NFC", v) if isinstance(v, str) else v for v in cells
                ]
            yield number, cells
    except csv.Error as exc:
        raise SpreadsheetError(
            _("The CSV file cannot be read near line %(line)s: %(error)s")
            % {"line": getattr(reader, "line_num", "?"), "error": exc}
        ) from exc
    finally:
        text.detach()
        stream.seek(position)


def _open_csv(source: Source, stream: IO[bytes], kind: str) -> Table:
    head = _start(stream)[1]
    encoding, lines = _csv_encoding(stream, head)
    best: _Candidate | None = None
    found: tuple[_Header, list[list[Any]], str] | None = None
    any_rows = False
    for delimiter in DELIMITERS:
        first = _first_rows(_csv_records(stream, encoding, delimiter))
        any_rows = any_rows or any(not _blank(v) for row in first for v in row)
        header, best = _find_header(kind, first, None, None, best)
        if header is not None and (found is None or header.count > found[0].count):
            found = (header, first, delimiter)
    if found is None:
        if not any_rows:
            raise SpreadsheetError(_("The file is empty."))
        raise _no_header(kind, best, [])
    header, first, delimiter = found
    table = _table(kind, header, first, None, encoding=encoding)
    if lines is not None:
        table.total = max(lines - table.first_data_row + 1, 0)
    path = source if isinstance(source, str | os.PathLike) else None

    def read() -> Iterator[tuple[int, list[Any]]]:
        if path is None:
            yield from _csv_records(stream, encoding, delimiter)
            return
        with open(path, "rb") as fh:
            yield from _csv_records(fh, encoding, delimiter)

    table._read = read
    return table
