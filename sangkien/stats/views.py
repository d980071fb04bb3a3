"""Statistics pages: the dashboard of a unit, the public figures, snapshots and emulation
clusters.

Every figure comes from `figures` (one definition each, read from the aggregates): the
dashboard is one `figures.report` and one `figures.series`, whatever the number of children.
Units are fetched through `get_unit_for_user`, so anything outside the user's subtrees
answers 404; a user who may see a unit but not change its snapshots or clusters gets 403 on
the forms that would."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from sangkien.accounts.permissions import can_view_unit
from sangkien.campaigns.models import Campaign
from sangkien.campaigns.permissions import campaigns_for
from sangkien.core.errors import ValidationError
from sangkien.core.pages import is_htmx
from sangkien.orgs.models import Unit, UnitStatus
from sangkien.orgs.permissions import breadcrumbs_for, get_unit_for_user, top_units_for

from . import figures, services
from .choice import Choice, default_campaign, read_choice
from .forms import SORT_LABELS, ClusterForm, SnapshotForm
from .models import Cluster, Snapshot
from .permissions import (
    can_manage_stats,
    cluster_scope,
    get_cluster_for_user,
    get_snapshot_for_user,
)
from .services import kind_of

# How many units below a unit its page shows at once (the rest come page by page).
CHILDREN_PAGE = 50
# Seconds a browser or a shared cache may keep a public page.
PUBLIC_MAX_AGE = 300
# The columns of the children table, in order (each also a sort key).
COLUMNS = (*figures.FIGURES, "target")
MEASURE_LABELS = {m: SORT_LABELS[m] for m in figures.RANK_MEASURES}
GET_POST = require_http_methods(["GET", "POST"])
# The same URL answers the whole page or, to htmx, the children table alone.
HTMX_VARY = ("HX-Request", "HX-Target")


def wants_table(request: HttpRequest) -> bool:
    """An htmx request for the children table alone (sorting), not a history restore."""
    return (
        is_htmx(request)
        and request.headers.get("HX-Target") == "children"
        and not request.headers.get("HX-History-Restore-Request")
    )


# -- turning figures into rows ---------------------------------------------------------------


@dataclass
class Cell:
    figure: str
    value: Any
    kind: str

    @property
    def label(self) -> str:
        return str(SORT_LABELS[self.figure])

    @property
    def width(self) -> int:
        return bar_width(self.value)


@dataclass
class Row:
    figures: figures.Figures
    cells: list[Cell]
    rank_siblings: int | None
    rank_level: int | None
    clusters: dict[str, int | None]


def bar_width(percent: Any) -> int:
    """The width of a progress bar, 0–100 (a unit past its quota fills the bar)."""
    if percent is None:
        return 0
    return max(0, min(100, int(percent)))


def make_row(f: figures.Figures, rank_by: str) -> Row:
    ranks = f.ranks or {}
    return Row(
        figures=f,
        cells=[Cell(c, getattr(f, c), kind_of(c)) for c in COLUMNS],
        rank_siblings=(ranks.get("siblings") or {}).get(rank_by),
        rank_level=(ranks.get("level") or {}).get(rank_by),
        clusters={name: r.get(rank_by) for name, r in (ranks.get("clusters") or {}).items()},
    )


def unit_ranks(f: figures.Figures) -> list[dict[str, Any]]:
    """The unit's ranks by measure: among siblings, at its level, in each cluster."""
    ranks = f.ranks or {}
    clusters = ranks.get("clusters") or {}
    return [
        {
            "measure": m,
            "label": MEASURE_LABELS[m],
            "siblings": (ranks.get("siblings") or {}).get(m),
            "level": (ranks.get("level") or {}).get(m),
            "clusters": [(name, r.get(m)) for name, r in sorted(clusters.items())],
        }
        for m in figures.RANK_MEASURES
    ]


