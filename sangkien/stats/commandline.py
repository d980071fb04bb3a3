"""The arguments the figures commands share (`sangkien stats`, `sangkien report`): a unit, a
campaign, a phase number and an as-of date, read into objects with a clear error for each."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import CommandError, CommandParser

from sangkien.campaigns.models import Campaign, Phase
from sangkien.orgs.models import Unit


def add_figure_arguments(parser: CommandParser) -> None:
    parser.add_argument("--unit", required=True, help="unit code")
    parser.add_argument("--campaign", required=True, help="campaign code")
    parser.add_argument("--phase", type=int, help="phase number")
    parser.add_argument("--as-of", help="YYYY-MM-DD (default: today)")


def figure_arguments(
    opts: dict[str, Any],
) -> tuple[Unit, Campaign, Phase | None, dt.date | None]:
    unit = Unit.objects.select_related("parent").filter(code=opts["unit"].strip().upper()).first()
    if unit is None:
        raise CommandError(f"No unit with code {opts['unit']}.")
    campaign = Campaign.objects.filter(code=opts["campaign"].strip().upper()).first()
    if campaign is None:
        raise CommandError(f"No campaign with code {opts['campaign']}.")
    phase = None
    if opts["phase"] is not None:
        phase = campaign.phases.filter(number=opts["phase"]).first()
        if phase is None:
            raise CommandError(f"Campaign {campaign.code} has no phase {opts['phase']}.")
    as_of = None
    if opts["as_of"]:
        try:
            as_of = dt.date.fromisoformat(opts["as_of"])
        except ValueError as exc:
            raise CommandError(f"--as-of: {opts['as_of']} is not a date YYYY-MM-DD.") from exc
    return unit, campaign, phase, as_of
