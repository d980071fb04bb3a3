"""Reorganisations racing the submissions and decisions they touch, each in its own thread
with its own database connection, committing for real. Moves and a merge take the unit
tree's lock alone and the workflow takes it shared, first thing (`core.locks.hold_tree`),
so the two queue instead of deadlocking on the unit rows: no user action fails, and the
served figures equal the independent recount and the replay afterwards."""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connections
from django.utils import translation

from sangkien.initiatives import services
from sangkien.initiatives.models import Initiative, Status
from sangkien.initiatives.tests.builders import complete, make_campaign
from sangkien.initiatives.tests.test_concurrency import own_connections  # noqa: F401 (fixture)
from sangkien.orgs import services as orgs
from sangkien.orgs.models import Unit
from sangkien.stats import check
from sangkien.stats import recount as replay

pytestmark = pytest.mark.django_db(transaction=True)

SUBMITTERS = 3
PER_SUBMITTER = 6
MOVES = 6


@pytest.fixture(autouse=True)
def _no_rank_cache(settings):
    settings.SANGKIEN_RANK_CACHE_SECONDS = 0


def _union(code: str, parent: Unit) -> Unit:
    return orgs.create_unit(
        code=code, name=f"Công đoàn {code}", kind="grassroots", parent=parent, by=None,
        founded_on=dt.date(2000, 1, 1),
    )  # fmt: skip


def _draft(campaign, unit, author, title):
    return services.create_initiative(
        campaign=campaign, unit=unit, by=None,
        authors=[{"member": author, "share": 100}], **complete(title=title),
    )  # fmt: skip


def _in_threads(use_connection: Callable[[], None], jobs: list[Callable[[], Any]]) -> list[Any]:
    """Run the jobs in threads released together; each one's list of failures."""
    barrier = threading.Barrier(len(jobs))
    failures: list[list[BaseException]] = [[] for _ in jobs]

    def run(i: int, job: Callable[[], Any]) -> None:
        use_connection()
        try:
            with translation.override("en"):
                barrier.wait(timeout=20)
                job()
        except BaseException as exc:  # the outcome under test
            failures[i].append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, job)) for i, job in enumerate(jobs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=240)
        assert not thread.is_alive()
    return failures


def test_moves_and_a_merge_racing_submissions_and_decisions_fail_nobody(
    own_connections,  # noqa: F811
    tree,
):
    campaign = make_campaign(tree.root)
    # The union that moves to and fro between the provinces, and one that merges away.
    moving = _union("TH-KCN-007", tree.upper)
    merging = _union("TH-KCN-008", tree.upper)
    units = [moving, merging, tree.grassroots, tree.grassroots2, tree.other_grassroots]
    authors = {
        u.pk: [orgs.create_member(unit=u, full_name=f"Tác giả {u.code} {n}", by=None)
               for n in range(2)]
        for u in units
    }  # fmt: skip
    drafts: list[list[int]] = [[] for _ in range(SUBMITTERS)]
    for s in range(SUBMITTERS):
        for n in range(PER_SUBMITTER):
            unit = units[(s + n) % len(units)]
            author = authors[unit.pk][n % 2]
            drafts[s].append(_draft(campaign, unit, author, f"Sáng kiến {s}-{n}").pk)
    waiting = []
    for n in range(8):
        unit = units[n % len(units)]
        initiative = _draft(campaign, unit, authors[unit.pk][(n + 1) % 2], f"Đang chờ {n}")
        waiting.append(services.submit_initiative(initiative, by=None).pk)

    def submitter(pks: list[int]) -> Callable[[], None]:
        def job() -> None:
            for pk in pks:
                services.submit_initiative(Initiative.objects.get(pk=pk), by=None)

        return job

    def decider() -> None:
        for n, pk in enumerate(waiting):
            decision = ("valid", "returned", "invalid")[n % 3]
            services.decide_initiative(
                Initiative.objects.get(pk=pk), by=None, decision=decision,
                reason="Theo kết luận của hội đồng.",
            )  # fmt: skip

    def reorganiser() -> None:
        targets = [tree.other_province, tree.upper]
        for n in range(MOVES):
            orgs.move_unit(
                Unit.objects.get(pk=moving.pk),
                new_parent=Unit.objects.get(pk=targets[n % 2].pk),
                by=None,
            )
            if n == MOVES // 2:
                orgs.merge_units(
                    [Unit.objects.get(pk=merging.pk)],
                    into=Unit.objects.get(pk=tree.other_grassroots.pk),
                    by=None,
                )
            time.sleep(0.01)

    jobs = [submitter(pks) for pks in drafts] + [decider, reorganiser]
    failures = _in_threads(own_connections, jobs)

    assert [[repr(e) for e in f] for f in failures] == [[] for _ in jobs]
    submitted = Initiative.objects.filter(pk__in=[pk for pks in drafts for pk in pks])
    assert set(submitted.values_list("status", flat=True)) == {Status.SUBMITTED}
    decided = Initiative.objects.filter(pk__in=waiting)
    assert Status.SUBMITTED not in set(decided.values_list("status", flat=True))
    assert Unit.objects.get(pk=moving.pk).parent_id == tree.upper.pk  # an even number of moves
    assert Unit.objects.get(pk=merging.pk).successor_id == tree.other_grassroots.pk
    assert not Initiative.objects.filter(unit=merging, status__in=["draft", "submitted"]).exists()
    assert [str(d) for d in check.check()] == []
    assert [str(d) for d in replay.check()] == []