def chart_data(
    report: figures.Report, points: Iterable[tuple[dt.date, int, int]], choice: Choice
) -> dict[str, Any]:
    """What the chart script draws: cumulative valid and submitted by day, the quota line."""
    span = choice.phase or choice.campaign
    return {
        "points": [[day.isoformat(), valid, submitted] for day, valid, submitted in points],
        "start": span.starts_on.isoformat() if span else None,
        "end": max(span.ends_on, report.as_of).isoformat() if span else None,
        "as_of": report.as_of.isoformat(),
        "quota": report.unit.quota,
        "target": report.unit.target,
        "labels": {
            "valid": _("Valid initiatives"),
            "submitted": _("Submitted initiatives"),
            "quota": _("Quota"),
            "target": _("Own target"),
        },
    }


def sort_url(choice: Choice, path: str, key: str) -> str:
    """The URL that sorts by `key`: highest first (names A–Z), or reversed when it is the
    current order."""
    if key == choice.sort:
        direction = "asc" if choice.descending else "desc"
    else:
        direction = "asc" if key == "name" else "desc"
    return f"{path}?{choice.query(sort=key, dir=direction, page='')}"


def aria_sort(choice: Choice | None, key: str) -> str:
    if choice is None or choice.sort != key:
        return ""
    return "descending" if choice.descending else "ascending"


def pager(report: figures.Report, choice: Choice, path: str) -> dict[str, Any]:
    """Where this page of children stands among all the matching ones, with the links."""
    size = CHILDREN_PAGE
    first = (report.page - 1) * size + 1 if report.children else 0

    def link(page: int) -> str:
        return f"{path}?{choice.query(page=page if page > 1 else '')}"

    return {
        "total": report.children_total,
        "first": first,
        "last": first + len(report.children) - 1 if report.children else 0,
        "page": report.page,
        "pages": report.pages,
        "previous": link(report.page - 1) if report.page > 1 else "",
        "next": link(report.page + 1) if report.page < report.pages else "",
    }


def columns(choice: Choice | None = None, path: str = "") -> list[dict[str, Any]]:
    """The figure columns of a children table, with their sort links when sortable."""
    return [
        {
            "key": c,
            "label": SORT_LABELS[c],
            "kind": kind_of(c),
            "url": sort_url(choice, path, c) if choice is not None else "",
            "aria_sort": aria_sort(choice, c),
        }
        for c in COLUMNS
    ]


def table_context(
    report: figures.Report, choice: Choice, path: str, link: str, public: bool = False
) -> dict[str, Any]:
    rank_by = choice.sort if choice.sort in figures.RANK_MEASURES else "initiatives_valid"
    # The report's children come sorted (and paged) by the choice.
    rows = [make_row(c, rank_by) for c in report.children]
    return {
        "rows": rows,
        "pager": pager(report, choice, path),
        "columns": columns(choice, path),
        "name_url": sort_url(choice, path, "name"),
        "name_aria_sort": aria_sort(choice, "name"),
        "rank_by": rank_by,
        "rank_by_label": MEASURE_LABELS[rank_by],
        "child_link": link,
        "public": public,
        "show_level": not public and choice.tree != figures.DATED,
    }


# -- the dashboard --------------------------------------------------------------------------


@login_required
@require_GET
def stats_index(request: HttpRequest) -> HttpResponse:
    """The dashboards a user may open: straight to the one highest unit, else a list."""
    tops = list(top_units_for(request.user).in_order()[:50])
    if len(tops) == 1:
        return redirect("stats:dashboard", tops[0].code)
    return render(request, "stats/stats_index.html", {"units": tops})


