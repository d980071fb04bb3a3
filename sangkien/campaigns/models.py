"""Campaigns (chương trình), their phases (đợt) and fields of application (lĩnh vực).

A campaign is owned by a unit: the national confederation for a nationwide campaign, or a
province or company union running its own. It covers the owner's subtree: initiatives are
entered under grassroots units inside it. Quotas, plans and teams come with the campaign
later; here are the rules an initiative is checked against."""

from __future__ import annotations

import datetime as dt

from django.db import models
from django.utils.translation import gettext_lazy as _

from sangkien.orgs.models import Unit


class Campaign(models.Model):
    code = models.CharField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=255)
    owner = models.ForeignKey(
        Unit, verbose_name=_("run by"), on_delete=models.PROTECT, related_name="campaigns"
    )
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    # Initiatives first applied inside the period are eligible; entries are accepted until
    # `ends_on` (the last day included).
    requires_recognition = models.BooleanField(
        _("recognition evidence required"),
        default=True,
        help_text=_(
            "Initiatives must carry the recognising body, decision number and date before they "
            "can be submitted."
        ),
    )
    description = models.TextField(_("description"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("campaign")
        verbose_name_plural = _("campaigns")
        ordering = ["-starts_on", "code"]

    def __str__(self) -> str:
        return self.name

    def covers(self, unit: Unit) -> bool:
        """Is `unit` inside the campaign's owner subtree?"""
        return unit.path.startswith(self.owner.path)

    def is_open_on(self, day: dt.date) -> bool:
        return self.starts_on <= day <= self.ends_on

    def phase_on(self, day: dt.date) -> Phase | None:
        for phase in self.phases.all():
            if phase.starts_on <= day <= phase.ends_on:
                return phase
        return None


class Phase(models.Model):
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="phases")
    number = models.PositiveSmallIntegerField(_("number"))
    name = models.CharField(_("name"), max_length=255)
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))

    class Meta:
        verbose_name = _("phase")
        verbose_name_plural = _("phases")
        ordering = ["campaign_id", "number"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "number"], name="phase_unique_number")
        ]

    def __str__(self) -> str:
        return self.name


class ApplicationField(models.Model):
    """A field of application (lĩnh vực) an initiative is filed under."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="fields")
    code = models.CharField(_("code"), max_length=32)
    name = models.CharField(_("name"), max_length=255)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("field of application")
        verbose_name_plural = _("fields of application")
        ordering = ["campaign_id", "position", "code"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "code"], name="field_unique_code")
        ]

    def __str__(self) -> str:
        return self.name
