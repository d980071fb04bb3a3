"""The pages of background jobs: my jobs, one job's status (its progress bar polls
`/jobs/<id>/progress/` every second with htmx while it runs), and its file.

Every page fetches the job with `get_job_for_user`: another user's job answers 404."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from sangkien.core.pagination import keyset_page

from .permissions import get_job_for_user, jobs_of
from .services import with_live_progress


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
    job = with_live_progress(get_job_for_user(request.user, pk))
    return render(request, "jobs/job_detail.html", {"job": job})


@login_required
@require_GET
def job_progress(request: HttpRequest, pk: int) -> HttpResponse:
    """The progress block alone (what the bar polls); a page of its own without htmx."""
    job = with_live_progress(get_job_for_user(request.user, pk))
    if request.headers.get("HX-Request") == "true":
        response = render(request, "jobs/_job_progress.html", {"job": job})
    else:
        response = render(request, "jobs/job_detail.html", {"job": job})
    response["Cache-Control"] = "no-store"
    return response


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
