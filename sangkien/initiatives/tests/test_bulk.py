"""Bulk decisions in the review queue and their service: every item goes through the single
decision's service (history, notification, checks); what cannot be decided is listed with
its reason and the rest goes through; outsiders change nothing."""

from __future__ import annotations

import pytest
from django.core import signing
from django.urls import reverse
from django.utils import translation

from conftest import make_user
from sangkien.accounts.models import Role
from sangkien.initiatives import bulk, lists
from sangkien.initiatives.models import Action, HistoryEntry, Initiative, Status
from sangkien.initiatives.tests.builders import make_campaign, make_initiative
from sangkien.jobs.models import Job
from sangkien.jobs.testing import jobs_run_immediately
from sangkien.notifications.models import Notification
from sangkien.orgs import services as orgs


@pytest.fixture(autouse=True)
def _in_english(client):
    """These tests read the English wording; the Vietnamese one is checked by the catalogue."""
    client.cookies["sangkien_language"] = "en"
    with translation.override("en"):
        yield


@pytest.fixture
def campaign(tree):
    return make_campaign(tree.root)


def submitted(campaign, unit, by, n, **extra):
    return [
        make_initiative(
            campaign, unit, by=by, status=Status.SUBMITTED, title=f"Sáng kiến {k}", **extra
        )
        for k in range(n)
    ]


# -- the service ---------------------------------------------------------------------------


def test_each_item_gets_its_own_history_and_notification(campaign, tree, member, unit_officer):
    items = submitted(campaign, tree.grassroots, member, 3)
    outcome = bulk.decide_initiatives(
        [i.pk for i in items], by=unit_officer, decision=Status.RETURNED, reason="Bổ sung ảnh"
    )
    assert len(outcome.done) == 3 and not outcome.refused
    for item in items:
        item.refresh_from_db()
        assert item.status == Status.RETURNED
        assert item.decision_reason == "Bổ sung ảnh"
        entry = HistoryEntry.objects.get(initiative=item, action=Action.RETURNED)
        assert entry.actor == unit_officer and entry.note == "Bổ sung ảnh"
    texts = list(Notification.objects.filter(user=member).values_list("text", flat=True))
    assert sum(1 for t in texts if "Bổ sung ảnh" in t) == 3


def test_valid_takes_the_claimed_benefit_or_the_value_given_per_row(
    campaign, tree, member, unit_officer
):
    first, second = submitted(campaign, tree.grassroots, member, 2)
    bulk.decide_initiatives(
        [first.pk, second.pk],
        by=unit_officer,
        decision=Status.VALID,
        benefits={second.pk: "1,8 triệu"},
    )
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.benefit_valid_vnd == first.benefit_claimed_vnd
    assert second.benefit_valid_vnd == 1_800_000


def test_what_cannot_be_decided_is_listed_and_the_rest_goes_through(
    campaign, tree, member, member_record, unit_officer
):
    # The officer is also a member and an author of one of them.
    officer_member = orgs.create_member(unit=tree.grassroots, full_name="Lê Văn Cán", by=None)
    unit_officer.member = officer_member
    unit_officer.save()
    good = submitted(campaign, tree.grassroots, member, 2)
    own = make_initiative(
        campaign,
        tree.grassroots,
        by=member,
        status=Status.SUBMITTED,
        title="Của cán bộ",
        authors=[
            {"member": officer_member.code, "share": 50},
            {"member": member_record.code, "share": 50},
        ],
    )
    decided = make_initiative(
        campaign,
        tree.grassroots,
        by=member,
        status=Status.VALID,
        decider=make_user("other", role=Role.OFFICER, unit=tree.province),
        title="Đã xét",
    )
    stale = make_initiative(
        campaign, tree.grassroots, by=member, status=Status.SUBMITTED, title="Cũ"
    )
    elsewhere = make_initiative(
        campaign,
        tree.other_grassroots,
        by=None,
        status=Status.SUBMITTED,
        title="Hà Nội",
        authors=[{"name": "Trần Văn Bình", "share": 100}],
    )
    outcome = bulk.decide_initiatives(
        [*(i.pk for i in good), own.pk, decided.pk, stale.pk, elsewhere.pk, 999_999],
        by=unit_officer,
        decision=Status.VALID,
        versions={stale.pk: stale.version - 1},
    )
    assert [i.id for i in outcome.done] == [i.pk for i in good]
    problems = {i.id: i.problem for i in outcome.refused}
    assert "author" in problems[own.pk]
    assert "already decided" in problems[decided.pk]
    assert "changed this initiative meanwhile" in problems[stale.pk]
    # Outside the officer's scope, or not there at all: the same answer, revealing nothing.
    assert problems[elsewhere.pk] == problems[999_999]
    assert "review queue" in problems[elsewhere.pk]
    assert Initiative.objects.get(pk=own.pk).status == Status.SUBMITTED
    assert Initiative.objects.get(pk=stale.pk).status == Status.SUBMITTED
    assert Initiative.objects.get(pk=elsewhere.pk).status == Status.SUBMITTED
    assert "2 initiatives were declared valid" in bulk.summary(outcome)
    assert "5 could not be decided" in bulk.summary(outcome)


