"""`sangkien check-stats` (stats.check): the independent recount agrees with the served figures
on data made through the services, and catches deliberate bugs in the code it checks — each
bug is applied while the data is made (or read), as a real bug would be."""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_DOWN, Decimal
from unittest import mock

import pytest
from django.core.management import call_command
from django.utils import timezone

from sangkien.initiatives import services
from sangkien.initiatives.models import Status
from sangkien.initiatives.tests.builders import complete, make_campaign
from sangkien.orgs import services as orgs
from sangkien.orgs.models import Member, Unit
from sangkien.quotas import services as quotas
from sangkien.stats import check, engine, figures
from sangkien.stats import recount as replay

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_rank_cache(settings):
    settings.SANGKIEN_RANK_CACHE_SECONDS = 0


class Clock:
    """Now, from 50 days ago, a day further at each call of `next_day`."""

    def __init__(self) -> None:
        self.now = timezone.now() - dt.timedelta(days=50)

    def __call__(self) -> dt.datetime:
        self.now += dt.timedelta(seconds=1)
        return self.now

    def next_day(self) -> None:
        self.now += dt.timedelta(days=1)


def _members(unit: Unit, n: int) -> list[Member]:
    return [
        orgs.create_member(unit=unit, full_name=f"Người {unit.code} {i}", by=None) for i in range(n)
    ]


