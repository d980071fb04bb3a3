"""Who may see a job: the user who started it, and superusers (to help). Anyone else gets
404, as for everything outside one's scope."""

from __future__ import annotations

from typing import Any

from django.http import Http404

from .models import Job


def can_view_job(user: Any, job: Job) -> bool:
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    return job.user_id == user.pk or user.is_superuser


def get_job_for_user(user: Any, pk: Any) -> Job:
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        raise Http404 from None
    job = Job.objects.select_related("unit").filter(pk=pk).first()
    if job is None or not can_view_job(user, job):
        raise Http404
    return job


def jobs_of(user: Any) -> Any:
    """The user's own jobs (a superuser's list shows their own too, not everyone's)."""
    return Job.objects.filter(user_id=user.pk)


def can_retry_job(user: Any, job: Job) -> bool:
    """Whoever may see a failed job may start it again (it runs as its owner's)."""
    return can_view_job(user, job) and job.is_failed