def test_a_bad_value_for_one_row_refuses_that_row_only(campaign, tree, member, unit_officer):
    first, second = submitted(campaign, tree.grassroots, member, 2)
    outcome = bulk.decide_initiatives(
        [first.pk, second.pk], by=unit_officer, decision=Status.VALID, benefits={first.pk: "abc"}
    )
    assert [i.id for i in outcome.done] == [second.pk]
    assert outcome.refused[0].id == first.pk and outcome.refused[0].problem


def test_returning_without_a_reason_refuses_every_item_with_the_services_reason(
    campaign, tree, member, unit_officer
):
    items = submitted(campaign, tree.grassroots, member, 2)
    outcome = bulk.decide_initiatives(
        [i.pk for i in items], by=unit_officer, decision=Status.RETURNED
    )
    assert not outcome.done
    assert all("must change" in i.problem for i in outcome.refused)


def test_a_support_team_that_sees_the_queue_decides_nothing(campaign, tree, member, support_team):
    [item] = submitted(campaign, tree.grassroots, member, 1)
    outcome = bulk.decide_initiatives([item.pk], by=support_team, decision=Status.VALID)
    assert not outcome.done and "officers and reviewers" in outcome.refused[0].problem


def test_too_many_or_none_is_refused_before_anything_is_written(unit_officer, tree):
    with pytest.raises(bulk.ValidationError):
        bulk.decide_initiatives([], by=unit_officer, decision=Status.VALID)
    with pytest.raises(bulk.ValidationError):
        bulk.decide_initiatives(range(1, bulk.MAX_ITEMS + 2), by=unit_officer, decision="valid")
    with pytest.raises(bulk.ValidationError):
        bulk.decide_initiatives([1], by=unit_officer, decision="maybe")


# -- the queue page ------------------------------------------------------------------------


def post(client, data):
    return client.post(reverse("initiatives:queue_decide"), data)


def test_the_queue_offers_the_bulk_form_to_those_who_decide(
    login, campaign, tree, member, reviewer, support_team
):
    submitted(campaign, tree.grassroots, member, 2)
    html = login(reviewer).get(reverse("initiatives:queue")).content.decode()
    assert 'id="bulk-form"' in html and html.count('name="ids"') == 2
    html = login(support_team).get(reverse("initiatives:queue")).content.decode()
    assert 'id="bulk-form"' not in html and 'name="ids"' not in html


