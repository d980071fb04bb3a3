"""The columns of each kind of import, the names offices give them, and the template.

`COLUMNS[kind]` lists the columns of "units", "members" and "initiatives". Each column has a
`key` (what the importer reads), a `label` (the template's header, translated), the other
names it goes by (`synonyms`, folded: lower case, no diacritics, đ as d, punctuation and
brackets as spaces, single spaces) and whether it is `required`, with the message a row gets
when that column is empty (`empty`). This is the one definition of each kind: the template
marks the required columns with it, the reader finds the header by them, and the importer
rejects a row whose required column is empty (`Importer.require`) from it, so the three
cannot disagree.

How a header cell is matched (`match_header`):
- the text is converted from TCVN3/VNI when it certainly is legacy text, then folded; notes
  in brackets are set aside ("Giá trị làm lợi (đồng)" is "gia tri lam loi" with the note
  "dong");
- it matches a column when it is one of its names, or one of its names followed by a unit
  ("Giá trị làm lợi triệu đồng"), or when one of the parts around a slash is ("Đơn vị /
  CĐCS"); the label in the current language is a name too;
- a money column whose header or note says "nghìn", "triệu" or "tỷ" reports the multiplier
  (1_000, 1_000_000, 1_000_000_000): the amounts of that column are in that unit;
- the score says how specific the match is (an exact name beats a part around a slash;
  longer names beat shorter ones): when two headers match the same column, the reader keeps
  the higher score and reports the other as an extra column.

Alternatives: where `Column.stands_for` names another column, a file that has this column
but not the other one satisfies the other's requirement ("Mã đơn vị" alone is enough for
the unit; "Đồng tác giả" alone names the authors).

`template_xlsx(kind)` is the published template: title rows, the header (required columns
marked with *), one example row, and a second sheet that explains every column.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from typing import Any, NamedTuple

import xlsxwriter
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from sangkien import legacy
from sangkien.core.cells import safe_cell_text
from sangkien.text import fold

UNITS, MEMBERS, INITIATIVES = "units", "members", "initiatives"
KINDS = (UNITS, MEMBERS, INITIATIVES)


@dataclass(frozen=True)
class Column:
    key: str
    label: str | Promise  # the template header, translated lazily
    synonyms: tuple[str, ...]  # folded names
    required: bool = False
    help: str | Promise = ""
    money: bool = False  # amounts in VND: the header may give the unit ("triệu đồng")
    stands_for: str = ""  # the key of a column this one can replace
    example: Any = None  # the template's example value
    empty: str | Promise = ""  # why a row is rejected when a required column is empty
    # A required column that the header must name for a sheet to be read (and that a data
    # row has filled in). The others are still required of every row: a file without them is
    # read, and each of its rows is rejected, naming the column.
    finds_header: bool = True


def _c(
    key: str,
    label: str | Promise,
    synonyms: str,
    *,
    required: bool = False,
    help: str | Promise = "",
    money: bool = False,
    stands_for: str = "",
    example: Any = None,
    empty: str | Promise = "",
    finds_header: bool = True,
) -> Column:
    names = tuple(s.strip() for s in synonyms.split("|") if s.strip())
    return Column(
        key, label, names, required, help, money, stands_for, example, empty, finds_header
    )


COLUMNS: dict[str, tuple[Column, ...]] = {
    UNITS: (
        _c("code", gettext_lazy("Unit code"),
           "ma don vi|ma|ma dv|ma so|ma cdcs|ma cong doan|unit code|code",
           help=gettext_lazy("Optional. Capital letters, digits, dots and dashes; left empty, "
                             "a code is made from the parent's."),
           example="TH-KCN-010"),
        _c("name", gettext_lazy("Unit name"),
           "ten don vi|ten cong doan|don vi|ten|ten cdcs|ten cong doan co so|ten don vi cong doan"
           "|unit name|name|unit",
           required=True, help=gettext_lazy("The full name, as in the founding decision."),
           example="Công đoàn Công ty CP Mía đường Lam Sơn",
           empty=gettext_lazy("empty: enter the unit's name.")),
        _c("parent", gettext_lazy("Parent unit"),
           "don vi cap tren|truc thuoc|ma don vi cap tren|cap tren|cong doan cap tren"
           "|cong doan cap tren truc tiep|cap tren truc tiep|ten don vi cap tren|don vi truc thuoc"
           "|parent|parent unit|parent code",
           required=True,
           help=gettext_lazy("The code or the name of the unit directly above it."),
           example="TH-KCN",
           empty=gettext_lazy("empty: name the unit it belongs to, or its code.")),
        _c("kind", gettext_lazy("Kind of unit"),
           "loai don vi|loai|cap|cap don vi|loai hinh|loai cong doan|kind|type",
           help=gettext_lazy("Optional: grassroots union (CĐCS), upper-level union, union "
                             "group…; left empty, the usual kind below the parent."),
           example="CĐCS"),
        _c("short_name", gettext_lazy("Short name"),
           "ten viet tat|viet tat|ten tat|short name", example="CĐCS Mía đường Lam Sơn"),
        _c("address", gettext_lazy("Address"), "dia chi|dia chi tru so|tru so|address",
           example="Thị trấn Lam Sơn, Thọ Xuân, Thanh Hóa"),
        _c("founded_on", gettext_lazy("Founded on"),
           "ngay thanh lap|thanh lap|ngay thanh lap cong doan|nam thanh lap|founded on|founded",
           help=gettext_lazy("A date: day/month/year."), example="01/03/2005"),
    ),
    MEMBERS: (
        _c("code", gettext_lazy("Member code"),
           "ma doan vien|ma so doan vien|ma|ma so|so the doan vien|so the|member code|code",
           help=gettext_lazy("Optional; left empty, a code is given."), example=""),
        _c("full_name", gettext_lazy("Full name"),
           "ho va ten|ho ten|ten doan vien|ho va ten doan vien|ho ten doan vien|full name|name",
           required=True, example="Nguyễn Thị Hoa",
           empty=gettext_lazy("empty: enter the member's full name.")),
        _c("unit", gettext_lazy("Union"),
           "don vi|cdcs|cong doan co so|ten don vi|ten cdcs|ten cong doan co so|ten cong doan"
           "|don vi cong tac|noi cong tac|unit|union|grassroots union",
           required=True,
           help=gettext_lazy("The grassroots union: its code or its name."),
           example="TH-KCN-001",
           empty=gettext_lazy("empty: name the member's union or its code.")),
        _c("unit_code", gettext_lazy("Union code"),
           "ma don vi|ma cdcs|ma cong doan|ma cong doan co so|unit code|union code",
           stands_for="unit"),
        _c("birth_date", gettext_lazy("Date of birth"),
           "ngay sinh|nam sinh|ngay thang nam sinh|sinh ngay|date of birth|birth date|born",
           help=gettext_lazy("A date (15/03/1990) or only the year (1990)."),
           example="17/05/1990"),
        _c("gender", gettext_lazy("Gender"), "gioi tinh|nam nu|gender|sex",
           help=gettext_lazy("Nam or Nữ."), example="Nữ"),
        _c("position", gettext_lazy("Position / job"),
           "chuc vu|nghe nghiep|cong viec|chuc danh|vi tri|vi tri cong viec|chuc vu nghe nghiep"
           "|chuc vu cong viec"
           "|position|job",
           example="Công nhân may"),
        _c("phone", gettext_lazy("Phone"),
           "so dien thoai|dien thoai|sdt|so dt|dt|dien thoai di dong|di dong|phone|mobile",
           example="0912345678"),
        _c("email", gettext_lazy("Email"), "email|e mail|thu dien tu|dia chi email",
           example="hoa@example.com"),
        _c("joined_on", gettext_lazy("Member since"),
           "ngay vao cong doan|ngay gia nhap|ngay gia nhap cong doan|ngay ket nap|ngay vao"
           "|member since|joined on|joined",
           example="01/03/2015"),
    ),
    INITIATIVES: (
        _c("number", gettext_lazy("No."), "stt|tt|so tt|so thu tu|no|number", example=1),
        _c("title", gettext_lazy("Initiative title"),
           "ten sang kien|ten giai phap|sang kien|ten sang kien giai phap|ten de tai"
           "|ten sang kien cai tien|ten sang kien cai tien ky thuat|title|initiative"
           "|initiative title",
           required=True, example="Máy cắt vải tự động",
           empty=gettext_lazy("empty: enter the initiative's title.")),
        _c("authors", gettext_lazy("Authors"),
           "tac gia|ho va ten|ho ten|ho va ten tac gia|ho ten tac gia|tac gia dong tac gia"
           "|tac gia chinh|nhom tac gia|author|authors",
           required=True,
           help=gettext_lazy("One or more names separated by commas or line breaks; a share "
                             "in brackets after a name if they differ: Nguyễn Văn An (60%), "
                             "Lê Thị Bình (40%). The first author must be a member of the "
                             "union."),
           example="Nguyễn Văn An (60%), Lê Thị Bình (40%)",
           empty=gettext_lazy("empty: name at least one author.")),
        _c("coauthors", gettext_lazy("Co-authors"),
           "dong tac gia|cac dong tac gia|co author|co authors", stands_for="authors"),
        _c("unit", gettext_lazy("Union"),
           "don vi|cdcs|cong doan co so|don vi cong tac|ten don vi|ten cdcs|noi cong tac"
           "|ten cong doan co so|unit|union|grassroots union",
           required=True,
           help=gettext_lazy("The grassroots union the initiative is entered under: its "
                             "code or its name."),
           example="TH-KCN-001",
           empty=gettext_lazy("empty: name the grassroots union or its code.")),
        _c("unit_code", gettext_lazy("Union code"),
           "ma don vi|ma cdcs|ma cong doan|ma cong doan co so|unit code|union code",
           stands_for="unit"),
        _c("field", gettext_lazy("Field"), "linh vuc|linh vuc ap dung|field",
           required=True,
           help=gettext_lazy("One of the campaign's fields: its code or its name."),
           example="Kỹ thuật",
           empty=gettext_lazy("empty: choose one of %(fields)s."),
           finds_header=False),
        _c("summary", gettext_lazy("Summary"),
           "noi dung tom tat|tom tat noi dung|noi dung|tom tat|mo ta|mo ta tom tat"
           "|noi dung sang kien|noi dung giai phap|summary|description",
           required=True,
           example="Thay dao cắt tay bằng máy cắt tự động.",
           empty=gettext_lazy("empty: summarise what the initiative does."),
           finds_header=False),
        _c("applied_on", gettext_lazy("First applied on"),
           "thoi gian ap dung|ngay ap dung|thoi diem ap dung|ngay ap dung lan dau"
           "|thoi gian ap dung lan dau|ngay ap dung thu|applied on|first applied on",
           required=True,
           help=gettext_lazy("A date (15/03/2022), a month (03/2022) or a year."),
           example="15/03/2022",
           empty=gettext_lazy("empty: enter when it was first applied."),
           finds_header=False),
        _c("benefit", gettext_lazy("Benefit (VND)"),
           "gia tri lam loi|so tien lam loi|hieu qua|hieu qua kinh te|gia tri lam loi uoc tinh"
           "|gia tri lam loi du kien|loi ich kinh te|gia tri|benefit|benefit vnd",
           money=True,
           help=gettext_lazy("In đồng: 1500000, 1.500.000 or 1,5 triệu; a header saying "
                             "“(triệu đồng)” makes the whole column millions."),
           example=1_500_000),
        _c("note", gettext_lazy("Note"), "ghi chu|note|notes", example=""),
        _c("birth_year", gettext_lazy("Year of birth"),
           "nam sinh|nam sinh tac gia|year of birth|born",
           help=gettext_lazy("Of the first author, when two members have the same name."),
           example=""),
        _c("shares", gettext_lazy("Share of contribution (%)"),
           "ty le dong gop|ty le|ty le phan tram|share|shares"),
        _c("recognition_body", gettext_lazy("Recognised by"),
           "co quan cong nhan|don vi cong nhan|cap cong nhan|noi cong nhan|don vi nguoi cong nhan"
           "|nguoi cong nhan|recognised by"
           "|recognized by",
           example=""),
        _c("recognition_number", gettext_lazy("Recognition decision number"),
           "so quyet dinh|so quyet dinh cong nhan|so qd|so qd cong nhan|quyet dinh so"
           "|quyet dinh cong nhan so|decision number|recognition number",
           example=""),
        _c("recognition_date", gettext_lazy("Recognition date"),
           "ngay cong nhan|ngay quyet dinh|ngay qd|ngay ky quyet dinh|ngay quyet dinh cong nhan"
           "|recognition date|decision date",
           example=""),
    ),
}  # fmt: skip

# Words that may follow a column's name as its unit, and the multipliers of money units.
_UNIT_WORDS = {"dong", "d", "vnd", "vn dong", "trieu", "trieu dong", "nghin", "nghin dong",
               "ngan dong", "ngan", "ty", "ty dong", "ti dong", "phan tram", "nam",
               "dd mm yyyy", "ngay thang nam", "thang nam", "so", "neu co", "%"}  # fmt: skip
_MULTIPLIERS = (
    (re.compile(r"\b(ty|ti)\b"), 1_000_000_000),
    (re.compile(r"\b(trieu|tr)\b"), 1_000_000),
    (re.compile(r"\b(nghin|ngan)\b"), 1_000),
)
_BRACKETED = re.compile(r"\(([^()]*)\)|\[([^\[\]]*)\]")
_NOT_WORD = re.compile(r"[^0-9a-z%]+")


def header_words(value: str) -> str:
    """A text folded the way column names are: no diacritics, lower case, punctuation and
    brackets as spaces, single spaces."""
    return _NOT_WORD.sub(" ", fold(value)).strip()


class HeaderMatch(NamedTuple):
    key: str
    multiplier: int
    score: int


def _multiplier(column: Column, notes: str) -> int:
    if not column.money:
        return 1
    for pattern, factor in _MULTIPLIERS:
        if pattern.search(notes):
            return factor
    return 1


def _main_words(text: str) -> str:
    """A header's words without its notes in brackets and required-marks."""
    return header_words(_BRACKETED.sub(" ", fold(text)).replace("*", " "))


