"""Form fields for the kinds of value every app takes: money in đồng and dates. Both parse
with `sangkien.values`, the parsers the API and the imports use, so a form accepts what a
spreadsheet cell or a JSON string would ("1,8 triệu", "1.500.000 đ", "15/3/2026",
"2026-03-15") and refuses the rest with the same message."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from sangkien import values

DATE_PLACEHOLDER = _("dd/mm/yyyy")
MONEY_MAX_LENGTH = 40


class MoneyField(forms.CharField):
    """A whole amount of đồng (`values.money`). Returns an int, or None when left empty."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)
        self.widget.attrs.update(
            {
                "inputmode": "decimal",
                "autocomplete": "off",
                "placeholder": "1.500.000",
                "maxlength": str(MONEY_MAX_LENGTH),
            }
        )

    # A CharField for its widget and cleaning of text, it returns đồng rather than the text.
    def to_python(self, value: Any) -> int | None:  # type: ignore[override]
        text = (super().to_python(value) or "").strip()
        if not text:
            return None
        if len(text) > MONEY_MAX_LENGTH:
            raise ValidationError(_("This is not an amount of money."), code="invalid")
        try:
            return values.money(text)
        except values.ValueProblem as exc:
            raise ValidationError(exc.message, code="invalid") from None


class DayField(forms.DateField):
    """A whole date, day first (`values.day`): 15/3/2026, 15-03-2026, 15.03.2026, 2026-03-15
    or "ngày 15 tháng 3 năm 2026"."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault(
            "widget",
            forms.DateInput(
                format="%d/%m/%Y",
                attrs={"placeholder": DATE_PLACEHOLDER, "autocomplete": "off", "class": "date"},
            ),
        )
        super().__init__(*args, **kwargs)

    def to_python(self, value: Any) -> dt.date | None:
        if value in self.empty_values:
            return None
        try:
            return values.day(value)
        except values.ValueProblem as exc:
            raise ValidationError(exc.message, code="invalid") from None
