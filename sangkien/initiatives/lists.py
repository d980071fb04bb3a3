"""List pages: a member's own initiatives, the review queue of a subtree with its counts per
status and its bulk decisions, and the printable QR poster of a unit.

Lists are keyset pages (`?cursor=`), never OFFSET; each page is one query plus one for the
authors shown on it. The counts per status are a separate request the queue page loads
after it renders, so the list never waits for a count over a big subtree."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from sangkien.accounts.permissions import role_paths
from sangkien.core.batches import chunks
from sangkien.core.pages import is_htmx
from sangkien.core.pagination import keyset_page
from sangkien.core.qr import qr_svg
from sangkien.core.site import site_url
from sangkien.jobs import services as jobs
from sangkien.orgs.models import Unit
from sangkien.orgs.permissions import get_unit_for_user
from sangkien.stats import queue as stats_queue
from sangkien.text import fold

from . import bulk, phrases, queries
from .models import Initiative, Status
from .permissions import (
    DECIDE,
    PRINT_POSTER,
    can_view_initiative,
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


def _queue_context(request: HttpRequest, params: QueryDict, queue: Queue) -> dict[str, Any]:
    rows = queue.filtered().select_related("unit", "campaign", "field").prefetch_related("authors")
    page = keyset_page(rows, order=queue.form.ordering, cursor=params.get("cursor"), size=PAGE_SIZE)
    status = queue.form.cleaned_data.get("status") or ""
    can_decide = bool(role_paths(request.user, DECIDE))
    return {
        "queue": queue,
        "form": queue.form,
        "page": page,
        "oldest": queue.form.ordering == queries.OLDEST_FIRST,
        "query": _query(params, "cursor"),
        "unit_query": _query(params, "cursor", "unit"),
        "more_filters": any(
            params.get(k)
            for k in ("campaign", "field", "phase", "submitted_from", "submitted_to", "on_behalf")
        )
        or params.get("order") == "oldest",
        "pending_only": status == Status.SUBMITTED,
        # Bulk decisions: for those who decide, on a list that may hold initiatives under
        # review (the status filter is unset or "under review").
        "bulk": can_decide and status in ("", Status.SUBMITTED),
        "bulk_form": BulkDecisionForm(),
        "bulk_sync_items": bulk.SYNC_ITEMS,
        "picked": set(),
    }


@login_required
@require_GET
def review_queue(request: HttpRequest) -> HttpResponse:
    queue = Queue(request.user, request.GET)
    context = _queue_context(request, request.GET, queue)
    if is_htmx(request):
        response = render(request, "initiatives/_queue_results.html", context)
        # The address bar gets the filters that are set, not every empty field of the form.
        pushed = _query(request.GET)
        response["HX-Push-Url"] = request.path + (f"?{pushed}" if pushed else "")
        return response
    return render(request, "initiatives/initiative_queue.html", context)


def _status_counts(queue: Queue) -> dict[str, int]:
    """The queue's counts per status under its filters other than the status: read from the
    statistics' queue rows when only the unit, campaign and phase filter it (a few rows
    whatever the queue's size), counted over the initiatives otherwise."""
    f = queue.form.filters()
    if f.field is not None or f.submitted_from or f.submitted_to or f.on_behalf is not None:
        return queries.status_counts(queue.filtered(with_status=False))
    if fold(f.q or ""):
        return queries.status_counts(queue.filtered(with_status=False))
    if queue.no_match or queue.too_many:
        paths: list[str] = []
    elif queue.unit is not None:
        paths = [queue.unit.path]
    elif queue.matches:
        paths = [u.path for u in queue.matches]
    else:
        paths = queue.paths
    counts = {s.value: 0 for s in Status}
    counts.update(stats_queue.counts(paths, campaign=f.campaign, phase=f.phase))
    return counts


@login_required
@require_GET
def queue_counts(request: HttpRequest) -> HttpResponse:
    """The counts per status of the queue under the current filters (other than the status):
    links that set the status filter."""
    queue = Queue(request.user, request.GET)
    counts = _status_counts(queue)
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
        # What "select all of these filters" takes: the ones under review among them.
        "pending": counts[Status.SUBMITTED] if current in ("", Status.SUBMITTED) else 0,
        "oob": is_htmx(request),  # the count beside "select all" on the queue page
    }
    if is_htmx(request):
        return render(request, "initiatives/_queue_counts.html", context)
    return render(request, "initiatives/queue_counts.html", context)


