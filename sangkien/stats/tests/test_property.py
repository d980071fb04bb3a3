"""Random sequences of everything that moves a figure — submissions, decisions, reopenings,
withdrawals, changes of authors and benefit, unit moves and merges, days passing — and after
every step the aggregates agree exactly with the recount from the base tables."""

from __future__ import annotations

import datetime as dt
from unittest import mock

import pytest
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sangkien.core.errors import ConflictError, ValidationError
from sangkien.initiatives import services
from sangkien.initiatives.models import Initiative, Status
from sangkien.initiatives.tests.builders import complete, make_campaign
from sangkien.orgs import services as orgs
from sangkien.orgs.models import Member, Unit, UnitStatus
from sangkien.quotas import services as quotas
from sangkien.stats import figures, recount
from sangkien.stats import services as stats_services

START = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)


class Clock:
    def __init__(self) -> None:
        self.now = START

    def __call__(self) -> dt.datetime:
        self.now += dt.timedelta(seconds=1)
        return self.now


def _unit(code: str, kind: str, parent: Unit | None) -> Unit:
    return orgs.create_unit(
        code=code, name=f"Công đoàn {code}", kind=kind, parent=parent, by=None,
        founded_on=dt.date(2020, 1, 1),
    )  # fmt: skip


def _world() -> dict:
    root = _unit("VN", "national", None)
    p1 = _unit("P1", "provincial", root)
    p2 = _unit("P2", "provincial", root)
    uppers = [_unit("U1", "upper", p1), _unit("U2", "upper", p1), _unit("U3", "upper", p2)]
    grassroots = [_unit(f"G{i}", "grassroots", uppers[i % 3]) for i in range(5)]
    group = _unit("T0", "group", grassroots[0])
    members = [
        orgs.create_member(unit=u, full_name=f"Người {u.code} {j}", by=None)
        for u in [*grassroots, group]
        for j in range(2)
    ]
    campaign = make_campaign(
        root,
        starts_on=dt.date(2026, 1, 1),
        ends_on=dt.date(2027, 12, 31),
        phases=[
            {"name": "Đợt 1", "starts_on": dt.date(2026, 1, 1), "ends_on": dt.date(2026, 4, 30)},
            {"name": "Đợt 2", "starts_on": dt.date(2026, 5, 1), "ends_on": dt.date(2027, 12, 31)},
        ],
    )
    # An emulation cluster across provinces, so cluster ranks move with everything else.
    stats_services.create_cluster(
        root, name="Cụm 1", units=[grassroots[0], grassroots[2], grassroots[4], uppers[2]], by=None
    )
    return {
        "campaign": campaign,
        "root": root,
        "uppers": uppers,
        "provinces": [p1, p2],
        "entry": [*grassroots, group],
        "members": members,
    }


