"""Initiatives (sáng kiến): the request form of Circular 18/2013 (Phụ lục I), their authors
with % contribution, attachments, and the history of every change of status.

An initiative belongs to the grassroots unit (or union group) it was entered under and
counts there and for every unit above it. Its status moves only through the services in
`services.py`, along the table `TRANSITIONS` below."""

from __future__ import annotations

from django.conf import settings
from django.db import connection, models
from django.db.models import Q
from django.db.models.functions import Substr
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from sangkien.campaigns.models import ApplicationField, Campaign, Phase
from sangkien.core import wording
from sangkien.core.paths import minimal_paths
from sangkien.formats import input_datetime
from sangkien.orgs.models import PATH_END, SEGMENT, Member, Unit, UnitKind, decode_path, subtrees_q


class Status(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Under review")
    RETURNED = "returned", _("Returned for changes")
    VALID = "valid", _("Valid")
    INVALID = "invalid", _("Invalid")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class Action(models.TextChoices):
    # "Created" alone is already a unit's founding ("Thành lập"); an initiative is written.
    CREATED = "created", pgettext_lazy("initiative history", "Created")
    EDITED = "edited", _("Edited")
    SUBMITTED = "submitted", _("Submitted")
    RESUBMITTED = "resubmitted", _("Resubmitted")
    VALIDATED = "validated", _("Validated")
    RETURNED = "returned", _("Returned")
    INVALIDATED = "invalidated", _("Declared invalid")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    REOPENED = "reopened", _("Reopened")
    # A reorganisation closed the unit: the open initiative now answers to its successor.
    MOVED = "moved", _("Moved by a reorganisation")


# (from, action) → to. Every status change goes through one of these and leaves a
# HistoryEntry; anything else is refused.
TRANSITIONS: dict[tuple[str, str], str] = {
    (Status.DRAFT, Action.SUBMITTED): Status.SUBMITTED,
    (Status.RETURNED, Action.RESUBMITTED): Status.SUBMITTED,
    (Status.SUBMITTED, Action.VALIDATED): Status.VALID,
    (Status.SUBMITTED, Action.RETURNED): Status.RETURNED,
    (Status.SUBMITTED, Action.INVALIDATED): Status.INVALID,
    (Status.DRAFT, Action.WITHDRAWN): Status.WITHDRAWN,
    (Status.SUBMITTED, Action.WITHDRAWN): Status.WITHDRAWN,
    (Status.RETURNED, Action.WITHDRAWN): Status.WITHDRAWN,
    (Status.VALID, Action.REOPENED): Status.SUBMITTED,
    (Status.INVALID, Action.REOPENED): Status.SUBMITTED,
    (Status.RETURNED, Action.REOPENED): Status.SUBMITTED,
}
EDITABLE = frozenset({Status.DRAFT, Status.RETURNED})
DECIDED = frozenset({Status.VALID, Status.INVALID, Status.RETURNED})
# Statuses an officer's review queue lists (drafts stay private to whoever is writing them).
IN_QUEUE = frozenset(
    {Status.SUBMITTED, Status.RETURNED, Status.VALID, Status.INVALID, Status.WITHDRAWN}
)


# On SQLite, a subtree holding at least this share of all members is listed by walking the
# initiatives newest first rather than gathering and sorting them (see in_subtree).
BIG_SUBTREE_SHARE = 0.005
# Kinds of unit that usually have nothing below them.
LEAF_KINDS = frozenset({UnitKind.GRASSROOTS, UnitKind.GROUP})


def _members_everywhere(paths: list[str]) -> int:
    """Members of the whole tree(s) the paths lie in (their roots' totals)."""
    roots = {decode_path(p[:SEGMENT])[0] for p in paths if p}
    totals = Unit.objects.filter(pk__in=roots).values_list("members_total", flat=True)
    return sum(totals)


def _is_big(members: int, paths: list[str]) -> bool:
    everywhere = _members_everywhere(paths)
    return everywhere > 0 and members >= BIG_SUBTREE_SHARE * everywhere


def _prefix_filter(qs: InitiativeQuerySet, paths: list[str]) -> InitiativeQuerySet:
    """Rows whose unit path starts with one of `paths`, written so that SQLite cannot serve
    it from the path index: it then walks the initiatives in list order instead."""
    lengths = {len(p) for p in paths}
    qs = qs.alias(**{f"_unit_prefix_{n}": Substr("unit__path", 1, n) for n in lengths})
    q = Q(pk__in=[])
    for p in paths:
        q |= Q(**{f"_unit_prefix_{len(p)}": p})
    return qs.filter(q)


class InitiativeQuerySet(models.QuerySet["Initiative"]):
    def in_subtree(self, unit: Unit) -> InitiativeQuerySet:
        """Initiatives of `unit` and every unit below it.

        Lists read them newest first, a page at a time, and one of three plans serves each
        subtree well:
        - a unit with nothing below it (most grassroots unions): its own rows, read off the
          (unit, id) index already in order, so a page costs the same whatever its size;
        - a small subtree: its units by the path range, then their initiatives, sorted;
        - a subtree holding a large share of all initiatives (a province, the nation): walk
          the initiatives newest first (by id, or by (status, id) under a status filter) and
          keep those below the unit, stopping after a page.
        PostgreSQL's planner chooses between the last two by itself; SQLite's would gather
        and sort the whole subtree, and is steered to the walk by a prefix test it cannot
        serve from the path index (as `MemberQuerySet.in_subtree` does)."""
        if unit.kind in LEAF_KINDS and not Unit.objects.filter(parent=unit).exists():
            return self.filter(unit=unit)
        if connection.vendor == "sqlite" and _is_big(unit.members_total, [unit.path]):
            return _prefix_filter(self, [unit.path])
        return self.filter(unit__path__gte=unit.path, unit__path__lt=unit.path + PATH_END)

    def in_subtrees(self, paths: list[str]) -> InitiativeQuerySet:
        """Initiatives under any of `paths` (an empty list gives nothing); planned as in
        `in_subtree`."""
        paths = minimal_paths(paths)
        if "" in paths:
            return self.all()
        if connection.vendor == "sqlite" and paths:
            members = sum(
                Unit.objects.filter(path__in=paths).values_list("members_total", flat=True)
            )
            if _is_big(members, paths):
                return _prefix_filter(self, paths)
        return self.filter(subtrees_q(paths, "unit__path"))

    def submitted(self) -> InitiativeQuerySet:
        """Submitted at least once and not withdrawn (what the campaign counts)."""
        return self.filter(submitted_at__isnull=False).exclude(status=Status.WITHDRAWN)

    def in_queue(self) -> InitiativeQuerySet:
        """Submitted at least once, in any status since: drafts, and drafts withdrawn before
        they were ever submitted, stay private to whoever wrote them."""
        return self.filter(submitted_at__isnull=False)

    def valid(self) -> InitiativeQuerySet:
        return self.filter(status=Status.VALID)

    def pending(self) -> InitiativeQuerySet:
        return self.filter(status=Status.SUBMITTED)

    def authored_by(self, member: Member) -> InitiativeQuerySet:
        return self.filter(authors__member=member)


class Initiative(models.Model):
    campaign = models.ForeignKey(
        Campaign, verbose_name=_("campaign"), on_delete=models.PROTECT, related_name="initiatives"
    )
    unit = models.ForeignKey(
        Unit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="initiatives"
    )
    phase = models.ForeignKey(
        Phase,
        verbose_name=_("phase"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="initiatives",
    )
    title = models.CharField(_("title"), max_length=500)
    title_folded = models.CharField(max_length=500, editable=False, default="")
    field = models.ForeignKey(
        ApplicationField,
        verbose_name=_("field of application"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="initiatives",
    )
    problem = models.TextField(_("problem solved"), blank=True)
    description = models.TextField(_("description"), blank=True)
    conditions = models.TextField(_("conditions for applying"), blank=True)
    first_applied_on = models.DateField(_("first applied on"), null=True, blank=True)
    benefit_claimed_vnd = models.BigIntegerField(_("claimed benefit (VND)"), default=0)
    benefit_method = models.TextField(_("how the benefit was computed"), blank=True)
    benefit_valid_vnd = models.BigIntegerField(_("validated benefit (VND)"), null=True, blank=True)
    confidential = models.TextField(_("confidential information"), blank=True)
    investor = models.CharField(_("investor (if not the author)"), max_length=255, blank=True)
    first_application_people = models.TextField(_("people in the first application"), blank=True)
    recognition_body = models.CharField(_("recognised by"), max_length=255, blank=True)
    recognition_number = models.CharField(
        _("recognition decision number"), max_length=64, blank=True
    )
    recognition_date = models.DateField(_("recognition date"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.DRAFT
    )
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("entered by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="initiatives_entered",
    )
    # Entered by someone who is not one of the authors (a support team, an officer).
    on_behalf = models.BooleanField(_("entered on behalf"), default=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    # The first submission; a resubmission after a return keeps it (statistics count from it).
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decision_reason = models.TextField(_("reason"), blank=True)
    version = models.PositiveIntegerField(default=1)

    objects = InitiativeQuerySet.as_manager()

    class Meta:
        verbose_name = _("initiative")
        verbose_name_plural = _("initiatives")
        indexes = [
            # Lists newest first (see InitiativeQuerySet.in_subtree): one unit's rows in id
            # order; and every row (or every row of a status) in id order with what the
            # subtree and queue tests need, so a walk reads narrow index entries, not rows.
            models.Index(fields=["unit", "id"], name="initiative_unit_queue"),
            models.Index(fields=["id", "unit", "submitted_at"], name="initiative_walk"),
            models.Index(
                fields=["status", "id", "unit", "submitted_at"], name="initiative_status_walk"
            ),
            models.Index(fields=["campaign", "status"], name="initiative_campaign_status"),
            models.Index(fields=["entered_by", "id"], name="initiative_entered_by"),
            # The duplicate-title check on submission.
            models.Index(fields=["unit", "title_folded"], name="initiative_unit_title"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(benefit_claimed_vnd__gte=0), name="initiative_benefit_claimed_gte0"
            ),
            models.CheckConstraint(
                condition=Q(benefit_valid_vnd__isnull=True) | Q(benefit_valid_vnd__gte=0),
                name="initiative_benefit_valid_gte0",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def reference(self) -> str:
        """The number people quote on the phone: SK-000123."""
        return f"SK-{self.pk:06d}"

    @property
    def is_editable(self) -> bool:
        return self.status in EDITABLE

    def can_move(self, action: str) -> bool:
        return (self.status, action) in TRANSITIONS


class Author(models.Model):
    """An author (tác giả) with their % contribution: a member in the system, or a person
    named outside it. The name is kept for both, so the record reads the same after a
    member leaves."""

    initiative = models.ForeignKey(Initiative, on_delete=models.CASCADE, related_name="authors")
    member = models.ForeignKey(
        Member,
        verbose_name=_("member"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="authorships",
    )
    name = models.CharField(_("full name"), max_length=255)
    share = models.DecimalField(_("contribution (%)"), max_digits=5, decimal_places=2)
    birth_date = models.DateField(_("date of birth"), null=True, blank=True)
    workplace = models.CharField(_("workplace"), max_length=255, blank=True)
    position = models.CharField(_("position"), max_length=255, blank=True)
    qualification = models.CharField(_("qualification"), max_length=255, blank=True)
    position_in_list = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("author")
        verbose_name_plural = _("authors")
        ordering = ["initiative_id", "position_in_list", "id"]
        indexes = [models.Index(fields=["member", "initiative"], name="author_member")]
        constraints = [
            models.UniqueConstraint(
                fields=["initiative", "member"],
                condition=Q(member__isnull=False),
                name="author_member_once",
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.share}%)"


class AttachmentKind(models.TextChoices):
    DOCUMENT = "document", _("Description, drawing or photo")
    EVIDENCE = "evidence", _("Recognition evidence")


def attachment_path(instance: Attachment, filename: str) -> str:
    # The stored name never uses the uploaded one (which may be anything); it is kept apart.
    return f"initiatives/{instance.initiative_id}/{instance.token}{instance.extension}"


class Attachment(models.Model):
    initiative = models.ForeignKey(Initiative, on_delete=models.CASCADE, related_name="attachments")
    kind = models.CharField(
        _("kind"), max_length=16, choices=AttachmentKind.choices, default=AttachmentKind.DOCUMENT
    )
    file = models.FileField(_("file"), upload_to=attachment_path, max_length=255)
    token = models.CharField(max_length=32, editable=False)
    extension = models.CharField(max_length=8, editable=False)
    original_name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField(_("size"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)
    removed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["initiative_id", "id"]

    def __str__(self) -> str:
        return self.original_name

    @property
    def is_image(self) -> bool:
        return self.content_type.startswith("image/")


class HistoryEntry(models.Model):
    """One change of an initiative: who, when, from which status to which, and why."""

    initiative = models.ForeignKey(Initiative, on_delete=models.CASCADE, related_name="history")
    action = models.CharField(_("action"), max_length=16, choices=Action.choices)
    from_status = models.CharField(_("from"), max_length=16, choices=Status.choices, blank=True)
    to_status = models.CharField(_("to"), max_length=16, choices=Status.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    at = models.DateTimeField(_("when"))
    note = models.TextField(_("note"), blank=True)
    # A note the product writes itself (an attachment, an import) is a phrase written out in
    # the reader's language (sangkien.core.wording); `note` then keeps it as it read when it
    # was written, what rows written before phrases existed show. A person's note (a reason)
    # has no code and reads as they typed it.
    note_code = models.CharField(max_length=64, blank=True, default="", db_default="")
    note_params = models.JSONField(default=dict, blank=True, db_default={})
    # On a validation: the benefit the officer accepted (the claimed one stays on the row).
    benefit_valid_vnd = models.BigIntegerField(null=True, blank=True)
    # On an edit: the names of the fields that changed.
    changed_fields = models.JSONField(default=list, blank=True)
    # What the statistics count, as it stood after this step: the claimed benefit and the
    # ids of the authors who are members. A figure "as of a date" reads the last entry on or
    # before that date, so a later edit never rewrites an earlier day (see stats.engine).
    benefit_claimed_vnd = models.BigIntegerField(null=True, blank=True)
    members = models.JSONField(default=list, blank=True)
    # On a move by a reorganisation: the unit the initiative stood under until this step
    # (it stands under `initiative.unit`, or the next move's `moved_from`, after it).
    moved_from = models.ForeignKey(
        Unit,
        verbose_name=_("moved from"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("history entry")
        verbose_name_plural = _("history entries")
        ordering = ["initiative_id", "at", "id"]
        indexes = [models.Index(fields=["initiative", "at", "id"], name="history_initiative_at")]

    def __str__(self) -> str:
        return f"{self.initiative_id} {self.action} {input_datetime(self.at)}"

    @property
    def note_text(self) -> str:
        """The note in the active language."""
        return wording.render(self.note_code, self.note_params, fallback=self.note)
