"""What a figures page or export was asked for: the campaign (with the default for a unit),
the phase, the as-of date, the tree and the order, read from a query string. The dashboard,
its exports and the reports read them here, with explicit arguments (never a request)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.http import Http404, QueryDict

from sangkien.campaigns.models import Campaign, Phase
from sangkien.formats import input_date
from sangkien.orgs.models import Unit
from sangkien.text import clean_line

from . import figures
from .forms import DashboardForm


def default_campaign(campaigns: list[Campaign], unit: Unit) -> Campaign | None:
    """The newest campaign open today that covers the unit; else the newest that covers it;
    else the newest run inside the unit's subtree; else the newest."""
    today = figures.today()
    covering = [c for c in campaigns if c.covers(unit)]
    for campaign in covering:
        if campaign.is_open_on(today):
            return campaign
    if covering:
        return covering[0]
    inside = [c for c in campaigns if c.owner.path.startswith(unit.path)]
    if inside:
        return inside[0]
    return campaigns[0] if campaigns else None


@dataclass
class Choice:
    """The dashboard's campaign, phase, date, tree and order, as they parsed."""

    form: DashboardForm
    campaign: Campaign | None
    phase: Phase | None
    as_of: dt.date | None
    tree: str
    sort: str
    descending: bool
    # The children table: the units whose name or code holds `q`, page `page`.
    q: str = ""
    page: int = 1

    @property
    def day(self) -> dt.date:
        return self.as_of or figures.today()

    def query(self, **changes: Any) -> str:
        """The query string of this choice (without defaults), with `changes` applied."""
        params: dict[str, Any] = {
            "campaign": self.campaign.code if self.campaign else "",
            "phase": self.phase.number if self.phase else "",
            "as_of": input_date(self.as_of) if self.as_of else "",
            "tree": self.tree if self.tree != figures.CURRENT else "",
            "sort": self.sort,
            "dir": ("desc" if self.descending else "asc") if self.sort else "",
            "q": self.q,
            "page": self.page if self.page > 1 else "",
        }
        params.update(changes)
        out = QueryDict(mutable=True)
        for key, value in params.items():
            if value not in ("", None):
                out[key] = str(value)
        return out.urlencode()

    def drill_query(self) -> str:
        """The choice a child's dashboard opens with: same campaign, phase, date and tree."""
        return self.query(sort="", dir="", q="", page="")

    def children(self, size: int | None) -> figures.Children:
        """The page of children this choice asks for, `size` to a page (None: all)."""
        return figures.Children(
            page=self.page, size=size, sort=self.sort, descending=self.descending, q=self.q
        )


def read_choice(params: QueryDict, unit: Unit, campaigns: list[Campaign]) -> Choice:
    """The choice a query string (`params`) makes among `campaigns` for `unit`: its
    campaign by code (404 for one not among them, as in the API), else the default one."""
    code = (params.get("campaign") or "").strip().upper()
    if code:
        campaign = next((c for c in campaigns if c.code == code), None)
        if campaign is None:
            raise Http404  # a campaign the user cannot use, as in the API
    else:
        campaign = default_campaign(campaigns, unit)
    form = DashboardForm(params, campaigns=campaigns, campaign=campaign)
    form.is_valid()
    sort = form.value("sort") or ""
    direction = form.value("dir") or ("asc" if sort == "name" else "desc")
    return Choice(
        form=form,
        campaign=campaign,
        phase=form.phase_obj,
        as_of=form.value("as_of"),
        tree=form.value("tree") or figures.CURRENT,
        sort=sort,
        descending=direction == "desc",
        q=clean_line(form.value("q") or ""),
        page=form.value("page") or 1,
    )
