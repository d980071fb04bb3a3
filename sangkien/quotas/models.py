"""Quotas (chỉ tiêu) per unit, campaign and phase, and the history of every change.

A unit's `assigned` quota is set by the officers of its parent unit when they allocate to
their children (the campaign's owner unit, at the top, has its own set by its own officers);
its `target` is the figure the unit sets itself, never below the assigned one. `phase` NULL
is the whole campaign. `phase_key` is the phase id or 0, so one unique constraint on
(campaign, unit, phase_key) holds on SQLite and PostgreSQL alike (NULLs never collide in a
unique index) and serves every read, which always names the campaign and the phase."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from sangkien.campaigns.models import Campaign, Phase
from sangkien.orgs.models import Unit

WHOLE_CAMPAIGN = 0  # phase_key of the whole-campaign rows


class Quota(models.Model):
    unit = models.ForeignKey(
        Unit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="quotas"
    )
    campaign = models.ForeignKey(
        Campaign, verbose_name=_("campaign"), on_delete=models.CASCADE, related_name="quotas"
    )
    phase = models.ForeignKey(
        Phase,
        verbose_name=_("phase"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="quotas",
    )
    phase_key = models.PositiveIntegerField(default=WHOLE_CAMPAIGN, editable=False)
    assigned = models.PositiveIntegerField(_("assigned quota"), null=True, blank=True)
    target = models.PositiveIntegerField(_("self-set target"), null=True, blank=True)
    version = models.PositiveIntegerField(default=1)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("updated by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("quota")
        verbose_name_plural = _("quotas")
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "unit", "phase_key"], name="quota_unique_unit_phase"
            ),
            models.CheckConstraint(
                condition=Q(phase__isnull=True, phase_key=WHOLE_CAMPAIGN)
                | Q(phase__isnull=False, phase_key=F("phase_id")),
                name="quota_phase_key_matches",
            ),
            models.CheckConstraint(
                condition=Q(target__isnull=True)
                | Q(assigned__isnull=True)
                | Q(target__gte=F("assigned")),
                name="quota_target_not_below_assigned",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.unit_id} · {self.campaign_id} · {self.phase_key}: {self.assigned}"


class QuotaField(models.TextChoices):
    ASSIGNED = "assigned", _("Assigned quota")
    TARGET = "target", _("Self-set target")


class QuotaChange(models.Model):
    """One change of one figure of a quota: who, when, before, after, why."""

    quota = models.ForeignKey(Quota, on_delete=models.CASCADE, related_name="changes")
    field = models.CharField(_("figure"), max_length=16, choices=QuotaField.choices)
    before = models.PositiveIntegerField(_("before"), null=True, blank=True)
    after = models.PositiveIntegerField(_("after"), null=True, blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    at = models.DateTimeField(_("time"), auto_now_add=True)
    note = models.CharField(_("note"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("quota change")
        verbose_name_plural = _("quota changes")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["quota", "at"], name="quotachange_quota_at")]

    def __str__(self) -> str:
        return f"{self.quota_id} {self.field}: {self.before} → {self.after}"
