"""Separation of duties: nobody decides an initiative they entered (on a member's behalf
too) or of which they are an author, nor reopens its decision: the service refuses, the
page shows the rule instead of the form, the API answers 403 with the rule, and the bulk
decision lists it as the reason."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from conftest import make_user
from sangkien.accounts.models import Role
from sangkien.core.errors import ValidationError
from sangkien.initiatives import bulk, services
from sangkien.initiatives.models import Initiative, Status
from sangkien.orgs import services as orgs

from .builders import complete, make_campaign, take_step

RULE_VI = "Bạn đã nhập hoặc là tác giả của sáng kiến này nên không thể quyết định nó."
RULE_EN = "You entered this initiative or are one of its authors, so you cannot decide it."


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def campaign(tree):
    return make_campaign(tree.root)


@pytest.fixture
def entered_for_member(tree, campaign, unit_officer, member_record):
    """The provincial officer typed it in on the member's behalf and sent it for review."""
    initiative = services.create_initiative(
        campaign=campaign,
        unit=tree.grassroots,
        by=unit_officer,
        authors=[{"member": member_record, "share": 100}],
        **complete(),
    )
    assert initiative.on_behalf
    return services.submit_initiative(initiative, by=unit_officer)


@pytest.fixture
def co_authored(tree, campaign, member, member_record):
    """Entered by the member, with a reviewer of the union as co-author."""
    record = orgs.create_member(unit=tree.grassroots, full_name="Đỗ Minh Tuấn", by=None)
    reviewer = make_user("reviewer.cs", role=Role.REVIEWER, unit=tree.grassroots, member=record)
    initiative = services.create_initiative(
        campaign=campaign,
        unit=tree.grassroots,
        by=member,
        authors=[
            {"member": member_record, "share": 60},
            {"member": record, "share": 40},
        ],
        **complete(),
    )
    return services.submit_initiative(initiative, by=member), reviewer


def status_of(initiative: Initiative) -> str:
    return Initiative.objects.get(pk=initiative.pk).status


# -- the service ---------------------------------------------------------------------------


@pytest.mark.parametrize("decision", [Status.VALID, Status.RETURNED, Status.INVALID])
def test_who_entered_it_on_a_members_behalf_cannot_decide_it(
    entered_for_member, unit_officer, decision
):
    with translation.override("vi"), pytest.raises(ValidationError) as caught:
        services.decide_initiative(
            entered_for_member, by=unit_officer, decision=decision, reason="Lý do"
        )
    assert caught.value.error_dict["decision"][0].code == "own_initiative"
    assert caught.value.message_dict["decision"] == [RULE_VI]
    assert status_of(entered_for_member) == Status.SUBMITTED


def test_a_co_author_cannot_decide_it(co_authored):
    initiative, reviewer = co_authored
    with pytest.raises(ValidationError) as caught:
        services.decide_initiative(initiative, by=reviewer, decision=Status.VALID)
    assert caught.value.error_dict["decision"][0].code == "own_initiative"
    assert status_of(initiative) == Status.SUBMITTED


def test_someone_else_decides_and_who_entered_it_cannot_reopen(
    entered_for_member, unit_officer, reviewer
):
    services.decide_initiative(entered_for_member, by=reviewer, decision=Status.VALID)
    assert status_of(entered_for_member) == Status.VALID
    with pytest.raises(ValidationError) as caught:
        services.reopen_initiative(entered_for_member, by=unit_officer, reason="Xem lại")
    assert caught.value.error_dict["decision"][0].code == "own_initiative"
    assert status_of(entered_for_member) == Status.VALID


def test_the_transition_step_obeys_the_rule_too(entered_for_member, unit_officer):
    with pytest.raises(ValidationError):
        take_step(entered_for_member, by=unit_officer, action=services.DECISIONS[Status.VALID])
    assert status_of(entered_for_member) == Status.SUBMITTED


# -- the page ------------------------------------------------------------------------------


