"""The review queue of a user: its filters (read from a query string) and its scope.

`Queue(user, params)` is what the queue page shows and what its export writes: the
initiatives under the user's review roles, narrowed to a unit typed by code or by name,
filtered by `QueueFilterForm`. Outside the user's scope it raises Http404, as the page does."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.http import Http404, QueryDict
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from sangkien.accounts.permissions import role_paths
from sangkien.campaigns.models import Campaign
from sangkien.campaigns.permissions import campaigns_for
from sangkien.core.forms import DayField
from sangkien.orgs.models import Unit
from sangkien.orgs.permissions import units_visible_to

from . import queries
from .models import IN_QUEUE, InitiativeQuerySet, Status
from .permissions import VIEW_QUEUE, can_review_unit, queue_for

# A unit typed by name narrows the queue to at most this many matching units.
UNIT_MATCHES = 20
QUEUE_STATUSES = [s for s in Status if s in IN_QUEUE]
ORDERS = {"newest": queries.NEWEST_FIRST, "oldest": queries.OLDEST_FIRST}


class InitiativeFilterForm(forms.Form):
    """The filters of an initiative list (`queries.Filters`), read from a query string: the
    queue page reads them with `QueueFilterForm`, the API's list with its subclass
    (`sangkien.api.initiatives.ListFilterForm`, which names fields and phases by code and
    number). The rules are here once: the campaign among the reader's, a field or phase of
    the chosen campaign, the end of the dates not before their start."""

    q = forms.CharField(
        label=_("Title contains"),
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )
    status = forms.ChoiceField(label=_("Status"), required=False)
    campaign = forms.ChoiceField(label=_("Campaign"), required=False)
    field = forms.TypedChoiceField(
        label=_("Field of application"), required=False, coerce=int, empty_value=None
    )
    phase = forms.TypedChoiceField(label=_("Phase"), required=False, coerce=int, empty_value=None)
    submitted_from = DayField(
        label=_("Submitted from"),
        required=False,
        widget=forms.TextInput(
            attrs={"placeholder": _("dd/mm/yyyy"), "inputmode": "numeric", "autocomplete": "off"}
        ),
    )
    submitted_to = DayField(
        label=_("Submitted until"),
        required=False,
        widget=forms.TextInput(
            attrs={"placeholder": _("dd/mm/yyyy"), "inputmode": "numeric", "autocomplete": "off"}
        ),
    )
    on_behalf = forms.ChoiceField(
        label=_("Entered on behalf"),
        required=False,
        choices=[("", _("Either")), ("yes", _("Yes")), ("no", _("No"))],
    )
    order = forms.ChoiceField(
        label=_("Order"),
        required=False,
        choices=[("newest", _("Newest first")), ("oldest", _("Oldest first"))],
    )

    def __init__(self, data: Any, *, campaigns: list[Campaign]) -> None:
        super().__init__(data)
        self.campaigns = {c.code: c for c in campaigns}

    # What the values name: a subclass reads them its own way.
    def campaign_of(self, data: dict[str, Any]) -> Campaign | None:
        return self.campaigns.get(data.get("campaign") or "")

    def field_of(self, data: dict[str, Any]) -> Any:
        raise NotImplementedError

    def phase_of(self, data: dict[str, Any]) -> Any:
        raise NotImplementedError

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        campaign = self.campaign_of(data)
        field = self.field_of(data)
        phase = self.phase_of(data)
        if campaign is not None and field is not None and field.campaign_id != campaign.pk:
            self.add_error("field", _("Choose a field of application of the chosen campaign."))
        if campaign is not None and phase is not None and phase.campaign_id != campaign.pk:
            self.add_error("phase", _("Choose a phase of the chosen campaign."))
        start, end = data.get("submitted_from"), data.get("submitted_to")
        if start and end and end < start:
            self.add_error("submitted_to", _("The end date cannot be before the start date."))
        return data

    def filters(self) -> queries.Filters:
        """The filters that parsed (the form has been validated)."""
        data = getattr(self, "cleaned_data", {})
        on_behalf = {"yes": True, "no": False}.get(data.get("on_behalf") or "")
        return queries.Filters(
            status=data.get("status") or "",
            campaign=self.campaign_of(data),
            field=self.field_of(data),
            phase=self.phase_of(data),
            submitted_from=data.get("submitted_from"),
            submitted_to=data.get("submitted_to"),
            on_behalf=on_behalf,
            q=data.get("q") or "",
        )

    @property
    def ordering(self) -> tuple[str, ...]:
        data = getattr(self, "cleaned_data", {})
        return ORDERS.get(data.get("order") or "", queries.NEWEST_FIRST)


class QueueFilterForm(InitiativeFilterForm):
    """The filters of the review queue page, fields and phases chosen by id. A value that
    does not parse is reported next to the list and ignored; the other filters still apply."""

    unit = forms.CharField(
        label=_("Unit"),
        required=False,
        max_length=255,
        help_text=_("Code, or words of the name"),
        widget=forms.TextInput(attrs={"autocomplete": "off", "list": "queue-unit-codes"}),
    )

    def __init__(self, data: Any, *, campaigns: list[Campaign]) -> None:
        super().__init__(data, campaigns=campaigns)
        self.fields_by_id = {f.pk: f for c in campaigns for f in c.fields.all()}
        self.phases_by_id = {p.pk: p for c in campaigns for p in c.phases.all()}
        grouped = len(campaigns) > 1
        choices: dict[str, list[Any]] = {
            "status": [("", _("All statuses")), *[(s.value, s.label) for s in QUEUE_STATUSES]],
            "campaign": [("", _("All campaigns")), *[(c.code, c.name) for c in campaigns]],
            "field": [("", _("All fields")), *_choices(campaigns, "fields", grouped)],
            "phase": [("", _("All phases")), *_choices(campaigns, "phases", grouped)],
        }
        for name, options in choices.items():
            cast(forms.ChoiceField, self.fields[name]).choices = options
        # Suggest unit codes as the user types a name (the unit search of the tree pages).
        self.fields["unit"].widget.attrs.update(
            {
                "hx-get": reverse("orgs:search") + "?datalist=1&field=unit",
                "hx-trigger": "input changed delay:300ms",
                "hx-target": "#queue-unit-codes",
                "hx-swap": "innerHTML",
                "hx-sync": "this:replace",
                "hx-push-url": "false",  # the form pushes its URL; the suggestions do not
            }
        )

    def field_of(self, data: dict[str, Any]) -> Any:
        return self.fields_by_id.get(data.get("field") or 0)

    def phase_of(self, data: dict[str, Any]) -> Any:
        return self.phases_by_id.get(data.get("phase") or 0)


def _choices(campaigns: list[Campaign], related: str, grouped: bool) -> list[Any]:
    """(id, name) pairs of the campaigns' fields or phases, grouped by campaign when there
    are several campaigns."""
    if not grouped:
        return [(o.pk, o.name) for c in campaigns for o in getattr(c, related).all()]
    return [
        (c.name, [(o.pk, o.name) for o in getattr(c, related).all()])
        for c in campaigns
        if getattr(c, related).all()
    ]


class Queue:
    """What the review queue shows for one request: the initiatives (before the filters), the
    unit asked for, and the units that matched a name when it was not a code."""

    def __init__(self, user: Any, params: QueryDict) -> None:
        self.paths = role_paths(user, VIEW_QUEUE)
        if not self.paths:
            raise Http404  # no review role anywhere: the queue does not exist for them
        campaigns = campaigns_for(user)
        self.form = QueueFilterForm(params, campaigns=campaigns)
        self.form.is_valid()
        self.unit: Unit | None = None
        self.matches: list[Unit] = []
        self.too_many = False
        self.no_match = False
        self.unit_text = (self.form.cleaned_data.get("unit") or "").strip()
        self.qs = self._initiatives(user)

    def _initiatives(self, user: Any) -> InitiativeQuerySet:
        text = self.unit_text
        if not text:
            return queue_for(user)
        unit = Unit.objects.filter(code=text.upper()).first()
        if unit is None:
            scope = units_visible_to(user, VIEW_QUEUE)
            found = queries.find_units(scope, text, limit=UNIT_MATCHES + 1)
            if not found:
                self.no_match = True
                return queue_for(user).none()
            if len(found) > UNIT_MATCHES:
                self.too_many = True
                self.matches = found[:UNIT_MATCHES]
                return queue_for(user).none()
            if len(found) > 1:
                self.matches = found
                return queries.queue_of_units(found)
            unit = found[0]
        elif not can_review_unit(user, unit):
            raise Http404
        self.unit = unit
        return queue_for(user, unit)

    def filtered(self, *, with_status: bool = True) -> InitiativeQuerySet:
        return self.form.filters().apply(self.qs, with_status=with_status)
