"""`engine.add_new` (many initiatives counted at once, as an import does) leaves exactly the
rows that counting them one by one leaves: `recount.check()` finds no difference, with
members already taking part elsewhere, members in several new initiatives, grassroots units
that take part for the first time and units that already did."""

from __future__ import annotations

import pytest
from django.utils import timezone

from sangkien.initiatives import services
from sangkien.initiatives.models import Action, Author, HistoryEntry, Initiative, Status
from sangkien.initiatives.tests.builders import complete, make_campaign
from sangkien.orgs import services as orgs
from sangkien.stats import engine, figures, recount

pytestmark = pytest.mark.django_db


def _bulk(campaign, rows):
    """rows: (unit, title, benefit, [members]) made submitted at once, like an import."""
    now = timezone.now()
    phase = campaign.phase_on(timezone.localdate())
    made = Initiative.objects.bulk_create(
        [
            Initiative(
                campaign=campaign,
                unit=unit,
                phase=phase,
                title=title,
                title_folded=title.lower(),
                status=Status.SUBMITTED,
                submitted_at=now,
                benefit_claimed_vnd=benefit,
            )
            for unit, title, benefit, _m in rows
        ]
    )
    Author.objects.bulk_create(
        [
            Author(initiative=i, member=m, name=m.full_name, share=100 / len(members))
            for i, (_u, _t, _b, members) in zip(made, rows, strict=True)
            for m in members
        ]
    )
    HistoryEntry.objects.bulk_create(
        [
            HistoryEntry(
                initiative=i,
                action=Action.SUBMITTED,
                from_status=Status.DRAFT,
                to_status=Status.SUBMITTED,
                at=now,
                benefit_claimed_vnd=benefit,
                members=sorted(m.pk for m in members),
            )
            for i, (_u, _t, benefit, members) in zip(made, rows, strict=True)
        ]
    )
    engine.add_new(
        campaign.pk,
        engine.local_day(now),
        [
            (
                unit.pk,
                phase.pk if phase else None,
                engine.next_state(
                    engine.NOTHING, Status.SUBMITTED, benefit, None, [m.pk for m in members]
                ),
            )
            for unit, _t, benefit, members in rows
        ],
    )


def test_bulk_counting_agrees_with_the_recount(tree, unit_officer):
    campaign = make_campaign(tree.root, requires_recognition=False)
    g1, g2, hn = tree.grassroots, tree.grassroots2, tree.other_grassroots
    an = orgs.create_member(unit=g1, full_name="Nguyễn Văn An", by=None)
    binh = orgs.create_member(unit=g1, full_name="Lê Thị Bình", by=None)
    cuong = orgs.create_member(unit=g2, full_name="Trần Cường", by=None)
    dung = orgs.create_member(unit=hn, full_name="Phạm Dũng", by=None)
    # An already takes part through an initiative entered by hand.
    first = services.create_initiative(
        campaign=campaign, unit=g1, by=None, authors=[{"member": an, "share": 100}], **complete()
    )
    services.submit_initiative(first, by=None)
    _bulk(
        campaign,
        [
            (g1, "Máy cắt vải tự động", 1_500_000, [an, binh]),
            (g1, "Giảm tiêu hao điện", 0, [binh]),
            (g2, "Băng tải mới", 2_000_000_000, [cuong, an]),
            (hn, "Sổ tay điện tử", 500_000, [dung]),
            (g2, "Không tác giả là đoàn viên", 0, []),
        ],
    )
    assert recount.check() == []
    root = figures.report(tree.root, campaign)
    assert root.unit.initiatives_submitted == 6
    assert root.unit.participating_members == 4
    assert root.unit.participating_units == 3
    assert root.unit.benefit_claimed_vnd == 150_000_000 + 1_500_000 + 2_000_000_000 + 500_000
    upper = figures.report(tree.upper, campaign)
    assert upper.unit.participating_members == 3
    assert upper.unit.participating_units == 2
    # A second batch over the same members and units moves only the counters.
    _bulk(campaign, [(g1, "Thêm một sáng kiến", 10, [an]), (g2, "Và một nữa", 0, [an])])
    assert recount.check() == []
    assert figures.report(tree.root, campaign).unit.participating_members == 4


def test_nothing_to_add_writes_nothing(tree):
    campaign = make_campaign(tree.root, requires_recognition=False)
    engine.add_new(campaign.pk, timezone.localdate(), [])
    assert recount.check() == []
