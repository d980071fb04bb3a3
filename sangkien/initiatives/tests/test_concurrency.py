"""Two people acting on one initiative at the same moment, each in their own thread with
their own database connection, committing for real: one wins, the other is told."""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any
from unittest import mock

import pytest
from django.db import DEFAULT_DB_ALIAS, connections
from django.utils import translation

from sangkien.core.errors import ConflictError
from sangkien.initiatives import services
from sangkien.initiatives.models import HistoryEntry, Initiative, Status

from .builders import make_campaign, make_initiative

pytestmark = pytest.mark.django_db(transaction=True)

# How long the first writer holds its transaction open, so that the second one surely
# arrives while it is still running.
HOLD_SECONDS = 0.3


@pytest.fixture
def own_connections(transactional_db, tmp_path) -> Iterator[Callable[[], None]]:
    """A function each thread calls first so that it works on the test database.

    PostgreSQL: every thread opens its own connection to the test database; nothing to do.
    SQLite: the test database lives in shared-cache memory, where a second writer fails at
    once ("database table is locked") instead of waiting. The product runs SQLite from a
    file (WAL, busy timeout, IMMEDIATE transactions), so the schema is copied into a file
    and every thread, this one included, gets a connection of its own to that file."""
    default = connections[DEFAULT_DB_ALIAS]
    if default.vendor != "sqlite" or not default.is_in_memory_db():
        yield lambda: None
        return
    path = tmp_path / "sangkien.sqlite3"
    default.ensure_connection()
    target = sqlite3.connect(path)
    default.connection.backup(target)
    target.close()
    file_settings = {**default.settings_dict, "NAME": str(path)}

    def use_file() -> None:
        connections[DEFAULT_DB_ALIAS] = default.__class__(file_settings, DEFAULT_DB_ALIAS)

    use_file()
    try:
        yield use_file
    finally:
        connections[DEFAULT_DB_ALIAS].close()
        connections[DEFAULT_DB_ALIAS] = default


def run_at_once(use_connection: Callable[[], None], *jobs: Callable[[], Any]) -> list[Any]:
    """Run the jobs in threads released together; each result, or the exception raised."""
    barrier = threading.Barrier(len(jobs))
    results: list[Any] = [None] * len(jobs)

    def run(i: int, job: Callable[[], Any]) -> None:
        use_connection()
        try:
            with translation.override("en"):
                barrier.wait(timeout=10)
                results[i] = job()
        except Exception as exc:  # the outcome under test
            results[i] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, job)) for i, job in enumerate(jobs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
        assert not thread.is_alive()
    return results


def slowly(original: Callable[..., Any]) -> Callable[..., Any]:
    """The same function, taking its time inside the caller's transaction."""

    def wrapper(*args: Any, **kwargs: Any) -> Any:
        time.sleep(HOLD_SECONDS)
        return original(*args, **kwargs)

    return wrapper


def test_two_officers_deciding_at_once_one_wins_the_other_is_told(
    own_connections, tree, member, unit_officer, reviewer
):
    campaign = make_campaign(tree.root)
    initiative = make_initiative(campaign, tree.grassroots, by=member, status=Status.SUBMITTED)
    pk, version = initiative.pk, initiative.version

    def decide(user: Any, decision: str) -> Callable[[], Initiative]:
        def job() -> Initiative:
            return services.decide_initiative(
                Initiative.objects.get(pk=pk),
                by=user,
                decision=decision,
                reason="Quyết định của hội đồng",
                expected_version=version,
            )

        return job

    with mock.patch.object(
        services.workflow, "_tell_authors", slowly(services.workflow._tell_authors)
    ):
        results = run_at_once(
            own_connections, decide(unit_officer, "valid"), decide(reviewer, "returned")
        )

    won = [r for r in results if isinstance(r, Initiative)]
    lost = [r for r in results if isinstance(r, Exception)]
    assert len(won) == 1 and len(lost) == 1, results
    assert isinstance(lost[0], ConflictError)
    assert isinstance(lost[0], services.TransitionError)
    assert "already decided" in lost[0].message
    row = Initiative.objects.get(pk=pk)
    assert row.status == won[0].status
    assert row.version == version + 1
    assert row.decided_by_id == won[0].decided_by_id
    decisions = HistoryEntry.objects.filter(
        initiative_id=pk, action__in=["validated", "returned", "invalidated"]
    )
    assert decisions.count() == 1


def test_two_edits_of_the_same_version_at_once_one_wins(own_connections, tree, member):
    campaign = make_campaign(tree.root)
    initiative = make_initiative(campaign, tree.grassroots, by=member)
    pk, version = initiative.pk, initiative.version

    def edit(title: str) -> Callable[[], Initiative]:
        def job() -> Initiative:
            return services.update_initiative(
                Initiative.objects.get(pk=pk), by=member, expected_version=version, title=title
            )

        return job

    with mock.patch.object(services.entry.audit, "record", slowly(services.entry.audit.record)):
        results = run_at_once(own_connections, edit("Bản của máy A"), edit("Bản của máy B"))

    won = [r for r in results if isinstance(r, Initiative)]
    lost = [r for r in results if isinstance(r, Exception)]
    assert len(won) == 1 and len(lost) == 1, results
    assert type(lost[0]) is ConflictError
    assert Initiative.objects.get(pk=pk).title == won[0].title
    assert HistoryEntry.objects.filter(initiative_id=pk, action="edited").count() == 1
