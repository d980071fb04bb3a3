"""The review queue's counts per status come from `QueueTotal`: equal to a count over the
initiatives after submissions, decisions, returns, reopenings, withdrawals, unit moves and
merges, and read in a number of queries that does not grow with the queue."""

from __future__ import annotations

import datetime as dt
from unittest import mock

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from sangkien.accounts import services as accounts
from sangkien.accounts.models import Role
from sangkien.initiatives.models import Initiative
from sangkien.initiatives.queries import status_counts
from sangkien.orgs.models import Unit
from sangkien.stats import queue, recount
from sangkien.stats.models import QUEUE_COUNTERS, QueueTotal
from sangkien.stats.tests.test_property import Clock, _step, _world

HTMX = {"HTTP_HX_REQUEST": "true"}

# Submissions (some withdrawn, some left drafts), decisions (valid, returned, invalid),
# withdrawals, reopenings, returned ones resubmitted, a unit moved, two units merged.
STEPS = [
    (0, 0, 1, 3), (0, 1, 4, 4), (0, 2, 2, 5), (0, 3, 3, 7), (0, 4, 5, 8), (0, 2, 6, 9),
    (0, 1, 7, 11), (1, 0, 0, 2), (1, 1, 1, 2), (1, 2, 2, 2), (1, 3, 1, 3), (7, 3, 0, 0),
    (2, 0, 0, 0), (3, 1, 0, 0), (4, 0, 3, 2), (5, 1, 0, 0), (1, 0, 1, 0), (6, 0, 1, 0),
    (3, 0, 0, 0), (2, 1, 0, 0), (5, 3, 1, 0), (1, 2, 0, 4), (6, 1, 2, 0), (0, 1, 3, 2),
]  # fmt: skip


def recounted(unit: Unit, campaign, phase=None) -> dict[str, int]:
    qs = Initiative.objects.in_subtree(unit).in_queue().filter(campaign=campaign)
    if phase is not None:
        qs = qs.filter(phase=phase)
    counts = status_counts(qs)
    return {s: counts[s] for s in QUEUE_COUNTERS}


@pytest.mark.django_db
def test_queue_counts_equal_a_recount_after_every_step():
    clock = Clock()
    with mock.patch("django.utils.timezone.now", clock):
        world = _world()
        campaign = world["campaign"]
        phases = [None, *campaign.phases.order_by("number")]
        seen: set[str] = set()
        for op in STEPS:
            _step(world, clock, op)
            for unit in Unit.objects.all():
                for phase in phases:
                    served = queue.counts([unit.path], campaign=campaign, phase=phase)
                    assert served == recounted(unit, campaign, phase), (op, unit.code, phase)
                    seen |= {s for s, n in served.items() if n}
            assert [str(d) for d in recount.check()] == [], op
        # Every status of the queue was met on the way.
        assert seen == set(QUEUE_COUNTERS)
        # All campaigns at once, and the whole tree ("" is the national administrator's).
        root = world["root"]
        assert queue.counts([""]) == recounted(root, campaign)
        assert queue.counts([root.path]) == recounted(root, campaign)


@pytest.mark.django_db
def test_rebuilt_queue_rows_are_the_kept_ones():
    clock = Clock()
    with mock.patch("django.utils.timezone.now", clock):
        world = _world()
        for op in STEPS:
            _step(world, clock, op)
    kept = queue.stored(world["campaign"].pk)
    QueueTotal.objects.all().delete()
    queue.build()
    assert queue.stored(world["campaign"].pk) == kept
    assert kept == queue.recount(world["campaign"].pk)
    assert [str(d) for d in recount.check()] == []


def _officer(unit: Unit):
    user = accounts.create_user(
        username=f"officer-{unit.code.lower()}", password="x" * 12, by=None, check_password=False
    )
    accounts.grant_role(user, role=Role.OFFICER, unit=unit, by=None)
    return user


@pytest.mark.django_db
def test_queue_counts_page_reads_the_rows_not_the_initiatives(client):
    clock = Clock()
    with mock.patch("django.utils.timezone.now", clock):
        world = _world()
        campaign = world["campaign"]
        root = world["root"]
        client.force_login(_officer(root))

        def page(params=None):
            with CaptureQueriesContext(connection) as queries:
                response = client.get(reverse("initiatives:queue_counts"), params or {}, **HTMX)
            assert response.status_code == 200
            shown = {link["status"]: link["count"] for link in response.context["links"]}
            return shown, [q["sql"] for q in queries.captured_queries]

        for op in STEPS[:8]:
            _step(world, clock, op)
        few_counts, few = page()
        assert few_counts == recounted(root, campaign)
        for op in STEPS[8:]:
            _step(world, clock, op)
        many_counts, many = page()
        assert many_counts == recounted(root, campaign)
        assert many_counts != few_counts
        # The same queries whatever the queue holds, none of them over the initiatives.
        assert len(many) == len(few)
        assert not [sql for sql in many if "initiatives_initiative" in sql]
        # A unit and a campaign filter still read the rows only.
        upper = world["uppers"][0]
        shown, sqls = page({"unit": upper.code, "campaign": campaign.code})
        assert shown == recounted(Unit.objects.get(pk=upper.pk), campaign)
        assert not [sql for sql in sqls if "initiatives_initiative" in sql]
        # A filter the rows do not hold (a title search) counts over the initiatives.
        shown, sqls = page({"q": "Sáng kiến"})
        assert shown == recounted(root, campaign)
        assert [sql for sql in sqls if "initiatives_initiative" in sql]


@pytest.mark.django_db
def test_queue_counts_cost_does_not_grow_with_the_tree():
    """The rows read are those of the units asked for: a grassroots union's counts take the
    same queries with 3 sibling units as with 40."""
    clock = Clock()
    with mock.patch("django.utils.timezone.now", clock):
        world = _world()
        for op in STEPS[:8]:
            _step(world, clock, op)
        campaign = world["campaign"]
        unit = Unit.objects.get(pk=world["entry"][0].pk)

        def cost():
            with CaptureQueriesContext(connection) as queries:
                queue.counts([unit.path], campaign=campaign)
            return len(queries.captured_queries)

        before = cost()
        from sangkien.orgs import services as orgs

        for i in range(40):
            orgs.create_unit(
                code=f"GX{i}", name=f"Công đoàn GX{i}", kind="grassroots", parent=unit.parent,
                by=None, founded_on=dt.date(2020, 1, 1),
            )  # fmt: skip
        assert cost() == before == 1