@login_required
@require_GET
def dashboard(request: HttpRequest, code: str) -> HttpResponse:
    user = request.user
    unit = get_unit_for_user(user, code)
    campaigns = campaigns_for(user)
    choice = read_choice(request.GET, unit, campaigns)
    context: dict[str, Any] = {
        "unit": unit,
        "choice": choice,
        "form": choice.form,
        "breadcrumbs": breadcrumbs_for(user, unit),
        "can_manage": can_manage_stats(user, unit),
    }
    if choice.campaign is None:
        return render(request, "stats/dashboard.html", context)
    table_only = wants_table(request)
    report = figures.report(
        unit,
        choice.campaign,
        phase=choice.phase,
        as_of=choice.as_of,
        tree=choice.tree,
        children=choice.children(CHILDREN_PAGE),
        with_leaders=not table_only,
    )
    path = reverse("stats:dashboard", args=[unit.code])
    table = table_context(report, choice, path, "stats:dashboard")
    if table_only:
        response = render(request, "stats/_children_table.html", {**context, **table})
        patch_vary_headers(response, HTMX_VARY)
        return response
    points = figures.series(unit, choice.campaign, phase=choice.phase, until=report.as_of)
    leading = report.leaders or figures.Leaders("initiatives_valid")
    me = report.unit
    context.update(
        {
            "report": report,
            "me": me,
            "quota_width": bar_width(me.quota_percent),
            "plan_width": bar_width(me.plan_percent),
            "target_percent": figures.percent(me.initiatives_valid, me.target),
            "target_width": bar_width(figures.percent(me.initiatives_valid, me.target)),
            "ranks": unit_ranks(me),
            "chart": chart_data(report, points, choice),
            "points": points,
            "leaders_by": leading.by,
            "leaders_by_label": SORT_LABELS[leading.by],
            "best": leading.best,
            "lagging": leading.lagging,
            "dated_query": choice.query(tree=figures.DATED, sort="", dir="", q="", page=""),
            "current_query": choice.query(tree="", sort="", dir="", q="", page=""),
            **table,
        }
    )
    response = render(request, "stats/dashboard.html", context)
    patch_vary_headers(response, HTMX_VARY)
    return response


# -- the public figures ---------------------------------------------------------------------


def public_campaigns() -> list[Campaign]:
    return list(Campaign.objects.select_related("owner").prefetch_related("phases"))


def public_response(request: HttpRequest, template: str, context: dict[str, Any]) -> HttpResponse:
    """The public figures may be kept by shared caches for PUBLIC_MAX_AGE, but only when
    nobody is signed in: a signed-in visitor's page carries their name and menu."""
    response = render(request, template, context)
    if request.user.is_authenticated:
        patch_cache_control(response, private=True, max_age=0)
    else:
        patch_cache_control(response, public=True, max_age=PUBLIC_MAX_AGE)
    patch_vary_headers(response, HTMX_VARY)
    return response


def _public(request: HttpRequest, unit: Unit) -> HttpResponse:
    campaigns = public_campaigns()
    choice = read_choice(request.GET, unit, campaigns)
    choice.tree = figures.CURRENT
    context: dict[str, Any] = {"unit": unit, "choice": choice, "form": choice.form}
    if choice.campaign is not None:
        report = figures.report(
            unit,
            choice.campaign,
            phase=choice.phase,
            as_of=choice.as_of,
            children=choice.children(CHILDREN_PAGE),
        )
        path = request.path
        link = "stats:public_unit" if unit.depth == 0 else ""
        context.update(
            {
                "report": report,
                "me": report.unit,
                "quota_width": bar_width(report.unit.quota_percent),
                "plan_width": bar_width(report.unit.plan_percent),
                **table_context(report, choice, path, link, public=True),
            }
        )
        if unit.parent_id is not None:
            context["root"] = Unit.objects.filter(pk=unit.parent_id).first()
        if wants_table(request):
            return public_response(request, "stats/_children_table.html", context)
    return public_response(request, "stats/public.html", context)


@require_GET
def public_index(request: HttpRequest) -> HttpResponse:
    """National figures and the table of level-1 units: no login, no personal data."""
    root = Unit.objects.filter(parent__isnull=True, status=UnitStatus.ACTIVE).order_by("id").first()
    if root is None:
        raise Http404
    return _public(request, root)


