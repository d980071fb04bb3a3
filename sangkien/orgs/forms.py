"""Forms for the unit tree and the members. They only parse and check the shape of input;
every write goes through sangkien.orgs.services, whose ValidationErrors are shown next to the
fields (see `add_service_errors`).

Dates are typed as dd/mm/yyyy in a plain text input (placeholder "dd/mm/yyyy"), the way they
are printed everywhere else. A native date picker was the alternative: it is pleasant on
phones, but it shows the browser's locale order (mm/dd/yyyy on an English desktop) and makes a
date of birth thirty years back a long scroll; the text input reads the same for every user.
The server reads them with `sangkien.values` (as the API and the imports do): dd-mm-yyyy,
dd.mm.yyyy, yyyy-mm-dd and "ngày 15 tháng 3 năm 2026" too."""

from __future__ import annotations

import re
from typing import Any, cast

from django import forms
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from sangkien.core.forms import DayField

from .models import Gender, Unit, UnitKind, UnitQuerySet


def date_field(label: Any, *, required: bool = False, help_text: Any = "") -> forms.DateField:
    return DayField(label=label, required=required, help_text=help_text)


def add_service_errors(
    form: forms.Form, exc: ValidationError, rename: dict[str, str] | None = None
) -> None:
    """Show a service's ValidationError on the form: each message next to its field when the
    form has that field (after `rename`), otherwise at the top of the form."""
    rename = rename or {}
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc)
        return
    for key, errors in exc.error_dict.items():
        name = rename.get(key, key)
        target = name if name in form.fields else None
        for error in errors:
            form.add_error(target, error)


