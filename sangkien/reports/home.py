"""What the home page shows a signed-in user: what needs them.

- A member (or anyone who wrote or entered initiatives): their latest initiatives with their
  status, and the way to enter a new one.
- A reviewer or officer: what waits for them in their review subtrees (initiatives to
  decide, of which resubmitted after a return; returned ones waiting for their authors),
  their latest background jobs, and the headline figures of the units they work on — read
  from the aggregates (`sangkien.stats.figures`), never recounted.

A handful of queries whatever the size of the subtree: one GROUP BY over the queue, one
count of the resubmitted, one read of the figures' rows."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Exists, OuterRef

from sangkien.accounts.permissions import role_paths
from sangkien.campaigns.permissions import campaigns_for
from sangkien.initiatives.models import Action, HistoryEntry, Status
from sangkien.initiatives.permissions import VIEW_QUEUE, own_initiatives, queue_for
from sangkien.jobs.permissions import jobs_of
from sangkien.orgs.permissions import top_units_for
from sangkien.stats import queue as stats_queue
from sangkien.stats.choice import default_campaign
from sangkien.stats.figures import figures_for

# How much of each list the home page shows.
RECENT_INITIATIVES = 8
RECENT_JOBS = 5
HEADLINE_UNITS = 3


@dataclass
class Headline:
    unit: Any
    campaign: Any
    figures: Any


@dataclass
class Home:
    initiatives: list[Any] = field(default_factory=list)
    reviews: bool = False
    pending: int = 0
    resubmitted: int = 0
    returned: int = 0
    jobs: list[Any] = field(default_factory=list)
    headlines: list[Headline] = field(default_factory=list)


def resubmitted(qs: Any) -> Any:
    """Of `qs`, the initiatives waiting for a decision again after they were returned."""
    again = HistoryEntry.objects.filter(initiative=OuterRef("pk"), action=Action.RESUBMITTED)
    return qs.filter(status=Status.SUBMITTED).filter(Exists(again))


def headlines_for(user: Any) -> list[Headline]:
    """The figures of the highest units the user reviews (at most HEADLINE_UNITS), each for
    the campaign its dashboard opens with."""
    units = list(top_units_for(user, VIEW_QUEUE).in_order()[:HEADLINE_UNITS])
    campaigns = campaigns_for(user) if units else []
    out = []
    for unit in units:
        campaign = default_campaign(campaigns, unit)
        if campaign is None:
            continue
        figures = figures_for([unit], campaign)[unit.pk]
        out.append(Headline(unit, campaign, figures))
    return out


def home_for(user: Any) -> Home:
    home = Home()
    home.initiatives = list(
        own_initiatives(user)
        .select_related("campaign", "unit")
        .order_by("-id")[:RECENT_INITIATIVES]
    )
    if role_paths(user, VIEW_QUEUE):
        home.reviews = True
        queue = queue_for(user)
        counts = stats_queue.counts(role_paths(user, VIEW_QUEUE))
        home.pending = counts[Status.SUBMITTED]
        home.returned = counts[Status.RETURNED]
        home.resubmitted = resubmitted(queue).count() if home.pending else 0
        home.headlines = headlines_for(user)
    home.jobs = list(jobs_of(user).order_by("-id")[:RECENT_JOBS])
    return home
