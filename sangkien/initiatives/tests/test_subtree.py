"""`Initiative.objects.in_subtree` picks a plan per subtree (one unit, a small subtree, a big
share of everything); whichever it picks, the rows are those below the unit by the path."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from sangkien.initiatives import models
from sangkien.initiatives.models import Initiative
from sangkien.orgs import services as orgs
from sangkien.orgs.models import PATH_END, Unit, UnitKind


@pytest.fixture
def seeded(db, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    call_command("seed", scale="test", no_progress=True, stdout=io.StringIO())


def by_path(unit: Unit) -> list[int]:
    qs = Initiative.objects.filter(unit__path__gte=unit.path, unit__path__lt=unit.path + PATH_END)
    return list(qs.in_queue().order_by("-id").values_list("id", flat=True))


@pytest.mark.parametrize("share", [0.0, 0.005, 2.0])
def test_every_plan_gives_the_subtree(seeded, monkeypatch, share):
    monkeypatch.setattr(models, "BIG_SUBTREE_SHARE", share)
    for unit in Unit.objects.all():
        qs = Initiative.objects.in_subtree(unit).in_queue()
        assert list(qs.order_by("-id").values_list("id", flat=True)) == by_path(unit), unit.code
        pending = qs.filter(status="submitted").order_by("-id").values_list("id", flat=True)
        assert list(pending) == [
            i.pk
            for i in Initiative.objects.filter(pk__in=by_path(unit), status="submitted").order_by(
                "-id"
            )
        ]


@pytest.mark.parametrize("share", [0.0, 2.0])
def test_several_subtrees(seeded, monkeypatch, share):
    monkeypatch.setattr(models, "BIG_SUBTREE_SHARE", share)
    uppers = list(Unit.objects.filter(kind=UnitKind.UPPER).order_by("id")[:2])
    grassroots = Unit.objects.filter(kind=UnitKind.GRASSROOTS).exclude(
        path__startswith=uppers[0].path
    )[0]
    paths = [uppers[0].path, grassroots.path, uppers[0].path + "zz"]
    got = Initiative.objects.in_subtrees(paths).order_by("id").values_list("id", flat=True)
    want = sorted({*by_path(uppers[0]), *by_path(grassroots)})
    drafts = set(Initiative.objects.filter(submitted_at=None).values_list("id", flat=True))
    assert [i for i in got if i not in drafts] == want
    assert Initiative.objects.in_subtrees([]).count() == 0
    assert Initiative.objects.in_subtrees([""]).count() == Initiative.objects.count()


def test_a_grassroots_unit_with_groups_below_counts_them(seeded):
    unit = Unit.objects.filter(kind=UnitKind.GRASSROOTS).order_by("id").first()
    before = by_path(unit)
    assert (
        list(
            Initiative.objects.in_subtree(unit)
            .in_queue()
            .order_by("-id")
            .values_list("id", flat=True)
        )
        == before
    )
    group = orgs.create_unit(
        code=unit.code + "-T01", name="Tổ công đoàn số 1", kind="group", parent=unit, by=None
    )
    moved = before[:3]
    Initiative.objects.filter(pk__in=moved).update(unit=group)
    unit.refresh_from_db()
    got = Initiative.objects.in_subtree(unit).in_queue().order_by("-id")
    assert list(got.values_list("id", flat=True)) == before
    assert sorted(Initiative.objects.in_subtree(group).values_list("id", flat=True)) == sorted(
        moved
    )
