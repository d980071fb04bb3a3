"""Forms of the statistics pages: the dashboard's choices (read from the query string; a
value that does not parse is reported and ignored, the page still shows), taking a snapshot,
and defining an emulation cluster."""

from __future__ import annotations

import datetime as dt
from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from sangkien.campaigns.models import Campaign, Phase
from sangkien.core.forms import DayField
from sangkien.orgs.models import Unit, UnitQuerySet

from . import figures
from .models import Snapshot
from .services import parse_codes

# The children table sorts by any of these (besides the tree order, the default).
SORTS = ("name", *figures.FIGURES, "target")
SORT_LABELS = {
    "name": _("Unit name"),
    "initiatives_submitted": _("Submitted initiatives"),
    "initiatives_valid": _("Valid initiatives"),
    "initiatives_pending": _("Pending"),
    "initiatives_invalid": _("Invalid"),
    "participating_members": _("Participating members"),
    "participating_units": _("Participating grassroots unions"),
    "benefit_claimed_vnd": _("Benefit claimed"),
    "benefit_valid_vnd": _("Validated benefit"),
    "quota": _("Quota"),
    "quota_percent": _("Completion rate"),
    "target": _("Own target"),
}
TREE_CHOICES = [
    (figures.CURRENT, _("The tree as it is now")),
    (figures.DATED, _("The tree as it stood on that day")),
]


def date_widget() -> forms.DateInput:
    return forms.DateInput(
        format="%d/%m/%Y",
        attrs={"placeholder": _("dd/mm/yyyy"), "inputmode": "numeric", "autocomplete": "off"},
    )


def phase_choices(campaign: Campaign | None) -> list[tuple[Any, Any]]:
    phases = list(campaign.phases.all()) if campaign is not None else []
    return [("", _("The whole campaign")), *[(p.number, p.name) for p in phases]]


class DashboardForm(forms.Form):
    """The dashboard's choices. `campaign` is resolved by the view (unknown codes are 404,
    as in the API); the others fall back to their default when they do not parse."""

    campaign = forms.ChoiceField(label=_("Campaign"), required=False)
    phase = forms.TypedChoiceField(label=_("Phase"), required=False, coerce=int, empty_value=None)
    as_of = DayField(
        label=_("Figures as of"),
        required=False,
        help_text=_("Empty for today."),
        widget=date_widget(),
    )
    tree = forms.ChoiceField(label=_("Units counted on"), required=False, choices=TREE_CHOICES)
    sort = forms.ChoiceField(label=_("Sort units by"), required=False)
    dir = forms.ChoiceField(
        label=_("Order"),
        required=False,
        choices=[("desc", _("Highest first")), ("asc", _("Lowest first"))],
    )
    q = forms.CharField(label=_("Find a unit below"), required=False, max_length=100)
    page = forms.IntegerField(label=_("Page"), required=False, min_value=1)

    def __init__(self, data: Any, *, campaigns: list[Campaign], campaign: Campaign | None):
        data = data.copy()
        if campaign is not None and not data.get("campaign"):
            data["campaign"] = campaign.code  # the default campaign shows as chosen
        super().__init__(data)
        self.campaign_obj = campaign
        fields = cast(dict[str, forms.ChoiceField], self.fields)
        fields["campaign"].choices = [(c.code, c.name) for c in campaigns]
        fields["phase"].choices = phase_choices(campaign)
        fields["sort"].choices = [("", _("Order of the tree")), *SORT_LABELS.items()]

    def clean_as_of(self) -> dt.date | None:
        day = self.cleaned_data.get("as_of")
        if day is not None and day > figures.today():
            raise forms.ValidationError(
                _("Figures are known up to today: choose today or an earlier day.")
            )
        return day

    def value(self, name: str) -> Any:
        """The field's cleaned value, or None when it was empty or did not parse."""
        return getattr(self, "cleaned_data", {}).get(name) or None

    @property
    def phase_obj(self) -> Phase | None:
        number = self.value("phase")
        if number is None or self.campaign_obj is None:
            return None
        for phase in self.campaign_obj.phases.all():
            if phase.number == number:
                return phase
        return None


class SnapshotForm(forms.Form):
    title = forms.CharField(label=_("Title of the snapshot"), max_length=255)
    kind = forms.ChoiceField(label=_("Kind of review"), choices=Snapshot.Kind.choices)
    as_of = DayField(
        label=_("Figures as of"),
        widget=date_widget(),
    )
    phase = forms.TypedChoiceField(label=_("Phase"), required=False, coerce=int, empty_value=None)
    tree = forms.ChoiceField(label=_("Units counted on"), choices=TREE_CHOICES)

    def __init__(self, data: Any = None, *, campaign: Campaign, **kwargs: Any) -> None:
        super().__init__(data, **kwargs)
        self.campaign = campaign
        cast(forms.ChoiceField, self.fields["phase"]).choices = phase_choices(campaign)

    def clean_as_of(self) -> dt.date:
        day = self.cleaned_data["as_of"]
        if day > figures.today():
            raise forms.ValidationError(
                _("A snapshot is of a day that has come: choose today or earlier.")
            )
        return day

    @property
    def phase_obj(self) -> Phase | None:
        number = self.cleaned_data.get("phase")
        return next((p for p in self.campaign.phases.all() if p.number == number), None)


class ClusterForm(forms.Form):
    name = forms.CharField(label=_("Name of the cluster"), max_length=255)
    units = forms.CharField(
        label=_("Units"),
        help_text=_("Unit codes, one per line or separated by commas."),
        widget=forms.Textarea(attrs={"rows": 6, "autocomplete": "off", "spellcheck": "false"}),
    )

    def __init__(self, data: Any = None, *, scope: UnitQuerySet, **kwargs: Any) -> None:
        super().__init__(data, **kwargs)
        self.scope = scope

    def clean_units(self) -> list[Unit]:
        codes = parse_codes(self.cleaned_data.get("units", ""))
        found = {u.code: u for u in self.scope.filter(code__in=codes)}
        unknown = [c for c in codes if c not in found]
        if unknown:
            raise forms.ValidationError(
                _("No unit of yours has the code: %(codes)s.") % {"codes": ", ".join(unknown)}
            )
        return [found[c] for c in codes]
