"""Dates as the project writes them, from the format modules beside this file (Django reads
`vi/formats.py` and `en/formats.py` through FORMAT_MODULE_PATH): one place for dd/mm/yyyy.

- `short_date` is how a page, a message or a document shows a day (SHORT_DATE_FORMAT);
- `input_date` and `input_datetime` write a value the way forms read it back (the first of
  DATE_INPUT_FORMATS / DATETIME_INPUT_FORMATS): form values, query strings, spreadsheet text."""

from __future__ import annotations

import datetime as dt

from django.utils import formats


def short_date(day: dt.date) -> str:
    """A day as the current language shows it: 05/03/2026."""
    return formats.date_format(day, "SHORT_DATE_FORMAT")


def input_date(day: dt.date) -> str:
    """A day as the date fields read it back: 05/03/2026."""
    return day.strftime(formats.get_format("DATE_INPUT_FORMATS")[0])


def input_datetime(moment: dt.datetime) -> str:
    """A moment as the date-and-time fields read it back: 05/03/2026 14:30."""
    return moment.strftime(formats.get_format("DATETIME_INPUT_FORMATS")[0])
