"""`sangkien rebuild-stats` rebuilds every aggregate, and the checks agree after it."""

from __future__ import annotations

import io
from unittest import mock

import pytest
from django.core.management import CommandError, call_command

from sangkien.stats import recount
from sangkien.stats.models import (
    MemberSpan,
    OwnDay,
    QueueTotal,
    RankCount,
    RankEntry,
    TreeAsOf,
    TreeDay,
    TreeTotal,
)
from sangkien.stats.tests.test_property import Clock, _step, _world
from sangkien.stats.tests.test_queue_counts import STEPS

TABLES = (TreeDay, TreeTotal, TreeAsOf, OwnDay, MemberSpan, QueueTotal, RankEntry, RankCount)


# Rows compared one by one (the day rows and spans may differ in rows that add nothing, a
# day whose changes cancel out: `recount.check` compares what they add up to).
EXACT = (TreeTotal, QueueTotal, RankEntry, RankCount)
COUNTS = {"submitted", "valid", "invalid", "claimed", "benefit", "members", "units",
          "returned", "withdrawn"}  # fmt: skip


def _rows(model):
    fields = [f.attname for f in model._meta.concrete_fields if f.attname != "id"]
    counters = [i for i, f in enumerate(fields) if f in COUNTS]
    rows = model.objects.values_list(*fields)
    return sorted(r for r in rows if not counters or any(r[i] for i in counters))


@pytest.mark.django_db
def test_rebuild_stats_writes_back_every_aggregate():
    clock = Clock()
    with mock.patch("django.utils.timezone.now", clock):
        world = _world()
        for op in STEPS:
            _step(world, clock, op)
            _step(world, clock, (7, 5, 2, 0))
        kept = {model: _rows(model) for model in TABLES}
        for model in TABLES:
            model.objects.all().delete()
        assert recount.check() != []
        out = io.StringIO()
        call_command("rebuild-stats", "--campaign", world["campaign"].code.lower(), stdout=out)
        assert "Rebuilt the statistics of 1 campaign(s)" in out.getvalue()
        assert [str(d) for d in recount.check()] == []
        for model in EXACT:
            assert _rows(model) == kept[model], model.__name__
        for model in TABLES:
            assert model.objects.exists(), model.__name__


@pytest.mark.django_db
def test_rebuild_stats_refuses_an_unknown_campaign():
    with pytest.raises(CommandError):
        call_command("rebuild-stats", "--campaign", "NOPE")
