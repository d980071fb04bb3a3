"""Creating campaigns (national administrators and the officers of the owner unit; the
caller checks `permissions.can_manage_campaigns`)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from sangkien.core import audit
from sangkien.core.errors import ValidationError
from sangkien.formats import short_date
from sangkien.orgs.models import Unit
from sangkien.orgs.services import CODE_RE, normalise_code
from sangkien.text import clean_line, nfc

from .models import ApplicationField, Campaign, Phase

CAMPAIGN_FIELDS = ["code", "name", "owner", "starts_on", "ends_on", "requires_recognition"]


def _day(value: dt.date) -> str:
    return short_date(value)


def _clean_phases(
    phases: list[dict[str, Any]], starts_on: Any, ends_on: Any
) -> tuple[list[dict[str, Any]], dict[str, str]]:
    """Phases (name, starts_on, ends_on), in the order given, each inside the campaign's
    period and starting after the one before it ends. Errors are keyed `phases.N` (N from
    0), the message counting from 1 as people do."""
    errors: dict[str, str] = {}
    out: list[dict[str, Any]] = []
    previous_end: dt.date | None = None
    for i, phase in enumerate(phases):
        n = i + 1
        p_start, p_end = phase.get("starts_on"), phase.get("ends_on")
        name = clean_line(str(phase.get("name") or ""))
        out.append({"name": name, "starts_on": p_start, "ends_on": p_end})
        if not isinstance(p_start, dt.date) or not isinstance(p_end, dt.date):
            errors[f"phases.{i}"] = _("Enter the first and last day of phase %(n)s.") % {"n": n}
            continue
        if len(name) > 255:
            errors[f"phases.{i}"] = _("Keep this under %(n)s characters.") % {"n": 255}
        elif p_end < p_start:
            errors[f"phases.{i}"] = _("Phase %(n)s cannot end before it starts.") % {"n": n}
        elif (
            isinstance(starts_on, dt.date)
            and isinstance(ends_on, dt.date)
            and (p_start < starts_on or p_end > ends_on)
        ):
            errors[f"phases.{i}"] = _(
                "Phase %(n)s must lie inside the campaign's period (%(start)s to %(end)s)."
            ) % {"n": n, "start": _day(starts_on), "end": _day(ends_on)}
        elif previous_end is not None and p_start <= previous_end:
            errors[f"phases.{i}"] = _(
                "Phase %(n)s must start after the phase before it ends (%(end)s)."
            ) % {"n": n, "end": _day(previous_end)}
        previous_end = p_end if previous_end is None else max(previous_end, p_end)
    return out, errors


def _clean_fields(fields: list[tuple[str, str]]) -> tuple[list[tuple[str, str]], dict[str, str]]:
    """Fields of application as (code, name) pairs, each code used once."""
    errors: dict[str, str] = {}
    out: list[tuple[str, str]] = []
    seen: set[str] = set()
    for i, (code, name) in enumerate(fields):
        code = normalise_code(str(code or ""))
        name = clean_line(str(name or ""))
        out.append((code, name))
        if not CODE_RE.match(code):
            errors[f"fields.{i}.code"] = _(
                "Use 1 to 32 letters, digits, dots, dashes or underscores."
            )
        elif code in seen:
            errors[f"fields.{i}.code"] = _(
                "The code %(code)s is used by another field of application of this campaign."
            ) % {"code": code}
        seen.add(code)
        if not name:
            errors[f"fields.{i}.name"] = _("Enter the name of the field of application.")
        elif len(name) > 255:
            errors[f"fields.{i}.name"] = _("Keep this under %(n)s characters.") % {"n": 255}
    return out, errors


@transaction.atomic
def create_campaign(
    *,
    code: str,
    name: str,
    owner: Unit,
    starts_on: dt.date,
    ends_on: dt.date,
    by: Any,
    phases: list[dict[str, Any]] | None = None,
    fields: list[tuple[str, str]] | None = None,
    requires_recognition: bool = True,
    description: str = "",
) -> Campaign:
    """A campaign run by `owner` over its subtree. `phases`: dicts with name, starts_on,
    ends_on (numbered in the order given, which must be the order of their dates); `fields`:
    (code, name) pairs, listed in that order. Bad input raises ValidationError naming each
    field (`code`, `phases.1`, `fields.0.code`, …); nothing is written."""
    errors: dict[str, str] = {}
    code = normalise_code(code or "")
    if not CODE_RE.match(code):
        errors["code"] = _("Use 1 to 32 letters, digits, dots, dashes or underscores.")
    elif Campaign.objects.filter(code=code).exists():
        errors["code"] = _("The campaign code %(code)s is already used.") % {"code": code}
    name = clean_line(name or "")
    if not name:
        errors["name"] = _("Enter the campaign's name.")
    elif len(name) > 255:
        errors["name"] = _("Keep this under %(n)s characters.") % {"n": 255}
    if owner is None or not owner.is_active:
        errors["owner"] = _("Choose an active unit to run the campaign.")
    if not isinstance(starts_on, dt.date):
        errors["starts_on"] = _("Enter the first day of the campaign.")
    if not isinstance(ends_on, dt.date):
        errors["ends_on"] = _("Enter the last day of the campaign.")
    elif isinstance(starts_on, dt.date) and ends_on < starts_on:
        errors["ends_on"] = _("The campaign cannot end before it starts.")
    phase_rows, phase_errors = _clean_phases(phases or [], starts_on, ends_on)
    errors.update(phase_errors)
    field_rows, field_errors = _clean_fields(fields or [])
    errors.update(field_errors)
    if errors:
        raise ValidationError(errors)
    campaign = Campaign.objects.create(
        code=code,
        name=name,
        owner=owner,
        starts_on=starts_on,
        ends_on=ends_on,
        requires_recognition=requires_recognition,
        description=nfc(description or ""),
    )
    Phase.objects.bulk_create(
        Phase(
            campaign=campaign,
            number=n,
            name=phase["name"] or _("Phase %(n)s") % {"n": n},
            starts_on=phase["starts_on"],
            ends_on=phase["ends_on"],
        )
        for n, phase in enumerate(phase_rows, start=1)
    )
    ApplicationField.objects.bulk_create(
        ApplicationField(campaign=campaign, code=field_code, name=field_name, position=i)
        for i, (field_code, field_name) in enumerate(field_rows)
    )
    audit.record(
        actor=by,
        action="campaign.create",
        obj=campaign,
        after={
            **audit.snapshot(campaign, CAMPAIGN_FIELDS),
            "phases": [[p["name"], p["starts_on"], p["ends_on"]] for p in phase_rows],
            "fields": [list(f) for f in field_rows],
        },
    )
    return campaign
