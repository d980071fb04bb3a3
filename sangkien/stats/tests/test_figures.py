"""The figures, one definition each, with known values: as of dates, phases, distinct
members and units, reopenings, merges (current tree and the tree as it stood), ranks, the
CLI, the API and check-stats naming what differs."""

from __future__ import annotations

import datetime as dt
import json
from io import StringIO
from unittest import mock

import pytest
from django.core.management import call_command
from django.utils import timezone

from sangkien.api.stats import StatsReport
from sangkien.initiatives import services
from sangkien.initiatives.models import Status
from sangkien.initiatives.tests.builders import complete, make_campaign
from sangkien.orgs import services as orgs
from sangkien.quotas import services as quotas
from sangkien.stats import figures, recount
from sangkien.stats.models import TreeTotal

pytestmark = pytest.mark.django_db
DAY1 = dt.datetime(2026, 3, 2, 3, 0, tzinfo=dt.UTC)  # 10:00 in Hà Nội


class Clock:
    def __init__(self) -> None:
        self.now = DAY1

    def __call__(self) -> dt.datetime:
        self.now += dt.timedelta(seconds=1)
        return self.now

    def days(self, n: int) -> None:
        self.now += dt.timedelta(days=n)


@pytest.fixture
def clock():
    c = Clock()
    with mock.patch("django.utils.timezone.now", c):
        yield c


@pytest.fixture
def world(tree, clock):
    g1, g2 = tree.grassroots, tree.grassroots2
    people = {
        "an": orgs.create_member(unit=g1, full_name="Nguyễn Văn An", by=None),
        "binh": orgs.create_member(unit=g1, full_name="Lê Thị Bình", by=None),
        "cuong": orgs.create_member(unit=g2, full_name="Trần Cường", by=None),
    }
    campaign = make_campaign(
        tree.root,
        starts_on=dt.date(2026, 1, 1),
        ends_on=dt.date(2026, 12, 31),
        phases=[
            {"name": "Đợt 1", "starts_on": dt.date(2026, 1, 1), "ends_on": dt.date(2026, 3, 31)},
            {"name": "Đợt 2", "starts_on": dt.date(2026, 4, 1), "ends_on": dt.date(2026, 12, 31)},
        ],
    )
    return {"campaign": campaign, "g1": g1, "g2": g2, **people}


