"""The import pages: upload a spreadsheet, see every row checked (nothing written), confirm,
see what was imported.

- `/imports/` — what to import (only the kinds the user may import), the campaign for
  initiatives, the file; the templates; the user's recent imports. Whoever may import
  nothing gets 404.
- POST `/imports/` starts a background job that checks the file (a dry run) and goes to its
  page, `/imports/<id>/`: its progress while it runs, then the row outcomes and the
  confirmation; for a real import, what it did.
- POST `/imports/<id>/confirm/` starts the real import of the same stored file, once per
  check (the new job records `from_job`).

An import job is seen only by its owner (anyone else, a superuser too, gets 404). The units
an import may touch are the user's own at the time each job starts (`permissions.import_scope`)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from sangkien.accounts.permissions import MANAGE_MEMBERS
from sangkien.campaigns.models import Campaign
from sangkien.campaigns.permissions import campaigns_for
from sangkien.core.pages import is_htmx
from sangkien.core.wording import Wording
from sangkien.jobs.models import Job, JobStatus
from sangkien.jobs.services import (
    as_it_is_now,
    reap_stale_jobs,
    retry_job,
    start,
)
from sangkien.orgs.models import Unit
from sangkien.orgs.permissions import top_units_for

from .forms import KIND_LABELS, ConfirmForm, ImportForm
from .permissions import JOB_KIND, get_import_for_user, import_scope, import_units, importable_kinds
from .phrases import CHECK_TITLE, IMPORT_TITLE

# The row outcomes of sangkien.imports.importers (which the pages need not load).
IMPORTED, UPDATED, SKIPPED, REJECTED = "imported", "updated", "skipped", "rejected"
RECENT = 20
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
TEMPLATE_NAMES = {
    "units": "mau-nhap-don-vi.xlsx",
    "members": "mau-nhap-doan-vien.xlsx",
    "initiatives": "mau-nhap-sang-kien.xlsx",
}


# -- reading ---------------------------------------------------------------------------------


def usable_campaigns(user: Any) -> list[Campaign]:
    """The campaigns the user can use that accept initiatives today."""
    today = timezone.localdate()
    return [c for c in campaigns_for(user) if c.is_open_on(today)]


def confirmation_of(check: Job) -> Job | None:
    """The import that confirmed the check `check`, if it was confirmed."""
    return (
        Job.objects.filter(kind=JOB_KIND, user_id=check.user_id, params__from_job=check.pk)
        .order_by("pk")
        .first()
    )


# -- pages -----------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def import_index(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    kinds = importable_kinds(user)
    if not kinds:
        raise Http404
    campaigns = usable_campaigns(user) if "initiatives" in kinds else []
    posted = request.method == "POST"
    form = ImportForm(
        request.POST if posted else None,
        request.FILES if posted else None,
        kinds=kinds,
        campaigns=campaigns,
    )
    if posted and form.is_valid():
        kind = form.cleaned_data["kind"]
        campaign = form.cleaned_data["campaign_object"]
        upload = form.cleaned_data["file"]
        job = _start(
            user,
            kind=kind,
            campaign=campaign,
            dry_run=True,
            accept_valid=False,
            input_file=upload,
            label=CHECK_TITLE(file=upload.name, kind=kind),
        )
        return redirect("imports:detail", job.pk)
    recent = list(Job.objects.filter(user_id=user.pk, kind=JOB_KIND).order_by("-pk")[:RECENT])
    context = {
        "form": form,
        "kinds": [(k, KIND_LABELS[k]) for k in kinds],
        "recent": recent,
    }
    status = 400 if form.is_bound else 200
    return render(request, "imports/import_index.html", context, status=status)


@login_required
@require_GET
def import_template(request: HttpRequest, kind: str) -> HttpResponse:
    if kind not in importable_kinds(request.user):
        raise Http404
    from .columns import template_xlsx

    response = HttpResponse(template_xlsx(kind), content_type=XLSX_MIME)
    response["Content-Disposition"] = f'attachment; filename="{TEMPLATE_NAMES[kind]}"'
    return response


@login_required
@require_GET
def import_detail(request: HttpRequest, pk: int) -> HttpResponse:
    job = as_it_is_now(get_import_for_user(request.user, pk))
    if is_htmx(request):
        # The page's watcher: nothing to swap while the job runs (the progress block polls
        # on its own); the whole page again once it is finished, to show the rows.
        response = HttpResponse(status=204)
        if job.is_finished:
            response["HX-Refresh"] = "true"
        response["Cache-Control"] = "no-store"
        return response
    return _detail(request, job)


@login_required
@require_POST
def import_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    user: Any = request.user
    check = get_import_for_user(user, pk)
    params = check.params or {}
    if not params.get("dry_run") or check.status != JobStatus.DONE:
        messages.error(request, _("Only a finished check of a file can be confirmed."))
        return redirect("imports:detail", check.pk)
    counts = (check.result or {}).get("counts") or {}
    if not counts.get(IMPORTED, 0) + counts.get(UPDATED, 0):
        messages.error(request, _("The check found nothing to import."))
        return redirect("imports:detail", check.pk)
    done = confirmation_of(check)
    if done is not None:
        return _confirmed_before(request, done)
    form = ConfirmForm(request.POST, rejected=counts.get(REJECTED, 0))
    if not form.is_valid():
        return _detail(request, check, confirm_form=form, status=400)
    kind = params.get("kind", "")
    campaign = None
    if params.get("campaign"):
        campaign = next((c for c in usable_campaigns(user) if c.code == params["campaign"]), None)
        if campaign is None:
            messages.error(request, _("The campaign of this file no longer accepts initiatives."))
            return redirect("imports:detail", check.pk)
    if not check.input_file:
        messages.error(request, _("The file of this import is no longer kept; upload it again."))
        return redirect("imports:detail", check.pk)
    with transaction.atomic():
        # One confirmation per check, even when the button is pressed twice at once.
        Job.objects.select_for_update().filter(pk=check.pk).values_list("pk").first()
        done = confirmation_of(check)
        if done is not None:
            return _confirmed_before(request, done)
        name = check.input_name or "file"
        with check.input_file.open("rb") as handle:
            job = _start(
                user,
                kind=kind,
                campaign=campaign,
                dry_run=False,
                accept_valid=bool(form.cleaned_data["accept_valid"]),
                input_file=File(handle, name=name),
                label=IMPORT_TITLE(file=name, kind=kind),
                from_job=check.pk,
            )
    return redirect("imports:detail", job.pk)


# -- helpers ---------------------------------------------------------------------------------


def _confirmed_before(request: HttpRequest, done: Job) -> HttpResponse:
    """The check was confirmed before: its import, never a stuck one. An import whose worker
    died is queued again (it goes on where it stopped); one that failed is started again."""
    if done.status == JobStatus.RUNNING and reap_stale_jobs(only=done.pk):
        done.refresh_from_db()
    if done.status == JobStatus.FAILED:
        try:
            retry_job(done, by=request.user)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.info(request, _("This check was confirmed before; its import starts again."))
        return redirect("imports:detail", done.pk)
    messages.info(request, _("This check was already confirmed; here is its import."))
    return redirect("imports:detail", done.pk)


def _start(
    user: Any,
    *,
    kind: str,
    campaign: Campaign | None,
    dry_run: bool,
    accept_valid: bool,
    input_file: Any,
    label: Wording,
    from_job: int | None = None,
) -> Job:
    scope = import_scope(user, kind)
    params: dict[str, Any] = {
        "kind": kind,
        "campaign": campaign.code if campaign else None,
        "dry_run": dry_run,
        "accept_valid": accept_valid,
        "scope": scope,
        "units": import_units(user, kind) if scope is not None else [],
    }
    if from_job is not None:
        params["from_job"] = from_job
    unit = None
    if scope is not None and len(scope) == 1:
        unit = Unit.objects.filter(path=scope[0]).first()
    return start(JOB_KIND, user=user, unit=unit, label=label, params=params, input_file=input_file)


STATUS_WORDS = {
    # (status, written?) -> what the badge says
    (IMPORTED, False): gettext_lazy("To import"),
    (UPDATED, False): gettext_lazy("To update"),
    (SKIPPED, False): gettext_lazy("Already there"),
    (REJECTED, False): gettext_lazy("Rejected"),
    (IMPORTED, True): gettext_lazy("Imported"),
    (UPDATED, True): gettext_lazy("Updated"),
    (SKIPPED, True): gettext_lazy("Skipped"),
    (REJECTED, True): gettext_lazy("Rejected"),
}
BADGES = {
    IMPORTED: "status-valid",
    UPDATED: "status-submitted",
    SKIPPED: "status-withdrawn",
    REJECTED: "status-invalid",
}


def _ref_url(kind: str, ref: str) -> str | None:
    if not ref:
        return None
    if kind == "initiatives":
        number = ref.removeprefix("SK-")
        return reverse("initiatives:detail", args=[int(number)]) if number.isdigit() else None
    if kind == "units":
        return reverse("orgs:detail", args=[ref])
    return reverse("orgs:member_detail", args=[ref])


def _lists(user: Any, kind: str) -> list[tuple[str, str]]:
    """Where to see what an import made: (label, url)."""
    if kind == "initiatives":
        return [(_("Initiatives you entered"), reverse("initiatives:mine"))]
    if kind == "members":
        tops = list(top_units_for(user, MANAGE_MEMBERS).values_list("code", "name")[:2])
        if len(tops) == 1:
            code, name = tops[0]
            return [
                (_("Members of %(unit)s") % {"unit": name}, reverse("orgs:members", args=[code]))
            ]
    return [(_("Units"), reverse("orgs:index"))]


def _detail(
    request: HttpRequest, job: Job, *, confirm_form: ConfirmForm | None = None, status: int = 200
) -> HttpResponse:
    user: Any = request.user
    params = job.params or {}
    result = job.result or {}
    counts = result.get("counts") or {}
    kind = params.get("kind", "")
    dry_run = bool(params.get("dry_run"))
    applied = bool(result.get("applied"))
    importable = counts.get(IMPORTED, 0) + counts.get(UPDATED, 0)
    rejected = counts.get(REJECTED, 0)
    rows = []
    for outcome in result.get("outcomes") or []:
        state = outcome.get("status", "")
        # A row's reference names a real object once imported, or when it was there already.
        real = applied or state in (SKIPPED, UPDATED)
        rows.append(
            {
                **outcome,
                # A total row or a signature block is skipped, not "already there".
                "word": STATUS_WORDS.get(
                    (state, applied or (state == SKIPPED and not outcome.get("ref"))), state
                ),
                "badge": BADGES.get(state, ""),
                # The reference a check gives a new row is not the one the import will.
                "ref": outcome.get("ref", "") if real else "",
                "url": _ref_url(kind, outcome.get("ref", "")) if real else None,
            }
        )
    confirmed = from_job = None
    if dry_run:
        confirmed = confirmation_of(job) if job.is_done else None
        if job.is_done and confirmed is None and importable and confirm_form is None:
            confirm_form = ConfirmForm(rejected=rejected)
        if confirmed is not None:
            confirm_form = None
    elif params.get("from_job"):
        from_job = Job.objects.filter(pk=params["from_job"], kind=JOB_KIND, user_id=user.pk).first()
    campaign = None
    if params.get("campaign"):
        campaign = Campaign.objects.filter(code=params["campaign"]).first()
    context = {
        "job": job,
        "result": result,
        "counts": counts,
        "kind": kind,
        "kind_label": KIND_LABELS.get(kind, kind),
        "campaign": campaign,
        "dry_run": dry_run,
        "applied": applied,
        "importable": importable,
        "rejected": rejected,
        "rows": rows,
        "rows_shown": len(rows),
        "rows_total": result.get("outcomes_total", len(rows)),
        "confirm_form": confirm_form,
        "confirmed": confirmed,
        "from_job": from_job,
        "lists": _lists(user, kind) if applied else [],
    }
    return render(request, "imports/import_detail.html", context, status=status)
