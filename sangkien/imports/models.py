"""What a real import has checked and not yet written (decision record 0019).

An import of members or initiatives first checks every row with no write lock held, and
keeps what it will write as batches (`ImportBatch`, about 2,000 rows each) of one
`ImportRun`. It then writes the batches one short transaction each; a batch records in the
same transaction that it is written, so an import cut short (a killed worker, a busy
database) is finished by running it again: the written batches are left alone, the others
written. The rows' outcomes live with their batch, so the summary of a finished import can
be put together again after a crash."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class RunState(models.TextChoices):
    STAGING = "staging", _("Checking")
    APPLYING = "applying", _("Writing")
    DONE = "done", _("Written")


class ImportRun(models.Model):
    kind = models.CharField(_("kind"), max_length=16)
    filename = models.CharField(_("file name"), max_length=255)
    digest = models.CharField(max_length=64)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    campaign = models.ForeignKey(
        "campaigns.Campaign", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    # The background job that runs it (none for the command line).
    job = models.OneToOneField(
        "jobs.Job", null=True, blank=True, on_delete=models.CASCADE, related_name="import_run"
    )
    state = models.CharField(
        _("state"), max_length=16, choices=RunState.choices, default=RunState.STAGING
    )
    # The moment of the import: initiatives are submitted at it and counted on its day, in
    # every batch, however late a batch is written.
    started_at = models.DateTimeField()
    # What a resumed run needs of the check: sheet, headers, columns, encoding, options.
    options = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("import run")
        verbose_name_plural = _("import runs")

    def __str__(self) -> str:
        return f"{self.kind} {self.filename}"


class ImportBatch(models.Model):
    run = models.ForeignKey(ImportRun, on_delete=models.CASCADE, related_name="batches")
    number = models.PositiveIntegerField()
    # The rows to write, as the check left them (ids, folded names, parsed values).
    items = models.JSONField(default=list, blank=True)
    # The outcome of every row of the file between this batch and the previous one:
    # [row number, status, message, label, ref, cells]; written rows get their ref when the
    # batch is written.
    outcomes = models.JSONField(default=list, blank=True)
    applied_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("import batch")
        verbose_name_plural = _("import batches")
        constraints = [
            models.UniqueConstraint(fields=["run", "number"], name="import_batch_once"),
        ]

    def __str__(self) -> str:
        return f"{self.run_id}/{self.number}"