def _submit(world, unit, authors, benefit, title):
    shares = [100 // len(authors)] * len(authors)
    shares[0] += 100 - sum(shares)
    initiative = services.create_initiative(
        campaign=world["campaign"],
        unit=unit,
        by=None,
        authors=[{"member": world[a], "share": s} for a, s in zip(authors, shares, strict=True)],
        **complete(
            title=title,
            benefit_claimed_vnd=benefit,
            first_applied_on=dt.date(2026, 1, 10),
            recognition_date=dt.date(2026, 2, 1),
        ),
    )
    return services.submit_initiative(initiative, by=None)


def _report(unit, world, **kw):
    return figures.report(unit, world["campaign"], **kw)


def test_figures_as_of_dates_phases_and_distinct_counts(tree, world, clock):
    a = _submit(world, world["g1"], ["an", "binh"], 1_000_000, "Khuôn ép hai mảnh")
    b = _submit(world, world["g1"], ["an"], 2_000_000, "Băng tải tự động")
    clock.days(1)  # 03/03
    services.decide_initiative(a, by=None, decision=Status.VALID, benefit_valid_vnd=800_000)
    services.decide_initiative(b, by=None, decision=Status.INVALID, reason="Trùng lặp")
    clock.days(30)  # 02/04: phase 2
    c = _submit(world, world["g2"], ["cuong", "an"], 5_000_000, "Tiết kiệm điện")
    clock.days(1)  # 03/04
    services.decide_initiative(c, by=None, decision=Status.RETURNED, reason="Bổ sung số liệu")

    root = _report(tree.root, world).unit
    assert root.initiatives_submitted == 3
    assert (root.initiatives_valid, root.initiatives_invalid) == (1, 1)
    assert root.initiatives_pending == 1  # returned for changes still waits for a decision
    assert root.participating_members == 3  # An counts once though he authors three
    assert root.participating_units == 2
    assert (root.benefit_claimed_vnd, root.benefit_valid_vnd) == (8_000_000, 800_000)

    on_day_one = _report(tree.root, world, as_of=dt.date(2026, 3, 2)).unit
    assert (on_day_one.initiatives_submitted, on_day_one.initiatives_pending) == (2, 2)
    assert on_day_one.initiatives_valid == 0 and on_day_one.participating_units == 1

    phase2 = world["campaign"].phases.get(number=2)
    in_phase2 = _report(tree.root, world, phase=phase2).unit
    assert (in_phase2.initiatives_submitted, in_phase2.participating_members) == (1, 2)

    g1 = _report(world["g1"], world).unit
    assert (g1.initiatives_submitted, g1.participating_members, g1.participating_units) == (2, 2, 1)
    # An is an author under both grassroots units: he counts for each, once above them.
    g2 = _report(world["g2"], world).unit
    assert g2.participating_members == 2
    assert _report(tree.upper, world).unit.participating_members == 3
    assert recount.check() == []


def test_withdrawal_reopening_and_author_change_move_the_figures_on_their_day(tree, world, clock):
    a = _submit(world, world["g1"], ["an"], 1_000_000, "Khuôn ép hai mảnh")
    clock.days(1)
    services.decide_initiative(a, by=None, decision=Status.RETURNED, reason="Bổ sung")
    clock.days(1)
    services.update_initiative(
        a,
        by=None,
        authors=[{"member": world["binh"], "share": 100}],
        benefit_claimed_vnd=3_000_000,
    )
    day_of_edit = timezone.localdate(clock.now)
    clock.days(1)
    services.submit_initiative(a, by=None)
    services.decide_initiative(a, by=None, decision=Status.VALID)
    clock.days(1)
    services.reopen_initiative(a, by=None, reason="Xem lại giá trị làm lợi")
    clock.days(1)
    services.withdraw_initiative(a, by=None, reason="Rút lại")

    before_edit = _report(world["g1"], world, as_of=day_of_edit - dt.timedelta(days=1)).unit
    assert before_edit.benefit_claimed_vnd == 1_000_000
    after_edit = _report(world["g1"], world, as_of=day_of_edit).unit
    assert after_edit.benefit_claimed_vnd == 3_000_000
    assert after_edit.participating_members == 1
    valid_day = _report(world["g1"], world, as_of=day_of_edit + dt.timedelta(days=1)).unit
    assert (valid_day.initiatives_valid, valid_day.benefit_valid_vnd) == (1, 3_000_000)
    now = _report(world["g1"], world).unit
    assert now.initiatives_submitted == 0
    assert (now.participating_members, now.participating_units) == (0, 0)
    assert recount.check() == []


def test_merge_counts_for_the_successor_and_dated_tree_keeps_the_old_place(tree, world, clock):
    _submit(world, world["g1"], ["an"], 1_000_000, "Khuôn ép hai mảnh")
    _submit(world, world["g2"], ["cuong"], 2_000_000, "Băng tải")
    clock.days(10)
    orgs.merge_units([world["g1"]], into=world["g2"], by=None, on=timezone.localdate(clock.now))
    clock.days(1)
    g2 = _report(world["g2"], world).unit
    assert (g2.initiatives_submitted, g2.participating_units) == (2, 1)
    assert _report(tree.upper, world).unit.participating_units == 1
    old = _report(tree.upper, world, as_of=dt.date(2026, 3, 5), tree=figures.DATED)
    assert old.unit.participating_units == 2
    assert {c.unit.code: c.initiatives_submitted for c in old.children} == {
        "TH-KCN-001": 1,
        "TH-KCN-002": 1,
    }
    assert recount.check() == []


def test_ranks_are_standard_competition_ranks_with_quota_percent(tree, world, clock, unit_officer):
    for i in range(2):
        a = _submit(world, world["g1"], ["an"], 1_000_000, f"Sáng kiến A{i}")
        services.decide_initiative(a, by=None, decision=Status.VALID)
    b = _submit(world, world["g2"], ["cuong"], 1_000_000, "Sáng kiến B")
    services.decide_initiative(b, by=None, decision=Status.VALID)
    allocation = {world["g1"]: 4, world["g2"]: 1}
    quotas.allocate(tree.upper, world["campaign"], None, allocation, by=unit_officer)
    children = {c.unit.code: c for c in _report(tree.upper, world).children}
    g1, g2 = children["TH-KCN-001"], children["TH-KCN-002"]
    assert (g1.quota, g1.quota_percent, g2.quota_percent) == (4, 50, 100)
    assert g1.ranks["siblings"]["initiatives_valid"] == 1
    assert g2.ranks["siblings"]["initiatives_valid"] == 2
    assert g2.ranks["siblings"]["quota_percent"] == 1
    assert g1.ranks["siblings"]["benefit_valid_vnd"] == 1  # 2.000.000 against 1.000.000
    assert g1.ranks["level"]["participating_members"] == 1
    assert g2.ranks["level"]["participating_members"] == 1  # tied: 1, 1
    assert figures.competition_ranks({1: 5, 2: 3, 3: 3, 4: 1}) == {1: 1, 2: 2, 3: 2, 4: 4}


def test_cli_api_and_report_agree(tree, world, clock, admin, client):
    a = _submit(world, world["g1"], ["an", "binh"], 1_500_000, "Khuôn ép hai mảnh")
    services.decide_initiative(a, by=None, decision=Status.VALID, benefit_valid_vnd=1_200_000)
    out = StringIO()
    call_command("stats", unit="TH", campaign="1TRIEU", stdout=out)
    cli = json.loads(out.getvalue())
    client.force_login(admin)
    api = client.get("/api/v1/stats", {"unit": "TH", "campaign": "1TRIEU"}).json()
    report = _report(tree.province, world).as_dict()
    for name in figures.FIGURES:
        assert cli[name] == api[name] == report[name], name
    assert cli["initiatives_valid"] == 1 and cli["benefit_valid_vnd"] == 1_200_000
    assert [c["unit"] for c in api["children"]] == ["TH-KCN"]
    assert api["children"][0]["participating_members"] == 2
    assert (api["grassroots_with_plan"], api["grassroots_active"], api["plan_percent"]) == (0, 2, 0)
    # What goes out unvalidated is what the OpenAPI schema promises.
    StatsReport.model_validate(api)


def test_api_scope_and_bad_parameters(tree, world, clock, outsider, unit_officer, client):
    client.force_login(outsider)
    assert client.get("/api/v1/stats", {"unit": "TH", "campaign": "1TRIEU"}).status_code == 404
    client.force_login(unit_officer)
    assert client.get("/api/v1/stats", {"unit": "HN", "campaign": "1TRIEU"}).status_code == 404
    assert client.get("/api/v1/stats", {"unit": "TH", "campaign": "NOPE"}).status_code == 404
    bad = client.get("/api/v1/stats", {"unit": "TH", "campaign": "1TRIEU", "phase": 9})
    assert bad.status_code == 422 and "phase" in bad.json()["message"]
    bad = client.get("/api/v1/stats", {"unit": "TH", "campaign": "1TRIEU", "as_of": "31/02/2026"})
    assert bad.status_code == 422
    client.logout()
    assert client.get("/api/v1/stats", {"unit": "TH", "campaign": "1TRIEU"}).status_code == 401


def test_check_stats_names_the_unit_and_figure_and_agrees_after_a_rebuild(tree, world, clock):
    _submit(world, world["g1"], ["an"], 1_000_000, "Khuôn ép hai mảnh")
    assert recount.check() == []
    TreeTotal.objects.filter(unit=tree.upper, phase_key=0).update(valid=7)
    out = StringIO()
    with pytest.raises(SystemExit) as exit_:
        call_command("check-stats", "--tree", "current", stdout=out, stderr=StringIO())
    assert exit_.value.code == 1
    day = timezone.localdate().isoformat()
    assert (
        f"DIFFERENCE unit=TH-KCN campaign=1TRIEU phase=- figure=initiatives_valid as_of={day} "
        "tree=current served=7 recount=0"
    ) in out.getvalue()
    recount.rebuild()
    out = StringIO()
    call_command("check-stats", stdout=out, stderr=StringIO())
    assert "all figures agree" in out.getvalue()
