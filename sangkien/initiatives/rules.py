"""The rules of a valid initiative, one function each, used by everything that takes one in:
the services (so the form and the API, which call them) and the spreadsheet import. Each
function takes a value already parsed (`sangkien.values` reads money, dates and people as
people write them) and returns the value to keep, or raises `RuleProblem` whose message
(translated, a full sentence) says what is wrong with the value but not where: the caller
puts it next to its field, or after the column of the row.

What is required is not decided here for a single value (an empty value passes): a draft
may be incomplete, while a submission (`missing_for_submission`) and an imported row (the
required columns of `sangkien.imports.columns`) must be complete."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils import formats
from django.utils.translation import gettext as _

from sangkien.campaigns.models import Campaign
from sangkien.orgs.models import Member, Unit, UnitKind
from sangkien.text import clean_line, nfc

MAX_BENEFIT_VND = 10**15  # a million billion đồng: anything above is a typing slip
EARLIEST_DATE = dt.date(1900, 1, 1)  # the earliest day any date of an initiative may name
MAX_AUTHORS = 50
MAX_TITLE = 500
MAX_TEXT = 20_000
MAX_NAME = 255
ENTRY_UNIT_KINDS = {UnitKind.GRASSROOTS, UnitKind.GROUP}
TEXT_FIELDS = [
    "problem", "description", "conditions", "benefit_method", "confidential",
    "first_application_people",
]  # fmt: skip
LINE_FIELDS = {"investor": 255, "recognition_body": 255, "recognition_number": 64}
# What must be filled in before an initiative can be submitted.
REQUIRED_TO_SUBMIT = ["title", "field", "problem", "description", "first_applied_on"]
RECOGNITION_FIELDS = ["recognition_body", "recognition_number", "recognition_date"]
DAY, MONTH, YEAR = "day", "month", "year"  # the precisions of `sangkien.values.date`
_TWO_DECIMALS = Decimal("0.01")


class RuleProblem(Exception):
    """A value an initiative cannot have; `message` is translated and names no field."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def _day(value: dt.date) -> str:
    return formats.date_format(value, "SHORT_DATE_FORMAT")


def _limit(n: int) -> str:
    return formats.number_format(n, force_grouping=True)


# -- the fields ----------------------------------------------------------------------------


def title(value: Any) -> str:
    """The title on one line; refused when empty (an initiative always has one) or too long."""
    text = clean_line("" if value is None else str(value))
    if not text:
        raise RuleProblem(_("Enter a title that says what the initiative is."))
    if len(text) > MAX_TITLE:
        raise RuleProblem(_("Keep the title under 500 characters."))
    return text


def long_text(value: Any) -> str:
    """A text of several lines (the problem, the description, a note): NFC, at most
    MAX_TEXT characters."""
    text = nfc(("" if value is None else str(value)).replace("\r\n", "\n"))
    if len(text) > MAX_TEXT:
        raise RuleProblem(_("Keep this under %(n)s characters.") % {"n": _limit(MAX_TEXT)})
    return text


def line(value: Any, limit: int) -> str:
    """A text of one line (a name, a number) of at most `limit` characters."""
    text = clean_line("" if value is None else str(value))
    if len(text) > limit:
        raise RuleProblem(_("Keep this under %(n)s characters.") % {"n": limit})
    return text


def benefit(amount: int | None) -> int:
    """The claimed benefit in đồng (0 when not given)."""
    if amount is not None and not 0 <= amount <= MAX_BENEFIT_VND:
        raise RuleProblem(_("Enter a benefit between 0 and 1.000.000.000.000.000 đồng."))
    return amount or 0


def period_end(day: dt.date, precision: str) -> dt.date:
    """The last day of the period that `day` (its first day) stands for."""
    if precision == YEAR:
        return dt.date(day.year, 12, 31)
    if precision == MONTH:
        following = dt.date(day.year + (day.month == 12), day.month % 12 + 1, 1)
        return following - dt.timedelta(days=1)
    return day


def first_applied_on(
    day: dt.date | None, campaign: Campaign, today: dt.date, precision: str = DAY
) -> dt.date | None:
    """The date first applied: not after today, inside the campaign's period. A month or a
    year (a spreadsheet may give only those) stands for its whole period: it counts when
    the period meets the campaign's, and the first day inside the campaign is kept."""
    if day is None:
        return None
    if day > today:
        raise RuleProblem(
            _("The date first applied, %(day)s, is later than today (%(today)s).")
            % {"day": _day(day), "today": _day(today)}
        )
    if period_end(day, precision) < campaign.starts_on or day > campaign.ends_on:
        raise RuleProblem(
            _(
                "Only initiatives first applied between %(start)s and %(end)s count for "
                "this campaign."
            )
            % {"start": _day(campaign.starts_on), "end": _day(campaign.ends_on)}
        )
    return max(day, campaign.starts_on)


