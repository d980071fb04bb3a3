"""Forms of the quota page. The children's table is read straight from the POST (one input
per child, `q-<id>`, with the version shown, `v-<id>`); the services validate the values."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from .spreadsheets import MAX_UPLOAD_BYTES, SPREADSHEET_EXTENSIONS

NUMBER_ATTRS = {"inputmode": "numeric", "autocomplete": "off", "pattern": r"[0-9., ]*"}
NOTE_MAX = 500


class TargetForm(forms.Form):
    target = forms.CharField(
        label=_("Self-set target"),
        required=False,
        max_length=20,
        help_text=_("At least the assigned quota. Leave blank to have no target."),
        widget=forms.TextInput(attrs=NUMBER_ATTRS),
    )
    note = forms.CharField(label=_("Note"), required=False, max_length=NOTE_MAX)
    version = forms.IntegerField(min_value=0, widget=forms.HiddenInput)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "target_%s")  # apart from the other forms of the page
        super().__init__(*args, **kwargs)


class OwnQuotaForm(forms.Form):
    assigned = forms.CharField(
        label=_("Quota of this unit"),
        required=False,
        max_length=20,
        help_text=_("The quota of the unit running the campaign, which is allocated below."),
        widget=forms.TextInput(attrs=NUMBER_ATTRS),
    )
    note = forms.CharField(label=_("Note"), required=False, max_length=NOTE_MAX)
    version = forms.IntegerField(min_value=0, widget=forms.HiddenInput)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "own_%s")
        super().__init__(*args, **kwargs)


class UploadForm(forms.Form):
    file = forms.FileField(
        label=_("Spreadsheet"),
        help_text=_(
            "An .xlsx, .ods, .xls or .csv file with a column for the unit code (or name) and "
            "a column for the quota. You will see what it changes before anything is saved."
        ),
        widget=forms.ClearableFileInput(
            attrs={"accept": ",".join([*SPREADSHEET_EXTENSIONS, ".csv"])}
        ),
    )

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(
                _("The file is larger than %(n)s MB; upload only the allocation table.")
                % {"n": MAX_UPLOAD_BYTES // (1024 * 1024)}
            )
        return upload


def posted_allocation(data: Any) -> tuple[dict[int, str], dict[int, int]]:
    """The values (`q-<id>`) and versions of the children's table. The versions come in one
    field, `versions` ("id:version,id:version…"), so a table of many children stays far
    below Django's limit on the number of fields (DATA_UPLOAD_MAX_NUMBER_FIELDS)."""
    values: dict[int, str] = {}
    for key in data:
        prefix, _sep, rest = key.partition("-")
        if prefix == "q" and rest.isdigit():
            values[int(rest)] = data.get(key, "")[:40]
    versions: dict[int, int] = {}
    for pair in (data.get("versions") or "").split(","):
        unit_id, _sep, version = pair.strip().partition(":")
        if unit_id.isdigit():
            # A version that does not parse never matches: answered as a conflict (and so is
            # a value whose version is missing, services.allocate).
            versions[int(unit_id)] = int(version) if version.isdigit() else -1
    return values, versions