@require_GET
def public_unit(request: HttpRequest, code: str) -> HttpResponse:
    """A level-1 unit (province or sectoral union) and its children."""
    unit = Unit.objects.filter(code=code.upper(), depth=1, status=UnitStatus.ACTIVE).first()
    if unit is None:
        raise Http404
    return _public(request, unit)


# -- snapshots ------------------------------------------------------------------------------


@login_required
@require_GET
def snapshot_list(request: HttpRequest, code: str) -> HttpResponse:
    unit = get_unit_for_user(request.user, code)
    snapshots = list(
        Snapshot.objects.filter(unit=unit)
        .select_related("campaign", "phase", "created_by")
        .defer("data")
    )
    context = {
        "unit": unit,
        "snapshots": snapshots,
        "breadcrumbs": breadcrumbs_for(request.user, unit),
        "can_manage": can_manage_stats(request.user, unit),
    }
    return render(request, "stats/snapshot_list.html", context)


@login_required
@GET_POST
def snapshot_create(request: HttpRequest, code: str) -> HttpResponse:
    user = request.user
    unit = get_unit_for_user(user, code)
    if not can_manage_stats(user, unit):
        raise PermissionDenied
    campaigns = campaigns_for(user)
    source = request.POST if request.method == "POST" else request.GET
    choice = read_choice(request.GET, unit, campaigns) if request.method == "GET" else None
    wanted = (source.get("campaign") or "").strip().upper()
    campaign = next((c for c in campaigns if c.code == wanted), None)
    if campaign is None:
        campaign = choice.campaign if choice else default_campaign(campaigns, unit)
    if campaign is None:
        raise Http404
    status = 200
    if request.method == "POST":
        form = SnapshotForm(request.POST, campaign=campaign)
        if form.is_valid():
            try:
                snapshot = services.take_snapshot(
                    unit,
                    campaign,
                    form.phase_obj,
                    form.cleaned_data["as_of"],
                    form.cleaned_data["kind"],
                    form.cleaned_data["title"],
                    user,
                    tree=form.cleaned_data["tree"],
                )
            except ValidationError as error:
                for field, message in error.message_dict.items():
                    form.add_error(field if field in form.fields else None, message)
            else:
                messages.success(request, _("The snapshot is taken. It can never be changed."))
                return redirect("stats:snapshot", snapshot.pk)
        status = 400
    else:
        initial = {
            "as_of": (choice.as_of if choice else None) or figures.today(),
            "phase": choice.phase.number if choice and choice.phase else None,
            "tree": choice.tree if choice else figures.CURRENT,
            "kind": Snapshot.Kind.OTHER,
        }
        form = SnapshotForm(campaign=campaign, initial=initial)
    context = {
        "unit": unit,
        "campaign": campaign,
        "form": form,
        "breadcrumbs": breadcrumbs_for(user, unit),
    }
    return render(request, "stats/snapshot_form.html", context, status=status)


def stored_rows(data: dict[str, Any], rank_by: str = "initiatives_valid") -> list[dict[str, Any]]:
    """The children of a stored report as the table shows them."""
    out = []
    for child in data.get("children", []):
        ranks = child.get("ranks") or {}
        out.append(
            {
                "data": child,
                "cells": [Cell(c, child.get(c), kind_of(c)) for c in COLUMNS],
                "rank_siblings": (ranks.get("siblings") or {}).get(rank_by),
                "rank_level": (ranks.get("level") or {}).get(rank_by),
            }
        )
    return out