def _names(kind: str) -> dict[str, list[Column]]:
    """Folded name → the columns of `kind` it names (labels in the current language too)."""
    names: dict[str, list[Column]] = {}
    for column in COLUMNS[kind]:
        for name in (*column.synonyms, _main_words(str(column.label))):
            if name and column not in names.setdefault(name, []):
                names[name].append(column)
    return names


def match_header(kind: str, value: Any) -> HeaderMatch | None:
    """The column of `kind` a header cell names, with its money multiplier, or None."""
    if value is None:
        return None
    raw = legacy.readable(str(value).strip())
    if not raw:
        return None
    folded = fold(raw)
    notes = " ".join(a or b for a, b in _BRACKETED.findall(folded))
    main = _main_words(raw)
    names = _names(kind)
    if main in names:
        column = names[main][0]
        return HeaderMatch(column.key, _multiplier(column, notes), 1000 + len(main))
    # A name followed by its unit: "gia tri lam loi trieu dong".
    words = main.split(" ")
    for cut in range(len(words) - 1, 0, -1):
        head, tail = " ".join(words[:cut]), " ".join(words[cut:])
        if head in names and tail in _UNIT_WORDS:
            column = names[head][0]
            return HeaderMatch(column.key, _multiplier(column, tail + " " + notes), 800 + cut)
    # Parts around a slash or "hoặc": "Đơn vị / CĐCS", "Họ tên hoặc mã".
    if "/" in folded or " hoac " in folded:
        for part in re.split(r"/| hoac ", _BRACKETED.sub(" ", folded)):
            part_words = header_words(part)
            if part_words in names:
                column = names[part_words][0]
                return HeaderMatch(column.key, _multiplier(column, notes), 500 + len(part_words))
    return None


