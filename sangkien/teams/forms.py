"""Forms for teams. They parse input; sangkien.teams.services checks and writes."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import TeamKind

if TYPE_CHECKING:
    from sangkien.accounts.models import User

# Titles offered inside a team (free text is accepted too).
TITLE_SUGGESTIONS = [
    _("Head of the steering committee"),
    _("Deputy head"),
    _("Team leader"),
    _("Deputy team leader"),
    _("Secretary"),
    _("Member"),
]


class TeamForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=TeamKind.choices)
    name = forms.CharField(label=_("Name"), max_length=255)
    description = forms.CharField(
        label=_("Description"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("What the team does, which decision set it up."),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, editing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if editing:
            del self.fields["kind"]
        else:
            del self.fields["version"]


class AddMemberForm(forms.Form):
    user: User  # the person found, once the form is valid

    identifier = forms.CharField(
        label=_("Username, email or phone number of the person"),
        max_length=255,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    title = forms.CharField(
        label=_("Title in the team"),
        max_length=100,
        required=False,
        widget=forms.TextInput(attrs={"list": "team-titles", "autocomplete": "off"}),
        help_text=_("For example: team leader, member."),
    )

    def clean_identifier(self) -> str:
        from sangkien.accounts.backends import find_user

        identifier = self.cleaned_data["identifier"]
        user = find_user(identifier)
        if user is None or not user.is_active:
            raise forms.ValidationError(
                _("No account has this username, email or phone number."), code="unknown_user"
            )
        self.user = user
        return identifier


class ServedUnitForm(forms.Form):
    code = forms.CharField(
        label=_("Code of the unit served"),
        max_length=32,
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters"}),
    )
