"""The aggregates every figure is read from, kept by `engine` in the same transaction as the
change that moves them, and proved by `recount` (`sangkien check-stats`).

- `TreeDay`: what changed on one day in the figures of a unit's whole subtree (the tree as
  it stands now, merged units counting for their successor), per campaign and phase key
  (0 = the whole campaign, otherwise a phase id). A figure as of a date is the sum of its
  rows up to that date; every count, distinct ones included, is kept this way.
- `TreeTotal`: the same summed over all days, read by primary key for "as of today".
- `TreeAsOf`: the same summed up to each day a `TreeDay` row exists (cumulative
  checkpoints), so a figure as of a past date is one read by key too.
- `QueueTotal`: the review queue's counts per status under a unit (see the class).
- `OwnDay`: the same additive counters for the initiatives of one unit only (not below it),
  by the phase they were submitted in; with `MemberSpan` they answer on the tree as it
  stood on a past date.
- `MemberSpan`: from which day to which day a member was an author of at least one counted
  initiative of one unit in one phase; `n` is how many, for the open span.

Snapshots and emulation clusters live here too: a snapshot freezes the figures of a date,
a cluster is a named group of units ranked against each other.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from sangkien.campaigns.models import Campaign, Phase
from sangkien.orgs.models import Member, Unit

# The additive counters, in the order rows and vectors use them.
COUNTERS = ("submitted", "valid", "invalid", "claimed", "benefit")
# Counters of whole subtrees: the additive ones and the two distinct counts.
TREE_COUNTERS = (*COUNTERS, "members", "units")


class _Counters(models.Model):
    submitted = models.IntegerField(default=0, db_default=0)
    valid = models.IntegerField(default=0, db_default=0)
    invalid = models.IntegerField(default=0, db_default=0)
    claimed = models.BigIntegerField(default=0, db_default=0)
    benefit = models.BigIntegerField(default=0, db_default=0)

    class Meta:
        abstract = True


class _TreeCounters(_Counters):
    members = models.IntegerField(default=0, db_default=0)
    units = models.IntegerField(default=0, db_default=0)

    class Meta:
        abstract = True


class TreeDay(_TreeCounters):
    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="+")
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="+")
    phase_key = models.IntegerField(default=0, db_default=0)
    day = models.DateField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "phase_key", "unit", "day"], name="treeday_key"
            )
        ]

    def __str__(self) -> str:
        return f"{self.unit_id}/{self.campaign_id}/{self.phase_key} {self.day}"


class TreeTotal(_TreeCounters):
    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="+")
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="+")
    phase_key = models.IntegerField(default=0, db_default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["campaign", "phase_key", "unit"], name="treetotal_key")
        ]

    def __str__(self) -> str:
        return f"{self.unit_id}/{self.campaign_id}/{self.phase_key}"


class TreeAsOf(_TreeCounters):
    """The subtree's figures as of the end of `day` (the `TreeDay` rows up to it summed), on
    each day a `TreeDay` row exists: a figure as of any past date is the latest of these
    rows on or before it, one read by key whatever the number of days (`checkpoints`)."""

    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="+")
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="+")
    phase_key = models.IntegerField(default=0, db_default=0)
    day = models.DateField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "phase_key", "unit", "day"], name="treeasof_key"
            )
        ]

    def __str__(self) -> str:
        return f"{self.unit_id}/{self.campaign_id}/{self.phase_key} ≤ {self.day}"


class OwnDay(_Counters):
    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="+")
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="+")
    phase_key = models.IntegerField(default=0, db_default=0)
    day = models.DateField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "phase_key", "unit", "day"], name="ownday_key"
            )
        ]

    def __str__(self) -> str:
        return f"{self.unit_id}/{self.campaign_id}/{self.phase_key} {self.day}"


class MemberSpan(models.Model):
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="+")
    phase_key = models.IntegerField(default=0, db_default=0)
    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="+")
    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="+")
    start = models.DateField()
    end = models.DateField(null=True, blank=True)
    n = models.IntegerField(default=0, db_default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "phase_key", "member", "unit"],
                condition=Q(end__isnull=True),
                name="memberspan_open",
            )
        ]
        indexes = [
            models.Index(fields=["member", "campaign"], name="memberspan_member"),
            models.Index(fields=["campaign", "unit", "start"], name="memberspan_unit"),
        ]

    def __str__(self) -> str:
        return f"{self.member_id}@{self.unit_id} {self.start}–{self.end or ''}"


class Cluster(models.Model):
    """An emulation cluster (cụm thi đua): units an officer groups to rank them together."""

    name = models.CharField(_("name"), max_length=255)
    owner = models.ForeignKey(
        Unit, verbose_name=_("defined by"), on_delete=models.PROTECT, related_name="clusters"
    )
    units = models.ManyToManyField(Unit, verbose_name=_("units"), related_name="in_clusters")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("emulation cluster")
        verbose_name_plural = _("emulation clusters")
        ordering = ["owner_id", "name", "id"]

    def __str__(self) -> str:
        return self.name


class Snapshot(models.Model):
    """The figures of one unit's subtree and its children for one date, frozen: written once,
    never changed (the services refuse, and there is no edit page)."""

    class Kind(models.TextChoices):
        PHASE = "phase", _("Phase review")
        FINAL = "final", _("Final review")
        OTHER = "other", _("Other")

    unit = models.ForeignKey(
        Unit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+"
    )
    campaign = models.ForeignKey(
        Campaign, verbose_name=_("campaign"), on_delete=models.PROTECT, related_name="+"
    )
    phase = models.ForeignKey(
        Phase,
        verbose_name=_("phase"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices, default=Kind.OTHER)
    title = models.CharField(_("title"), max_length=255)
    as_of = models.DateField(_("figures as of"))
    # The figures as `figures.as_dict` gives them: {"unit": {...}, "children": [{...}, ...]}.
    data = models.JSONField(default=dict)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("snapshot")
        verbose_name_plural = _("snapshots")
        ordering = ["-as_of", "-id"]
        indexes = [models.Index(fields=["unit", "campaign", "as_of"], name="snapshot_unit")]

    def __str__(self) -> str:
        return self.title

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None and Snapshot.objects.filter(pk=self.pk).exists():
            raise ValueError("A snapshot is never changed once taken.")
        super().save(*args, **kwargs)


class RankEntry(models.Model):
    """What one unit holds in `RankCount` for a campaign and phase key: its ranking groups
    (parent, depth; active units only) and its value of each ranked measure as of today, with
    its quota. Kept by `ranks.sync` in the transaction that moves any of them."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="+")
    phase_key = models.IntegerField(default=0, db_default=0)
    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="+")
    parent = models.IntegerField(default=0, db_default=0)  # 0: no parent (the root)
    depth = models.IntegerField(default=0, db_default=0)
    active = models.BooleanField(default=False, db_default=False)
    valid = models.IntegerField(default=0, db_default=0)
    members = models.IntegerField(default=0, db_default=0)
    benefit = models.BigIntegerField(default=0, db_default=0)
    # The quota as `quotas_for` gives it, and the quota percent in tenths
    # (`figures.percent` × 10); NULL without a quota.
    quota = models.IntegerField(null=True, blank=True)
    target = models.IntegerField(null=True, blank=True)
    quota_tenths = models.BigIntegerField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["campaign", "phase_key", "unit"], name="rankentry_key")
        ]

    def __str__(self) -> str:
        return f"{self.unit_id}/{self.campaign_id}/{self.phase_key}"


