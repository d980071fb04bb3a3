"""The unit tree (with its dated history of reorganisations) and the members.

The tree is a materialised path: each unit's `path` is the concatenation of the fixed-width
base-36 ids of its ancestors and itself, stored with binary collation. A subtree is one
index range scan (`path >= P and path < P + "~"`) on SQLite and PostgreSQL alike, ancestors
are read off the path, and a move rewrites the paths of the subtree in one UPDATE.

Nothing is deleted. A merged, split or dissolved unit stays with its status, the date it
closed and `successor`, the unit that answers for its records now. `UnitVersion` keeps the
tree as it stood on every date (parent, name, kind); `UnitEvent` says what happened.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any, TypeVar

from django.conf import settings
from django.db import connection, models
from django.db.models import Q
from django.db.models.functions import Substr
from django.utils.translation import gettext_lazy as _

from sangkien.core.fields import BinaryCharField
from sangkien.formats import short_date
from sangkien.text import fold

T = TypeVar("T")


def _same(value: Any) -> Any:
    return value


SEGMENT = 6  # base-36 characters per level: ids up to 2,176,782,335
_DIGITS = "0123456789abcdefghijklmnopqrstuvwxyz"
PATH_END = "~"  # sorts after every base-36 digit
# From this many members below a unit, member lists walk the name-order index (see in_subtree).
BIG_SUBTREE_MEMBERS = 20_000


def encode_segment(pk: int) -> str:
    if pk < 0:
        raise ValueError("ids are positive")
    out = ""
    n = pk
    while n:
        n, r = divmod(n, 36)
        out = _DIGITS[r] + out
    out = out or "0"
    if len(out) > SEGMENT:
        raise ValueError(f"id {pk} does not fit a path segment")
    return out.rjust(SEGMENT, "0")


def decode_path(path: str) -> list[int]:
    return [int(path[i : i + SEGMENT], 36) for i in range(0, len(path), SEGMENT)]


class UnitKind(models.TextChoices):
    NATIONAL = "national", _("National confederation")
    PROVINCIAL = "provincial", _("Provincial federation")
    SECTORAL = "sectoral", _("Sectoral union")
    UPPER = "upper", _("Upper-level union")
    GRASSROOTS = "grassroots", _("Grassroots union")
    GROUP = "group", _("Union group")


class UnitStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    MERGED = "merged", _("Merged")
    SPLIT = "split", _("Split")
    DISSOLVED = "dissolved", _("Dissolved")


class UnitQuerySet(models.QuerySet["Unit"]):
    def active(self) -> UnitQuerySet:
        return self.filter(status=UnitStatus.ACTIVE)

    def in_subtree(self, unit: Unit, *, include_self: bool = True) -> UnitQuerySet:
        qs = self.filter(path__gte=unit.path, path__lt=unit.path + PATH_END)
        return qs if include_self else qs.exclude(pk=unit.pk)

    def in_subtrees(self, paths: list[str]) -> UnitQuerySet:
        """Units under any of the given paths (an empty list gives nothing)."""
        return self.filter(subtrees_q(paths))

    def grassroots(self) -> UnitQuerySet:
        return self.filter(kind=UnitKind.GRASSROOTS)

    def in_order(self) -> UnitQuerySet:
        """By sort key. (Not `ordered`: that is QuerySet's own property, read by `first()`.)"""
        return self.order_by("sort_key", "id")


def subtrees_q(paths: list[str], field: str = "path") -> Q:
    """A filter for rows whose `field` lies under any of `paths`."""
    q = Q(pk__in=[])
    for p in paths:
        q |= Q(**{f"{field}__gte": p, f"{field}__lt": p + PATH_END})
    return q


class Unit(models.Model):
    code = models.CharField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=255)
    short_name = models.CharField(_("short name"), max_length=100, blank=True)
    kind = models.CharField(_("kind"), max_length=16, choices=UnitKind.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    path = BinaryCharField(_("path"), max_length=252, unique=True)
    depth = models.PositiveSmallIntegerField(_("level"), default=0)
    status = models.CharField(
        _("status"), max_length=16, choices=UnitStatus.choices, default=UnitStatus.ACTIVE
    )
    successor = models.ForeignKey(
        "self",
        verbose_name=_("answered for by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="predecessors",
    )
    founded_on = models.DateField(_("founded on"), null=True, blank=True)
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    address = models.CharField(_("address"), max_length=255, blank=True)
    name_folded = models.CharField(max_length=255, db_index=True, editable=False)
    sort_key = BinaryCharField(max_length=252, editable=False)
    # Active members in this unit and every unit below it; kept by the services.
    members_total = models.PositiveIntegerField(_("members"), default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=1)

    objects = UnitQuerySet.as_manager()

    class Meta:
        verbose_name = _("unit")
        verbose_name_plural = _("units")
        indexes = [
            models.Index(fields=["parent", "sort_key", "id"], name="unit_children_order"),
            models.Index(fields=["kind", "depth"], name="unit_kind_depth"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_active(self) -> bool:
        return self.status == UnitStatus.ACTIVE

    @property
    def ancestor_ids(self) -> list[int]:
        """Ids from the root down to the parent."""
        return decode_path(self.path)[:-1]

    def ancestors(self) -> UnitQuerySet:
        return Unit.objects.filter(pk__in=self.ancestor_ids).order_by("depth")

    def is_descendant_of(self, other: Unit, *, include_self: bool = True) -> bool:
        if self.pk == other.pk:
            return include_self
        return self.path.startswith(other.path)

    def answering_unit(self) -> Unit:
        """The unit that answers for this unit's records today (follows merges)."""
        return last_successor(
            self, lambda u: u.successor if u.successor_id is not None else None, key=_pk
        )


def _pk(unit: Unit) -> int:
    return unit.pk


def last_successor(
    start: T, successor: Callable[[T], T | None], key: Callable[[T], Any] = _same
) -> T:
    """Where a chain of successors ends (a merged unit's records answer to its successor,
    which may itself have been merged): `successor(node)` gives the next node or None; a
    node met twice ends the walk. The one walk the tree page, the aggregates and the dated
    figures share."""
    seen = {key(start)}
    node = start
    while (following := successor(node)) is not None and key(following) not in seen:
        seen.add(key(following))
        node = following
    return node


class UnitVersion(models.Model):
    """How a unit stood between two dates: parent, name, kind. `valid_to` is exclusive."""

    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="versions")
    parent = models.ForeignKey(
        Unit, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    name = models.CharField(_("name"), max_length=255)
    short_name = models.CharField(_("short name"), max_length=100, blank=True)
    kind = models.CharField(_("kind"), max_length=16, choices=UnitKind.choices)
    valid_from = models.DateField(_("from"))
    valid_to = models.DateField(_("until"), null=True, blank=True)
    event = models.ForeignKey(
        "UnitEvent", null=True, blank=True, on_delete=models.PROTECT, related_name="versions"
    )

    class Meta:
        verbose_name = _("unit version")
        verbose_name_plural = _("unit versions")
        indexes = [models.Index(fields=["unit", "valid_from"], name="unitversion_unit_from")]
        ordering = ["unit_id", "valid_from", "id"]

    def __str__(self) -> str:
        return f"{self.name} ({short_date(self.valid_from)}–)"

    def covers(self, day: dt.date) -> bool:
        return self.valid_from <= day and (self.valid_to is None or day < self.valid_to)


class UnitEventKind(models.TextChoices):
    CREATED = "created", _("Created")
    RENAMED = "renamed", _("Renamed")
    MOVED = "moved", _("Moved")
    MERGED = "merged", _("Merged")
    SPLIT = "split", _("Split")
    DISSOLVED = "dissolved", _("Dissolved")


class UnitEvent(models.Model):
    """One reorganisation step, dated, with the units it touched."""

    kind = models.CharField(_("kind"), max_length=16, choices=UnitEventKind.choices)
    effective_on = models.DateField(_("effective on"))
    units = models.ManyToManyField(Unit, related_name="events", verbose_name=_("units"))
    details = models.JSONField(_("details"), default=dict)
    note = models.TextField(_("note"), blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("reorganisation")
        verbose_name_plural = _("reorganisations")
        ordering = ["-effective_on", "-id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {short_date(self.effective_on)}"


class Gender(models.TextChoices):
    MALE = "male", _("Male")
    FEMALE = "female", _("Female")
    OTHER = "other", _("Other")


class MemberQuerySet(models.QuerySet["Member"]):
    def in_subtree(self, unit: Unit) -> MemberQuerySet:
        """Members of `unit` and every unit below it.

        For a small subtree the path range on units leads (a few units, then their members).
        For a subtree holding a large share of all members (a province, the nation), the
        database should instead walk the members in list order and keep those under the unit,
        stopping after one page. PostgreSQL's planner finds that plan by itself; SQLite's does
        not, and is steered to it by a prefix test it cannot serve from the path index, so a
        page costs the same at 300,000 members."""
        if unit.members_total >= BIG_SUBTREE_MEMBERS and connection.vendor == "sqlite":
            return self.alias(_unit_prefix=Substr("unit__path", 1, len(unit.path))).filter(
                _unit_prefix=unit.path
            )
        return self.filter(unit__path__gte=unit.path, unit__path__lt=unit.path + PATH_END)

    def in_subtrees(self, paths: list[str]) -> MemberQuerySet:
        return self.filter(subtrees_q(paths, "unit__path"))

    def current(self) -> MemberQuerySet:
        return self.filter(left_on__isnull=True)

    def in_order(self) -> MemberQuerySet:
        """By sort key. (Not `ordered`: that is QuerySet's own property, read by `first()`.)"""
        return self.order_by("sort_key", "id")

    def matching(self, q: str) -> MemberQuerySet:
        """Members whose folded name holds every word of `q`, or whose code is `q`."""
        words = fold(q).split()
        if not words:
            return self
        cond = Q()
        for word in words:
            cond &= Q(name_folded__contains=word)
        return self.filter(cond | Q(code=q.strip().upper()))

    def listed(self, unit: Unit, *, q: str = "", former: bool = False) -> MemberQuerySet:
        """The member list of `unit`'s subtree as its page shows it (and exports it): the
        current members, or the former ones, matching `q`."""
        qs = self.in_subtree(unit).select_related("unit")
        qs = qs.exclude(left_on__isnull=True) if former else qs.current()
        return qs.matching(q)


class Member(models.Model):
    """A union member (đoàn viên) of a grassroots unit."""

    code = models.CharField(_("member code"), max_length=32, unique=True)
    full_name = models.CharField(_("full name"), max_length=255)
    birth_date = models.DateField(_("date of birth"), null=True, blank=True)
    gender = models.CharField(_("gender"), max_length=8, choices=Gender.choices, blank=True)
    position = models.CharField(_("position / job"), max_length=255, blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    email = models.EmailField(_("email"), blank=True)
    unit = models.ForeignKey(
        Unit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="members"
    )
    joined_on = models.DateField(_("member since"), null=True, blank=True)
    left_on = models.DateField(_("left on"), null=True, blank=True)
    name_folded = models.CharField(max_length=255, db_index=True, editable=False)
    sort_key = BinaryCharField(max_length=252, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=1)

    objects = MemberQuerySet.as_manager()

    class Meta:
        verbose_name = _("member")
        verbose_name_plural = _("members")
        indexes = [
            models.Index(fields=["unit", "sort_key", "id"], name="member_unit_order"),
            models.Index(fields=["sort_key", "id"], name="member_order"),
        ]

    def __str__(self) -> str:
        return self.full_name

    @property
    def is_current(self) -> bool:
        return self.left_on is None


class Membership(models.Model):
    """A member's time in one unit; moving between units closes one and opens the next."""

    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="memberships")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="memberships")
    started_on = models.DateField(_("from"))
    ended_on = models.DateField(_("until"), null=True, blank=True)
    reason = models.CharField(_("reason"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        ordering = ["member_id", "started_on", "id"]
        indexes = [models.Index(fields=["unit", "started_on"], name="membership_unit_from")]

    def __str__(self) -> str:
        return f"{self.member_id} @ {self.unit_id} {short_date(self.started_on)}"
