"""A campaign with figures under TH-KCN, made through the services:

- TH-KCN-001 Giày Sao Vàng: 3 valid (150, 20 and 5 million), 1 pending; quota 4.
- TH-KCN-002 Dệt Đông Sơn: 1 valid (1,234,567), 1 invalid; quota 10.
- TH-KCN-003 Điện tử Bỉm Sơn: 1 valid (40 million); no quota.
- TH-KCN-004 Thương mại Nguyễn Hưởng: nothing; no quota.
TH gives TH-KCN a quota of 20. Valid ranks among the children: 1, 2, 2, 4.

The world is built once per module and each test that asks for it gets its own copy
(conftest.shared_world); the others build their own tree and personas."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from django.utils import translation

from conftest import (
    build_tree,
    make_member,
    make_member_record,
    make_reviewer,
    make_user,
    shared_world,
)
from sangkien.initiatives.tests.builders import make_campaign, make_initiative
from sangkien.orgs import services as orgs
from sangkien.quotas import services as quotas

from .helpers import new_grassroots


@pytest.fixture
def english(client, settings):
    """Pages in English (the language cookie), and the test's own strings too."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    with translation.override("en"):
        yield


@pytest.fixture
def vietnamese():
    with translation.override("vi"):
        yield


def member_of(unit, username: str, name: str):
    record = orgs.create_member(unit=unit, full_name=name, by=None)
    return make_user(username, member=record)


def build_world(tree, campaign, member, reviewer):
    third = new_grassroots(tree.upper, "TH-KCN-003", "Công đoàn Công ty TNHH Điện tử Bỉm Sơn")
    new_grassroots(tree.upper, "TH-KCN-004", "Công đoàn Công ty TNHH Thương mại Nguyễn Hưởng")
    second = member_of(tree.grassroots2, "dv2", "Trần Văn Bình")
    third_member = member_of(third, "dv3", "Lê Thị Cúc")
    for n, benefit in enumerate([150_000_000, 20_000_000, 5_000_000]):
        make_initiative(
            campaign,
            tree.grassroots,
            by=member,
            status="valid",
            decider=reviewer,
            title=f"Sáng kiến hợp lệ {n}",
            benefit_claimed_vnd=benefit,
        )
    make_initiative(campaign, tree.grassroots, by=member, status="submitted", title="Chờ duyệt")
    make_initiative(
        campaign,
        tree.grassroots2,
        by=second,
        status="valid",
        decider=reviewer,
        title="Đổi khuôn",
        benefit_claimed_vnd=1_234_567,
    )
    make_initiative(
        campaign, tree.grassroots2, by=second, status="invalid", decider=reviewer, title="Trùng"
    )
    make_initiative(
        campaign,
        third,
        by=third_member,
        status="valid",
        decider=reviewer,
        title="Bỉm Sơn",
        benefit_claimed_vnd=40_000_000,
    )
    quotas.allocate(tree.province, campaign, None, {tree.upper: 20}, None)
    quotas.allocate(tree.upper, campaign, None, {tree.grassroots: 4, tree.grassroots2: 10}, None)
    return campaign


def new_world() -> SimpleNamespace:
    w = SimpleNamespace(tree=build_tree())
    w.member_record = make_member_record(w.tree)
    w.member = make_member(w.member_record)
    w.reviewer = make_reviewer(w.tree)
    w.campaign = make_campaign(w.tree.root, code="1TRIEU")
    build_world(w.tree, w.campaign, w.member, w.reviewer)
    return w


kept_world, shared = shared_world(new_world, "world")


@pytest.fixture
def tree(shared, db):
    return shared.tree if shared else build_tree()


@pytest.fixture
def member_record(shared, tree):
    return shared.member_record if shared else make_member_record(tree)


@pytest.fixture
def member(shared, member_record):
    return shared.member if shared else make_member(member_record)


@pytest.fixture
def reviewer(shared, tree):
    return shared.reviewer if shared else make_reviewer(tree)


@pytest.fixture
def campaign(shared, tree):
    return shared.campaign if shared else make_campaign(tree.root, code="1TRIEU")


@pytest.fixture
def world(shared, db):
    return shared.campaign
