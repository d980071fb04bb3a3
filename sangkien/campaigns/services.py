"""Creating and changing campaigns (national administrators and the officers of the owner)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from sangkien.core import audit
from sangkien.core.errors import ValidationError
from sangkien.orgs.models import Unit
from sangkien.orgs.services import CODE_RE, normalise_code
from sangkien.text import clean_line

from .models import ApplicationField, Campaign, Phase

CAMPAIGN_FIELDS = ["code", "name", "owner", "starts_on", "ends_on", "requires_recognition"]


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
    """`phases`: dicts with name, starts_on, ends_on (numbered in order); `fields`: (code,
    name) pairs, listed in that order."""
    errors: dict[str, str] = {}
    code = normalise_code(code or "")
    if not CODE_RE.match(code):
        errors["code"] = _("Use 1 to 32 letters, digits, dots, dashes or underscores.")
    elif Campaign.objects.filter(code=code).exists():
        errors["code"] = _("The campaign code %(code)s is already used.") % {"code": code}
    name = clean_line(name or "")
    if not name:
        errors["name"] = _("Enter the campaign's name.")
    if starts_on and ends_on and ends_on < starts_on:
        errors["ends_on"] = _("The campaign cannot end before it starts.")
    phases = phases or []
    previous_end: dt.date | None = None
    for i, phase in enumerate(phases, start=1):
        p_start, p_end = phase["starts_on"], phase["ends_on"]
        if p_end < p_start or p_start < starts_on or p_end > ends_on:
            errors["phases"] = _("Phase %(n)s must lie inside the campaign's period.") % {"n": i}
        elif previous_end is not None and p_start <= previous_end:
            errors["phases"] = _("Phase %(n)s overlaps the phase before it.") % {"n": i}
        previous_end = p_end
    fields = fields or []
    field_codes = [normalise_code(c) for c, _n in fields]
    if len(set(field_codes)) != len(field_codes):
        errors["fields"] = _("Each field of application needs its own code.")
    if errors:
        raise ValidationError(errors)
    campaign = Campaign.objects.create(
        code=code,
        name=name,
        owner=owner,
        starts_on=starts_on,
        ends_on=ends_on,
        requires_recognition=requires_recognition,
        description=description.strip(),
    )
    for i, phase in enumerate(phases, start=1):
        Phase.objects.create(
            campaign=campaign,
            number=i,
            name=clean_line(phase.get("name") or "") or _("Phase %(n)s") % {"n": i},
            starts_on=phase["starts_on"],
            ends_on=phase["ends_on"],
        )
    for i, ((_c, field_name), field_code) in enumerate(zip(fields, field_codes, strict=True)):
        ApplicationField.objects.create(
            campaign=campaign, code=field_code, name=clean_line(field_name), position=i
        )
    audit.record(
        actor=by,
        action="campaign.create",
        obj=campaign,
        after={
            **audit.snapshot(campaign, CAMPAIGN_FIELDS),
            "phases": [[p["starts_on"].isoformat(), p["ends_on"].isoformat()] for p in phases],
            "fields": field_codes,
        },
    )
    return campaign