def _authors(*members: Member) -> list[dict]:
    shares = [100 // len(members)] * len(members)
    shares[0] += 100 - sum(shares)
    return [{"member": m, "share": s} for m, s in zip(members, shares, strict=True)]


def _make(campaign, unit, authors, *, title, status, clock, benefit=None):
    initiative = services.create_initiative(
        campaign=campaign, unit=unit, by=None, authors=authors, **complete(title=title)
    )
    if status == Status.DRAFT:
        return initiative
    if status == Status.WITHDRAWN:
        return services.withdraw_initiative(initiative, by=None, reason="Rút")
    initiative = services.submit_initiative(initiative, by=None)
    clock.next_day()
    if status == Status.SUBMITTED:
        return initiative
    return services.decide_initiative(
        initiative, by=None, decision=status, reason="Lý do", benefit_valid_vnd=benefit
    )


def build(tree, *, merge: bool = False) -> dict:
    """A campaign with quotas, initiatives in every status across both phases, a member
    co-authoring two initiatives, and (unless `merge` is false) a grassroots union merged
    into another after its initiatives were submitted."""
    clock = Clock()
    with mock.patch("django.utils.timezone.now", clock):
        campaign = make_campaign(tree.root)
        phase1, _phase2 = list(campaign.phases.order_by("number"))
        quotas.set_own_quota(tree.root, campaign, None, 30, by=None)
        quotas.allocate(tree.root, campaign, None, {tree.province.code: 9}, by=None)
        quotas.allocate(tree.province, campaign, None, {tree.upper.code: 3}, by=None)
        quotas.allocate(tree.upper, campaign, phase1, {tree.grassroots.code: 3}, by=None)
        g3 = orgs.create_unit(
            code="TH-KCN-003", name="Công đoàn Công ty May 10", kind="grassroots",
            parent=tree.upper, by=None, founded_on=dt.date(2000, 1, 1),
        )  # fmt: skip
        a, b = _members(tree.grassroots, 2)
        (c,) = _members(tree.grassroots2, 1)
        (d,) = _members(g3, 1)
        (e,) = _members(tree.other_grassroots, 1)
        made = {}
        plan = [
            ("v1", tree.grassroots, (a, b), Status.VALID, 40_000_000),
            ("v2", tree.grassroots, (a,), Status.VALID, None),
            ("r1", tree.grassroots2, (c, a), Status.RETURNED, None),
            ("i1", tree.grassroots2, (c,), Status.INVALID, None),
            ("p1", g3, (d,), Status.SUBMITTED, None),
            ("r2", g3, (d,), Status.RETURNED, None),
            ("w1", g3, (d,), Status.WITHDRAWN, None),
            ("d1", g3, (d,), Status.DRAFT, None),
            ("h1", tree.other_grassroots, (e,), Status.VALID, 5_000_000),
        ]
        for i, (key, unit, people, status, benefit) in enumerate(plan):
            made[key] = _make(
                campaign, unit, _authors(*people), title=f"Sáng kiến số {i} {key}",
                status=status, clock=clock, benefit=benefit,
            )  # fmt: skip
            clock.next_day()
        clock.now = timezone.now() - dt.timedelta(days=20)  # phase 2 from here
        made["p2"] = _make(
            campaign, tree.grassroots, _authors(b), title="Sáng kiến đợt hai",
            status=Status.SUBMITTED, clock=clock,
        )  # fmt: skip
        made["v3"] = _make(
            campaign, tree.grassroots2, _authors(c), title="Sáng kiến đợt hai thứ hai",
            status=Status.VALID, clock=clock, benefit=7_000_000,
        )  # fmt: skip
        clock.next_day()
        if merge:
            orgs.merge_units([g3], into=tree.grassroots2, by=None, on=timezone.localdate(clock.now))
        clock.next_day()
    return {"campaign": campaign, "made": made, "g3": g3}


def _check(**kwargs) -> list[str]:
    return [str(d) for d in check.check(**kwargs)]


def _figures_named(found: list[str]) -> set[str]:
    return {
        part.split("=", 1)[1]
        for line in found
        for part in line.split()
        if part.startswith("figure=")
    }


def test_the_recount_agrees_with_the_served_figures_on_both_trees(tree):
    build(tree)
    assert _check() == []


def test_the_command_says_what_it_compared_and_exits_0(tree, capsys):
    build(tree)
    call_command("check-stats")
    out = capsys.readouterr().out
    assert "all figures agree" in out


# -- deliberate bugs --------------------------------------------------------------------


def test_returned_counted_as_invalid_in_the_engine_is_caught(tree):
    kinds = {**engine.KIND_OF_STATUS, "returned": engine.INVALID}
    with mock.patch.object(engine, "KIND_OF_STATUS", kinds):
        build(tree)
    found = _check()
    assert {"initiatives_invalid", "initiatives_pending"} <= _figures_named(found)
    assert any("unit=TH-KCN-002" in line and "figure=initiatives_invalid" in line for line in found)


def test_merges_ignored_by_the_figures_are_caught(tree):
    with mock.patch.object(replay.Reorganisation, "finish", lambda self, new_units=(): None):
        world = build(tree, merge=True)
    found = _check(trees=("current",))
    assert any(
        "unit=TH-KCN-002" in line and "figure=initiatives_submitted" in line for line in found
    ), found
    assert world["g3"].code not in " ".join(found)  # a closed unit is not served


def test_a_wrong_pending_formula_in_the_figures_is_caught(tree):
    build(tree)
    original = figures.Figures.from_vector

    def wrong(cls, unit, vec):
        f = original(unit, vec)
        f.initiatives_pending = f.initiatives_submitted - f.initiatives_valid
        return f

    with mock.patch.object(figures.Figures, "from_vector", classmethod(wrong)):
        found = _check(trees=("current",))
    assert "initiatives_pending" in _figures_named(found)
    assert "queue.open_vs_pending" not in _figures_named(found)  # the queue is not the bug


def test_quota_percent_rounded_down_is_caught(tree):
    build(tree)

    def truncated(part, whole):
        if not whole:
            return None
        return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"), ROUND_DOWN)

    with mock.patch.object(figures, "percent", truncated):
        found = _check(trees=("current",))
    # TH-KCN-001: 2 valid of 3 (its phase quota, the whole campaign's sum) is 66.7 %.
    assert any(
        "unit=TH-KCN-001 " in line and "figure=quota_percent" in line and "recount=66.7" in line
        for line in found
    ), found


def test_withdrawn_initiatives_still_counted_are_caught(tree):
    kinds = {**engine.KIND_OF_STATUS, "withdrawn": engine.PENDING}
    with mock.patch.object(engine, "KIND_OF_STATUS", kinds):
        build(tree, merge=False)
    found = _check(trees=("current",))
    assert any(
        "unit=TH-KCN-003" in line and "figure=initiatives_submitted" in line for line in found
    ), found


def test_a_co_author_counted_once_per_initiative_is_caught(tree):
    # The bug: each authorship opens the member's presence anew, as if they had not been
    # counted before (a co-author of two initiatives counts twice).
    original = engine._cover

    def forgetful(rows, key, info):
        return set() if len(rows) <= 1 else original(rows[1:], key, info)

    with mock.patch.object(engine, "_cover", forgetful):
        build(tree, merge=False)
    found = _check(trees=("current",))
    assert "participating_members" in _figures_named(found), found


def test_the_command_names_each_difference_and_exits_1(tree, capsys):
    with mock.patch.object(replay.Reorganisation, "finish", lambda self, new_units=(): None):
        build(tree, merge=True)
    with pytest.raises(SystemExit) as exited:
        call_command("check-stats", "--tree", "current", "--limit", "3")
    assert exited.value.code == 1
    out = capsys.readouterr().out.splitlines()
    assert len([line for line in out if line.startswith("DIFFERENCE unit=")]) == 3
    assert "difference(s)" in out[-1]


def test_members_total_out_of_step_is_caught(tree):
    build(tree, merge=False)
    Unit.objects.filter(pk=tree.upper.pk).update(members_total=99)
    found = _check(trees=("current",), dates=lambda _c: [timezone.localdate()])
    assert any("unit=TH-KCN " in line and "figure=members_total" in line for line in found)
