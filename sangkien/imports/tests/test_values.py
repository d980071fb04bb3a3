"""Cell values as offices type them, parsed or refused with a message."""

from __future__ import annotations

import datetime as dt
import unicodedata
from decimal import Decimal

import pytest
from django.utils import translation

from sangkien import legacy, values
from sangkien.values import ValueProblem


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def problem(parse, *args, **kwargs) -> str:
    with pytest.raises(ValueProblem) as info:
        parse(*args, **kwargs)
    assert str(info.value) == info.value.message
    return info.value.message


# -- text --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        (None, ""),
        ("", ""),
        ("  Máy   cắt\tvải  ", "Máy cắt vải"),
        ("Dòng một\nDòng hai", "Dòng một Dòng hai"),
        (1500000.0, "1500000"),
        (1.5, "1.5"),
        (42, "42"),
        (dt.date(2022, 3, 15), "15/03/2022"),
        (dt.datetime(2022, 3, 15), "15/03/2022"),
        (dt.datetime(2022, 3, 15, 8, 30), "15/03/2022 08:30"),
        ("Zero\u200bwidth\ufeff", "Zerowidth"),
        (unicodedata.normalize("NFD", "Nguyễn Thị Hương"), "Nguyễn Thị Hương"),
        ("C«ng ®oµn c¬ së", "Công đoàn cơ sở"),  # TCVN3, converted
        ("Coâng ñoaøn cô sôû", "Công đoàn cơ sở"),  # VNI, converted
        ("Hello world", "Hello world"),
        ("Café Noël", "Café Noël"),
    ],
)
def test_text(cell, expected):
    result = values.text(cell)
    assert result == expected
    assert unicodedata.is_normalized("NFC", result)


def test_text_keeps_line_breaks_of_long_text_when_asked():
    cell = "  Bước 1:   cắt \r\n\r\n\r\n\r\nBước 2:\tmay  \n"
    assert values.text(cell, multiline=True) == "Bước 1: cắt\n\nBước 2: may"


def test_text_refuses_likely_but_uncertain_legacy_text():
    # Half the words read as TCVN3 Vietnamese, half do not: ask, never guess.
    cell = "C«ng ®oµn Çxz ¸qw"
    assert legacy.detect(cell) == legacy.TCVN3
    assert legacy.SUSPECT <= legacy.confidence(cell, legacy.TCVN3) < legacy.CERTAIN
    assert problem(values.text, cell) == (
        "“C«ng ®oµn Çxz ¸qw” looks like text typed in the old TCVN3 (ABC) encoding: convert "
        "the file to Unicode (for instance with Unikey's converter) and upload it again."
    )


# -- money -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        (None, None),
        ("  ", None),
        (1500000, 1_500_000),
        (1500000.0, 1_500_000),
        (1500000.4, 1_500_000),
        ("1.500.000", 1_500_000),
        ("1,500,000", 1_500_000),
        ("1 500 000", 1_500_000),
        ("1.500.000 đ", 1_500_000),
        ("1.500.000đ", 1_500_000),
        ("1.500.000 VNĐ", 1_500_000),
        ("1.500.000 đồng", 1_500_000),
        ("VNĐ 1.500.000", 1_500_000),
        ("1.500.000,00", 1_500_000),
        ("1,500,000.50", 1_500_001),
        ("1.500", 1_500),  # a dot before three digits separates thousands
        ("1,500", 1_500),
        ("1,5 triệu", 1_500_000),
        ("1.5 triệu", 1_500_000),
        ("1,500 triệu", 1_500_000),  # with a unit the comma is a decimal comma
        ("1.500 triệu", 1_500_000_000),
        ("2 tỷ", 2_000_000_000),
        ("2,5 tỉ", 2_500_000_000),
        ("500 nghìn", 500_000),
        ("500 ngàn", 500_000),
        ("500k", 500_000),
        ("1 triệu 500 nghìn", 1_500_000),
        ("1 tỷ 200 triệu", 1_200_000_000),
        ("150tr", 150_000_000),
        ("1tr5", 1_500_000),
        ("2 tỷ 3", 2_300_000_000),
        ("2.003.500.000", 2_003_500_000),
        ("0", 0),
    ],
)
def test_money(cell, expected):
    assert values.money(cell) == expected


@pytest.mark.parametrize(
    ("cell", "expected"),
    [("1,5", 1_500_000), ("1.5", 1_500_000), (1.5, 1_500_000), ("2", 2_000_000),
     ("1.500", 1_500_000_000), ("2 tỷ", 2_000_000_000)],
)  # fmt: skip
def test_money_in_a_column_of_millions(cell, expected):
    assert values.money(cell, multiplier=1_000_000) == expected


