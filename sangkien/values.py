"""Values as people write them turned into the values the models hold: one parser per kind
of value (money in đồng, dates, names, phone numbers), used by the forms
(`sangkien.core.forms`), the API (`sangkien.api.schemas`), the services and the imports
alike, so "1,8 triệu" or "15/3/2026" mean the same wherever they are typed.

Each parser takes a raw value (what a form posts, a JSON value, or what python-calamine gives
for a cell: str, int, float, bool, datetime.date/datetime, or a CSV string) and returns the
value, or raises `ValueProblem` whose message (translated) names the problem but not the
field or column: the caller says where.
Empty cells (None, "", blanks) give None (`text` gives "", `people` an empty list), so the
caller decides whether the column is required.

- `text(value, multiline=False)`: NFC, trimmed, runs of spaces made one; line breaks kept
  only when `multiline` (long text such as a summary), otherwise made spaces; whole numbers
  without ".0", dates as dd/mm/yyyy. Text typed in the legacy TCVN3 or VNI encodings is
  converted when that is certain and refused with a request to convert the file when it is
  only likely (see `legacy`).
- `money(value, multiplier=1)`: whole VND. Dots and commas between groups of three digits
  are thousands separators ("1.500.000", "1,500,000", "1.500" = 1500); a single separator
  followed by one, two or four and more digits is a decimal point, accepted only with a unit
  ("1,5 triệu", "2.5 tỷ") or a column in millions (`multiplier`), because an amount in đồng
  has no decimals ("1,5" alone is refused as ambiguous). With a unit, a comma is always the
  decimal comma ("1,500 triệu" = 1,500,000) and a dot followed by three digits the thousands
  separator ("1.500 triệu" = 1,500,000,000). Units: tỷ/tỉ, triệu/tr, nghìn/ngàn/k, and
  đồng/đ/VNĐ/VND (which change nothing); parts add up ("1 tỷ 200 triệu", "1 triệu 500
  nghìn"), and digits straight after a unit are its decimals ("1tr5" = 1,500,000).
  Negative amounts and words ("chưa tính được") are refused. Fractions of a đồng are
  rounded half up.
- `date(value, month_ok=True)`: (first day of the period, precision "day" | "month" |
  "year"). Day first, always: "15/3/2022", "15-03-2022", "15.03.2022", "2022-03-15",
  "ngày 15 tháng 3 năm 2022"; months "03/2022", "tháng 3/2022", "Tháng 3 năm 2022"; years
  "2022", "năm 2022". Spreadsheet dates as they are; a number from a workbook is a year when
  it lies in 1900–2100 and otherwise an Excel serial date; text digits ("44635") are not a
  date. Two-digit years and impossible dates are refused; with `month_ok=False` only a
  whole date is accepted. `day(value)` is the whole date alone (what a form or the API
  takes).
- `people(value)` / `people_with_shares(value)`: names separated by commas, semicolons,
  line breaks, " - ", "&" or "và", with list bullets and numbers dropped, titles removed
  ("Ông", "Bà", "Anh", "Chị" when two words remain; "KS.", "ThS.", "TS.", "Đ/c", … always),
  notes in brackets removed ("(chủ nhiệm)"), and a percentage share returned
  ("Lê Thị Bình (30%)", "Lê Thị Bình - 30%"). Names typed all in capitals or all in small
  letters are given capitals word by word.
- `gender(value)`: "male", "female" or "" (Nam/Nữ, nam/nu, M/F, male/female, Ông/Bà).
- `phone(value)`: digits, +84 or 84 written as 0, a leading 0 restored when a workbook
  turned the number into 9 digits; 10 or 11 digits starting with 0.
- `year(value)`: a four-digit year in 1900–2100 (also from a date).
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from sangkien import legacy
from sangkien.formats import input_date, input_datetime
from sangkien.text import fold

DAY, MONTH, YEAR = "day", "month", "year"
MIN_YEAR, MAX_YEAR = 1900, 2100
_EXCEL_EPOCH = dt.date(1899, 12, 30)
_MAX_SERIAL = 2_958_465  # 31/12/9999


class ValueProblem(Exception):
    """A cell value that cannot be used; `message` is translated and names no column."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def is_empty(value: Any) -> bool:
    """None, an empty or blank string."""
    return value is None or (isinstance(value, str) and not value.strip())


