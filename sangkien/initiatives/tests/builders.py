"""Campaigns and initiatives for tests, made through the services like real ones.

The campaign runs from a year ago to a year ahead (so today is inside it) with two phases
split 30 days ago, and two fields of application; `complete()` gives every field a
submission needs."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone

from sangkien.campaigns import services as campaigns
from sangkien.campaigns.models import Campaign
from sangkien.initiatives import services
from sangkien.initiatives.models import Action, Initiative, Status
from sangkien.orgs.models import Unit


def today() -> dt.date:
    return timezone.localdate()


def make_campaign(
    owner: Unit,
    *,
    code: str = "1TRIEU",
    starts_on: dt.date | None = None,
    ends_on: dt.date | None = None,
    requires_recognition: bool = True,
    phases: list[dict[str, Any]] | None = None,
) -> Campaign:
    start = starts_on or today() - dt.timedelta(days=365)
    end = ends_on or today() + dt.timedelta(days=365)
    if phases is None and starts_on is None and ends_on is None:
        split = today() - dt.timedelta(days=30)
        phases = [
            {"name": "Đợt 1", "starts_on": start, "ends_on": split},
            {"name": "Đợt 2", "starts_on": split + dt.timedelta(days=1), "ends_on": end},
        ]
    return campaigns.create_campaign(
        code=code,
        name="1 triệu sáng kiến",
        owner=owner,
        starts_on=start,
        ends_on=end,
        by=None,
        phases=phases or [],
        fields=[("KT", "Kỹ thuật, công nghệ"), ("QL", "Quản lý, điều hành")],
        requires_recognition=requires_recognition,
    )


def complete(**overrides: Any) -> dict[str, Any]:
    """Every field a submission needs, with plausible Vietnamese values."""
    data: dict[str, Any] = {
        "title": "Cải tiến khuôn ép đế giày giảm phế phẩm",
        "field": "KT",
        "problem": "Tỷ lệ đế giày bị lỗi cao ở công đoạn ép.",
        "description": "Thay khuôn ép một mảnh bằng khuôn hai mảnh có rãnh thoát khí.",
        "conditions": "Máy ép thủy lực 200 tấn.",
        "first_applied_on": today() - dt.timedelta(days=60),
        "benefit_claimed_vnd": 150_000_000,
        "benefit_method": "Phế phẩm giảm 2% trên sản lượng năm.",
        "recognition_body": "Hội đồng sáng kiến Công ty CP Giày Sao Vàng",
        "recognition_number": "15/QĐ-HĐSK",
        "recognition_date": today() - dt.timedelta(days=20),
    }
    data.update(overrides)
    return data


def make_initiative(
    campaign: Campaign,
    unit: Unit,
    *,
    by: Any,
    status: str = Status.DRAFT,
    decider: Any = None,
    authors: list[dict[str, Any]] | None = None,
    **overrides: Any,
) -> Initiative:
    """An initiative brought to `status` along the workflow (deciding as `decider`)."""
    initiative = services.create_initiative(
        campaign=campaign, unit=unit, by=by, authors=authors, **complete(**overrides)
    )
    if status == Status.DRAFT:
        return initiative
    if status == Status.WITHDRAWN:
        return services.withdraw_initiative(initiative, by=by, reason="Tác giả rút lại")
    initiative = services.submit_initiative(initiative, by=by)
    if status == Status.SUBMITTED:
        return initiative
    return services.decide_initiative(
        initiative, by=decider, decision=status, reason="Lý do của cán bộ công đoàn"
    )


def take_step(
    initiative: Initiative, *, by: Any, action: str, reason: str = "", benefit_valid_vnd: Any = None
) -> Initiative:
    """One step of the transition table named by its action, through the service that takes
    it, so the table's tests can be written as (status, action) pairs."""
    if action in (Action.SUBMITTED, Action.RESUBMITTED):
        # The step as named (a returned initiative is resubmitted, not submitted).
        with transaction.atomic():
            return services.workflow._submit(
                initiative, by=by, expected_version=None, action=action
            )
    for decision, decision_action in services.DECISIONS.items():
        if action == decision_action:
            return services.decide_initiative(
                initiative,
                by=by,
                decision=decision,
                reason=reason,
                benefit_valid_vnd=benefit_valid_vnd,
            )
    if action == Action.WITHDRAWN:
        return services.withdraw_initiative(initiative, by=by, reason=reason)
    if action == Action.REOPENED:
        return services.reopen_initiative(initiative, by=by, reason=reason)
    raise AssertionError(f"{action} is not a step of the workflow")