@pytest.mark.parametrize(
    ("cell", "message"),
    [
        ("1,5", "“1,5” is ambiguous: an amount in đồng has no decimals. Write it in full "
                "(1500000) or with its unit (1,5 triệu)."),
        ("1.5", "“1.5” is ambiguous: an amount in đồng has no decimals. Write it in full "
                "(1500000) or with its unit (1,5 triệu)."),
        ("-1.000.000", "An amount of money cannot be negative."),
        ("(1.500.000)", "An amount of money cannot be negative."),
        (-5, "An amount of money cannot be negative."),
        ("không xác định", "“không xác định” is not an amount of money in đồng."),
        ("chưa tính được", "“chưa tính được” is not an amount of money in đồng."),
        ("1.000 2.000", "“1.000 2.000” is not an amount of money in đồng."),
        ("500 nghìn 1 triệu", "“500 nghìn 1 triệu” is not an amount of money in đồng."),
        ("1.50.000", "“1.50.000” is not a number."),
        (True, "This is not an amount of money."),
        (dt.date(2022, 1, 1), "This is a date, not an amount of money."),
    ],
)  # fmt: skip
def test_money_problems(cell, message):
    assert problem(values.money, cell) == message


# -- dates -------------------------------------------------------------------------------------


D = dt.date(2022, 3, 15)
M = dt.date(2022, 3, 1)
Y = dt.date(2022, 1, 1)


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        (None, None),
        (D, (D, "day")),
        (dt.datetime(2022, 3, 15, 8, 0), (D, "day")),
        (44635.0, (D, "day")),  # an Excel serial number from a workbook
        (44635.75, (D, "day")),
        (2022, (Y, "year")),
        (2022.0, (Y, "year")),
        ("15/3/2022", (D, "day")),
        ("15/03/2022", (D, "day")),
        ("15-03-2022", (D, "day")),
        ("15.03.2022", (D, "day")),
        ("2022-03-15", (D, "day")),
        ("2022-03-15 00:00:00", (D, "day")),
        ("ngày 15 tháng 3 năm 2022", (D, "day")),
        ("03/2022", (M, "month")),
        ("3/2022", (M, "month")),
        ("tháng 3/2022", (M, "month")),
        ("Tháng 3 năm 2022", (M, "month")),
        ("2022", (Y, "year")),
        ("năm 2022", (Y, "year")),
        ("1/2/2022", (dt.date(2022, 2, 1), "day")),  # day first, never month first
    ],
)
def test_date(cell, expected):
    assert values.date(cell) == expected


@pytest.mark.parametrize(
    ("cell", "message"),
    [
        ("31/02/2022", "31/2/2022 is not a date of the calendar."),
        ("13/2022", "13/2022 is not a month."),
        ("15/3/22", "Write the year with four digits (2022, not 22)."),
        ("3/22", "Write the year with four digits (2022, not 22)."),
        ("44635", "This is not a date."),  # digits in text are not a serial number
        ("15/03/1850", "The year 1850 is not plausible."),
        ("abc", "“abc” is not a date: write it as day/month/year, for instance 15/03/2022."),
        (True, "This is not a date."),
    ],
)
def test_date_problems(cell, message):
    assert problem(values.date, cell) == message


@pytest.mark.parametrize("cell", ["2022", "03/2022", 2022])
def test_date_without_month_or_year_only_refused_when_a_whole_date_is_needed(cell):
    assert problem(values.date, cell, month_ok=False) == "Give the whole date: day, month and year."
    assert values.date("15/03/2022", month_ok=False) == (D, "day")