def test_bulk_form_posts_decide_the_ticked_rows_and_say_how_many(
    login, campaign, tree, member, reviewer
):
    items = submitted(campaign, tree.grassroots, member, 3)
    client = login(reviewer)
    response = post(
        client,
        {
            "ids": [items[0].pk, items[1].pk],
            "decision": "valid",
            f"benefit_{items[1].pk}": "2.000.000",
            f"v{items[0].pk}": items[0].version,
        },
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "2 initiatives were declared valid." in html
    assert [i.status for i in Initiative.objects.order_by("pk")] == ["valid", "valid", "submitted"]
    assert Initiative.objects.get(pk=items[1].pk).benefit_valid_vnd == 2_000_000


def test_bulk_form_returning_without_reason_is_refused_at_the_top_nothing_changes(
    login, campaign, tree, member, reviewer
):
    items = submitted(campaign, tree.grassroots, member, 2)
    response = post(login(reviewer), {"ids": [i.pk for i in items], "decision": "returned"})
    assert response.status_code == 400
    html = response.content.decode()
    assert 'href="#bulk_reason"' in html  # the error summary links to the field
    assert html.count("checked") >= 2  # the ticked rows stay ticked
    assert set(Initiative.objects.values_list("status", flat=True)) == {"submitted"}


def test_bulk_form_without_rows_says_to_select_some(login, campaign, tree, reviewer):
    response = post(login(reviewer), {"decision": "valid"})
    assert response.status_code == 400
    assert "Select at least one initiative under review." in response.content.decode()


def test_select_all_takes_every_page_of_the_filter_under_review_only(
    login, campaign, tree, member, reviewer, unit_officer, settings
):
    items = submitted(campaign, tree.grassroots, member, 4)
    other = submitted(campaign, tree.grassroots2, member, 1)
    make_initiative(
        campaign, tree.grassroots, by=member, status=Status.INVALID, decider=unit_officer, title="X"
    )
    client = login(reviewer)
    response = post(
        client,
        {"all": "1", "query": "unit=TH-KCN-001", "decision": "invalid", "reason": "Trùng lặp"},
    )
    assert response.status_code == 200
    assert "4 initiatives under review will be declared invalid." in response.content.decode()
    response = confirm(client, response)
    assert "4 initiatives were declared invalid." in response.content.decode()
    assert all(Initiative.objects.get(pk=i.pk).status == Status.INVALID for i in items)
    assert Initiative.objects.get(pk=other[0].pk).status == Status.SUBMITTED


def confirm(client, response, **extra):
    """Press the confirmation page's button."""
    return post(
        client,
        {
            "confirmation": response.context["confirmation"],
            "query": response.context["query"],
            **extra,
        },
    )


def test_every_initiative_of_a_filter_is_decided_only_once_confirmed(
    login, campaign, tree, member, reviewer
):
    items = submitted(campaign, tree.grassroots, member, 3)
    client = login(reviewer)
    response = post(client, {"all": "1", "query": "unit=TH-KCN-001", "decision": "valid"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "Confirm the bulk decision" in html
    assert "3 initiatives under review will be declared valid." in html
    assert "Decide these 3 initiatives" in html
    assert set(Initiative.objects.values_list("status", flat=True)) == {"submitted"}
    assert not HistoryEntry.objects.filter(action=Action.VALIDATED).exists()
    carried = signing.loads(response.context["confirmation"], salt=lists.CONFIRMATION_SALT)
    assert carried["ids"] == [i.pk for i in items]


def test_the_count_confirmed_is_the_count_decided(login, campaign, tree, member, reviewer):
    submitted(campaign, tree.grassroots, member, 3)
    client = login(reviewer)
    asked = post(client, {"all": "1", "query": "unit=TH-KCN-001", "decision": "valid"})
    assert asked.context["count"] == 3
    late = [  # submitted after the question
        make_initiative(
            campaign, tree.grassroots, by=member, status=Status.SUBMITTED, title=f"Muộn {k}"
        )
        for k in range(2)
    ]
    response = confirm(client, asked)
    assert "3 initiatives were declared valid." in response.content.decode()
    assert HistoryEntry.objects.filter(action=Action.VALIDATED).count() == 3
    assert all(Initiative.objects.get(pk=i.pk).status == Status.SUBMITTED for i in late)


def test_a_confirmation_decided_meanwhile_lists_those_as_not_decided(
    login, campaign, tree, member, reviewer, unit_officer
):
    items = submitted(campaign, tree.grassroots, member, 3)
    client = login(reviewer)
    asked = post(
        client,
        {"all": "1", "query": "unit=TH-KCN-001", "decision": "returned", "reason": "Bổ sung"},
    )
    bulk.decide_initiatives([items[0].pk], by=unit_officer, decision=Status.INVALID, reason="X")
    html = confirm(client, asked).content.decode()
    assert "2 initiatives were returned to their authors for changes." in html
    assert "1 could not be decided" in html


def test_another_users_or_a_tampered_confirmation_decides_nothing(
    login, campaign, tree, member, reviewer, unit_officer
):
    submitted(campaign, tree.grassroots, member, 2)
    asked = post(login(reviewer), {"all": "1", "query": "unit=TH-KCN-001", "decision": "valid"})
    other = login(unit_officer)
    response = confirm(other, asked)
    assert response.status_code == 400
    assert "This confirmation is no longer valid" in response.content.decode()
    response = post(other, {"confirmation": asked.context["confirmation"] + "x", "query": ""})
    assert response.status_code == 400
    assert not HistoryEntry.objects.filter(action=Action.VALIDATED).exists()


def test_a_confirmation_older_than_an_hour_decides_nothing(
    login, campaign, tree, member, reviewer, monkeypatch
):
    submitted(campaign, tree.grassroots, member, 2)
    client = login(reviewer)
    asked = post(client, {"all": "1", "query": "unit=TH-KCN-001", "decision": "valid"})
    monkeypatch.setattr(lists, "CONFIRMATION_MAX_AGE", -1)
    assert confirm(client, asked).status_code == 400
    assert not HistoryEntry.objects.filter(action=Action.VALIDATED).exists()


def test_the_confirmation_page_speaks_vietnamese(client, login, campaign, tree, member, reviewer):
    submitted(campaign, tree.grassroots, member, 2)
    client = login(reviewer)
    client.cookies["sangkien_language"] = "vi"
    with translation.override("vi"):
        html = post(
            client, {"all": "1", "query": "unit=TH-KCN-001", "decision": "valid"}
        ).content.decode()
    assert "Xác nhận quyết định hàng loạt" in html
    assert "2 sáng kiến đang xem xét sẽ được xác nhận hợp lệ." in html


def test_the_counts_say_how_many_select_all_takes(login, campaign, tree, member, reviewer):
    submitted(campaign, tree.grassroots, member, 3)
    html = (
        login(reviewer)
        .get(reverse("initiatives:queue_counts"), HTTP_HX_REQUEST="true")
        .content.decode()
    )
    assert 'id="bulk-pending-count"' in html and "3 under review" in html


def test_a_big_selection_runs_as_a_job_with_the_same_outcome(
    login, campaign, tree, member, reviewer, monkeypatch
):
    monkeypatch.setattr(bulk, "SYNC_ITEMS", 2)
    items = submitted(campaign, tree.grassroots, member, 3)
    stale = items[2]
    client = login(reviewer)
    with jobs_run_immediately():
        response = post(
            client,
            {"ids": [i.pk for i in items], "decision": "valid", f"v{stale.pk}": stale.version - 1},
        )
    job = Job.objects.get()
    assert response.status_code == 302 and response.url == reverse("jobs:detail", args=[job.pk])
    job.refresh_from_db()
    assert job.is_done, job.message
    assert job.result["decided"] == 2 and job.result["refused"] == 1
    assert [i.status for i in Initiative.objects.order_by("pk")] == ["valid", "valid", "submitted"]
    page = client.get(response.url).content.decode()
    assert "2 initiatives were declared valid." in page
    assert f"{stale.reference}: " in page and "changed this initiative meanwhile" in page


def test_another_user_cannot_open_the_job_of_a_bulk_decision(
    login, campaign, tree, member, reviewer, unit_officer, monkeypatch
):
    monkeypatch.setattr(bulk, "SYNC_ITEMS", 1)
    items = submitted(campaign, tree.grassroots, member, 2)
    with jobs_run_immediately():
        post(login(reviewer), {"ids": [i.pk for i in items], "decision": "valid"})
    job = Job.objects.get()
    assert login(unit_officer).get(reverse("jobs:detail", args=[job.pk])).status_code == 404


def test_outsider_posting_ids_they_cannot_see_gets_404_and_nothing_changes(
    login, campaign, tree, member, outsider
):
    items = submitted(campaign, tree.grassroots, member, 2)
    response = post(login(outsider), {"ids": [i.pk for i in items], "decision": "valid"})
    assert response.status_code == 404
    response = post(login(outsider), {"all": "1", "query": "unit=TH-KCN-001", "decision": "valid"})
    assert response.status_code == 404
    assert set(Initiative.objects.values_list("status", flat=True)) == {"submitted"}
    assert not HistoryEntry.objects.filter(action=Action.VALIDATED).exists()


def test_a_member_without_review_role_gets_404(login, campaign, tree, member):
    [item] = submitted(campaign, tree.grassroots, member, 1)
    assert post(login(member), {"ids": [item.pk], "decision": "valid"}).status_code == 404


def test_bulk_decision_is_post_only(login, reviewer):
    assert login(reviewer).get(reverse("initiatives:queue_decide")).status_code == 405


def test_bulk_decision_needs_the_csrf_token(campaign, tree, member, reviewer):
    from django.test import Client

    [item] = submitted(campaign, tree.grassroots, member, 1)
    client = Client(enforce_csrf_checks=True)
    client.force_login(reviewer)
    response = client.post(
        reverse("initiatives:queue_decide"), {"ids": [item.pk], "decision": "valid"}
    )
    assert response.status_code == 403
    assert Initiative.objects.get(pk=item.pk).status == Status.SUBMITTED


# -- the queue's title -----------------------------------------------------------------------


def test_the_queue_is_titled_as_waiting_only_when_it_lists_what_waits(login, reviewer, tree):
    client = login(reviewer)
    client.cookies["sangkien_language"] = "vi"
    with translation.override("vi"):
        waiting = translation.gettext("Initiatives waiting for a decision")
        everything = translation.gettext("Review queue")
    assert "chờ" not in everything.lower()
    html = client.get(reverse("initiatives:queue")).content.decode()
    assert f"<h1>{everything}</h1>" in html
    html = client.get(reverse("initiatives:queue") + "?status=submitted").content.decode()
    assert f"<h1>{waiting}</h1>" in html
    html = client.get(reverse("initiatives:queue") + "?status=valid").content.decode()
    assert waiting not in html.split("<main", 1)[1].split("</h1>", 1)[0]
