"""The campaign figures of a unit (DESIGN.md, "Statistics: one definition each"), with its
children and the ranks of each, read from the aggregates the workflow keeps."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from django.http import Http404, HttpRequest, JsonResponse
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema

from sangkien.campaigns.permissions import get_campaign_for_user
from sangkien.orgs.permissions import units_visible_to
from sangkien.stats import figures
from sangkien.text import clean_line

from . import schemas
from .errors import bad_parameter

router = Router(tags=["statistics"])
ERRORS = schemas.READ_ERRORS


class MeasureRanks(Schema):
    initiatives_valid: int | None
    participating_members: int | None
    benefit_valid_vnd: int | None
    quota_percent: int | None


class Ranks(Schema):
    siblings: MeasureRanks | None = Field(None, description="Among the units with the same parent.")
    level: MeasureRanks | None = Field(
        None, description="Among all active units at the same level."
    )
    clusters: dict[str, MeasureRanks] | None = Field(
        None, description="Within each emulation cluster the unit belongs to, by cluster name."
    )


class UnitFigures(Schema):
    unit: str
    name: str
    kind: str
    level: int = Field(description="Depth in the tree: 0 for the root.")
    initiatives_submitted: int
    initiatives_valid: int
    initiatives_pending: int
    initiatives_invalid: int
    participating_members: int
    participating_units: int
    benefit_claimed_vnd: int
    benefit_valid_vnd: int
    quota: int | None
    quota_percent: float | None
    target: int | None = Field(description="The target the unit set itself, if any.")
    grassroots_with_plan: int | None = Field(
        None, description="Grassroots unions of the subtree with an implementation plan."
    )
    grassroots_active: int | None = Field(
        None, description="Active grassroots unions of the subtree."
    )
    plan_percent: float | None = Field(
        None, description="grassroots_with_plan / grassroots_active × 100, one decimal."
    )
    ranks: Ranks


class StatsReport(UnitFigures):
    campaign: str
    phase: int | None
    as_of: dt.date
    tree: str
    children: list[UnitFigures] = Field(
        description="One page of the children (`page`, `page_size`), in the order `sort` asks."
    )
    children_total: int = Field(description="How many children match `q` (all pages).")
    children_page: int = Field(description="The page of children this is, from 1.")
    children_pages: int = Field(description="How many pages of children there are.")


# Children per page unless the client asks for another size (at most MAX_PAGE_SIZE).
PAGE_SIZE = 100
MAX_PAGE_SIZE = 1000
SortKey = Literal[
    "name",
    "initiatives_submitted",
    "initiatives_valid",
    "initiatives_pending",
    "initiatives_invalid",
    "participating_members",
    "participating_units",
    "benefit_claimed_vnd",
    "benefit_valid_vnd",
    "quota",
    "quota_percent",
    "target",
]


@router.get("", response={200: StatsReport, **ERRORS})
def get_stats(
    request: HttpRequest,
    unit: str,
    campaign: str,
    phase: int | None = None,
    as_of: dt.date | None = None,
    tree: Literal["current", "dated"] = "current",
    page: int = Query(1, ge=1, description="The page of children, from 1."),
    page_size: int = Query(PAGE_SIZE, ge=1, le=MAX_PAGE_SIZE, description="Children per page."),
    sort: SortKey | None = Query(None, description="Order the children by this figure."),  # noqa: B008
    dir: Literal["desc", "asc"] = Query(
        "desc", description="`desc`: highest first (names Z–A); `asc`: lowest first (A–Z)."
    ),
    q: str = Query(
        "",
        max_length=100,
        description="Only children whose name (tone marks ignored) or code holds this.",
    ),
):
    """The figures of `unit`'s subtree for `campaign` (and `phase`, by number) as of `as_of`
    (today by default), its ranks, and `children`: one object per child with the same figures
    and its ranks, a page at a time (the unit's own figures are always its whole subtree's).
    `tree=dated` asks on the tree as it stood on `as_of` (merged units count where they stood
    until they closed); by default figures follow the tree as it is now."""
    found = units_visible_to(request.user).filter(code=unit.strip().upper()).first()
    if found is None:
        raise Http404
    chosen = get_campaign_for_user(request.user, campaign)
    phase_obj = None
    if phase is not None:
        phase_obj = chosen.phases.filter(number=phase).first()
        if phase_obj is None:
            raise bad_parameter("phase", _("The campaign has no phase %(n)s.") % {"n": phase})
    wanted = figures.Children(
        page=page, size=page_size, sort=sort or "", descending=dir == "desc", q=clean_line(q)
    )
    report = figures.report(found, chosen, phase=phase_obj, as_of=as_of, tree=tree, children=wanted)
    # The object is built to the schema above (tests compare the two); it goes out as it is,
    # without validating hundreds of children again on the way.
    return JsonResponse(report.as_dict(), json_dumps_params={"ensure_ascii": False})
