"""The home page says what needs the signed-in user, in a handful of queries."""

from __future__ import annotations

import pytest
from django.urls import reverse

from sangkien.initiatives import services as initiatives
from sangkien.initiatives.models import Status
from sangkien.initiatives.tests.builders import make_campaign, make_initiative
from sangkien.jobs.models import Job
from sangkien.stats.figures import figures_for

HOME = "/"


@pytest.fixture
def campaign(tree):
    return make_campaign(tree.root, code="SK2026")


@pytest.fixture
def work(campaign, tree, member, unit_officer):
    """Two waiting (one of them resubmitted after a return), one returned, one valid."""
    make_initiative(campaign, tree.grassroots, by=member, status=Status.SUBMITTED, title="Một")
    again = make_initiative(
        campaign,
        tree.grassroots,
        by=member,
        status=Status.RETURNED,
        title="Hai",
        decider=unit_officer,
    )
    initiatives.submit_initiative(again, by=member)
    make_initiative(
        campaign,
        tree.grassroots,
        by=member,
        status=Status.RETURNED,
        title="Ba",
        decider=unit_officer,
    )
    make_initiative(
        campaign,
        tree.grassroots2,
        by=member,
        status=Status.VALID,
        title="Bốn",
        decider=unit_officer,
    )
    make_initiative(campaign, tree.grassroots, by=member, title="Nháp")
    return campaign


def test_a_visitor_sees_how_to_get_in(client, db):
    body = client.get(HOME).content.decode()
    assert reverse("accounts:login") in body and reverse("accounts:signup") in body


def test_a_member_sees_their_initiatives_and_the_big_entry_button(login, member, work):
    response = login(member).get(HOME)
    assert response.status_code == 200
    body = response.content.decode()
    assert f'href="{reverse("initiatives:create")}"' in body
    assert "Nháp" in body and "Bốn" in body
    assert not response.context["home"].reviews
    assert reverse("initiatives:queue") + "?status=submitted" not in body


def test_a_reviewer_sees_what_waits_and_the_units_figures(login, reviewer, tree, work):
    response = login(reviewer).get(HOME)
    home = response.context["home"]
    assert home.reviews
    assert (home.pending, home.resubmitted, home.returned) == (2, 1, 1)
    body = response.content.decode()
    assert reverse("initiatives:queue") + "?status=submitted" in body
    assert reverse("initiatives:queue") + "?status=returned" in body
    [headline] = home.headlines
    assert headline.unit == tree.upper and headline.campaign == work
    expected = figures_for([tree.upper], work)[tree.upper.pk]
    assert headline.figures.initiatives_submitted == expected.initiatives_submitted == 4
    assert headline.figures.initiatives_valid == 1
    assert reverse("stats:dashboard", args=[tree.upper.code]) in body


def test_the_figures_are_read_from_the_aggregates_not_recounted(login, reviewer, tree, work):
    from sangkien.stats.models import TreeTotal

    TreeTotal.objects.filter(unit=tree.upper).update(submitted=1234)
    home = login(reviewer).get(HOME).context["home"]
    assert home.headlines[0].figures.initiatives_submitted == 1234


def test_an_officer_sees_their_recent_jobs(login, unit_officer, work):
    Job.objects.create(
        kind="imports.initiatives", label="Nhập danh sách tháng 11", user=unit_officer
    )
    body = login(unit_officer).get(HOME).content.decode()
    assert "Nhập danh sách tháng 11" in body


def test_an_outsider_sees_nothing_of_another_province(login, outsider, work):
    home = login(outsider).get(HOME).context["home"]
    assert (home.pending, home.resubmitted, home.returned) == (0, 0, 0)
    assert [h.unit.code for h in home.headlines] == ["HN"]
    assert home.headlines[0].figures.initiatives_submitted == 0
    assert home.initiatives == []


def test_login_lands_on_the_home(client, unit_officer):
    from conftest import PASSWORD

    response = client.post(
        reverse("accounts:login"), {"identifier": "officer", "password": PASSWORD}
    )
    assert response["Location"] == HOME
    assert client.get(HOME).status_code == 200


@pytest.mark.parametrize("persona", ["member", "reviewer", "unit_officer", "admin"])
def test_the_home_costs_a_few_queries(request, persona, login, work, django_assert_max_num_queries):
    client = login(request.getfixturevalue(persona))
    client.get(HOME)  # warm: session, caches
    # Session, user, grants, the queue's counts, the figures' rows, the jobs, the header:
    # a fixed number, whatever the size of the subtree.
    with django_assert_max_num_queries(20):
        assert client.get(HOME).status_code == 200
