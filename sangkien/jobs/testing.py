"""Running background jobs inside tests.

Tests run in a transaction that never commits, so `start` would never hand a job to the
worker (it waits for the commit). Inside `jobs_run_immediately()` the task backend is
django-tasks' ImmediateBackend and the commit callbacks run when the block ends: every job
started in the block has run (done or failed) by the time the block is left.

    from sangkien.jobs.testing import jobs_run_immediately

    with jobs_run_immediately():
        response = client.post(url, data)
    job = Job.objects.get()
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.test import TestCase, override_settings

IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@contextmanager
def jobs_run_immediately() -> Iterator[None]:
    # override_settings sends setting_changed, on which django-tasks drops the backends it
    # has built, so the task finds the immediate backend (and the real one again after).
    with override_settings(TASKS=IMMEDIATE), TestCase.captureOnCommitCallbacks(execute=True):
        yield