class RankCount(models.Model):
    """How many active units of one ranking group hold each value of one measure, so that a
    rank is 1 + the units above the value: for each (campaign, phase key, scope — siblings by
    parent id, level by depth, cluster by cluster id —, group, measure) three tiers of rows
    (`ranks.cells`): exact values under their 3-significant-digit bucket, those buckets under
    their 1-digit bucket, and the 1-digit buckets. Only values above 0 are kept (a 0 is above
    nobody)."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="+")
    phase_key = models.IntegerField(default=0, db_default=0)
    scope = models.SmallIntegerField()
    grp = models.IntegerField()
    measure = models.SmallIntegerField()
    tier = models.SmallIntegerField()
    bucket = models.BigIntegerField()
    value = models.BigIntegerField()
    units = models.IntegerField(default=0, db_default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=[
                    "campaign",
                    "phase_key",
                    "scope",
                    "grp",
                    "measure",
                    "tier",
                    "bucket",
                    "value",
                ],
                name="rankcount_key",
            )
        ]
        indexes = [
            # Covering: a rank is a range sum of `units` read off this index alone.
            models.Index(
                fields=[
                    "campaign", "phase_key", "scope", "grp", "measure", "tier", "bucket", "value",
                    "units",
                ],
                name="rankcount_sum",
            )
        ]  # fmt: skip

    def __str__(self) -> str:
        return f"{self.campaign_id}/{self.phase_key} {self.scope}:{self.grp} m{self.measure}"


# The review queue's statuses, in the order `QueueTotal` keeps them (an initiative is in the
# queue once it has been submitted: drafts are not, nor drafts withdrawn before submission).
QUEUE_COUNTERS = ("submitted", "returned", "valid", "invalid", "withdrawn")


class QueueTotal(models.Model):
    """How many initiatives of the review queue of one unit's subtree are in each status, per
    campaign and phase key (0 = the whole campaign). The subtree is the queue's own: the
    units below the unit's path as the tree stands, an initiative counting where it sits (a
    closed unit's decided work stays under the closed unit). Kept by `engine` with every
    change of status, by `recount.Reorganisation` when units move, checked by `recount`."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="+")
    phase_key = models.IntegerField(default=0, db_default=0)
    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="+")
    submitted = models.IntegerField(default=0, db_default=0)
    returned = models.IntegerField(default=0, db_default=0)
    valid = models.IntegerField(default=0, db_default=0)
    invalid = models.IntegerField(default=0, db_default=0)
    withdrawn = models.IntegerField(default=0, db_default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["unit", "campaign", "phase_key"], name="queuetotal_key")
        ]

    def __str__(self) -> str:
        return f"{self.unit_id}/{self.campaign_id}/{self.phase_key}"
