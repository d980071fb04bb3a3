"""The filters of the audit page."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from sangkien.core.forms import DayField

from .queries import KINDS, AuditFilter


class AuditFilterForm(forms.Form):
    unit = forms.CharField(label=_("Unit code"), required=False, max_length=32)
    kind = forms.ChoiceField(label=_("What"), required=False)
    object = forms.CharField(label=_("Object number"), required=False, max_length=64)
    who = forms.CharField(
        label=_("By"),
        required=False,
        max_length=150,
        help_text=_("A username, email address or part of a name."),
    )
    date_from = DayField(label=_("From"), required=False)
    date_to = DayField(label=_("Until"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["kind"]).choices = [("", _("Everything"))] + [
            (kind, label) for kind, (_type, label) in KINDS.items()
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", _("The end date comes before the start date."))
        return data

    def audit_filter(self) -> AuditFilter:
        data = self.cleaned_data
        return AuditFilter(
            kind=data.get("kind") or "",
            object_id=(data.get("object") or "").strip(),
            who=(data.get("who") or "").strip(),
            date_from=data.get("date_from"),
            date_to=data.get("date_to"),
        )


class AnonymiseForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason (the member's request)"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=1000,
        help_text=_("For instance: written request of 12/03/2026, received by the union office."),
    )
    confirm = forms.CharField(
        label=_("Type the member code to confirm"),
        max_length=32,
    )

    def __init__(self, *args: Any, member: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.member = member

    def clean_reason(self) -> str:
        reason = " ".join((self.cleaned_data.get("reason") or "").split())
        if not reason:
            raise forms.ValidationError(_("Say why the member is anonymised (the request)."))
        return reason

    def clean_confirm(self) -> str:
        typed = (self.cleaned_data.get("confirm") or "").strip().upper()
        if typed != self.member.code.upper():
            raise forms.ValidationError(
                _("Type the member code %(code)s exactly to confirm.") % {"code": self.member.code}
            )
        return typed