# -- bulk decisions -------------------------------------------------------------------------


class BulkDecisionForm(forms.Form):
    """One decision for the initiatives ticked in the queue (`ids`, with each row's version
    `v<id>` and, for a valid decision, its validated benefit `benefit_<id>`), or for every
    initiative under review that the filters (`query`, the queue's query string) select."""

    decision = forms.ChoiceField(
        label=gettext_lazy("Decision for the selected initiatives"),
        widget=forms.RadioSelect,
        choices=[
            (Status.VALID, gettext_lazy("Valid (the claimed benefit, or the value typed per row)")),
            (Status.RETURNED, gettext_lazy("Return to the authors for changes")),
            (Status.INVALID, gettext_lazy("Invalid: it does not count")),
        ],
        error_messages={"required": gettext_lazy("Choose valid, returned or invalid.")},
    )
    reason = forms.CharField(
        label=gettext_lazy("Reason"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=gettext_lazy(
            "One reason for all of them: needed to return them (what must change) or to "
            "declare them invalid (why)."
        ),
    )
    all = forms.BooleanField(required=False)
    query = forms.CharField(required=False, widget=forms.HiddenInput, max_length=2000)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "bulk_%s")
        super().__init__(*args, **kwargs)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        decision = data.get("decision")
        if decision in (Status.RETURNED, Status.INVALID) and not (data.get("reason") or "").strip():
            self.add_error(
                "reason",
                _("Say what the authors must change.")
                if decision == Status.RETURNED
                else _("Say why the initiatives are not valid."),
            )
        return data


def _posted_per_row(post: QueryDict, prefix: str, ids: list[int]) -> dict[int, str]:
    values = {pk: (post.get(f"{prefix}{pk}") or "").strip() for pk in ids}
    return {pk: value for pk, value in values.items() if value}


# A decision on every initiative of a filter is confirmed first: the confirmation carries the
# very ids it counted (signed, for this user, for an hour), so the count shown is the count
# decided, whatever was submitted meanwhile.
CONFIRMATION_SALT = "initiatives.bulk-decision"
CONFIRMATION_MAX_AGE = 3600


@login_required
@require_POST
def queue_decide(request: HttpRequest) -> HttpResponse:
    """The queue's bulk decision: each initiative through the same service as one decision
    (bulk.decide_initiatives). Up to bulk.SYNC_ITEMS are decided here and the page says
    what went through; more go to a background job, whose page shows the progress. "Every
    initiative under review of these filters" first asks to confirm, saying how many."""
    user = request.user
    if not role_paths(user, DECIDE):
        raise Http404  # nobody here decides: the action does not exist for them
    form = BulkDecisionForm(request.POST)
    params = QueryDict(request.POST.get("query") or "")
    queue = Queue(user, params)  # 404 for a unit outside the user's queue
    if request.POST.get("confirmation"):
        return _decide_confirmed(request, params, queue, form)
    ids: list[int] = []
    if form.is_valid():
        if form.cleaned_data["all"]:
            pending = queue.filtered().filter(status=Status.SUBMITTED).order_by("pk")
            ids = list(pending.values_list("pk", flat=True)[: bulk.MAX_ITEMS + 1])
        else:
            ids = bulk.wanted_ids(request.POST.getlist("ids"))
            if ids and not _sees_any(user, ids):
                raise Http404  # none of them is anything this user may see
        if not ids:
            form.add_error(None, _("Select at least one initiative under review."))
        elif len(ids) > bulk.MAX_ITEMS:
            form.add_error(
                None,
                _(
                    "More than %(max)s initiatives are selected; one bulk decision takes at "
                    "most %(max)s. Narrow the filters and decide them in parts."
                )
                % {"max": number_format(bulk.MAX_ITEMS, force_grouping=True)},
            )
    if not form.is_valid():
        return _refused_bulk(request, params, queue, form)
    data = form.cleaned_data
    decision = data["decision"]
    benefits = _posted_per_row(request.POST, "benefit_", ids) if decision == Status.VALID else {}
    versions = _posted_per_row(request.POST, "v", ids)
    if data["all"]:
        return _ask_to_confirm(request, params, ids, decision, data["reason"], benefits, versions)
    return _decide(request, params, ids, decision, data["reason"], benefits, versions)


