"""Ranks read off `RankCount`: exact against sorting every group in full, and a unit's report
costs the same number of queries whatever the number of its siblings and of the units of
its level."""

from __future__ import annotations

import datetime as dt
import random
from unittest import mock

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from sangkien.initiatives import services
from sangkien.initiatives.tests.builders import complete, make_campaign
from sangkien.orgs import services as orgs
from sangkien.orgs.models import Unit
from sangkien.stats import figures, ranks, recount
from sangkien.stats.models import RankCount

pytestmark = pytest.mark.django_db


def test_sig_codes_keep_the_order_of_the_values():
    values = sorted({0, 1, 9, 10, 99, 100, 101, 999, 1000, 1001, 123_456_789, 10**15, 10**18}
                    | {random.Random(3).randrange(10**12) for _ in range(2000)})  # fmt: skip
    for digits in (1, 3):
        codes = [ranks.sig(v, digits) for v in values]
        assert codes == sorted(codes)
    assert ranks.sig(12_345, 3) == 2 * 1000 + 123
    assert ranks.sig(7, 1) == 7 and ranks.sig(70, 1) == 17


def test_ranks_above_equal_counting_every_greater_value(tree):
    campaign = make_campaign(tree.root)
    rng = random.Random(11)
    # Benefits in đồng over many decades, with ties, and small counts with many ties.
    values = [int(10 ** rng.uniform(0, 13)) for _ in range(1500)]
    values += [rng.choice(values) for _ in range(300)] + [rng.randrange(40) for _ in range(400)]
    deltas: dict = {}
    for v in values:
        if v > 0:
            for tier, bucket, cell in ranks.cells(v):
                key = (0, ranks.LEVEL, 3, 2, tier, bucket, cell)
                deltas[key] = deltas.get(key, 0) + 1
    ranks._add_counts(campaign.pk, deltas)
    probes = [*rng.sample(values, 300), 0, 1, 10**14, None]
    served = ranks.ranks_above(campaign.pk, 0, [(ranks.LEVEL, 3, 2, v) for v in probes])
    expected = [
        None if p is None else 1 + sum(1 for v in values if v > 0 and v > p) for p in probes
    ]
    assert served == expected
    # Another group or measure sees none of them.
    assert ranks.ranks_above(campaign.pk, 0, [(ranks.LEVEL, 4, 2, 5), (ranks.LEVEL, 3, 1, 5)]) == [
        1,
        1,
    ]


def _grassroots(parent: Unit, code: str) -> Unit:
    return orgs.create_unit(
        code=code, name=f"Công đoàn {code}", kind="grassroots", parent=parent, by=None,
        founded_on=dt.date(2020, 1, 1),
    )  # fmt: skip


def _upper(parent: Unit, code: str) -> Unit:
    return orgs.create_unit(
        code=code, name=f"Công đoàn cấp trên {code}", kind="upper", parent=parent, by=None,
        founded_on=dt.date(2020, 1, 1),
    )  # fmt: skip


def _valid_initiative(campaign, unit: Unit, n: int) -> None:
    member = orgs.create_member(unit=unit, full_name=f"Người {unit.code} {n}", by=None)
    initiative = services.create_initiative(
        campaign=campaign, unit=unit, by=None, authors=[{"member": member, "share": 100}],
        **complete(title=f"Sáng kiến {unit.code} {n}", benefit_claimed_vnd=(n + 1) * 1_000_000,
                   first_applied_on=dt.date(2026, 1, 15), recognition_date=dt.date(2026, 2, 1)),
    )  # fmt: skip
    services.submit_initiative(initiative, by=None)
    if n % 2 == 0:
        services.decide_initiative(
            initiative, by=None, decision="valid", reason="Đạt", benefit_valid_vnd=n * 700_000
        )


def _grow(campaign, province: Unit, start: int, n: int) -> None:
    """n more upper-level units under the province (siblings of TH-KCN), each with two
    grassroots unions (units of its children's level), some with initiatives."""
    for i in range(start, start + n):
        upper = _upper(province, f"TH-U{i:03d}")
        for j in range(2):
            g = _grassroots(upper, f"TH-U{i:03d}-{j}")
            if (i + j) % 3 == 0:
                _valid_initiative(campaign, g, i + j)


def _queries(unit: Unit, campaign) -> int:
    unit = Unit.objects.get(pk=unit.pk)
    figures.report(unit, campaign)  # the plans' coverage recounts itself once a tree changed
    # Lists of ids go to the database 3 at a time (900 in production), so that reading the
    # figures of 6 or 16 siblings, or of a whole level, would show in the count.
    chunks = figures.chunks
    with (
        mock.patch.object(figures, "chunks", lambda ids, size=3: chunks(ids, 3)),
        CaptureQueriesContext(connection) as ctx,
    ):
        report = figures.report(unit, campaign)
        assert report.unit.ranks["level"]["initiatives_valid"]
        assert report.children or unit.kind == "grassroots"
    return len(ctx.captured_queries)


def test_report_queries_do_not_grow_with_siblings_or_level(tree):
    campaign = make_campaign(tree.root, starts_on=dt.date(2026, 1, 1), ends_on=dt.date(2099, 1, 1))
    for n, g in enumerate([tree.grassroots, tree.grassroots2]):
        _valid_initiative(campaign, g, n)
    _grow(campaign, tree.province, 0, 5)
    few = (_queries(tree.upper, campaign), _queries(tree.grassroots, campaign))
    _grow(campaign, tree.province, 5, 10)
    assert Unit.objects.filter(parent=tree.province).count() == 16
    many = (_queries(tree.upper, campaign), _queries(tree.grassroots, campaign))
    assert many == few
    assert recount.check() == []


def test_ranks_are_live_after_a_decision_and_rebuilt_alike(tree):
    campaign = make_campaign(tree.root, starts_on=dt.date(2026, 1, 1), ends_on=dt.date(2099, 1, 1))
    _grow(campaign, tree.province, 0, 4)
    first = figures.report(tree.upper, campaign).unit.ranks["level"]["initiatives_valid"]
    assert first == 2  # one upper-level unit holds a valid initiative, TH-KCN none
    for n in range(3):
        _valid_initiative(campaign, tree.grassroots, 2 * n)
    assert figures.report(tree.upper, campaign).unit.ranks["level"]["initiatives_valid"] == 1
    kept = set(RankCount.objects.values_list("phase_key", "scope", "grp", "measure", "tier",
                                             "bucket", "value", "units"))  # fmt: skip
    recount.rebuild()
    rebuilt = set(RankCount.objects.values_list("phase_key", "scope", "grp", "measure", "tier",
                                                "bucket", "value", "units"))  # fmt: skip
    assert rebuilt == kept