# -- people ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        (None, []),
        ("Nguyễn Văn An, Lê Thị Bình; Trần Cường",
         [("Nguyễn Văn An", None), ("Lê Thị Bình", None), ("Trần Cường", None)]),
        ("Nguyễn Văn An\nLê Thị Bình", [("Nguyễn Văn An", None), ("Lê Thị Bình", None)]),
        ("- Nguyễn Văn An\n- Lê Thị Bình", [("Nguyễn Văn An", None), ("Lê Thị Bình", None)]),
        ("1. Nguyễn Văn An\n2) Lê Thị Bình", [("Nguyễn Văn An", None), ("Lê Thị Bình", None)]),
        ("Nguyễn Văn An - Lê Thị Bình", [("Nguyễn Văn An", None), ("Lê Thị Bình", None)]),
        ("Nguyễn Văn An và Lê Thị Bình", [("Nguyễn Văn An", None), ("Lê Thị Bình", None)]),
        ("Ông Nguyễn Văn An, Bà Lê Thị Bình, Anh Trần Văn Cường, Chị Phạm Thị Dung",
         [("Nguyễn Văn An", None), ("Lê Thị Bình", None), ("Trần Văn Cường", None),
          ("Phạm Thị Dung", None)]),
        ("KS. Nguyễn Văn An, ThS. Lê Thị Bình, TS. Trần Cường, Đ/c Hà Văn Dũng, PGS.TS. Lý Mai",
         [("Nguyễn Văn An", None), ("Lê Thị Bình", None), ("Trần Cường", None),
          ("Hà Văn Dũng", None), ("Lý Mai", None)]),
        ("Anh Tuấn", [("Anh Tuấn", None)]),  # a given name, not a title
        ("Chu Văn An", [("Chu Văn An", None)]),  # Chu is a family name
        ("Nguyễn Văn An (chủ nhiệm), Lê Thị Bình",
         [("Nguyễn Văn An", None), ("Lê Thị Bình", None)]),
        ("Trần Thị Cúc (60%), Nguyễn Văn An (40%)",
         [("Trần Thị Cúc", Decimal("60")), ("Nguyễn Văn An", Decimal("40"))]),
        ("Nguyễn Văn An (chủ nhiệm, 50%); Lê Thị Bình - 30,5%; Trần Cường: 19,5%",
         [("Nguyễn Văn An", Decimal("50")), ("Lê Thị Bình", Decimal("30.5")),
          ("Trần Cường", Decimal("19.5"))]),
        ("NGUYỄN VĂN AN, lê thị bình", [("Nguyễn Văn An", None), ("Lê Thị Bình", None)]),
    ],
)  # fmt: skip
def test_people_with_shares(cell, expected):
    assert values.people_with_shares(cell) == expected


def test_people_gives_the_names():
    assert values.people("Nguyễn Văn An (50%), Lê Thị Bình (50%)") == [
        "Nguyễn Văn An",
        "Lê Thị Bình",
    ]


@pytest.mark.parametrize(
    ("cell", "message"),
    [
        ("Nguyễn Văn An (60%), Lê Thị Bình (60%)", "The shares add up to 120%, more than 100%."),
        ("Nguyễn Văn An (0%)", "A share of contribution lies between 0 and 100%."),
        ("Tổ 3 phân xưởng", "“Tổ 3 phân xưởng” is not a person's name."),
    ],
)
def test_people_problems(cell, message):
    assert problem(values.people_with_shares, cell) == message


# -- small fields ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cell", "expected"),
    [("Nam", "male"), ("nam", "male"), ("M", "male"), ("male", "male"), ("Nữ", "female"),
     ("nu", "female"), ("NỮ", "female"), ("F", "female"), ("female", "female"), (None, ""),
     ("", "")],
)  # fmt: skip
def test_gender(cell, expected):
    assert values.gender(cell) == expected


def test_gender_problem():
    assert problem(values.gender, "x") == "“x” is not a gender: write Nam or Nữ."


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        (912345678, "0912345678"),  # the 0 a spreadsheet dropped
        (912345678.0, "0912345678"),
        ("0912 345 678", "0912345678"),
        ("0912.345.678", "0912345678"),
        ("+84 987 654 321", "0987654321"),
        ("84987654321", "0987654321"),
        ("(0237) 385 2123", "02373852123"),
        (None, ""),
    ],
)
def test_phone(cell, expected):
    assert values.phone(cell) == expected


@pytest.mark.parametrize(
    ("cell", "message"),
    [
        ("0912345678 / 0987654321", "Give one phone number per cell."),
        ("123", "“123” is not a Vietnamese phone number (10 digits, such as 0912345678)."),
        (
            "không có",
            "“không có” is not a Vietnamese phone number (10 digits, such as 0912345678).",
        ),
    ],
)
def test_phone_problems(cell, message):
    assert problem(values.phone, cell) == message


@pytest.mark.parametrize(
    ("cell", "expected"),
    [(1985, 1985), (1985.0, 1985), ("1985", 1985), ("năm 1985", 1985), ("15/03/1985", 1985),
     (dt.date(1985, 3, 15), 1985), (None, None)],
)  # fmt: skip
def test_year(cell, expected):
    assert values.year(cell) == expected


@pytest.mark.parametrize(
    ("cell", "message"),
    [("85", "Write the year with four digits (1985, not 85)."),
     (85, "Write the year with four digits (1985, not 85)."),
     ("abc", "“abc” is not a year."),
     (123456, "“123456” is not a year.")],
)  # fmt: skip
def test_year_problems(cell, message):
    assert problem(values.year, cell) == message
