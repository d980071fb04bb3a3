"""The progress report's form: what it is of (campaign, phase, date, tree) and what the user
types on it (number, place, signature, recipients). The same GET parameters drive the form
page and the two downloads; a parameter left out takes its default, one sent empty stays
empty (a blank to fill by hand)."""

from __future__ import annotations

import datetime as dt
from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from sangkien.campaigns.models import Campaign, Phase
from sangkien.core.forms import DayField
from sangkien.formats import short_date
from sangkien.orgs.models import Unit
from sangkien.stats import figures
from sangkien.stats.forms import TREE_CHOICES, date_widget, phase_choices
from sangkien.text import clean_line

from .progress import Letterhead, default_letterhead, recipient_lines

# The fields a user types on the document, with their defaults from `default_letterhead`.
LETTERHEAD_FIELDS = (
    "governing",
    "issuing",
    "number",
    "place",
    "on_behalf",
    "signer_title",
    "signer_name",
    "recipients",
)


def text_field(label: Any, help_text: Any = "", max_length: int = 255) -> forms.CharField:
    return forms.CharField(
        label=label,
        required=False,
        max_length=max_length,
        help_text=help_text,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )


class ProgressReportForm(forms.Form):
    campaign = forms.ChoiceField(
        label=_("Campaign"),
        error_messages={
            "required": _("Choose a campaign."),
            "invalid_choice": _("No campaign of yours has the code “%(value)s”."),
        },
    )
    phase = forms.TypedChoiceField(
        label=_("Phase"),
        required=False,
        coerce=int,
        empty_value=None,
        error_messages={"invalid_choice": _("The campaign has no phase “%(value)s”.")},
    )
    as_of = DayField(
        label=_("Figures as of"),
        required=False,
        help_text=_("Empty for today."),
        widget=date_widget(),
    )
    tree = forms.ChoiceField(label=_("Units counted on"), required=False, choices=TREE_CHOICES)
    number = text_field(
        _("Document number"),
        _("For example 15, or 15/BC-LĐLĐ in full. Empty: a dotted blank to fill in by hand."),
        50,
    )
    place = text_field(_("Place"), _("Where the report is dated, for example Thanh Hóa."), 100)
    governing = text_field(_("Name of the body, first line"))
    issuing = text_field(_("Name of the body, second line (bold)"))
    on_behalf = text_field(_("Signing on behalf of"))
    signer_title = text_field(_("Title of the signer"))
    signer_name = text_field(_("Name of the signer"), max_length=100)
    recipients = forms.CharField(
        label=_("Recipients"),
        required=False,
        max_length=2000,
        help_text=_("One a line."),
        widget=forms.Textarea(attrs={"rows": 4, "autocomplete": "off"}),
    )

    def __init__(
        self,
        data: Any = None,
        *,
        unit: Unit,
        campaigns: list[Campaign],
        campaign: Campaign | None,
        initial: dict[str, Any] | None = None,
    ) -> None:
        self.unit = unit
        self.campaigns = campaigns
        defaults = letterhead_initial(default_letterhead(unit, parent=unit.parent))
        if data is not None:
            data = data.copy()
            for name, value in defaults.items():
                if name not in data:
                    data[name] = value
            if not data.get("campaign") and campaign is not None:
                data["campaign"] = campaign.code
            code = (data.get("campaign") or "").strip().upper()
            data["campaign"] = code
            campaign = next((c for c in campaigns if c.code == code), None)
        super().__init__(
            data,
            initial={
                **defaults,
                "campaign": campaign.code if campaign else "",
                **(initial or {}),
            },
        )
        self.campaign_obj = campaign
        fields = cast(dict[str, forms.ChoiceField], self.fields)
        fields["campaign"].choices = [(c.code, c.name) for c in campaigns]
        fields["phase"].choices = phase_choices(campaign)

    def clean_as_of(self) -> dt.date | None:
        day = self.cleaned_data.get("as_of")
        if day is not None and day > figures.today():
            raise forms.ValidationError(
                _("Figures are known up to today: choose today or an earlier day.")
            )
        return day

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        campaign = self.campaign_obj
        if campaign is None or "as_of" in self.errors:
            return data
        day = data.get("as_of") or figures.today()
        if day < campaign.starts_on:
            self.add_error(
                "as_of",
                _(
                    "The campaign “%(campaign)s” starts on %(start)s: choose that day or a "
                    "later one."
                )
                % {"campaign": campaign.name, "start": short_date(campaign.starts_on)},
            )
        return data

    @property
    def phase_obj(self) -> Phase | None:
        number = self.cleaned_data.get("phase")
        if number is None or self.campaign_obj is None:
            return None
        return next((p for p in self.campaign_obj.phases.all() if p.number == number), None)

    def letterhead(self) -> Letterhead:
        data = self.cleaned_data
        return Letterhead(
            governing=clean_line(data["governing"]).upper(),
            issuing=clean_line(data["issuing"]).upper(),
            number=clean_line(data["number"]),
            place=clean_line(data["place"]),
            on_behalf=clean_line(data["on_behalf"]),
            signer_title=clean_line(data["signer_title"]),
            signer_name=clean_line(data["signer_name"]),
            recipients=recipient_lines(data["recipients"]),
        )

    def error_list(self) -> list[tuple[str, str]]:
        """(field label, message) of every error, for the summary above the form."""
        out: list[tuple[str, str]] = []
        for name, errors in self.errors.items():
            label = str(self.fields[name].label) if name in self.fields else ""
            out.extend((label, str(e)) for e in errors)
        return out


def letterhead_initial(head: Letterhead) -> dict[str, str]:
    return {
        "governing": head.governing,
        "issuing": head.issuing,
        "number": head.number,
        "place": head.place,
        "on_behalf": head.on_behalf,
        "signer_title": head.signer_title,
        "signer_name": head.signer_name,
        "recipients": "\n".join(head.recipients),
    }
