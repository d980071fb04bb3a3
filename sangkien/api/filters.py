"""What the API's list filters share with the pages' filter forms: the forms themselves
(the API subclasses them), with dates written as the API writes them."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms

from . import schemas


class IsoDayField(forms.DateField):
    """A date as the API writes one, YYYY-MM-DD (`schemas.iso_date`), read by `values.day`."""

    def to_python(self, value: Any) -> dt.date | None:
        text = value.strip() if isinstance(value, str) else value
        if text in (None, ""):
            return None
        try:
            return schemas.iso_date(text)
        except ValueError as exc:
            raise forms.ValidationError(str(exc), code="invalid") from None


def form_errors(form: forms.Form) -> dict[str, list[Any]]:
    """A bound form's errors, for `ValidationError` (the API answers 422 naming each field)."""
    return dict(form.errors.as_data())