class UnitCodeField(forms.CharField):
    """A unit typed by its code, found among the units the form was given (`scope`)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 32)
        super().__init__(*args, **kwargs)
        self.scope: UnitQuerySet | None = None
        self.widget.attrs.update({"autocomplete": "off", "autocapitalize": "characters"})

    def clean(self, value: Any) -> Unit | None:
        code = super().clean(value)
        if not code:
            return None
        code = code.strip().upper()
        unit = self.scope.filter(code=code).first() if self.scope is not None else None
        if unit is None:
            raise ValidationError(
                _("There is no unit with the code %(code)s among your units."),
                params={"code": code},
                code="unknown_unit",
            )
        return unit


def _with_list(field: forms.Field, name: str, list_id: str = "unit-codes") -> None:
    """Suggest codes from a <datalist> that the live unit search fills as the user types."""
    field.widget.attrs.update(
        {
            "list": list_id,
            "hx-get": reverse("orgs:search") + f"?datalist=1&field={name}",
            "hx-trigger": "input changed delay:300ms",
            "hx-target": f"#{list_id}",
            "hx-swap": "innerHTML",
        }
    )


class ScopedForm(forms.Form):
    """A form whose UnitCodeFields look units up in `scope`."""

    def __init__(self, *args: Any, scope: UnitQuerySet | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            if isinstance(field, UnitCodeField):
                field.scope = scope


# -- units -------------------------------------------------------------------------------


class UnitCreateForm(forms.Form):
    code = forms.CharField(
        label=_("Code"),
        max_length=32,
        help_text=_("Capital letters, digits, dots, dashes or underscores; it never changes."),
        widget=forms.TextInput(attrs={"autocapitalize": "characters", "autocomplete": "off"}),
    )
    name = forms.CharField(label=_("Name"), max_length=255)
    short_name = forms.CharField(label=_("Short name"), max_length=100, required=False)
    kind = forms.ChoiceField(label=_("Kind"))
    address = forms.CharField(label=_("Address"), max_length=255, required=False)
    founded_on = date_field(_("Founded on"), help_text=_("Leave empty for today."))

    def __init__(self, *args: Any, parent: Unit, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from .services import ALLOWED_CHILDREN

        allowed = ALLOWED_CHILDREN.get(parent.kind, set())
        cast(forms.ChoiceField, self.fields["kind"]).choices = [
            (k, label) for k, label in UnitKind.choices if k in allowed
        ]


class UnitEditForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=255)
    short_name = forms.CharField(label=_("Short name"), max_length=100, required=False)
    address = forms.CharField(label=_("Address"), max_length=255, required=False)
    on = date_field(
        _("Name in use from"),
        help_text=_("Only used when the name changes; leave empty for today."),
    )
    version = forms.IntegerField(widget=forms.HiddenInput)


class UnitMoveForm(ScopedForm):
    parent = UnitCodeField(label=_("Code of the new parent unit"))
    on = date_field(_("Effective on"), help_text=_("Leave empty for today."))
    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _with_list(self.fields["parent"], "parent")


class UnitMergeForm(ScopedForm):
    TARGET_EXISTING = "existing"
    TARGET_NEW = "new"

    others = forms.CharField(
        label=_("Codes of the other units to merge"),
        required=False,
        help_text=_(
            "Separate several codes with commas or spaces. Leave empty to merge only "
            "this unit into an existing one."
        ),  # fmt: skip
    )
    target = forms.ChoiceField(
        label=_("Merge into"),
        choices=[
            (TARGET_EXISTING, _("an existing unit")),
            (TARGET_NEW, _("a new unit")),
        ],
        initial=TARGET_NEW,
        widget=forms.RadioSelect,
    )
    into = UnitCodeField(label=_("Code of the existing unit"), required=False)
    new_code = forms.CharField(label=_("Code of the new unit"), max_length=32, required=False)
    new_name = forms.CharField(label=_("Name of the new unit"), max_length=255, required=False)
    new_short_name = forms.CharField(
        label=_("Short name of the new unit"), max_length=100, required=False
    )
    on = date_field(_("Effective on"), help_text=_("Leave empty for today."))
    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _with_list(self.fields["into"], "into")
        _with_list(self.fields["others"], "others")

    def clean_others(self) -> list[Unit]:
        codes = [
            c.upper() for c in re.split(r"[\s,;]+", self.cleaned_data.get("others") or "") if c
        ]
        scope = cast(UnitCodeField, self.fields["into"]).scope
        found = {u.code: u for u in scope.filter(code__in=codes)} if scope is not None else {}
        missing = [c for c in codes if c not in found]
        if missing:
            raise ValidationError(
                _("There is no unit with the code %(code)s among your units."),
                params={"code": ", ".join(missing)},
            )
        return [found[c] for c in dict.fromkeys(codes)]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("target") == self.TARGET_EXISTING:
            if not data.get("into") and "into" not in self.errors:
                self.add_error("into", _("Enter the code of the unit to merge into."))
        elif data.get("target") == self.TARGET_NEW:
            if not data.get("new_code"):
                self.add_error("new_code", _("Enter a code for the new unit."))
            if not data.get("new_name"):
                self.add_error("new_name", _("Enter a name for the new unit."))
        return data


class UnitSplitForm(ScopedForm):
    RECORDS_FIRST = "first"
    RECORDS_SECOND = "second"

    first_code = forms.CharField(label=_("Code of the first new unit"), max_length=32)
    first_name = forms.CharField(label=_("Name of the first new unit"), max_length=255)
    second_code = forms.CharField(label=_("Code of the second new unit"), max_length=32)
    second_name = forms.CharField(label=_("Name of the second new unit"), max_length=255)
    records_to = forms.ChoiceField(
        label=_("Which new unit answers for the old unit's records?"),
        choices=[
            (RECORDS_FIRST, _("the first new unit")),
            (RECORDS_SECOND, _("the second new unit")),
        ],
        initial=RECORDS_FIRST,
        widget=forms.RadioSelect,
        help_text=_("Its members and units go there too, except those listed below."),
    )
    to_other = forms.CharField(
        label=_("Members and units that go to the other new unit"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Member codes or unit codes, separated by commas, spaces or new lines."),
    )
    on = date_field(_("Effective on"), help_text=_("Leave empty for today."))
    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def clean_to_other(self) -> list[str]:
        raw = self.cleaned_data.get("to_other") or ""
        return list(dict.fromkeys(c.upper() for c in re.split(r"[\s,;]+", raw) if c))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        a, b = (data.get("first_code") or "").upper(), (data.get("second_code") or "").upper()
        if a and a == b:
            self.add_error("second_code", _("The two new units need different codes."))
        return data


class UnitDissolveForm(ScopedForm):
    transfer_to = UnitCodeField(
        label=_("Code of the unit that takes over its members and units"),
        required=False,
        help_text=_(
            "Needed when the unit still has members or units. Its records then "
            "answer to that unit; otherwise to the parent unit."
        ),  # fmt: skip
    )
    on = date_field(_("Effective on"), help_text=_("Leave empty for today."))
    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _with_list(self.fields["transfer_to"], "transfer_to")


# -- members -----------------------------------------------------------------------------


class MemberForm(forms.Form):
    full_name = forms.CharField(
        label=_("Full name"), max_length=255, widget=forms.TextInput(attrs={"autocomplete": "off"})
    )
    gender = forms.ChoiceField(
        label=_("Gender"), choices=[("", _("Not stated")), *Gender.choices], required=False
    )
    position = forms.CharField(label=_("Position / job"), max_length=255, required=False)
    birth_date = date_field(_("Date of birth"))
    phone = forms.CharField(
        label=_("Phone"),
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"type": "tel", "inputmode": "tel", "autocomplete": "off"}),
    )
    email = forms.EmailField(
        label=_("Email"),
        required=False,
        widget=forms.EmailInput(attrs={"autocomplete": "off"}),
    )
    joined_on = date_field(_("Member since"), help_text=_("Leave empty for today."))

    SERVICE_FIELDS = (
        "full_name",
        "gender",
        "position",
        "birth_date",
        "phone",
        "email",
        "joined_on",
    )

    def service_kwargs(self) -> dict[str, Any]:
        return {k: self.cleaned_data.get(k) for k in self.SERVICE_FIELDS}


class MemberCreateForm(MemberForm):
    code = forms.CharField(
        label=_("Member code"),
        max_length=32,
        required=False,
        help_text=_("Leave empty to have one made."),
        widget=forms.TextInput(attrs={"autocapitalize": "characters", "autocomplete": "off"}),
    )


class MemberEditForm(MemberForm):
    version = forms.IntegerField(widget=forms.HiddenInput)


class MemberMoveForm(ScopedForm):
    unit = UnitCodeField(
        label=_("Code of the new unit"),
        help_text=_("A grassroots union or union group among your units."),
    )
    on = date_field(_("Effective on"), help_text=_("Leave empty for today."))
    reason = forms.CharField(label=_("Reason"), max_length=255, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _with_list(self.fields["unit"], "unit")


class MemberEndForm(forms.Form):
    on = date_field(_("Membership ends on"), help_text=_("Leave empty for today."))
    reason = forms.CharField(label=_("Reason"), max_length=255, required=False)
