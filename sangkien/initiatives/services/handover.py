"""Reorganisations: the open work of a unit that closes goes to the unit that answers for it."""

from __future__ import annotations

from typing import Any

from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from sangkien.core import audit
from sangkien.core.errors import ValidationError
from sangkien.orgs.models import Unit
from sangkien.stats import engine as stats_engine

from ..models import (
    Action,
    Author,
    HistoryEntry,
    Initiative,
    InitiativeQuerySet,
    Status,
)
from .common import (
    ENTRY_UNIT_KINDS,
    _user,
)

# -- reorganisations -------------------------------------------------------------------------

# The work a closed unit hands to the unit that answers for it: everything not yet decided.
OPEN_WORK = frozenset({Status.DRAFT, Status.SUBMITTED, Status.RETURNED})


def open_work_of(unit: Unit) -> InitiativeQuerySet:
    """The initiatives a reorganisation that closes `unit` hands over (its own, not those of
    the units below it, which move with their units)."""
    return Initiative.objects.filter(unit=unit, status__in=OPEN_WORK)


def check_successor_takes_work(unit: Unit, successor: Unit, field: str) -> None:
    """Refuse, before anything is written, a reorganisation that would hand `unit`'s open
    initiatives to a unit that cannot hold initiatives."""
    check_campaigns_cover(unit, successor.path, field, subtree=False)
    if successor.kind in ENTRY_UNIT_KINDS or not open_work_of(unit).exists():
        return
    raise ValidationError(
        {
            field: _(
                "%(unit)s has initiatives not yet decided; they go to %(successor)s, which is "
                "not a grassroots union or a union group. Choose one that is."
            )
            % {"unit": unit.code, "successor": successor.code}
        }
    )


def check_campaigns_cover(unit: Unit, new_path: str, field: str, *, subtree: bool) -> None:
    """Refuse, before anything is written, a reorganisation after which open initiatives
    would stand outside their campaign: those of `unit` (with `subtree`, of every unit below
    it too, which move with it) once `unit`'s records answer at `new_path` (the successor's
    path, or the unit's own path under its new parent)."""
    work = Initiative.objects.filter(status__in=OPEN_WORK)
    work = work.filter(unit__path__startswith=unit.path) if subtree else work.filter(unit=unit)
    stranded = sorted(
        {
            code
            for code, owner_path in work.values_list(
                "campaign__code", "campaign__owner__path"
            ).distinct()
            # A campaign owned inside the moving subtree moves with it.
            if not new_path.startswith(owner_path)
            and not (subtree and owner_path.startswith(unit.path))
        }
    )
    if stranded:
        raise ValidationError(
            {
                field: _(
                    "%(unit)s has initiatives not yet decided in %(campaigns)s, which would "
                    "then stand outside the campaign. Decide or withdraw them first, or "
                    "choose a unit the campaign covers."
                )
                % {"unit": unit.code, "campaigns": ", ".join(stranded)}
            }
        )


def hand_over_open_work(unit: Unit, successor: Unit, *, by: Any, note: str = "") -> int:
    """Move the open initiatives (drafts, under review, returned) of `unit`, which a
    reorganisation closes, to `successor`, the unit that answers for it now: its officers
    and reviewers see and decide them, and a returned one is resubmitted there. Each gets a
    history row saying where it came from and when; the figures stay where they are on the
    current tree, and the tree as it stood keeps them under `unit` until that day. Decided
    and withdrawn initiatives stay under the unit they were decided under. Runs inside the
    reorganisation's transaction; returns how many moved."""
    return _hand_over(list(open_work_of(unit).select_for_update()), unit, successor, by, note)


def _hand_over(
    initiatives: list[Initiative], unit: Unit, successor: Unit, by: Any, note: str
) -> int:
    if not initiatives:
        return 0
    now = timezone.now()
    pks = [i.pk for i in initiatives]
    members: dict[int, list[int]] = {pk: [] for pk in pks}
    for initiative_id, member_id in Author.objects.filter(
        initiative_id__in=pks, member__isnull=False
    ).values_list("initiative_id", "member_id"):
        members[initiative_id].append(member_id)
    entries = []
    items: dict[int, list[tuple[int | None, stats_engine.State]]] = {}
    for initiative in initiatives:
        authors = sorted(set(members[initiative.pk]))
        valid = initiative.benefit_valid_vnd if initiative.status == Status.VALID else None
        entries.append(
            HistoryEntry(
                initiative=initiative,
                action=Action.MOVED,
                from_status=initiative.status,
                to_status=initiative.status,
                actor=_user(by),
                at=now,
                note=note,
                benefit_valid_vnd=valid,
                benefit_claimed_vnd=initiative.benefit_claimed_vnd,
                members=authors,
                moved_from=unit,
            )
        )
        if initiative.submitted_at is not None:
            state = stats_engine.next_state(
                stats_engine.NOTHING,
                initiative.status,
                initiative.benefit_claimed_vnd,
                valid,
                authors,
            )
            items.setdefault(initiative.campaign_id, []).append((initiative.phase_id, state))
    HistoryEntry.objects.bulk_create(entries, batch_size=500)
    Initiative.objects.filter(pk__in=pks).update(
        unit=successor, version=F("version") + 1, updated_at=now
    )
    day = timezone.localdate(now)
    for campaign_id, campaign_items in sorted(items.items()):
        stats_engine.hand_over(campaign_id, unit.pk, successor.pk, day, campaign_items)
    audit.record(
        actor=by,
        action="initiative.moved",
        obj=unit,
        before={"unit": unit.code, "initiatives": pks},
        after={"unit": successor.code},
        note=note,
    )
    return len(pks)