# -- text --------------------------------------------------------------------------------

_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff"), None)
_SPACES_IN_LINE = re.compile(r"[^\S\n]+")
_ALL_SPACES = re.compile(r"\s+")
_BLANK_LINES = re.compile(r"\n{3,}")


def _number_text(value: int | float) -> str:
    if isinstance(value, float):
        if value.is_integer():
            return str(int(value))
        return repr(value)
    return str(value)


def text(value: Any, *, multiline: bool = False) -> str:
    """The cell as clean Unicode text ("" for an empty cell)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, int | float):
        return _number_text(value)
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0, 0):
            return input_date(value)
        return input_datetime(value)
    if isinstance(value, dt.date):
        return input_date(value)
    raw = str(value).translate(_INVISIBLE).replace("\r\n", "\n").replace("\r", "\n")
    raw = unicodedata.normalize("NFC", raw)
    encoding = legacy.detect(raw)
    if encoding is not None:
        if legacy.confidence(raw, encoding) < legacy.CERTAIN:
            raise ValueProblem(
                _(
                    "“%(text)s” looks like text typed in the old %(encoding)s encoding: "
                    "convert the file to Unicode (for instance with Unikey's converter) "
                    "and upload it again."
                )
                % {"text": _shorten(raw), "encoding": _encoding_name(encoding)}
            )
        raw = legacy.convert(raw, encoding)
    if multiline:
        lines = [_SPACES_IN_LINE.sub(" ", line).strip() for line in raw.split("\n")]
        return _BLANK_LINES.sub("\n\n", "\n".join(lines)).strip()
    return _ALL_SPACES.sub(" ", raw).strip()


def _encoding_name(encoding: str) -> str:
    return {legacy.TCVN3: "TCVN3 (ABC)", legacy.VNI: "VNI"}.get(encoding, encoding)


def _shorten(value: str, limit: int = 40) -> str:
    value = _ALL_SPACES.sub(" ", value).strip()
    return value if len(value) <= limit else value[: limit - 1] + "…"


# -- money -------------------------------------------------------------------------------

_MONEY_UNITS = {
    "ty": 1_000_000_000, "ti": 1_000_000_000,
    "trieu": 1_000_000, "tr": 1_000_000,
    "nghin": 1_000, "ngan": 1_000, "k": 1_000,
}  # fmt: skip
_MONEY_PART = re.compile(
    r"(?P<number>\d+(?:[.,]\d+)*)\s*(?P<unit>ty|ti|trieu|tr|nghin|ngan|k)?(?![a-z])"
)
_CURRENCY = re.compile(r"(?:(?<=\d)|(?<![a-z]))\s*(?:vn dong|vnd|dong|d)(?![a-z])")
_SPACED_THOUSANDS = re.compile(r"(?<![\d.,])(\d{1,3}(?: \d{3})+)(?![\d.,])")
_THOUSANDS = re.compile(r"\d{1,3}(?:([.,])\d{3})(?:\1\d{3})*")


def _decimal(number: str, *, with_unit: bool) -> Decimal:
    """A written number as a Decimal, by the separator rules in the module docstring."""
    dots, commas = number.count("."), number.count(",")
    if dots and commas:
        decimal_sep = "." if number.rfind(".") > number.rfind(",") else ","
        whole, _sep, fraction = number.rpartition(decimal_sep)
        if not _THOUSANDS.fullmatch(whole) and not whole.isdigit():
            raise ValueProblem(_("“%(value)s” is not a number.") % {"value": number})
        return Decimal(re.sub(r"[.,]", "", whole) + "." + fraction)
    sep = "." if dots else "," if commas else ""
    if not sep:
        return Decimal(number)
    if number.count(sep) > 1:
        if not _THOUSANDS.fullmatch(number):
            raise ValueProblem(_("“%(value)s” is not a number.") % {"value": number})
        return Decimal(number.replace(sep, ""))
    whole, _sep, fraction = number.partition(sep)
    thousands = len(fraction) == 3 and len(whole) <= 3
    if thousands and not (with_unit and sep == ","):
        return Decimal(whole + fraction)
    if not with_unit:
        raise ValueProblem(
            _(
                "“%(value)s” is ambiguous: an amount in đồng has no decimals. Write it in "
                "full (1500000) or with its unit (1,5 triệu)."
            )
            % {"value": number}
        )
    return Decimal(whole + "." + fraction)


def money(value: Any, multiplier: int = 1) -> int | None:
    """An amount of money in whole VND (None for an empty cell); `multiplier` is the unit of
    a column whose header says so (1_000_000 for "triệu đồng")."""
    if is_empty(value):
        return None
    if isinstance(value, bool):
        raise ValueProblem(_("This is not an amount of money."))
    if isinstance(value, int | float):
        try:
            amount = Decimal(str(value)) * multiplier
        except InvalidOperation as exc:
            raise ValueProblem(_("This is not an amount of money.")) from exc
        return _whole_amount(amount)
    if isinstance(value, dt.date | dt.time | dt.timedelta):
        raise ValueProblem(_("This is a date, not an amount of money."))
    raw = text(value)
    written = fold(raw).strip()
    if written.startswith(("-", "−", "am ")) or re.fullmatch(r"\(\s*[\d.,]+.*\)", written):
        raise ValueProblem(_("An amount of money cannot be negative."))
    written = _SPACED_THOUSANDS.sub(lambda m: m.group(1).replace(" ", ""), written)
    written = _CURRENCY.sub(" ", written).strip()
    total = Decimal(0)
    position = 0
    last_unit: int | None = None  # the unit of the previous part, when it had one
    parts = 0
    for match in _MONEY_PART.finditer(written):
        between = written[position : match.start()].strip()
        if between and between not in ("va", "+"):
            raise ValueProblem(_not_money(raw))
        unit_word = match.group("unit")
        unit = _MONEY_UNITS[unit_word] if unit_word else None
        number = match.group("number")
        if unit is None and last_unit is not None and number.isdigit():
            # "1tr5", "2 tỷ 3": digits after a unit are its decimals.
            part = Decimal(number) * last_unit / (Decimal(10) ** len(number))
            last_unit = None
        elif parts and (unit is None or last_unit is None or unit >= last_unit):
            raise ValueProblem(_not_money(raw))  # "1.000 2.000", "500 nghìn 1 triệu"
        else:
            with_unit = unit is not None or multiplier > 1
            part = _decimal(number, with_unit=with_unit) * (unit or multiplier)
            last_unit = unit
        total += part
        parts += 1
        position = match.end()
    if not parts or written[position:].strip():
        raise ValueProblem(_not_money(raw))
    return _whole_amount(total)


def _not_money(raw: str) -> str:
    return _("“%(value)s” is not an amount of money in đồng.") % {"value": _shorten(raw)}


def _whole_amount(amount: Decimal) -> int:
    if amount < 0:
        raise ValueProblem(_("An amount of money cannot be negative."))
    return int(amount.quantize(Decimal(1), rounding=ROUND_HALF_UP))


# -- dates -------------------------------------------------------------------------------

_TIME = r"(?:\s+\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?"
_DAY_FIRST = re.compile(r"(\d{1,2})\s*([/.-])\s*(\d{1,2})\s*\2\s*(\d+)" + _TIME)
_ISO = re.compile(r"(\d{4})([/.-])(\d{1,2})\2(\d{1,2})(?:t|\s)?" + _TIME.replace(r"\s+", r"\s*"))
_WORDS_DAY = re.compile(r"(?:ngay\s+)?(\d{1,2})\s+thang\s+(\d{1,2})\s*(?:nam|/|-|,)?\s*(\d+)")
_MONTH = re.compile(r"(?:thang\s*)?(\d{1,2})\s*(?:/|-|\.|nam|,)\s*(\d+)")
_MONTH_WORDS = re.compile(r"thang\s+(\d{1,2})\s+(\d+)")
_YEAR = re.compile(r"(?:nam\s+)?(\d+)")


def date(value: Any, *, month_ok: bool = True) -> tuple[dt.date, str] | None:
    """(date, precision) of a cell: the first day of the month or year when only those are
    given (precision "month" or "year"); None for an empty cell."""
    if is_empty(value):
        return None
    if isinstance(value, bool):
        raise ValueProblem(_("This is not a date."))
    if isinstance(value, dt.datetime):
        return value.date(), DAY
    if isinstance(value, dt.date):
        return value, DAY
    if isinstance(value, int | float):
        if float(value).is_integer() and MIN_YEAR <= value <= MAX_YEAR:
            return _period(int(value), 1, 1, YEAR, month_ok)
        if 1 <= value <= _MAX_SERIAL:
            return _EXCEL_EPOCH + dt.timedelta(days=int(value)), DAY
        raise ValueProblem(_("This is not a date."))
    if not isinstance(value, str):
        raise ValueProblem(_("This is not a date."))
    raw = text(value)
    written = fold(raw).strip(" .")
    if m := _DAY_FIRST.fullmatch(written):
        return _period(int(m.group(4)), int(m.group(3)), int(m.group(1)), DAY, month_ok, m.group(4))
    if m := _ISO.fullmatch(written):
        return _period(int(m.group(1)), int(m.group(3)), int(m.group(4)), DAY, month_ok)
    if m := _WORDS_DAY.fullmatch(written):
        return _period(int(m.group(3)), int(m.group(2)), int(m.group(1)), DAY, month_ok, m.group(3))
    if m := _MONTH.fullmatch(written) or _MONTH_WORDS.fullmatch(written):
        return _period(int(m.group(2)), int(m.group(1)), 1, MONTH, month_ok, m.group(2))
    if m := _YEAR.fullmatch(written):
        return _period(int(m.group(1)), 1, 1, YEAR, month_ok, m.group(1))
    raise ValueProblem(
        _("“%(value)s” is not a date: write it as day/month/year, for instance 15/03/2022.")
        % {"value": _shorten(raw)}
    )


def day(value: Any) -> dt.date | None:
    """A whole date (day, month and year), None when empty: the date fields of the forms
    and the API."""
    if isinstance(value, dt.datetime):
        return timezone.localdate(value) if timezone.is_aware(value) else value.date()
    parsed = date(value, month_ok=False)
    return parsed[0] if parsed is not None else None


def _period(
    year_: int, month: int, day: int, precision: str, month_ok: bool, year_text: str = ""
) -> tuple[dt.date, str]:
    if year_text and len(year_text) < 4:
        raise ValueProblem(_("Write the year with four digits (2022, not 22)."))
    if year_text and len(year_text) > 4:
        raise ValueProblem(_("This is not a date."))
    if not MIN_YEAR <= year_ <= MAX_YEAR:
        raise ValueProblem(_("The year %(year)s is not plausible.") % {"year": year_})
    if precision != DAY and not month_ok:
        raise ValueProblem(_("Give the whole date: day, month and year."))
    try:
        return dt.date(year_, month, day), precision
    except ValueError as exc:
        if precision == MONTH:
            message = _("%(month)s/%(year)s is not a month.")
        else:
            message = _("%(day)s/%(month)s/%(year)s is not a date of the calendar.")
        raise ValueProblem(message % {"day": day, "month": month, "year": year_}) from exc


def year(value: Any) -> int | None:
    """A year of four digits (None for an empty cell)."""
    if is_empty(value):
        return None
    if isinstance(value, dt.date):
        return value.year
    if isinstance(value, int | float) and not isinstance(value, bool):
        if float(value).is_integer() and MIN_YEAR <= value <= MAX_YEAR:
            return int(value)
        if float(value).is_integer() and 0 <= value < 100:
            raise ValueProblem(_("Write the year with four digits (1985, not 85)."))
        raise ValueProblem(_("“%(value)s” is not a year.") % {"value": _number_text(value)})
    raw = text(value)
    if re.fullmatch(r"\d{1,2}", raw):
        raise ValueProblem(_("Write the year with four digits (1985, not 85)."))
    try:
        parsed = date(raw)
    except ValueProblem:
        raise ValueProblem(_("“%(value)s” is not a year.") % {"value": _shorten(raw)}) from None
    assert parsed is not None
    return parsed[0].year


# -- people ------------------------------------------------------------------------------

# Titles before a name, folded. Words that are also given names only go when two words
# of the name remain ("Anh Tuấn" stays a name).
_TITLE_WORDS = {"ông", "bà", "anh", "chị", "cô", "thầy", "em", "chú", "bác"}
_TITLE_ABBREVIATIONS = re.compile(
    r"^(?:(?:d/c|dc|dong chi|ks|kts|ths|ts|tskh|pgs|gs|bs|bsck|ds|cn|ls|nsut|nsnd|ky su|"
    r"thac si|tien si|bac si|cu nhan|kien truc su|giao su|pho giao su)"
    r"(?:\s*\.\s*|\s+|(?=[,:]))|(?:pgs|gs)\.?\s*ts\.?\s*)+",
)
_BULLET = re.compile(r"^\s*(?:[-–—•+*·]|\d{1,2}\s*[.)/]|[a-z]\)|\(\d{1,2}\))\s*", re.IGNORECASE)
_SHARE = re.compile(r"(\d{1,3}(?:[.,]\d+)?)\s*%")
_BRACKETS = re.compile(r"\(([^()]*)\)|\[([^\[\]]*)\]")
_TRAILING_SHARE = re.compile(r"\s*(?:[-–:,]\s*)?(\d{1,3}(?:[.,]\d+)?)\s*%\s*$")


def _split_outside_brackets(value: str) -> list[str]:
    parts: list[str] = []
    depth = 0
    start = 0
    for index, ch in enumerate(value):
        if ch in "([":
            depth += 1
        elif ch in ")]":
            depth = max(depth - 1, 0)
        elif depth == 0 and ch in ";,\n&":
            if (
                ch == ","
                and value[index - 1 : index].isdigit()
                and value[index + 1 : index + 2].isdigit()
            ):
                continue  # a decimal comma: "30,5%"
            parts.append(value[start:index])
            start = index + 1
    parts.append(value[start:])
    out: list[str] = []
    for part in parts:
        out.extend(_split_words(part))
    return out


def _split_words(part: str) -> list[str]:
    """A part split further at " - " and "và" outside brackets."""
    masked = _BRACKETS.sub(lambda m: "\0" * len(m.group(0)), part)
    cuts = [
        (m.start(), m.end())
        for m in re.finditer(
            r"\s+[-–—]\s+(?!\d{1,3}(?:[.,]\d+)?\s*%)|\s+(?:và|va)\s+", masked, re.IGNORECASE
        )
    ]
    out, start = [], 0
    for begin, end in cuts:
        out.append(part[start:begin])
        start = end
    out.append(part[start:])
    return out


def _share(note: str) -> Decimal | None:
    m = _SHARE.search(note) or re.fullmatch(r"\s*(\d{1,3}(?:[.,]\d+)?)\s*", note)
    if not m:
        return None
    return Decimal(m.group(1).replace(",", "."))


def _capitalise(name: str) -> str:
    letters = [ch for ch in name if ch.isalpha()]
    if letters and (all(ch.isupper() for ch in letters) or all(ch.islower() for ch in letters)):
        return " ".join(word[:1].upper() + word[1:].lower() for word in name.split(" "))
    return name


def _person(part: str) -> tuple[str, Decimal | None] | None:
    part = _BULLET.sub("", part).strip(" .:-–")
    if not part:
        return None
    share: Decimal | None = None
    for m in _BRACKETS.finditer(part):
        note = m.group(1) if m.group(1) is not None else m.group(2)
        found = _share(note)
        if found is not None and share is None:
            share = found
    name = _BRACKETS.sub(" ", part)
    if trailing := _TRAILING_SHARE.search(name):
        share = share if share is not None else Decimal(trailing.group(1).replace(",", "."))
        name = name[: trailing.start()]
    name = _ALL_SPACES.sub(" ", name).strip(" .:-–")
    folded = fold(" ".join(name.split(" ", 3)[:3]))  # titles are in the first words
    if title := _TITLE_ABBREVIATIONS.match(folded):
        name = _drop_prefix(name, len(title.group(0)))
    words = name.split(" ")
    if len(words) >= 3 and words[0].lower() in _TITLE_WORDS:
        name = " ".join(words[1:])
    name = name.strip(" .:-–")
    if not name:
        return None
    if any(ch.isdigit() for ch in name) or not any(ch.isalpha() for ch in name):
        raise ValueProblem(_("“%(value)s” is not a person's name.") % {"value": _shorten(part)})
    return _capitalise(name), share


def _drop_prefix(name: str, folded_length: int) -> str:
    """`name` without the characters that make up its first `folded_length` folded ones
    (folding keeps one character per letter, so the counts agree)."""
    taken = 0
    for index in range(len(name) + 1):
        if len(fold(name[:index] + "x")) - 1 >= folded_length:
            taken = index
            break
    return name[taken:]


def people_with_shares(value: Any) -> list[tuple[str, Decimal | None]]:
    """The people named in a cell, each with their share in percent when the cell gives one."""
    if is_empty(value):
        return []
    raw = text(value, multiline=True)
    out: list[tuple[str, Decimal | None]] = []
    for part in _split_outside_brackets(raw):
        person = _person(part)
        if person is not None:
            out.append(person)
    shares = [s for _name, s in out if s is not None]
    if any(s <= 0 or s > 100 for s in shares):
        raise ValueProblem(_("A share of contribution lies between 0 and 100%."))
    total = sum(shares, Decimal(0))
    if total > 100:
        raise ValueProblem(
            _("The shares add up to %(total)s%%, more than 100%%.") % {"total": total}
        )
    return out


def people(value: Any) -> list[str]:
    """The names of the people in a cell (see `people_with_shares`)."""
    return [name for name, _share in people_with_shares(value)]


# -- small fields ------------------------------------------------------------------------

_MALE = {"nam", "male", "m", "ong", "trai", "gioi tinh nam"}
_FEMALE = {"nu", "female", "f", "ba", "gai", "gioi tinh nu"}


def gender(value: Any) -> str:
    """ "male", "female" or "" for an empty cell."""
    if is_empty(value):
        return ""
    written = fold(text(value)).strip(" .")
    if written in _MALE:
        return "male"
    if written in _FEMALE:
        return "female"
    raise ValueProblem(
        _("“%(value)s” is not a gender: write Nam or Nữ.") % {"value": _shorten(text(value))}
    )


def phone(value: Any) -> str:
    """A Vietnamese phone number as digits ("" for an empty cell)."""
    if is_empty(value):
        return ""
    if isinstance(value, bool | dt.date):
        raise ValueProblem(_("This is not a phone number."))
    raw = _number_text(value) if isinstance(value, int | float) else text(value)
    if re.search(r"\d[\d .()-]{6,}\d\s*(?:[/;,]|\bva\b|\bhoac\b)\s*\+?\d", fold(raw)):
        raise ValueProblem(_("Give one phone number per cell."))
    digits = re.sub(r"[\s.()\-–]", "", raw)
    if digits.startswith("+84"):
        digits = "0" + digits[3:]
    elif digits.startswith("0084"):
        digits = "0" + digits[4:]
    elif digits.startswith("84") and len(digits) == 11:
        digits = "0" + digits[2:]
    if digits.isdigit() and len(digits) in (9, 10) and not digits.startswith("0"):
        digits = "0" + digits  # the leading 0 a spreadsheet dropped
    if not digits.isdigit() or not digits.startswith("0") or len(digits) not in (10, 11):
        raise ValueProblem(
            _("“%(value)s” is not a Vietnamese phone number (10 digits, such as 0912345678).")
            % {"value": _shorten(raw)}
        )
    return digits