def test_the_page_shows_the_rule_instead_of_the_decision_form(
    entered_for_member, unit_officer, reviewer
):
    client = Client()
    client.force_login(unit_officer)
    page = client.get(reverse("initiatives:detail", args=[entered_for_member.pk]))
    html = page.content.decode()
    assert page.status_code == 200
    assert not page.context["can_decide"]
    assert RULE_VI in html and 'data-rule="separation-of-duties"' in html
    assert reverse("initiatives:decide", args=[entered_for_member.pk]) not in html
    # A reviewer who had no hand in it gets the form and no rule.
    other = Client()
    other.force_login(reviewer)
    html = other.get(reverse("initiatives:detail", args=[entered_for_member.pk])).content.decode()
    assert reverse("initiatives:decide", args=[entered_for_member.pk]) in html
    assert RULE_VI not in html


def test_the_page_in_english(entered_for_member, unit_officer):
    client = Client()
    client.force_login(unit_officer)
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    html = client.get(reverse("initiatives:detail", args=[entered_for_member.pk])).content.decode()
    assert RULE_EN in html


def test_posting_the_decision_anyway_is_refused(entered_for_member, unit_officer):
    client = Client()
    client.force_login(unit_officer)
    url = reverse("initiatives:decide", args=[entered_for_member.pk])
    data = {"decision": Status.VALID, "version": entered_for_member.version, "reason": ""}
    assert client.post(url, data).status_code == 403
    assert status_of(entered_for_member) == Status.SUBMITTED


def test_the_decided_page_shows_the_rule_instead_of_reopen(
    entered_for_member, unit_officer, reviewer
):
    services.decide_initiative(entered_for_member, by=reviewer, decision=Status.VALID)
    client = Client()
    client.force_login(unit_officer)
    page = client.get(reverse("initiatives:detail", args=[entered_for_member.pk]))
    assert not page.context["can_reopen"]
    assert RULE_VI in page.content.decode()


def test_the_page_says_nothing_to_who_may_not_decide_anyway(entered_for_member, member):
    client = Client()
    client.force_login(member)
    html = client.get(reverse("initiatives:detail", args=[entered_for_member.pk])).content.decode()
    assert RULE_VI not in html


# -- the API -------------------------------------------------------------------------------


def test_the_api_refuses_with_403_and_the_rule(entered_for_member, unit_officer, reviewer):
    from sangkien.accounts import services as accounts

    token = accounts.create_token(unit_officer)
    client = Client()
    headers = {"Authorization": f"Bearer {token}", "Accept-Language": "en"}
    path = f"/api/v1/initiatives/{entered_for_member.pk}"
    response = client.post(
        f"{path}/decision", {"decision": "valid"}, content_type="application/json", headers=headers
    )
    assert response.status_code == 403
    assert response.json()["message"] == RULE_EN
    assert status_of(entered_for_member) == Status.SUBMITTED
    services.decide_initiative(entered_for_member, by=reviewer, decision=Status.VALID)
    response = client.post(
        f"{path}/reopen", {"reason": "Xem lại"}, content_type="application/json", headers=headers
    )
    assert response.status_code == 403
    assert response.json()["message"] == RULE_EN
    assert status_of(entered_for_member) == Status.VALID


# -- bulk decisions ------------------------------------------------------------------------


def test_a_bulk_decision_leaves_out_what_the_officer_entered(
    tree, campaign, entered_for_member, unit_officer, member
):
    from .builders import make_initiative

    theirs = make_initiative(
        campaign, tree.grassroots, by=member, status=Status.SUBMITTED, title="Của đoàn viên"
    )
    with translation.override("vi"):
        outcome = bulk.decide_initiatives(
            [entered_for_member.pk, theirs.pk], by=unit_officer, decision=Status.VALID
        )
    assert [i.id for i in outcome.done] == [theirs.pk]
    assert [(i.id, i.problem) for i in outcome.refused] == [(entered_for_member.pk, RULE_VI)]
    assert status_of(entered_for_member) == Status.SUBMITTED
