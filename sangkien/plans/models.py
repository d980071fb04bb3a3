"""Implementation plans (kế hoạch triển khai) and the counters that say how many grassroots
unions have one.

Each grassroots union signs one plan per campaign with its employer (người sử dụng lao
động): concrete targets and a reward mechanism, with the signed document attached.

`PlanCount` and `GrassrootsCount` are the per-unit counters `services.plan_coverage` reads:
for every unit above a grassroots union, how many active grassroots unions lie below it, and
how many of those have a plan for a campaign. Plans move them in the same transaction; a
change to the tree (seen through `CoverageStamp`) has them recounted. See
docs/decisions/0011-plans-and-teams.md."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from sangkien.campaigns.models import Campaign
from sangkien.orgs.models import Unit


def document_path(instance: Plan, filename: str) -> str:
    # The stored name never uses the uploaded one (which may be anything); it is kept apart.
    return f"plans/{instance.unit_id}/{instance.document_token}{instance.document_extension}"


class Plan(models.Model):
    unit = models.ForeignKey(
        Unit, verbose_name=_("grassroots union"), on_delete=models.PROTECT, related_name="plans"
    )
    campaign = models.ForeignKey(
        Campaign, verbose_name=_("campaign"), on_delete=models.PROTECT, related_name="plans"
    )
    signed_on = models.DateField(_("date signed"))
    employer_name = models.CharField(_("employer"), max_length=255)
    employer_representative = models.CharField(_("signed for the employer by"), max_length=255)
    targets = models.TextField(_("concrete targets"))
    target_initiatives = models.PositiveIntegerField(
        _("initiatives targeted"), null=True, blank=True
    )
    reward_mechanism = models.TextField(_("reward mechanism"))
    document = models.FileField(
        _("signed document"), upload_to=document_path, max_length=255, blank=True
    )
    document_token = models.CharField(max_length=32, blank=True, editable=False)
    document_extension = models.CharField(max_length=8, blank=True, editable=False)
    document_name = models.CharField(_("file name"), max_length=255, blank=True)
    document_type = models.CharField(max_length=100, blank=True)
    document_size = models.PositiveIntegerField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("implementation plan")
        verbose_name_plural = _("implementation plans")
        ordering = ["campaign_id", "unit_id"]
        constraints = [
            # Also the index behind "does this unit have a plan" in the lists.
            models.UniqueConstraint(fields=["campaign", "unit"], name="plan_unique_per_unit")
        ]

    def __str__(self) -> str:
        return f"{self.unit} · {self.campaign}"

    @property
    def has_document(self) -> bool:
        return bool(self.document)


class PlanCount(models.Model):
    """Grassroots unions below `unit` (active, in the current tree) with a plan for
    `campaign`. Kept for every unit above a grassroots union that has a plan; a missing row
    reads as 0."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="+")
    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="+")
    with_plan = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["campaign", "unit"], name="plancount_unique")
        ]

    def __str__(self) -> str:
        return f"{self.unit_id}/{self.campaign_id}: {self.with_plan}"


class GrassrootsCount(models.Model):
    """Active grassroots unions below `unit` in the current tree (the unit itself not
    counted). Kept for every unit above a grassroots union; a missing row reads as 0."""

    unit = models.OneToOneField(Unit, on_delete=models.CASCADE, related_name="+")
    active = models.IntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.unit_id}: {self.active}"


class CoverageStamp(models.Model):
    """One row: the state of the unit tree the counters were last counted for (the highest
    unit id and reorganisation event id). Any tree change moves one of them."""

    tree_key = models.CharField(max_length=64, blank=True)
    counted_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return self.tree_key