@login_required
@require_GET
def snapshot_detail(request: HttpRequest, pk: int) -> HttpResponse:
    snapshot = get_snapshot_for_user(request.user, pk)
    data = snapshot.data
    others = list(
        Snapshot.objects.filter(unit=snapshot.unit)
        .exclude(pk=snapshot.pk)
        .only("pk", "title", "as_of")
    )
    context = {
        "snapshot": snapshot,
        "unit": snapshot.unit,
        "me": data.get("unit", {}),
        "cells": [Cell(c, data.get("unit", {}).get(c), kind_of(c)) for c in COLUMNS],
        "rows": stored_rows(data),
        "columns": columns(),
        "rank_by_label": MEASURE_LABELS["initiatives_valid"],
        "others": others,
        "breadcrumbs": breadcrumbs_for(request.user, snapshot.unit),
    }
    return render(request, "stats/snapshot_detail.html", context)


@login_required
@require_GET
def snapshot_compare(request: HttpRequest, pk: int) -> HttpResponse:
    """A snapshot against today's figures (`?with=today`, the default) or against another
    snapshot of the same unit (`?with=<id>`): per unit, both values and the difference."""
    user = request.user
    snapshot = get_snapshot_for_user(user, pk)
    other_id = (request.GET.get("with") or "today").strip()
    other: Snapshot | None = None
    if other_id != "today":
        if not other_id.isdigit():
            raise Http404
        other = get_snapshot_for_user(user, int(other_id))
        if other.unit_id != snapshot.unit_id:
            raise Http404
    before, before_label = snapshot.data, snapshot.title
    if other is None:
        live = figures.report(
            snapshot.unit,
            snapshot.campaign,
            phase=snapshot.phase,
            tree=snapshot.data.get("tree", figures.CURRENT),
        )
        after: dict[str, Any] = services.report_data(live)
        after_label = _("Today")
    else:
        after, after_label = other.data, other.title
        if other.as_of < snapshot.as_of:
            before, after = after, before
            before_label, after_label = after_label, before_label
    context = {
        "snapshot": snapshot,
        "other": other,
        "unit": snapshot.unit,
        "before": before,
        "after": after,
        "before_label": before_label,
        "after_label": after_label,
        "before_date": dt.date.fromisoformat(before["as_of"]),
        "after_date": dt.date.fromisoformat(after["as_of"]),
        "comparison": services.compare(before, after),
        "labels": SORT_LABELS,
        "others": list(
            Snapshot.objects.filter(unit=snapshot.unit)
            .exclude(pk=snapshot.pk)
            .only("pk", "title", "as_of")
        ),
        "breadcrumbs": breadcrumbs_for(user, snapshot.unit),
    }
    return render(request, "stats/snapshot_compare.html", context)


# -- emulation clusters ---------------------------------------------------------------------


@login_required
@require_GET
def cluster_list(request: HttpRequest, code: str) -> HttpResponse:
    unit = get_unit_for_user(request.user, code)
    clusters = list(Cluster.objects.filter(owner=unit).prefetch_related("units"))
    member_of = [
        c
        for c in Cluster.objects.filter(units=unit).select_related("owner")
        if can_view_unit(request.user, c.owner)
    ]
    context = {
        "unit": unit,
        "clusters": clusters,
        "member_of": member_of,
        "breadcrumbs": breadcrumbs_for(request.user, unit),
        "can_manage": can_manage_stats(request.user, unit),
    }
    return render(request, "stats/cluster_list.html", context)


def _cluster_form_page(
    request: HttpRequest, unit: Unit, form: ClusterForm, cluster: Cluster | None, status: int
) -> HttpResponse:
    children = list(Unit.objects.filter(parent=unit, status=UnitStatus.ACTIVE).in_order()[:200])
    context = {
        "unit": unit,
        "form": form,
        "cluster": cluster,
        "children": children,
        "breadcrumbs": breadcrumbs_for(request.user, unit),
    }
    return render(request, "stats/cluster_form.html", context, status=status)


