"""The filters of the initiative lists, shared by the pages and the API so that both answer
the same question the same way."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q
from django.utils import timezone

from sangkien.campaigns.models import Campaign
from sangkien.core.paths import minimal_paths
from sangkien.orgs.models import Unit, UnitQuerySet
from sangkien.text import fold

from .models import Initiative, InitiativeQuerySet, Status

# Newest first: the order of every list unless the reader asks for the oldest first.
NEWEST_FIRST = ("-id",)
OLDEST_FIRST = ("id",)


@dataclass
class Filters:
    status: str = ""
    campaign: Any = None  # a Campaign
    field: Any = None  # an ApplicationField
    phase: Any = None  # a Phase
    submitted_from: dt.date | None = None
    submitted_to: dt.date | None = None
    on_behalf: bool | None = None
    q: str = ""

    def apply(self, qs: InitiativeQuerySet, *, with_status: bool = True) -> InitiativeQuerySet:
        if with_status and self.status:
            qs = qs.filter(status=self.status)
        if self.campaign is not None:
            qs = qs.filter(campaign=self.campaign)
        if self.field is not None:
            qs = qs.filter(field=self.field)
        if self.phase is not None:
            qs = qs.filter(phase=self.phase)
        if self.submitted_from is not None:
            qs = qs.filter(submitted_at__gte=_start_of(self.submitted_from))
        if self.submitted_to is not None:
            qs = qs.filter(submitted_at__lt=_start_of(self.submitted_to + dt.timedelta(days=1)))
        if self.on_behalf is not None:
            qs = qs.filter(on_behalf=self.on_behalf)
        folded = fold(self.q or "")
        if folded:
            qs = qs.filter(title_folded__contains=folded)
        return qs


def _start_of(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def status_counts(qs: InitiativeQuerySet) -> dict[str, int]:
    """How many of `qs` are in each status (every status present, zeros included)."""
    counts = {s.value: 0 for s in Status}
    for row in qs.order_by().values("status").annotate(n=Count("id")):
        counts[row["status"]] = row["n"]
    return counts


def open_campaign_for(unit: Unit, day: dt.date) -> Campaign | None:
    """The campaign open on `day` that covers `unit` (the one run closest to it first)."""
    return (
        Campaign.objects.filter(
            owner_id__in=[*unit.ancestor_ids, unit.pk], starts_on__lte=day, ends_on__gte=day
        )
        .order_by("-owner__depth", "-starts_on", "code")
        .first()
    )


def find_units(scope: UnitQuerySet, text: str, *, limit: int) -> list[Unit]:
    """Units of `scope` whose name contains every word of `text`, diacritics ignored, in
    tree order; at most `limit`."""
    words = fold(text).split()
    if not words:
        return []
    cond = Q()
    for word in words:
        cond &= Q(name_folded__contains=word)
    return list(scope.filter(cond).order_by("path")[:limit])


def queue_of_units(units: list[Unit]) -> InitiativeQuerySet:
    """The review queue of several units' subtrees together (units the caller has checked)."""
    return Initiative.objects.in_subtrees(minimal_paths([u.path for u in units])).in_queue()
