"""Figures as of a past date come from the cumulative checkpoints: the same as the day rows
summed up to the date, for every unit and date, in one read whatever the number of days."""

from __future__ import annotations

import datetime as dt
from unittest import mock

import pytest
from django.db import connection
from django.db.models import Sum
from django.test.utils import CaptureQueriesContext

from sangkien.orgs.models import Unit
from sangkien.stats import checkpoints, engine, figures, recount
from sangkien.stats.models import TREE_COUNTERS, TreeAsOf, TreeDay
from sangkien.stats.tests.test_property import Clock, _step, _world
from sangkien.stats.tests.test_queue_counts import STEPS

DAYS_PASS = (7, 9, 3, 0)


def summed(unit_id, campaign, key, day):
    row = TreeDay.objects.filter(
        campaign=campaign, phase_key=key, unit_id=unit_id, day__lte=day
    ).aggregate(**{c: Sum(c) for c in TREE_COUNTERS})
    return [int(row[c] or 0) for c in TREE_COUNTERS]


@pytest.mark.django_db
def test_figures_as_of_every_day_equal_the_day_rows_summed():
    clock = Clock()
    with mock.patch("django.utils.timezone.now", clock):
        world = _world()
        for op in STEPS:
            _step(world, clock, op)
            _step(world, clock, DAYS_PASS)
        campaign = world["campaign"]
        days = sorted(set(TreeDay.objects.values_list("day", flat=True)))
        assert len(days) > 10
        probes = {days[0] - dt.timedelta(days=1), *days, *(d + dt.timedelta(days=1) for d in days)}
        units = list(Unit.objects.all())
        for key in [0, *campaign.phases.values_list("pk", flat=True)]:
            for day in sorted(probes):
                found = checkpoints.as_of([u.pk for u in units], campaign.pk, key, day)
                for u in units:
                    assert found.get(u.pk, [0] * 7) == summed(u.pk, campaign, key, day), (u, day)
        assert [str(d) for d in recount.check()] == []


@pytest.mark.django_db
def test_a_change_dated_before_the_last_checkpoint_moves_the_later_ones():
    clock = Clock()
    with mock.patch("django.utils.timezone.now", clock):
        world = _world()
        for op in STEPS[:6]:
            _step(world, clock, op)
            _step(world, clock, DAYS_PASS)
        campaign = world["campaign"]
        unit = world["entry"][0]
        first = TreeDay.objects.filter(campaign=campaign).order_by("day").first().day
        engine.apply(
            campaign_id=campaign.pk, unit_id=unit.pk, phase_id=None, before=engine.NOTHING,
            after=engine.State("valid", 5, 7, ()), day=first - dt.timedelta(days=3),
        )  # fmt: skip
        last = TreeDay.objects.order_by("-day").first().day
        for day in (first - dt.timedelta(days=3), first, last):
            found = checkpoints.as_of([world["root"].pk], campaign.pk, 0, day)
            assert found[world["root"].pk] == summed(world["root"].pk, campaign, 0, day)
        # The rebuilt checkpoints are the kept ones.
        kept = sorted(TreeAsOf.objects.values_list("unit_id", "phase_key", "day", *TREE_COUNTERS))
        checkpoints.fill()
        assert (
            sorted(TreeAsOf.objects.values_list("unit_id", "phase_key", "day", *TREE_COUNTERS))
            == kept
        )


@pytest.mark.django_db
def test_a_past_figure_is_one_read_whatever_the_number_of_days():
    clock = Clock()
    with mock.patch("django.utils.timezone.now", clock):
        world = _world()
        campaign = world["campaign"]
        root = Unit.objects.get(pk=world["root"].pk)

        def cost(day):
            with CaptureQueriesContext(connection) as queries:
                figures.vectors([root.pk], campaign, None, day)
            return [q["sql"] for q in queries.captured_queries]

        for op in STEPS[:4]:
            _step(world, clock, op)
            _step(world, clock, DAYS_PASS)
        few = cost(clock.now.date() - dt.timedelta(days=1))
        for op in STEPS[4:]:
            _step(world, clock, op)
            _step(world, clock, DAYS_PASS)
        assert TreeDay.objects.filter(unit=root).count() > 2 * 4
        many = cost(clock.now.date() - dt.timedelta(days=1))
        assert len(many) == len(few) == 1
        assert "stats_treeday" not in many[0]
