"""A national campaign with two phases, for the quota tests (personas: the root conftest)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import translation

from sangkien.campaigns import services as campaigns


@pytest.fixture
def campaign(tree):
    return campaigns.create_campaign(
        code="1TRIEU",
        name="1 triệu sáng kiến",
        owner=tree.root,
        starts_on=dt.date(2026, 1, 1),
        ends_on=dt.date(2027, 12, 31),
        by=None,
        phases=[
            {"name": "Đợt 1", "starts_on": dt.date(2026, 1, 1), "ends_on": dt.date(2026, 6, 30)},
            {"name": "Đợt 2", "starts_on": dt.date(2026, 7, 1), "ends_on": dt.date(2027, 12, 31)},
        ],
    )


@pytest.fixture
def phase1(campaign):
    return campaign.phases.get(number=1)


@pytest.fixture
def phase2(campaign):
    return campaign.phases.get(number=2)


@pytest.fixture
def english():
    """Messages in English, so tests can read them (the Vietnamese is in the catalogue)."""
    with translation.override("en"):
        yield