def column(kind: str, key: str) -> Column:
    """The column `key` of `kind`."""
    for c in COLUMNS[kind]:
        if c.key == key:
            return c
    raise KeyError(key)


def required_keys(kind: str) -> list[str]:
    """The columns every row must fill in (the template marks them *)."""
    return [c.key for c in COLUMNS[kind] if c.required]


def header_keys(kind: str) -> list[str]:
    """The required columns by which the reader finds the header and tells data rows."""
    return [c.key for c in COLUMNS[kind] if c.required and c.finds_header]


def alternatives(kind: str, key: str) -> list[str]:
    """The keys that can stand for `key` (itself first)."""
    return [key, *(c.key for c in COLUMNS[kind] if c.stands_for == key)]


# -- the template ----------------------------------------------------------------------------


def _titles(kind: str) -> tuple[str, str]:
    titles = {
        UNITS: (_("LIST OF UNITS"), _("One row per unit. Parents come before their children.")),
        MEMBERS: (_("LIST OF MEMBERS"), _("One row per member of a grassroots union.")),
        INITIATIVES: (
            _("LIST OF INITIATIVES"),
            _("One row per initiative; several authors go in one cell."),
        ),
    }
    return titles[kind]


def template_xlsx(kind: str) -> bytes:
    """The template of `kind` as an .xlsx, in the current language."""
    columns = [c for c in COLUMNS[kind] if not c.stands_for]
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True, "strings_to_formulas": False})
    title_format = book.add_format({"bold": True, "font_size": 13})
    header_format = book.add_format(
        {"bold": True, "bg_color": "#DDE4F0", "border": 1, "text_wrap": True, "valign": "top"}
    )
    example_format = book.add_format({"italic": True, "font_color": "#555555"})
    money_format = book.add_format({"italic": True, "font_color": "#555555", "num_format": "#,##0"})
    sheet = book.add_worksheet(_("Data")[:31])
    title, subtitle = _titles(kind)
    sheet.write_string(0, 0, title, title_format)
    sheet.write_string(
        1,
        0,
        subtitle
        + " "
        + _(
            "Columns marked * are required. Row 5 is an example: replace it. The sheet "
            "“%(notes)s” explains each column."
        )
        % {"notes": _("Notes")[:31]},
    )
    for index, c in enumerate(columns):
        label = str(c.label) + (" *" if c.required else "")
        sheet.write_string(3, index, safe_cell_text(label), header_format)
        width = max(12, min(40, len(label) + 4, len(str(c.example or "")) + 2))
        sheet.set_column(index, index, width)
        if c.example is None or c.example == "":
            continue
        if isinstance(c.example, int):
            sheet.write_number(4, index, c.example, money_format if c.money else example_format)
        else:
            sheet.write_string(4, index, safe_cell_text(c.example), example_format)
    sheet.freeze_panes(4, 0)
    notes = book.add_worksheet(_("Notes")[:31])
    bold = book.add_format({"bold": True})
    wrap = book.add_format({"text_wrap": True, "valign": "top"})
    for index, text in enumerate((_("Column"), _("Required"), _("How to fill it in"))):
        notes.write_string(0, index, text, bold)
    for row, c in enumerate(columns, start=1):
        notes.write_string(row, 0, str(c.label), wrap)
        notes.write_string(row, 1, _("yes") if c.required else _("no"), wrap)
        notes.write_string(row, 2, str(c.help), wrap)
    notes.set_column(0, 0, 28)
    notes.set_column(1, 1, 10)
    notes.set_column(2, 2, 90)
    book.close()
    return out.getvalue()
