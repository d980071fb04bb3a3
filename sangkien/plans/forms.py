"""The plan form. It parses input; sangkien.plans.services checks and writes."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from sangkien.initiatives import files
from sangkien.orgs.forms import date_field


class PlanForm(forms.Form):
    signed_on = date_field(_("Date signed"), required=True)
    employer_name = forms.CharField(
        label=_("Employer"),
        max_length=255,
        help_text=_("The enterprise or agency that signed the plan with the union."),
    )
    employer_representative = forms.CharField(
        label=_("Signed for the employer by"),
        max_length=255,
        help_text=_("Name and position, for example: Nguyễn Văn An, Director."),
    )
    targets = forms.CharField(label=_("Concrete targets"), widget=forms.Textarea(attrs={"rows": 4}))
    target_initiatives = forms.IntegerField(
        label=_("Initiatives targeted"),
        required=False,
        min_value=1,
        help_text=_("Leave empty if the plan sets no number."),
    )
    reward_mechanism = forms.CharField(
        label=_("Reward mechanism"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("How members who take part are encouraged and rewarded."),
    )
    document = forms.FileField(
        label=_("Signed document"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": ",".join(files.ALLOWED_EXTENSIONS)}),
        help_text=_("A scan or photo of the signed plan: PDF, image or office document."),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, editing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if editing:
            self.fields["document"].help_text = _(
                "Choose a file only to replace the document on record."
            )
            self.fields["document"].widget = forms.FileInput(
                attrs={"accept": ",".join(files.ALLOWED_EXTENSIONS)}
            )
        else:
            del self.fields["version"]

    def service_kwargs(self) -> dict[str, Any]:
        names = [
            "signed_on",
            "employer_name",
            "employer_representative",
            "targets",
            "target_initiatives",
            "reward_mechanism",
        ]
        return {name: self.cleaned_data.get(name) for name in names}
