"""One parser per kind of value: the form fields, the API's input types, the services and the
imports read money and dates alike (sangkien.values)."""

from __future__ import annotations

import datetime as dt

import pytest
from pydantic import TypeAdapter
from pydantic import ValidationError as PydanticError

from sangkien import values
from sangkien.api import schemas
from sangkien.core.forms import DayField, MoneyField
from sangkien.initiatives import services

MONEY = [
    ("1,8 triệu", 1_800_000),
    ("1.500.000", 1_500_000),
    ("1 500 000 đ", 1_500_000),
    ("1tr5", 1_500_000),
    ("2 tỷ 300 triệu", 2_300_000_000),
    ("1500000", 1_500_000),
    ("1.800.000", 1_800_000),
    ("1800000", 1_800_000),
    ("1,8 tr", 1_800_000),
    ("2 tỷ", 2_000_000_000),
    ("500 nghìn", 500_000),
    ("500k", 500_000),
]


@pytest.mark.parametrize(("typed", "amount"), MONEY)
def test_money_means_the_same_in_forms_api_services_and_imports(typed, amount):
    assert values.money(typed) == amount  # imports
    assert MoneyField().clean(typed) == amount  # forms
    assert TypeAdapter(schemas.Money).validate_python(typed) == amount  # API
    assert services.common._to_int(typed) == amount  # services (what a command or a job passes)


@pytest.mark.parametrize(
    "typed", ["1,5", "2.5", "khoảng 2 triệu", "-500.000", "- 1,8 triệu", "chưa tính được"]
)
def test_money_is_refused_alike_everywhere(typed):
    with pytest.raises(values.ValueProblem) as problem:
        values.money(typed)
    with pytest.raises(Exception) as form_error:
        MoneyField().clean(typed)
    assert problem.value.message in form_error.value.messages
    with pytest.raises(PydanticError) as api_error:
        TypeAdapter(schemas.Money).validate_python(typed)
    assert problem.value.message in str(api_error.value)


@pytest.mark.parametrize(
    "typed", ["15/3/2026", "15-03-2026", "15.03.2026", "2026-03-15", "ngày 15 tháng 3 năm 2026"]
)
def test_dates_mean_the_same_in_forms_services_and_imports(typed):
    day = dt.date(2026, 3, 15)
    assert values.date(typed) == (day, values.DAY)  # imports
    assert DayField().clean(typed) == day  # forms
    assert services.common._to_date(typed) == day  # services


def test_the_api_reads_its_iso_dates_with_the_same_parser():
    assert TypeAdapter(schemas.IsoDate).validate_python("2026-03-15") == dt.date(2026, 3, 15)
    with pytest.raises(PydanticError):
        TypeAdapter(schemas.IsoDate).validate_python("2026-02-30")


@pytest.mark.parametrize("typed", ["03/2026", "2026", "31/02/2026", "15/3/26"])
def test_a_form_wants_a_whole_date(typed):
    with pytest.raises(Exception) as error:
        DayField().clean(typed)
    assert error.value.messages


@pytest.mark.parametrize(
    ("typed", "vi", "en"),
    [
        ("1,5", "“1,5” không rõ nghĩa", "“1,5” is ambiguous"),
        ("-500.000", "Số tiền không được âm.", "An amount of money cannot be negative."),
        ("khoảng 2 triệu", "“khoảng 2 triệu”", "“khoảng 2 triệu” is not an amount"),
    ],
)
def test_a_refusal_names_the_value_in_both_languages(typed, vi, en):
    from django.utils import translation

    for language, expected in (("vi", vi), ("en", en)):
        with translation.override(language), pytest.raises(values.ValueProblem) as problem:
            values.money(typed)
        assert expected in problem.value.message
