"""The pages of background jobs: my jobs, one job's status (its progress bar polls
`/jobs/<id>/progress/` every second with htmx while it runs), and its file.

Every page fetches the job with `get_job_for_user`: another user's job answers 404."""

from __future__ import annotations

from urllib.parse import urlsplit

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from sangkien.core.pages import is_htmx
from sangkien.core.pagination import keyset_page

from .permissions import get_job_for_user, jobs_of
from .services import as_it_is_now, retry_job


@login_required
@require_GET
def job_list(request: HttpRequest) -> HttpResponse:
    page = keyset_page(
        jobs_of(request.user).select_related("unit"),
        order=("-id",),
        cursor=request.GET.get("cursor"),
        size=settings.PAGE_SIZE,
    )
    return render(request, "jobs/job_list.html", {"page": page})


@login_required
@require_GET
def job_detail(request: HttpRequest, pk: int) -> HttpResponse:
    job = as_it_is_now(get_job_for_user(request.user, pk))
    return render(request, "jobs/job_detail.html", {"job": job})


@login_required
@require_GET
def job_progress(request: HttpRequest, pk: int) -> HttpResponse:
    """The progress block alone (what the bar polls); a page of its own without htmx."""
    job = as_it_is_now(get_job_for_user(request.user, pk))
    if is_htmx(request):
        # "Run again" in the block goes back to the page the block is on.
        page = urlsplit(request.headers.get("HX-Current-URL", ""))
        next_url = page.path + (f"?{page.query}" if page.query else "") if page.path else ""
        context = {"job": job, "next_url": next_url}
        response = render(request, "jobs/_job_progress.html", context)
    else:
        response = render(request, "jobs/job_detail.html", {"job": job})
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_POST
def job_retry(request: HttpRequest, pk: int) -> HttpResponse:
    """ "Run again": a failed job is queued as it was first asked; back to the page it was
    started from (`next`, a path of this site), else the job's page."""
    job = get_job_for_user(request.user, pk)
    try:
        retry_job(job, by=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The job is started again."))
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = ""
    return redirect(target or "jobs:detail", *([] if target else [job.pk]))


@login_required
@require_GET
def job_download(request: HttpRequest, pk: int) -> FileResponse:
    job = get_job_for_user(request.user, pk)
    if not job.has_output:
        raise Http404
    try:
        handle = job.output_file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    return FileResponse(handle, as_attachment=True, filename=job.output_name or "download")
