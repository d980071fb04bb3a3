"""Work follows the successor: when a reorganisation closes a unit, its open initiatives
(drafts, under review, returned) go to the unit that answers for it. That unit's reviewers
see them in their queue and decide them, the old subtree's officers no longer reach them, a
returned one is resubmitted there, decided ones stay where they were decided, and after
every step the served figures equal the independent recount of `check-stats`."""

from __future__ import annotations

import datetime as dt
from unittest import mock

import pytest
from django.urls import reverse
from django.utils import timezone

from conftest import make_user
from sangkien.accounts.models import Role
from sangkien.core.errors import ValidationError
from sangkien.initiatives import services
from sangkien.initiatives.models import Action, HistoryEntry, Initiative, Status
from sangkien.initiatives.tests.builders import complete, make_campaign
from sangkien.orgs import services as orgs
from sangkien.orgs.models import Unit
from sangkien.stats import check, figures
from sangkien.stats import recount as replay

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_rank_cache(settings):
    settings.SANGKIEN_RANK_CACHE_SECONDS = 0


class Clock:
    """Now, from 40 days ago, a second further at each call; `days(n)` jumps ahead."""

    def __init__(self) -> None:
        self.now = timezone.now() - dt.timedelta(days=40)

    def __call__(self) -> dt.datetime:
        self.now += dt.timedelta(seconds=1)
        return self.now

    def days(self, n: int) -> None:
        self.now += dt.timedelta(days=n)


def _exact() -> None:
    """The served figures (both trees, the queues) equal the independent recount, and the
    aggregates equal the replay of the history."""
    assert [str(d) for d in check.check()] == []
    assert [str(d) for d in replay.check()] == []


def _initiative(campaign, unit, author, title, status, clock):
    initiative = services.create_initiative(
        campaign=campaign,
        unit=unit,
        by=None,
        authors=[{"member": author, "share": 100}],
        **complete(title=title),
    )
    if status == Status.DRAFT:
        return initiative
    initiative = services.submit_initiative(initiative, by=None)
    clock.days(1)
    if status != Status.SUBMITTED:
        initiative = services.decide_initiative(
            initiative, by=None, decision=status, reason="Bổ sung số liệu."
        )
    clock.days(1)
    return initiative


@pytest.fixture
def world(tree):
    """A grassroots union of the province TH (`closing`) with initiatives in every open
    status and a valid one, about to merge into HN-001 of the other province."""
    clock = Clock()
    with mock.patch("django.utils.timezone.now", clock):
        campaign = make_campaign(tree.root)
        closing = orgs.create_unit(
            code="TH-KCN-009", name="Công đoàn Công ty Giày Thụy Khuê", kind="grassroots",
            parent=tree.upper, by=None, founded_on=dt.date(2000, 1, 1),
        )  # fmt: skip
        author = orgs.create_member(unit=closing, full_name="Lê Văn Tám", by=None)
        made = {
            key: _initiative(campaign, closing, author, f"Sáng kiến {key}", status, clock)
            for key, status in [
                ("pending", Status.SUBMITTED),
                ("returned", Status.RETURNED),
                ("draft", Status.DRAFT),
                ("valid", Status.VALID),
            ]
        }
    return {
        "clock": clock,
        "campaign": campaign,
        "closing": closing,
        "author": author,
        "made": made,
        "old_officer": make_user("old.officer", role=Role.OFFICER, unit=tree.province),
        "reviewer": make_user("new.reviewer", role=Role.REVIEWER, unit=tree.other_grassroots),
        "writer": make_user("tam", member=author),
    }


def _fresh(initiative: Initiative) -> Initiative:
    return Initiative.objects.select_related("unit").get(pk=initiative.pk)


