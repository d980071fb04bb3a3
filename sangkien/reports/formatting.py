"""How a report writes numbers and dates, in the active language.

Vietnamese: "1.234.567" and "351,4"; English: "1,234,567" and "351.4". Dates are dd/mm/yyyy in
both. The place-and-date line of an administrative document is always Vietnamese
(Decree 30/2020/NĐ-CP: day below 10 and months 1–2 take a leading zero)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils.formats import number_format

from sangkien import formats

# What stands in a cell that has no value (a unit without a quota has no completion rate).
NONE = "—"


def integer(value: int | None) -> str:
    if value is None:
        return NONE
    return number_format(value, decimal_pos=0, use_l10n=True, force_grouping=True)


def percent(value: Decimal | None) -> str:
    """One decimal, the language's decimal separator, no sign (the label says "%")."""
    if value is None:
        return NONE
    return number_format(value, decimal_pos=1, use_l10n=True, force_grouping=True)


def short_date(day: dt.date) -> str:
    return formats.short_date(day)


def place_and_date(place: str, day: dt.date) -> str:
    """ "Thanh Hóa, ngày 05 tháng 3 năm 2026" (the form Decree 30/2020 prescribes)."""
    dd = f"{day.day:02d}"
    mm = f"{day.month:02d}" if day.month < 3 else str(day.month)
    return f"{place}, ngày {dd} tháng {mm} năm {day.year}"