def _back(params: QueryDict) -> str:
    return reverse("initiatives:queue") + (f"?{_query(params, 'cursor')}" if params else "")


def _ask_to_confirm(
    request: HttpRequest,
    params: QueryDict,
    ids: list[int],
    decision: str,
    reason: str,
    benefits: dict[int, str],
    versions: dict[int, str],
) -> HttpResponse:
    payload = {
        "user": request.user.pk,
        "ids": ids,
        "decision": decision,
        "reason": reason,
        "benefits": {str(k): v for k, v in benefits.items()},
        "versions": {str(k): v for k, v in versions.items()},
    }
    context = {
        "question": bulk.question(decision, len(ids)),
        "count": len(ids),
        "decision": decision,
        "decision_label": dict(BulkDecisionForm.base_fields["decision"].choices)[decision],  # type: ignore[attr-defined]
        "reason": reason,
        "confirmation": signing.dumps(payload, salt=CONFIRMATION_SALT, compress=True),
        "query": request.POST.get("query") or "",
        "back": _back(params),
    }
    return render(request, "initiatives/queue_confirm.html", context)


def _decide_confirmed(
    request: HttpRequest, params: QueryDict, queue: Queue, form: BulkDecisionForm
) -> HttpResponse:
    try:
        payload = signing.loads(
            request.POST["confirmation"], salt=CONFIRMATION_SALT, max_age=CONFIRMATION_MAX_AGE
        )
    except signing.BadSignature:
        payload = None
    if not isinstance(payload, dict) or payload.get("user") != request.user.pk:
        form = BulkDecisionForm({"query": request.POST.get("query") or ""})
        form.is_valid()
        form.errors.clear()  # only this error: the queue shows the form afresh
        form.add_error(
            None,
            _(
                "This confirmation is no longer valid (it is more than an hour old, or not "
                "yours). Nothing was decided; choose the decision again."
            ),
        )
        return _refused_bulk(request, params, queue, form)
    return _decide(
        request,
        params,
        [int(pk) for pk in payload["ids"]],
        payload["decision"],
        payload["reason"],
        {int(k): v for k, v in payload["benefits"].items()},
        {int(k): v for k, v in payload["versions"].items()},
    )


def _decide(
    request: HttpRequest,
    params: QueryDict,
    ids: list[int],
    decision: str,
    reason: str,
    benefits: dict[int, str],
    versions: dict[int, str],
) -> HttpResponse:
    user = request.user
    if len(ids) > bulk.SYNC_ITEMS:
        job = jobs.start(
            "decisions",
            user=user,
            label=phrases.BULK_DECISION_TITLE(n=len(ids)),
            params={
                "ids": ids,
                "decision": decision,
                "reason": reason,
                "benefits": {str(k): v for k, v in benefits.items()},
                "versions": {str(k): v for k, v in versions.items()},
            },
        )
        return redirect("jobs:detail", pk=job.pk)
    outcome = bulk.decide_initiatives(
        ids, by=user, decision=decision, reason=reason, benefits=benefits, versions=versions
    )
    context = {"outcome": outcome, "summary": bulk.summary(outcome), "back": _back(params)}
    return render(request, "initiatives/queue_decided.html", context)


def _refused_bulk(
    request: HttpRequest, params: QueryDict, queue: Queue, form: BulkDecisionForm
) -> HttpResponse:
    """The queue again, with the bulk form's errors at its top and the rows still ticked."""
    context = _queue_context(request, params, queue)
    context["bulk_form"] = form
    context["picked"] = set(request.POST.getlist("ids"))
    return render(request, "initiatives/initiative_queue.html", context, status=400)


def _sees_any(user: Any, ids: list[int]) -> bool:
    """Can the user see at least one of these initiatives?"""
    for chunk in chunks(ids):
        for initiative in Initiative.objects.filter(pk__in=chunk).select_related("unit"):
            if can_view_initiative(user, initiative):
                return True
    return False


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
