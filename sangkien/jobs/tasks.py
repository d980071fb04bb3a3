"""The one django-tasks task of the project: run a background job (see services)."""

from __future__ import annotations

from django_tasks import task

from . import services


@task()
def run_job(job_id: int) -> str:
    return services.run(job_id)
