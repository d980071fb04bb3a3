"""The shapes the API answers with. Class names become the OpenAPI component names."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Annotated, Any

from django.utils.translation import gettext as _
from ninja import Schema
from pydantic import BeforeValidator, Field
from pydantic_core import PydanticCustomError

from sangkien import values


class Error(Schema):
    message: str = Field(description="What went wrong, in the caller's language.")


class InvalidInput(Schema):
    message: str = Field(description="What went wrong, naming the first bad field.")
    errors: dict[str, list[str]] = Field(description="Every bad field and what is wrong with it.")


class Unit(Schema):
    code: str = Field(description="Stable code of the unit, e.g. `TH-KCN-001`.")
    name: str
    short_name: str
    kind: str = Field(description="national, provincial, sectoral, upper, grassroots or group.")
    status: str = Field(description="active, merged, split or dissolved.")
    parent: str | None = Field(description="Code of the parent unit; null for the root.")
    answered_for_by: str | None = Field(
        description="For a closed unit, the code of the unit that answers for its records now."
    )
    children_count: int = Field(description="Active units directly below this one.")
    members_count: int = Field(description="Current members of this unit and every unit below.")


class UnitPage(Schema):
    items: list[Unit]
    next_cursor: str | None = Field(
        description="Pass as `cursor` to get the next page; null on the last page."
    )


class Member(Schema):
    code: str = Field(description="Stable member code.")
    full_name: str
    unit: str = Field(description="Code of the member's unit.")
    gender: str
    position: str
    joined_on: dt.date | None
    left_on: dt.date | None
    personal_data_visible: bool = Field(
        description="True when the caller may see this member's date of birth, phone and email."
    )
    birth_date: dt.date | None = Field(description="Null unless `personal_data_visible`.")
    phone: str | None = Field(description="Null unless `personal_data_visible`, or when unknown.")
    email: str | None = Field(description="Null unless `personal_data_visible`, or when unknown.")


class MemberPage(Schema):
    items: list[Member]
    next_cursor: str | None = Field(
        description="Pass as `cursor` to get the next page; null on the last page."
    )


# -- input types: JSON values checked strictly, with messages in the caller's language ------


def _text(value: Any) -> Any:
    if value is None or isinstance(value, str):
        return value
    raise PydanticCustomError("text", _("Enter text."))


def _whole_number(value: Any) -> Any:
    if value is None or (isinstance(value, int) and not isinstance(value, bool)):
        return value
    raise PydanticCustomError("whole_number", _("Enter a whole number, without quotes."))


def _money(value: Any) -> Any:
    """A whole number of đồng, or a text as people write it ("1.500.000", "1,8 triệu"), read
    by `sangkien.values.money` as the forms and the imports read it."""
    if value is None or (isinstance(value, int) and not isinstance(value, bool)):
        return value
    if isinstance(value, str):
        try:
            return values.money(value)
        except values.ValueProblem as exc:
            raise PydanticCustomError("money", exc.message) from None
    raise PydanticCustomError("money", _("Enter the benefit as a whole number of đồng."))


def _iso_date(value: Any) -> Any:
    if value is None or isinstance(value, dt.date):
        return value
    try:
        return iso_date(value)
    except ValueError as exc:
        raise PydanticCustomError("iso_date", str(exc)) from None


def iso_date(value: Any) -> dt.date:
    """A date as YYYY-MM-DD (the API's one written form of a date), read by
    `sangkien.values.day` as the forms and the imports read dates; ValueError (with the
    message to show) for anything else."""
    if isinstance(value, str) and _ISO_DATE.match(value):
        try:
            day = values.day(value)
        except values.ValueProblem:
            day = None
        if day is not None:
            return day
    raise ValueError(_("Enter a date as YYYY-MM-DD, e.g. 2026-03-31."))


def _share(value: Any) -> Any:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return Decimal(str(value))
    raise PydanticCustomError(
        "share",
        _(
            "Enter the contribution as a percentage above 0 and at most 100, with at most "
            "two decimals."
        ),
    )


_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
# A database row id (and a version) is from 1 to the largest number the database holds:
# others are refused as bad input (422) rather than sent to the database, which cannot
# compare a number beyond its range.
MAX_ID = 2**63 - 1
RowId = Annotated[int, Field(ge=1, le=MAX_ID)]
Text = Annotated[str | None, BeforeValidator(_text)]
Code = Annotated[str, BeforeValidator(_text)]
WholeNumber = Annotated[int | None, BeforeValidator(_whole_number)]
Money = Annotated[int | None, BeforeValidator(_money)]
IsoDate = Annotated[dt.date | None, BeforeValidator(_iso_date)]
Share = Annotated[Decimal, BeforeValidator(_share)]


class Page(Schema):
    next_cursor: str | None = Field(
        description="Pass as `cursor` to get the next page; null on the last page."
    )


# -- campaigns -----------------------------------------------------------------------------


class Phase(Schema):
    number: int
    name: str
    starts_on: dt.date
    ends_on: dt.date


class CampaignField(Schema):
    code: str = Field(description="Give this code as an initiative's `field`.")
    name: str


class Campaign(Schema):
    code: str = Field(description="Give this code as an initiative's `campaign`.")
    name: str
    owner: str = Field(
        description="Code of the unit that runs the campaign; it covers its subtree."
    )
    starts_on: dt.date = Field(description="First day of the campaign's period.")
    ends_on: dt.date = Field(description="Last day of the period, included.")
    open: bool = Field(
        description="True while the campaign accepts initiatives (today is in the period)."
    )
    requires_recognition: bool = Field(
        description="Initiatives need recognition evidence (body, decision number, date) to "
        "be submitted."
    )
    phases: list[Phase]
    fields: list[CampaignField] = Field(description="The fields of application, in order.")


class CampaignList(Page):
    items: list[Campaign]


# -- initiatives ---------------------------------------------------------------------------


class AuthorIn(Schema):
    member: Text = Field(None, description="Member code, for an author who is a member.")
    name: Text = Field(None, description="Full name, for an author outside the system.")
    share: Share = Field(description="Contribution in percent; the shares add up to 100.")
    outside: bool = Field(
        False,
        description=(
            "Keep a `name` that members of the union have as an author outside the system "
            "(the author is someone else). Without it such a name is refused with the "
            "members' codes, to be linked by `member` instead."
        ),
    )
    birth_date: IsoDate = None
    workplace: Text = None
    position: Text = None
    qualification: Text = None


class Author(Schema):
    member: str | None = Field(description="Member code; null for an author outside the system.")
    name: str
    share: int | float = Field(description="Contribution in percent.")
    birth_date: dt.date | None = Field(
        description="Null unless `confidential_visible`, or when unknown."
    )
    workplace: str
    position: str
    qualification: str


class InitiativeFields(Schema):
    """What an author fills in; every name is optional in a PATCH."""

    title: Text = None
    field: Text = Field(None, description="A code from the campaign's `fields`.")
    problem: Text = Field(None, description="The problem the initiative solves.")
    description: Text = None
    conditions: Text = Field(None, description="Conditions needed to apply it.")
    first_applied_on: IsoDate = Field(None, description="YYYY-MM-DD, inside the campaign's period.")
    benefit_claimed_vnd: Money = Field(
        None,
        description='Claimed benefit: whole đồng, or a text such as "1.500.000" or "1,8 triệu".',
    )
    benefit_method: Text = Field(None, description="How the benefit was computed.")
    confidential: Text = Field(None, description="Confidential part, never shown publicly.")
    investor: Text = Field(None, description="Who invested, if not the authors.")
    first_application_people: Text = Field(
        None, description="People who took part in the first application."
    )
    recognition_body: Text = Field(None, description="Who recognised the initiative.")
    recognition_number: Text = Field(None, description="Number of the recognition decision.")
    recognition_date: IsoDate = None
    authors: list[AuthorIn] | None = Field(
        None,
        description="Replaces the whole list. Left out on creation by a member: the member is "
        "the sole author.",
    )


class InitiativeCreate(InitiativeFields):
    campaign: Code = Field(description="A campaign code from `GET /api/v1/campaigns`.")
    unit: Code = Field(
        description="Code of the grassroots unit (or union group) it is entered under."
    )


class InitiativeChanges(InitiativeFields):
    campaign: Text = Field(None, description="Cannot change; accepted when it is the current one.")
    unit: Text = Field(None, description="Cannot change; accepted when it is the current one.")
    version: WholeNumber = Field(
        None, description="The `version` you read; 409 if it changed since."
    )


class ReorganisationIn(Schema):
    effective_on: IsoDate = Field(None, description="YYYY-MM-DD; today when omitted.")
    note: Text = Field(None, description="Why, e.g. the number of the decision.")


class UnitMoveIn(ReorganisationIn):
    parent: Code = Field(description="Code of the unit it will stand under.")


class NewUnitIn(Schema):
    code: Code
    name: Code
    short_name: Text = None
    kind: Text = Field(None, description="The kind of the unit it replaces when omitted.")


class UnitMergeIn(ReorganisationIn):
    into: Text = Field(None, description="Code of an existing unit to merge into.")
    new_unit: NewUnitIn | None = Field(None, description="Or a new unit to merge into.")
    others: list[Code] = Field(
        default_factory=list, description="Codes of further units merged with this one."
    )


class UnitSplitIn(ReorganisationIn):
    into: list[NewUnitIn] = Field(
        description="The new units (at least two), under the same parent unit."
    )
    records_to: Code = Field(
        description="Code of the new unit that answers for the old unit's records (and gets "
        "whatever `children` and `members` do not send elsewhere)."
    )
    children: dict[str, str] = Field(
        default_factory=dict, description="Code of a unit below → code of the new unit it joins."
    )
    members: dict[str, str] = Field(
        default_factory=dict, description="Member code → code of the new unit it joins."
    )


class UnitDissolveIn(ReorganisationIn):
    transfer_to: Text = Field(
        None,
        description="Code of the unit that takes its units, members and open initiatives "
        "(required unless it has none of them); its parent answers for it otherwise.",
    )


class UnitList(Schema):
    items: list[Unit]


class VersionIn(Schema):
    version: WholeNumber = Field(
        None, description="The `version` you read; 409 if it changed since."
    )


class DecisionIn(VersionIn):
    decision: Code = Field(description="valid, returned or invalid.")
    reason: Text = Field(
        None, description="Required for returned (what to change) and invalid (why)."
    )
    benefit_valid_vnd: Money = Field(
        None,
        description="With valid only: the validated benefit (whole đồng, or a text such as "
        "“1,8 triệu”); the claimed one when omitted.",
    )


class BulkDecisionIn(Schema):
    ids: list[RowId] = Field(
        description="The initiatives to decide, at most 100 a call; each is decided as by "
        "`POST /initiatives/{id}/decision`."
    )
    decision: Code = Field(description="valid, returned or invalid, the same for every one.")
    reason: Text = Field(
        None,
        description="One reason for all: required for returned (what to change) and invalid (why).",
    )
    benefits: dict[RowId, str | int] | None = Field(
        None,
        description="With valid only: the validated benefit per id (whole đồng, or a text "
        "such as “1,8 triệu”); the claimed one for an id left out.",
    )
    versions: dict[RowId, RowId] | None = Field(
        None, description="Per id, the `version` you read; an id that changed since is refused."
    )


class BulkDecisionItem(Schema):
    id: int
    decided: bool = Field(description="Whether this one went through.")
    status: str | None = Field(
        description="Its status after the call (null for an id not in your review queue)."
    )
    problem: str | None = Field(description="Why it was not decided (null when it was).")


class BulkDecisionOut(Schema):
    decided: int = Field(description="How many went through.")
    refused: int = Field(description="How many did not (each with its `problem`).")
    summary: str = Field(description="The same in a sentence, in the language asked for.")
    items: list[BulkDecisionItem] = Field(description="One per distinct id, in their order.")


class WithdrawIn(VersionIn):
    reason: Text = None


class ReopenIn(VersionIn):
    reason: Code = Field(description="Why the decision is reopened.")


class Attachment(Schema):
    id: int
    name: str = Field(description="The file name as uploaded.")
    kind: str = Field(description="document or evidence.")
    content_type: str
    size: int = Field(description="Bytes.")
    uploaded_at: dt.datetime
    url: str = Field(description="Where to download it (same authentication).")


class HistoryEntry(Schema):
    action: str = Field(
        description="created, edited, submitted, resubmitted, validated, returned, invalidated, "
        "withdrawn, reopened, or moved (a reorganisation closed its unit and the unit answering "
        "for it took it over)."
    )
    from_: str | None = Field(alias="from", description="Status before; null on creation.")
    to: str = Field(description="Status after.")
    by: str | None = Field(description="Name of who did it.")
    at: dt.datetime
    note: str = Field(description="The reason given, or what was attached.")
    benefit_valid_vnd: int | None = Field(description="On a validation: the validated benefit.")
    moved_from: str | None = Field(
        default=None, description="On a move: the code of the closed unit it came from."
    )


class InitiativeSummary(Schema):
    id: int
    reference: str = Field(description="The number people quote, e.g. SK-000123.")
    campaign: str
    unit: str
    title: str
    field: str | None
    status: str = Field(description="draft, submitted, returned, valid, invalid or withdrawn.")
    phase: int | None = Field(description="Number of the campaign phase it was submitted in.")
    benefit_claimed_vnd: int
    benefit_valid_vnd: int | None
    authors: list[Author]
    entered_by: str | None = Field(description="Name of who entered it.")
    on_behalf: bool = Field(description="Entered by someone who is not one of the authors.")
    submitted_at: dt.datetime | None = Field(description="First submission; kept on resubmission.")
    decided_at: dt.datetime | None
    version: int


class Initiative(InitiativeSummary):
    problem: str
    description: str
    conditions: str
    first_applied_on: dt.date | None
    benefit_method: str
    confidential_visible: bool = Field(
        description="True when the caller may read `confidential` and the authors' dates of birth."
    )
    confidential: str | None = Field(description="Null unless `confidential_visible`.")
    investor: str
    first_application_people: str
    recognition_body: str
    recognition_number: str
    recognition_date: dt.date | None
    decision_reason: str
    actions: list[str] = Field(
        description="What the caller may do now: edit, submit, withdraw, decide, reopen, attach."
    )
    attachments: list[Attachment]
    history: list[HistoryEntry] = Field(description="Every change, oldest first.")
    created_at: dt.datetime
    updated_at: dt.datetime
    notes: list[str] = Field(
        default_factory=list,
        description=(
            "What a create or change noted, as the page says it: e.g. authors kept outside "
            "the system because no member of the union has their name."
        ),
    )


class InitiativePage(Page):
    items: list[InitiativeSummary]


# The error answers an endpoint documents: one that reads, one that writes through a service
# (400 unreadable body, 403 not allowed, 409 conflict or stale version, 413 too large).
READ_ERRORS = {401: Error, 404: Error, 422: InvalidInput}
WRITE_ERRORS = {
    400: Error,
    401: Error,
    403: Error,
    404: Error,
    409: Error,
    413: Error,
    422: InvalidInput,
}
