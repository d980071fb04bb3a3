"""Forms of the import pages: the upload (what to import, the campaign, the file) and the
confirmation of a checked file."""

from __future__ import annotations

from pathlib import PurePath
from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

# A spreadsheet of 100,000 initiatives is a few megabytes; this leaves room for much more.
MAX_UPLOAD_BYTES = 50 * 1024 * 1024
EXTENSIONS = (".xlsx", ".xlsm", ".xls", ".ods", ".csv")

KIND_LABELS = {
    "units": _("Units"),
    "members": _("Members"),
    "initiatives": _("Initiatives"),
}


class ImportForm(forms.Form):
    kind = forms.ChoiceField(label=_("What to import"), widget=forms.RadioSelect)
    campaign = forms.ChoiceField(
        label=_("Campaign"),
        required=False,
        help_text=_("For initiatives: the campaign they are entered for."),
    )
    file = forms.FileField(
        label=_("Spreadsheet"),
        widget=forms.ClearableFileInput(attrs={"accept": ",".join(EXTENSIONS)}),
        error_messages={
            "required": _("Choose the file to import."),
            "empty": _("The file is empty: it has no rows to import."),
        },
    )

    def __init__(self, *args: Any, kinds: list[str], campaigns: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.campaigns = {c.code: c for c in campaigns}
        self.fields["file"].help_text = _(
            "An .xlsx, .xls, .ods or .csv file of at most %(n)s MB: a header row, then one "
            "row per unit, member or initiative."
        ) % {"n": MAX_UPLOAD_BYTES // (1024 * 1024)}
        kind_field = cast(forms.ChoiceField, self.fields["kind"])
        kind_field.choices = [(k, KIND_LABELS[k]) for k in kinds]
        if len(kinds) == 1:
            kind_field.initial = kinds[0]
        campaign_field = cast(forms.ChoiceField, self.fields["campaign"])
        campaign_field.choices = [
            ("", _("Choose a campaign")),
            *((c.code, c.name) for c in campaigns),
        ]
        if len(campaigns) == 1:
            campaign_field.initial = campaigns[0].code
        if "initiatives" not in kinds:
            del self.fields["campaign"]
        elif not campaigns:
            campaign_field.help_text = _(
                "No campaign you take part in accepts initiatives today, so initiatives "
                "cannot be imported now."
            )

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        suffix = PurePath(upload.name or "").suffix.lower()
        if suffix not in EXTENSIONS:
            raise forms.ValidationError(
                _(
                    "“%(name)s” is not a spreadsheet this page reads: save it as .xlsx, .xls, "
                    ".ods or .csv."
                ),
                code="extension",
                params={"name": upload.name},
            )
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(
                _(
                    "The file is larger than %(n)s MB. Split it into several files, or keep "
                    "only the columns of the template."
                ),
                code="size",
                params={"n": MAX_UPLOAD_BYTES // (1024 * 1024)},
            )
        return upload

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("kind") == "initiatives":
            code = data.get("campaign") or ""
            campaign = self.campaigns.get(code)
            if campaign is None:
                self.add_error("campaign", _("Choose the campaign the initiatives are for."))
            data["campaign_object"] = campaign
        else:
            data["campaign_object"] = None
        return data


class ConfirmForm(forms.Form):
    """Confirms a checked file. When rows were rejected, the import is all or nothing unless
    the user ticks that only the valid rows go in."""

    accept_valid = forms.BooleanField(required=False)

    def __init__(self, *args: Any, rejected: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.rejected = rejected
        field = self.fields["accept_valid"]
        field.label = _("Import only the valid rows, leaving out the rejected rows (%(n)s)") % {
            "n": rejected
        }
        if not rejected:
            field.widget = forms.HiddenInput()

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.rejected and not data.get("accept_valid"):
            raise forms.ValidationError(
                _(
                    "Nothing was imported: the check rejected some rows (%(n)s), and an "
                    "import is all or nothing. Tick the box to import only the valid rows, or "
                    "correct the file and check it again."
                ),
                code="all_or_nothing",
                params={"n": self.rejected},
            )
        return data
