"""The shapes the API answers with. Class names become the OpenAPI component names."""

from __future__ import annotations

import datetime as dt

from ninja import Schema
from pydantic import Field


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