def _authors(world: dict, mask: int) -> list[dict]:
    members = world["members"]
    picked = [m for i, m in enumerate(members) if mask >> i & 1][:3] or [
        members[mask % len(members)]
    ]
    members = [Member.objects.get(pk=m.pk) for m in picked]
    members = [m for m in members if m.left_on is None]
    shares = [100 // len(members)] * len(members)
    shares[0] += 100 - sum(shares)
    return [{"member": m, "share": s} for m, s in zip(members, shares, strict=True)]


def _pick(status: set[str], n: int) -> Initiative | None:
    rows = list(Initiative.objects.filter(status__in=status).order_by("pk"))
    return rows[n % len(rows)] if rows else None


def _step(world: dict, clock: Clock, op: tuple[int, int, int, int]) -> None:
    kind, a, b, c = op
    if kind == 0:  # a new initiative, submitted (or withdrawn, or left a draft)
        units = [
            u for u in Unit.objects.filter(pk__in=[u.pk for u in world["entry"]]) if u.is_active
        ]
        if not units:
            return
        unit = units[a % len(units)]
        initiative = services.create_initiative(
            campaign=world["campaign"], unit=unit, by=None, authors=_authors(world, b),
            **complete(title=f"Sáng kiến {clock.now.timestamp()}-{a}-{b}",
                       benefit_claimed_vnd=c * 1_000_000,
                       first_applied_on=dt.date(2026, 1, 15),
                       recognition_date=dt.date(2026, 2, 1)),
        )  # fmt: skip
        if c % 5 == 0:
            services.withdraw_initiative(initiative, by=None)
        elif c % 7 != 0:
            services.submit_initiative(initiative, by=None)
    elif kind == 1:  # a decision
        initiative = _pick({Status.SUBMITTED}, a)
        if initiative:
            decision = [Status.VALID, Status.RETURNED, Status.INVALID][b % 3]
            services.decide_initiative(
                initiative, by=None, decision=decision, reason="Lý do",
                benefit_valid_vnd=c * 500_000 if decision == Status.VALID and c % 2 else None,
            )  # fmt: skip
    elif kind == 2:  # withdrawn by the author
        initiative = _pick({Status.SUBMITTED, Status.RETURNED, Status.DRAFT}, a)
        if initiative:
            services.withdraw_initiative(initiative, by=None)
    elif kind == 3:  # a decision reopened
        initiative = _pick({Status.VALID, Status.INVALID, Status.RETURNED}, a)
        if initiative:
            services.reopen_initiative(initiative, by=None, reason="Xem xét lại")
    elif kind == 4:  # a returned one fixed (authors and shares, benefit) and resubmitted
        initiative = _pick({Status.RETURNED, Status.DRAFT}, a)
        if initiative:
            services.update_initiative(
                initiative, by=None, authors=_authors(world, b), benefit_claimed_vnd=c * 2_000_000
            )
            if c % 3:
                services.submit_initiative(initiative, by=None)
    elif kind == 5:  # a unit moves
        units = [*world["entry"][:5], *world["uppers"]]
        unit = Unit.objects.get(pk=units[a % len(units)].pk)
        if not unit.is_active:
            return
        parents = world["provinces"] if unit.kind == "upper" else world["uppers"]
        parent = Unit.objects.get(pk=parents[b % len(parents)].pk)
        if parent.pk != unit.parent_id and parent.is_active:
            orgs.move_unit(unit, new_parent=parent, by=None, on=timezone.localdate(clock.now))
    elif kind == 6:  # two grassroots units merge
        units = [Unit.objects.get(pk=u.pk) for u in world["entry"][:5]]
        active = [u for u in units if u.is_active]
        if len(active) > 2:
            source, target = active[a % len(active)], active[b % len(active)]
            if source.pk != target.pk:
                orgs.merge_units([source], into=target, by=None, on=timezone.localdate(clock.now))
    elif kind == 8:  # a quota allocated (for the whole campaign or for a phase)
        parents = [world["root"], *world["provinces"], *world["uppers"]]
        parent = Unit.objects.get(pk=parents[a % len(parents)].pk)
        children = list(Unit.objects.filter(parent=parent, status=UnitStatus.ACTIVE))
        if children and parent.is_active:
            phases = [None, *world["campaign"].phases.order_by("number")]
            phase = phases[b % len(phases)]
            value = None if c % 9 == 0 else c % 7
            quotas.allocate(parent, world["campaign"], phase, {children[b % len(children)]: value},
                            by=None)  # fmt: skip
    else:  # days pass
        clock.now += dt.timedelta(days=a % 40, hours=b % 24)


def brute_force_ranks(campaign, phase) -> dict:
    """Every active unit's ranks, by sorting every group in full (the way ranks are defined),
    from the figures of every unit."""
    units = list(Unit.objects.all())
    table = figures.figures_for(units, campaign, phase=phase)
    active = [u for u in units if u.is_active]
    groups: dict = {}
    for u in active:
        groups.setdefault(("siblings", u.parent_id), []).append(u.pk)
        groups.setdefault(("level", u.depth), []).append(u.pk)
    for cluster in stats_services.Cluster.objects.all():
        groups[("clusters", cluster.name)] = [u.pk for u in cluster.units.all() if u.is_active]

    def above(pks, m, value):
        if value is None:
            return None
        return 1 + sum(1 for pk in pks if (table[pk].measure(m) or 0) > value
                       and table[pk].measure(m) is not None)  # fmt: skip

    out = {}
    for u in units:
        f = table[u.pk]
        ranks = {
            "siblings": {m: above(groups.get(("siblings", u.parent_id), []), m, f.measure(m))
                         for m in figures.RANK_MEASURES},
            "level": {m: above(groups.get(("level", u.depth), []), m, f.measure(m))
                      for m in figures.RANK_MEASURES},
        }  # fmt: skip
        for cluster in u.in_clusters.all():
            ranks.setdefault("clusters", {})[cluster.name] = {
                m: above(groups[("clusters", cluster.name)], m, f.measure(m))
                for m in figures.RANK_MEASURES
            }
        out[u.code] = ranks
    return out


def served_ranks(campaign, phase) -> dict:
    """Every unit's ranks as the reports serve them (each unit's own report, and each unit
    again as a child in its parent's report)."""
    reports = {u.code: figures.report(u, campaign, phase=phase) for u in Unit.objects.all()}
    for report in reports.values():
        for child in report.children:
            assert child.ranks == reports[child.unit.code].unit.ranks, child.unit.code
    return {code: report.unit.ranks for code, report in reports.items()}


def assert_ranks_exact(world) -> None:
    campaign = world["campaign"]
    for phase in [None, *campaign.phases.order_by("number")]:
        assert served_ranks(campaign, phase) == brute_force_ranks(campaign, phase)


OPS = st.tuples(st.integers(0, 8), st.integers(0, 50), st.integers(1, 4095), st.integers(0, 40))


@pytest.mark.long
@pytest.mark.django_db(transaction=False)
@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(ops=st.lists(OPS, min_size=5, max_size=30))
def test_aggregates_match_the_recount_after_every_step(ops):
    clock = Clock()
    with mock.patch("django.utils.timezone.now", clock), transaction.atomic():
        world = _world()
        for op in ops:
            try:
                with transaction.atomic():
                    _step(world, clock, op)
            except (ValidationError, ConflictError):
                pass  # a step the rules refuse (e.g. resubmitting under a merged unit)
            assert [str(d) for d in recount.check()] == [], op
            assert_ranks_exact(world)
        transaction.set_rollback(True)


@pytest.mark.django_db
def test_merge_moves_history_to_the_successor_and_grassroots_count_once():
    clock = Clock()
    with mock.patch("django.utils.timezone.now", clock):
        world = _world()
        steps = [
            (0, 0, 1, 3), (0, 1, 4, 4), (7, 3, 0, 0), (1, 0, 0, 2), (6, 0, 1, 0),
            (7, 10, 0, 0), (3, 0, 0, 0), (5, 1, 0, 0), (4, 0, 3, 2),
        ]  # fmt: skip
        for op in steps:
            _step(world, clock, op)
            assert [str(d) for d in recount.check()] == []
        merged = Unit.objects.filter(status=UnitStatus.MERGED)
        assert merged.exists()
