"""A reorganisation moves only the aggregate rows it affects and replays no history: with the
replay made to fail, moves, a merge, a split and a dissolution still leave figures equal to
the independent recount and to the replay (run afterwards, unpatched)."""

from __future__ import annotations

import datetime as dt
from unittest import mock

import pytest
from django.utils import timezone

from sangkien.initiatives import services
from sangkien.initiatives.tests.builders import complete, make_campaign
from sangkien.orgs import services as orgs
from sangkien.stats import check
from sangkien.stats import recount as replay

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_rank_cache(settings):
    settings.SANGKIEN_RANK_CACHE_SECONDS = 0


def _exact() -> None:
    assert [str(d) for d in check.check()] == []
    assert [str(d) for d in replay.check()] == []


def _no_replay(*args, **kwargs):
    raise AssertionError("a reorganisation replayed the history")


def _union(code, parent):
    return orgs.create_unit(
        code=code, name=f"Công đoàn {code}", kind="grassroots", parent=parent, by=None,
        founded_on=dt.date(2000, 1, 1),
    )  # fmt: skip


def test_reorganisations_move_rows_without_replaying(tree):
    start = timezone.now() - dt.timedelta(days=20)
    clock = {"now": start}

    def now():
        clock["now"] += dt.timedelta(seconds=1)
        return clock["now"]

    with mock.patch("django.utils.timezone.now", now):
        campaign = make_campaign(tree.root)
        a = _union("TH-KCN-031", tree.upper)
        b = _union("TH-KCN-032", tree.upper)
        c = _union("HN-033", tree.other_province)
        group = orgs.create_unit(
            code="TH-KCN-031-T1", name="Tổ công đoàn 1", kind="group", parent=a, by=None,
            founded_on=dt.date(2000, 1, 1),
        )  # fmt: skip
        # One author in two unions of two provinces, so that presence elsewhere matters.
        both = orgs.create_member(unit=a, full_name="Trần Văn Hai", by=None)
        alone = orgs.create_member(unit=b, full_name="Phạm Thị Ba", by=None)
        grouped = orgs.create_member(unit=group, full_name="Vũ Văn Tư", by=None)
        made = []
        for n, (unit, authors) in enumerate(
            [
                (a, [both]), (a, [both, alone]), (b, [alone]), (c, [both]),
                (group, [grouped]), (group, [grouped, both]), (b, [both]), (a, [grouped]),
            ]
        ):  # fmt: skip
            share = 100 // len(authors)
            rows = [{"member": m, "share": share} for m in authors]
            rows[0]["share"] += 100 - share * len(authors)
            initiative = services.create_initiative(
                campaign=campaign, unit=unit, by=None, authors=rows,
                **complete(title=f"Sáng kiến số {n}"),
            )  # fmt: skip
            initiative = services.submit_initiative(initiative, by=None)
            clock["now"] += dt.timedelta(days=1)
            if n % 3 == 1:
                services.decide_initiative(initiative, by=None, decision="valid")
            elif n % 3 == 2:
                services.decide_initiative(
                    initiative, by=None, decision="returned", reason="Bổ sung."
                )
            made.append(initiative)
        _exact()
        with mock.patch.object(replay, "timelines", _no_replay):
            orgs.move_unit(a, new_parent=tree.other_province, by=None)
        _exact()
        clock["now"] += dt.timedelta(days=1)
        with mock.patch.object(replay, "timelines", _no_replay):
            orgs.move_unit(group, new_parent=b, by=None)  # the group changes grassroots unit
        _exact()
        clock["now"] += dt.timedelta(days=1)
        with mock.patch.object(replay, "timelines", _no_replay):
            orgs.merge_units([b], into=c, by=None)
        _exact()
        clock["now"] += dt.timedelta(days=1)
        with mock.patch.object(replay, "timelines", _no_replay):
            orgs.split_unit(
                c, by=None, records_to="HN-034",
                into=[{"code": "HN-034", "name": "Công đoàn 34"},
                      {"code": "HN-035", "name": "Công đoàn 35"}],
            )  # fmt: skip
        _exact()
        clock["now"] += dt.timedelta(days=1)
        successor = orgs.Unit.objects.get(code="HN-035")
        with mock.patch.object(replay, "timelines", _no_replay):
            orgs.dissolve_unit(orgs.Unit.objects.get(code="HN-034"), transfer_to=successor, by=None)
        _exact()
        with mock.patch.object(replay, "timelines", _no_replay):
            orgs.move_unit(orgs.Unit.objects.get(pk=a.pk), new_parent=tree.upper, by=None)
        _exact()


@pytest.mark.parametrize(
    "part",
    ["_counters", "_units", "_members"],
)
def test_check_stats_catches_each_part_of_the_moves_left_out(tree, part):
    """The mutation check of the incremental reorganisation: with any one of its parts (the
    additive counters, the participating units, the participating members) made a no-op, a
    move of a union across provinces leaves differences that check-stats names."""
    campaign = make_campaign(tree.root)
    union = _union("TH-KCN-051", tree.upper)
    author = orgs.create_member(unit=union, full_name="Đỗ Thị Năm", by=None)
    initiative = services.create_initiative(
        campaign=campaign, unit=union, by=None,
        authors=[{"member": author, "share": 100}], **complete(title="Sáng kiến di chuyển"),
    )  # fmt: skip
    services.submit_initiative(initiative, by=None)
    _exact()
    original = getattr(replay._Moves, part)

    def broken(self):
        if part == "_counters":
            original(self)  # the later parts need what it found
            self.out.clear()

    with mock.patch.object(replay._Moves, part, broken):
        orgs.move_unit(union, new_parent=tree.other_province, by=None)
    differences = [str(d) for d in check.check()]
    assert differences, part
    figure = {
        "_counters": "initiatives_submitted",
        "_units": "participating_units",
        "_members": "participating_members",
    }[part]
    assert any(figure in d for d in differences), differences
