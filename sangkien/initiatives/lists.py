"""List pages: a member's own initiatives, the review queue of a subtree with its counts per
status, and the printable QR poster of a unit.

Lists are keyset pages (`?cursor=`), never OFFSET; each page is one query plus one for the
authors shown on it. The counts per status are a separate request the queue page loads
after it renders, so the list never waits for a count over a big subtree."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_GET

from sangkien.core.pages import is_htmx
from sangkien.core.pagination import keyset_page
from sangkien.core.qr import qr_svg
from sangkien.core.site import site_url
from sangkien.orgs.models import Unit
from sangkien.orgs.permissions import get_unit_for_user

from . import queries
from .permissions import (
    PRINT_POSTER,
    own_initiatives,
)
from .queue import QUEUE_STATUSES, Queue

PAGE_SIZE = 50


def _query(params: QueryDict, *drop: str) -> str:
    """The query string of `params` without the keys in `drop` and without empty values."""
    out = QueryDict(mutable=True)
    for key, values in params.lists():
        if key in drop:
            continue
        kept = [v for v in values if v]
        if kept:
            out.setlist(key, kept)
    return out.urlencode()


# -- my initiatives ------------------------------------------------------------------------


@login_required
@require_GET
def my_initiatives(request: HttpRequest) -> HttpResponse:
    qs = own_initiatives(request.user).select_related("unit", "campaign", "field")
    page = keyset_page(
        qs, order=queries.NEWEST_FIRST, cursor=request.GET.get("cursor"), size=PAGE_SIZE
    )
    return render(request, "initiatives/initiative_mine.html", {"page": page})


# -- the review queue ----------------------------------------------------------------------


@login_required
@require_GET
def review_queue(request: HttpRequest) -> HttpResponse:
    queue = Queue(request.user, request.GET)
    rows = queue.filtered().select_related("unit", "campaign", "field").prefetch_related("authors")
    page = keyset_page(
        rows, order=queue.form.ordering, cursor=request.GET.get("cursor"), size=PAGE_SIZE
    )
    context = {
        "queue": queue,
        "form": queue.form,
        "page": page,
        "oldest": queue.form.ordering == queries.OLDEST_FIRST,
        "query": _query(request.GET, "cursor"),
        "unit_query": _query(request.GET, "cursor", "unit"),
        "more_filters": any(
            request.GET.get(k)
            for k in ("campaign", "field", "phase", "submitted_from", "submitted_to", "on_behalf")
        )
        or request.GET.get("order") == "oldest",
    }
    if is_htmx(request):
        response = render(request, "initiatives/_queue_results.html", context)
        # The address bar gets the filters that are set, not every empty field of the form.
        pushed = _query(request.GET)
        response["HX-Push-Url"] = request.path + (f"?{pushed}" if pushed else "")
        return response
    return render(request, "initiatives/initiative_queue.html", context)


@login_required
@require_GET
def queue_counts(request: HttpRequest) -> HttpResponse:
    """The counts per status of the queue under the current filters (other than the status):
    links that set the status filter."""
    queue = Queue(request.user, request.GET)
    counts = queries.status_counts(queue.filtered(with_status=False))
    current = queue.form.cleaned_data.get("status") or ""
    base = _query(request.GET, "cursor", "status")
    links = [
        {
            "status": s.value,
            "label": s.label,
            "count": counts[s.value],
            "query": f"{base}&status={s.value}" if base else f"status={s.value}",
            "current": current == s.value,
        }
        for s in QUEUE_STATUSES
    ]
    context = {
        "links": links,
        "total": sum(counts[s.value] for s in QUEUE_STATUSES),
        "all_query": base,
        "current": current,
    }
    if is_htmx(request):
        return render(request, "initiatives/_queue_counts.html", context)
    return render(request, "initiatives/queue_counts.html", context)


# -- the QR poster -------------------------------------------------------------------------


def entry_url(unit: Unit, request: HttpRequest | None = None) -> str:
    """The address a unit's QR code opens: the entry form for that unit."""
    return site_url(request) + reverse("initiatives:entry", args=[unit.code])


@login_required
@require_GET
def unit_poster(request: HttpRequest, code: str) -> HttpResponse:
    unit = get_unit_for_user(request.user, code, PRINT_POSTER)  # 404 unless can_print_poster
    url = entry_url(unit, request)
    context = {
        "unit": unit,
        "campaign": queries.open_campaign_for(unit, timezone.localdate()),
        "url": url,
        "qr": mark_safe(qr_svg(url)),  # noqa: S308 - made by segno from our own URL
    }
    return render(request, "initiatives/unit_poster.html", context)
