"""Background jobs: work a request must not wait for (big imports, exports, PDF batches),
run by `sangkien worker` through django-tasks, with its progress on a row people can watch.

A job belongs to the user who started it; nobody else sees it (a superuser may, to help).
`unit` records the unit the job works on (for the list and the audit), not who may see it.
Files live under MEDIA_ROOT (`jobs/in/`, `jobs/out/`) and are only ever served through the
job's download view, never as static files."""

from __future__ import annotations

import secrets
from pathlib import PurePath

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from sangkien.core import wording


class JobStatus(models.TextChoices):
    QUEUED = "queued", _("Waiting to start")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


FINISHED = frozenset({JobStatus.DONE, JobStatus.FAILED})


def _stored_name(folder: str, filename: str) -> str:
    # The stored name never uses the given one (which may be anything); only its extension.
    suffix = PurePath(filename or "").suffix.lower()
    if not suffix[1:].isalnum() or len(suffix) > 8:
        suffix = ""
    return f"jobs/{folder}/{secrets.token_hex(16)}{suffix}"


def input_path(instance: Job, filename: str) -> str:
    return _stored_name("in", filename)


def output_path(instance: Job, filename: str) -> str:
    return _stored_name("out", filename)


class Job(models.Model):
    kind = models.CharField(_("kind"), max_length=32)
    # The title is a phrase written out in the reader's language (sangkien.core.wording);
    # `label` keeps it as it read when the job started (what jobs from before phrases show).
    label = models.CharField(_("title"), max_length=200)
    label_code = models.CharField(max_length=64, blank=True, default="", db_default="")
    label_params = models.JSONField(default=dict, blank=True, db_default={})
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("started by"),
        on_delete=models.CASCADE,
        related_name="jobs",
    )
    unit = models.ForeignKey(
        "orgs.Unit",
        verbose_name=_("unit"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    status = models.CharField(
        _("status"), max_length=16, choices=JobStatus.choices, default=JobStatus.QUEUED
    )
    done = models.PositiveIntegerField(_("done"), default=0)
    # 0 while the size of the work is not known.
    total = models.PositiveIntegerField(_("total"), default=0)
    # The last progress line, or the reason it failed, in the language of whoever started it.
    message = models.TextField(_("message"), blank=True)
    # The language the job speaks (its messages, the headers of the files it writes).
    language = models.CharField(max_length=8, default="vi")
    params = models.JSONField(_("parameters"), default=dict, blank=True)
    result = models.JSONField(_("result"), default=dict, blank=True)
    input_file = models.FileField(
        _("input file"), upload_to=input_path, max_length=255, null=True, blank=True
    )
    input_name = models.CharField(_("input file name"), max_length=255, blank=True)
    output_file = models.FileField(
        _("output file"), upload_to=output_path, max_length=255, null=True, blank=True
    )
    output_name = models.CharField(_("file name"), max_length=255, blank=True)
    task_id = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(_("started"), auto_now_add=True)
    started_at = models.DateTimeField(_("running since"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    # Written every few seconds by the worker running the job: a running job whose heartbeat
    # stopped lost its worker (services.reap_stale_jobs).
    heartbeat_at = models.DateTimeField(_("last sign of life"), null=True, blank=True)
    # How many times a worker has started the job (a job whose worker died is started again,
    # up to services.MAX_ATTEMPTS times).
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)

    class Meta:
        verbose_name = _("background job")
        verbose_name_plural = _("background jobs")
        indexes = [
            models.Index(fields=["user", "-id"], name="job_user_newest"),
            models.Index(fields=["status", "heartbeat_at"], name="job_status_heartbeat"),
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def title(self) -> str:
        """The job's title in the active language."""
        return wording.render(self.label_code, self.label_params, fallback=self.label)

    @property
    def is_finished(self) -> bool:
        return self.status in FINISHED

    @property
    def is_done(self) -> bool:
        return self.status == JobStatus.DONE

    @property
    def is_failed(self) -> bool:
        return self.status == JobStatus.FAILED

    @property
    def has_output(self) -> bool:
        return self.is_done and bool(self.output_file)

    @property
    def percent(self) -> int | None:
        """0–100, or None while the total is unknown (the bar is then indeterminate)."""
        if self.is_done:
            return 100
        if not self.total:
            return None
        return max(0, min(100, self.done * 100 // self.total))
