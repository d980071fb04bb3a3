"""Teams on a unit: steering committees (ban chỉ đạo) and support teams (tổ hỗ trợ sáng kiến).

A team belongs to one unit and has members (users, each with an optional title inside the
team: trưởng ban, tổ trưởng, thành viên…). A support team also lists the units it serves,
all inside its own unit's subtree; its members enter initiatives on members' behalf for
exactly those units (sangkien.initiatives.permissions.can_enter_for)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from sangkien.orgs.models import Unit


class TeamKind(models.TextChoices):
    STEERING = "steering", _("Steering committee")
    SUPPORT = "support", _("Support team")


class TeamQuerySet(models.QuerySet["Team"]):
    def of_unit(self, unit: Unit) -> TeamQuerySet:
        return self.filter(unit=unit)

    def support(self) -> TeamQuerySet:
        return self.filter(kind=TeamKind.SUPPORT)


class Team(models.Model):
    unit = models.ForeignKey(
        Unit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="teams"
    )
    kind = models.CharField(_("kind"), max_length=16, choices=TeamKind.choices)
    name = models.CharField(_("name"), max_length=255)
    description = models.TextField(_("description"), blank=True)
    served_units = models.ManyToManyField(
        Unit,
        through="ServedUnit",
        verbose_name=_("units served"),
        related_name="served_by_teams",
        blank=True,
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=1)

    objects = TeamQuerySet.as_manager()

    class Meta:
        verbose_name = _("team")
        verbose_name_plural = _("teams")
        ordering = ["unit_id", "kind", "name", "id"]
        indexes = [models.Index(fields=["unit", "kind", "name"], name="team_unit_kind_name")]

    def __str__(self) -> str:
        return self.name

    @property
    def is_support(self) -> bool:
        return self.kind == TeamKind.SUPPORT


class TeamMember(models.Model):
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="members")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="team_memberships",
    )
    title = models.CharField(_("title in the team"), max_length=100, blank=True)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("team member")
        verbose_name_plural = _("team members")
        ordering = ["team_id", "id"]
        constraints = [models.UniqueConstraint(fields=["team", "user"], name="team_member_unique")]

    def __str__(self) -> str:
        return f"{self.user} · {self.team}"


class ServedUnit(models.Model):
    """A unit a support team serves (đơn vị được hỗ trợ)."""

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="served")
    unit = models.ForeignKey(
        Unit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+"
    )
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("unit served")
        verbose_name_plural = _("units served")
        ordering = ["team_id", "id"]
        constraints = [models.UniqueConstraint(fields=["team", "unit"], name="served_unit_unique")]

    def __str__(self) -> str:
        return f"{self.team} → {self.unit}"