def recognition_date(day: dt.date | None, today: dt.date) -> dt.date | None:
    if day is None:
        return None
    if day > today:
        raise RuleProblem(_("The recognition date cannot be in the future."))
    if day < EARLIEST_DATE:
        raise RuleProblem(
            _("The recognition date %(day)s is too long ago: enter a date from %(earliest)s.")
            % {"day": _day(day), "earliest": _day(EARLIEST_DATE)}
        )
    return day


def birth_date(day: dt.date | None, today: dt.date) -> dt.date | None:
    if day is not None and day > today:
        raise RuleProblem(_("The date of birth cannot be in the future."))
    return day


def missing_recognition(campaign: Campaign, given: dict[str, Any]) -> dict[str, str]:
    """For a campaign that counts recognised initiatives only, why each empty part of the
    recognition (`RECOGNITION_FIELDS` in `given`) is needed."""
    if not campaign.requires_recognition:
        return {}
    messages = {
        "recognition_body": _(
            "This campaign counts recognised initiatives only: name the council or head of "
            "unit that recognised it."
        ),
        "recognition_number": _("Enter the number of the recognition decision."),
        "recognition_date": _("Enter the date of the recognition decision."),
    }
    return {name: messages[name] for name in RECOGNITION_FIELDS if not given.get(name)}


def missing_for_submission(given: dict[str, Any]) -> dict[str, str]:
    """Why each field of `REQUIRED_TO_SUBMIT` that is empty in `given` is needed."""
    messages = {
        "title": _("Enter a title that says what the initiative is."),
        "field": _("Choose the field of application."),
        "problem": _("Say which problem the initiative solves."),
        "description": _("Describe the initiative: the steps, and what changed."),
        "first_applied_on": _("Enter the date the initiative was first applied."),
    }
    return {name: messages[name] for name in REQUIRED_TO_SUBMIT if given.get(name) in (None, "")}


# -- the unit ------------------------------------------------------------------------------


def unit_problem(unit: Unit, campaign: Campaign) -> str:
    """Why an initiative of `campaign` cannot be entered under `unit` ("" when it can)."""
    if unit.kind not in ENTRY_UNIT_KINDS:
        return _("Initiatives are entered under a grassroots union or a union group.")
    if not unit.is_active:
        return _("Unit %(code)s is no longer active.") % {"code": unit.code}
    if not campaign.covers(unit):
        return _("The campaign %(campaign)s does not cover unit %(code)s.") % {
            "campaign": campaign.code,
            "code": unit.code,
        }
    return ""


# -- the authors ---------------------------------------------------------------------------


def authors_count(n: int) -> None:
    if n > MAX_AUTHORS:
        raise RuleProblem(_("An initiative has at most %(n)s authors.") % {"n": MAX_AUTHORS})


def share(value: Any) -> Decimal:
    """A % contribution above 0, at most 100, with at most two decimals ("30", "33,5 %")."""
    problem = RuleProblem(
        _(
            "Enter the contribution as a percentage above 0 and at most 100, with at most "
            "two decimals."
        )
    )
    if value is None or isinstance(value, bool):
        raise problem
    try:
        found = Decimal(str(value).strip().rstrip("%").strip().replace(",", "."))
    except (InvalidOperation, ValueError):
        raise problem from None
    if not found.is_finite() or found <= 0 or found > 100:
        raise problem
    if found != found.quantize(_TWO_DECIMALS):
        raise problem
    return found.quantize(_TWO_DECIMALS)


def shares_total(shares: Iterable[Decimal]) -> None:
    """The authors' shares add up to exactly 100 %."""
    total = sum(shares, Decimal(0))
    if total != 100:
        raise RuleProblem(
            _("The authors' contributions add up to %(total)s%%; they must add up to 100%%.")
            % {"total": formats.number_format(total.normalize())}
        )


def equal_shares(n: int) -> list[Decimal]:
    """100 % split in hundredths, the remainder to the first author: 33.34, 33.33, 33.33."""
    base = (Decimal(100) / n).quantize(_TWO_DECIMALS, rounding="ROUND_DOWN")
    shares = [base] * n
    shares[0] += Decimal(100) - base * n
    return shares


def member_problem(member: Member, campaign: Campaign) -> str:
    """Why `member` cannot be an author of an initiative of `campaign` ("" when they can)."""
    if member.left_on is not None:
        return _("%(name)s is no longer a member.") % {"name": member.full_name}
    if not campaign.covers(member.unit):
        return _("%(name)s belongs to a unit this campaign does not cover.") % {
            "name": member.full_name
        }
    return ""


def listed_twice(name: str) -> str:
    return _("%(name)s is listed twice.") % {"name": name}
