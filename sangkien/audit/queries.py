"""Reading the audit log: the kinds of object it records, the filters of the page and the
API, and an entry as people read it (what changed, personal values hidden as the reader
must see them)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sangkien.core import audit
from sangkien.core.audit import PERSONAL_DATA_READ
from sangkien.core.models import AuditEntry

from .permissions import actor_q, shown_states

# kind -> (object type recorded, label). "personal_data" is the reading of members'
# personal data (any object type, one action).
KINDS: dict[str, tuple[str, Any]] = {
    "initiative": ("initiatives.initiative", _("Initiatives")),
    "quota": ("quotas.quota", _("Quotas")),
    "unit": ("orgs.unit", _("Units")),
    "member": ("orgs.member", _("Members")),
    "grant": ("accounts.rolegrant", _("Roles")),
    "user": ("accounts.user", _("Accounts")),
    "invitation": ("accounts.invitation", _("Sign-up codes")),
    "token": ("accounts.apitoken", _("API tokens")),
    "plan": ("plans.plan", _("Implementation plans")),
    "team": ("teams.team", _("Teams")),
    "campaign": ("campaigns.campaign", _("Campaigns")),
    "snapshot": ("stats.snapshot", _("Snapshots")),
    "cluster": ("stats.cluster", _("Emulation clusters")),
    "import": ("imports.file", _("Imported files")),
    "personal_data": ("", _("Reading of personal data")),
}
# Where personal data was read (`core.audit.record_personal_data_read`).
THROUGH: dict[str, Any] = {
    audit.THROUGH_PAGE: _("the member's page"),
    audit.THROUGH_API: _("the API"),
    audit.THROUGH_EXPORT: _("an export of members"),
}
KIND_OF_TYPE = {object_type: kind for kind, (object_type, _label) in KINDS.items() if object_type}


def kind_of(entry: AuditEntry) -> str:
    if entry.action == PERSONAL_DATA_READ:
        return "personal_data"
    return KIND_OF_TYPE.get(entry.object_type, entry.object_type)


def kind_label(kind: str) -> str:
    return str(KINDS[kind][1]) if kind in KINDS else kind


@dataclass
class AuditFilter:
    kind: str = ""
    object_id: str = ""
    who: str = ""
    date_from: dt.date | None = None
    date_to: dt.date | None = None

    def apply(self, qs: QuerySet[AuditEntry]) -> QuerySet[AuditEntry]:
        if self.kind == "personal_data":
            qs = qs.filter(action=PERSONAL_DATA_READ)
        elif self.kind:
            qs = qs.filter(object_type=KINDS[self.kind][0]).exclude(action=PERSONAL_DATA_READ)
        if self.object_id:
            qs = qs.filter(object_id=self.object_id)
        if self.who:
            qs = qs.filter(actor_q(self.who))
        if self.date_from:
            qs = qs.filter(at__gte=_start_of(self.date_from))
        if self.date_to:
            qs = qs.filter(at__lt=_start_of(self.date_to + dt.timedelta(days=1)))
        return qs


def _start_of(day: dt.date) -> dt.datetime:
    """Midnight of a local day (the dates people type are local)."""
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


ORDER = ("-at", "-id")


def newest_first(qs: QuerySet[AuditEntry]) -> QuerySet[AuditEntry]:
    return qs.select_related("actor", "unit").order_by(*ORDER)


@dataclass
class Change:
    field: str
    before: Any
    after: Any


@dataclass
class ShownEntry:
    """An entry as the reader may read it."""

    entry: AuditEntry
    kind: str
    kind_label: str
    before: Any
    after: Any
    personal_visible: bool

    @property
    def through(self) -> str:
        """For a reading of personal data: through which page."""
        where = str(self.after.get("through") or "") if isinstance(self.after, dict) else ""
        return str(THROUGH.get(where, where))

    @property
    def changes(self) -> list[Change]:
        # Which fields changed is read off the recorded states; their values as shown.
        raw_before = self.entry.before if isinstance(self.entry.before, dict) else {}
        raw_after = self.entry.after if isinstance(self.entry.after, dict) else {}
        before = self.before if isinstance(self.before, dict) else {}
        after = self.after if isinstance(self.after, dict) else {}
        keys = list(raw_before) + [k for k in raw_after if k not in raw_before]
        return [
            Change(k, before.get(k), after.get(k))
            for k in keys
            if k not in raw_before or k not in raw_after or raw_before[k] != raw_after[k]
        ]


def shown(user: Any, entries: list[AuditEntry]) -> list[ShownEntry]:
    out = []
    for entry in entries:
        before, after, visible = shown_states(user, entry)
        kind = kind_of(entry)
        out.append(ShownEntry(entry, kind, kind_label(kind), before, after, visible))
    return out


def who_label(entry: AuditEntry) -> str:
    if entry.actor is None:
        return ""
    name = entry.actor.get_full_name()
    return f"{name} ({entry.actor.username})" if name else entry.actor.username


def changes_text(item: ShownEntry) -> str:
    """What changed, one `field: before → after` per line (for the export)."""
    lines = []
    for c in item.changes:
        if item.before is None:
            lines.append(f"{c.field}: {_plain(c.after)}")
        elif item.after is None:
            lines.append(f"{c.field}: {_plain(c.before)}")
        else:
            lines.append(f"{c.field}: {_plain(c.before)} → {_plain(c.after)}")
    return "\n".join(lines)


def _plain(value: Any) -> str:
    if value is None:
        return "∅"
    return str(value)