def _save_cluster(
    request: HttpRequest, unit: Unit, cluster: Cluster | None
) -> tuple[Cluster | None, ClusterForm]:
    form = ClusterForm(request.POST, scope=cluster_scope(request.user))
    if not form.is_valid():
        return None, form
    try:
        if cluster is None:
            saved = services.create_cluster(
                unit,
                name=form.cleaned_data["name"],
                units=form.cleaned_data["units"],
                by=request.user,
            )
        else:
            saved = services.update_cluster(
                cluster,
                name=form.cleaned_data["name"],
                units=form.cleaned_data["units"],
                by=request.user,
            )
    except ValidationError as error:
        for field, message in error.message_dict.items():
            form.add_error(field if field in form.fields else None, message)
        return None, form
    return saved, form


@login_required
@GET_POST
def cluster_create(request: HttpRequest, code: str) -> HttpResponse:
    unit = get_unit_for_user(request.user, code)
    if not can_manage_stats(request.user, unit):
        raise PermissionDenied
    if request.method == "POST":
        cluster, form = _save_cluster(request, unit, None)
        if cluster is not None:
            messages.success(request, _("The cluster is saved."))
            return redirect("stats:cluster", cluster.pk)
        return _cluster_form_page(request, unit, form, None, 400)
    form = ClusterForm(scope=cluster_scope(request.user))
    return _cluster_form_page(request, unit, form, None, 200)


@login_required
@GET_POST
def cluster_edit(request: HttpRequest, pk: int) -> HttpResponse:
    cluster = get_cluster_for_user(request.user, pk)
    unit = cluster.owner
    if not can_manage_stats(request.user, unit):
        raise PermissionDenied
    if request.method == "POST":
        saved, form = _save_cluster(request, unit, cluster)
        if saved is not None:
            messages.success(request, _("The cluster is saved."))
            return redirect("stats:cluster", saved.pk)
        return _cluster_form_page(request, unit, form, cluster, 400)
    codes = "\n".join(u.code for u in cluster.units.order_by("sort_key", "id"))
    form = ClusterForm(
        scope=cluster_scope(request.user), initial={"name": cluster.name, "units": codes}
    )
    return _cluster_form_page(request, unit, form, cluster, 200)


@login_required
@GET_POST
def cluster_delete(request: HttpRequest, pk: int) -> HttpResponse:
    cluster = get_cluster_for_user(request.user, pk)
    unit = cluster.owner
    if not can_manage_stats(request.user, unit):
        raise PermissionDenied
    if request.method == "POST":
        services.delete_cluster(cluster, by=request.user)
        messages.success(request, _("The cluster is deleted."))
        return redirect("stats:clusters", unit.code)
    context = {
        "unit": unit,
        "cluster": cluster,
        "breadcrumbs": breadcrumbs_for(request.user, unit),
    }
    return render(request, "stats/cluster_confirm_delete.html", context)


@login_required
@require_GET
def cluster_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The cluster's units ranked against each other by each measure."""
    user = request.user
    cluster = get_cluster_for_user(user, pk)
    unit = cluster.owner
    choice = read_choice(request.GET, unit, campaigns_for(user))
    sort = choice.sort if choice.sort in figures.RANK_MEASURES else "initiatives_valid"
    rows = []
    if choice.campaign is not None:
        rows = services.cluster_ranking(
            cluster, choice.campaign, phase=choice.phase, as_of=choice.as_of, sort=sort
        )
    path = reverse("stats:cluster", args=[cluster.pk])
    context = {
        "cluster": cluster,
        "unit": unit,
        "choice": choice,
        "form": choice.form,
        "rows": rows,
        "sort": sort,
        "measures": [
            {
                "key": m,
                "label": MEASURE_LABELS[m],
                "kind": kind_of(m),
                "url": f"{path}?{choice.query(sort=m, dir='desc')}",
            }
            for m in figures.RANK_MEASURES
        ],
        "breadcrumbs": breadcrumbs_for(user, unit),
        "can_manage": can_manage_stats(user, unit),
    }
    return render(request, "stats/cluster_detail.html", context)