def test_the_successor_answers_for_the_open_work_of_a_merged_union(tree, world, login):
    clock, campaign, made = world["clock"], world["campaign"], world["made"]
    successor = tree.other_grassroots
    with mock.patch("django.utils.timezone.now", clock):
        _exact()
        clock.days(2)
        merged_on = timezone.localdate(clock.now)
        orgs.merge_units(
            [world["closing"]], into=successor, by=None, on=merged_on, note="QĐ 12/QĐ-LĐLĐ"
        )
        _exact()

        # The open work now stands under the successor, each with a row saying so.
        for key in ("pending", "returned", "draft"):
            initiative = _fresh(made[key])
            assert initiative.unit == successor, key
            moved = initiative.history.get(action=Action.MOVED)
            assert moved.moved_from_id == world["closing"].pk
            assert moved.from_status == moved.to_status == made[key].status
            assert moved.note == "QĐ 12/QĐ-LĐLĐ"
        # The decided one keeps the unit it was decided under.
        assert _fresh(made["valid"]).unit_id == world["closing"].pk
        assert not made["valid"].history.filter(action=Action.MOVED).exists()

        # The successor's dashboard and its queue agree: two waiting for a decision.
        report = figures.report(Unit.objects.get(pk=successor.pk), campaign)
        assert report.unit.initiatives_pending == 2
        queue = login(world["reviewer"]).get(reverse("initiatives:queue"))
        html = queue.content.decode()
        assert made["pending"].reference in html
        assert made["returned"].reference in html
        page = login(world["reviewer"]).get(
            reverse("initiatives:detail", args=[made["pending"].pk])
        )
        assert "Công đoàn Công ty Giày Thụy Khuê" in page.content.decode()  # the history says

        # The old province's officer no longer reaches the open work (still the decided one).
        old = login(world["old_officer"])
        assert old.get(reverse("initiatives:detail", args=[made["pending"].pk])).status_code == 404
        refused = old.post(
            reverse("initiatives:decide", args=[made["pending"].pk]),
            {"decision": "valid", "version": str(_fresh(made["pending"]).version)},
        )
        assert refused.status_code == 404
        assert old.get(reverse("initiatives:detail", args=[made["valid"].pk])).status_code == 200
        assert (
            made["pending"].reference not in old.get(reverse("initiatives:queue")).content.decode()
        )

        # The successor's reviewer decides the pending one.
        clock.days(1)
        decided = login(world["reviewer"]).post(
            reverse("initiatives:decide", args=[made["pending"].pk]),
            {
                "decision": "valid",
                "benefit_valid_vnd": "90.000.000",
                "version": str(_fresh(made["pending"]).version),
            },
        )
        assert decided.status_code == 302, decided.content.decode()[:2000]
        assert _fresh(made["pending"]).status == Status.VALID
        _exact()

        # The author fixes and resubmits the returned one, to the successor.
        clock.days(1)
        returned = _fresh(made["returned"])
        resubmitted = login(world["writer"]).post(
            reverse("initiatives:submit", args=[returned.pk]), {"version": str(returned.version)}
        )
        assert resubmitted.status_code == 302, resubmitted.content.decode()[:2000]
        returned = _fresh(made["returned"])
        assert returned.status == Status.SUBMITTED
        assert returned.unit == successor
        _exact()


def test_a_decision_reopened_after_the_merge_goes_to_the_successor(tree, world):
    clock, made = world["clock"], world["made"]
    with mock.patch("django.utils.timezone.now", clock):
        orgs.merge_units([world["closing"]], into=tree.other_grassroots, by=None)
        clock.days(1)
        services.reopen_initiative(made["valid"], by=None, reason="Xem xét lại số liệu.")
        reopened = _fresh(made["valid"])
        assert reopened.status == Status.SUBMITTED
        assert reopened.unit == tree.other_grassroots
        steps = list(reopened.history.order_by("at", "id").values_list("action", flat=True))
        assert steps[-2:] == [Action.MOVED, Action.REOPENED]
        _exact()


def test_a_split_hands_the_open_work_to_the_unit_keeping_the_records(tree, world):
    clock, made = world["clock"], world["made"]
    with mock.patch("django.utils.timezone.now", clock):
        clock.days(1)
        first, _second = orgs.split_unit(
            world["closing"],
            by=None,
            into=[
                {"code": "TH-KCN-010", "name": "CĐ Giày 1"},
                {"code": "TH-KCN-011", "name": "CĐ Giày 2"},
            ],
            records_to="TH-KCN-010",
        )
        assert _fresh(made["pending"]).unit == first
        assert _fresh(made["valid"]).unit_id == world["closing"].pk
        _exact()


def test_a_dissolution_needs_a_union_to_take_the_open_work(tree, world):
    clock = world["clock"]
    with mock.patch("django.utils.timezone.now", clock):
        # Its members first leave (an empty union could otherwise close onto its parent).
        orgs.end_membership(world["author"], by=None)
        with pytest.raises(ValidationError) as refused:
            orgs.dissolve_unit(world["closing"], by=None)
        assert "transfer_to" in refused.value.message_dict
        assert Unit.objects.get(pk=world["closing"].pk).is_active
        assert HistoryEntry.objects.filter(action=Action.MOVED).count() == 0
        clock.days(1)
        orgs.dissolve_unit(world["closing"], by=None, transfer_to=tree.grassroots)
        assert _fresh(world["made"]["returned"]).unit == tree.grassroots
        _exact()
