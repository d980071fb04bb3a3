from __future__ import annotations

import pytest
from django.db import transaction
from django.utils import translation

from conftest import make_user
from sangkien.accounts import services as accounts
from sangkien.accounts.models import Role
from sangkien.initiatives import services as initiatives
from sangkien.initiatives.models import Status
from sangkien.initiatives.tests.builders import make_campaign, make_initiative
from sangkien.notifications import services
from sangkien.notifications.models import Notification


@pytest.fixture(autouse=True)
def _english():
    """The caller works in English; what people receive is still rendered in Vietnamese."""
    with translation.override("en"):
        yield


@pytest.fixture
def campaign(tree):
    return make_campaign(tree.root)


def texts(user) -> list[str]:
    return list(Notification.objects.filter(user=user).values_list("text", flat=True))


# -- who is told ---------------------------------------------------------------------------


def test_reviewers_for_are_the_nearest_officers_and_reviewers_above(
    tree, reviewer, unit_officer, admin, outsider
):
    assert initiatives.reviewers_for(tree.grassroots) == [reviewer]
    assert initiatives.reviewers_for(tree.upper) == [reviewer]
    assert initiatives.reviewers_for(tree.province) == [unit_officer]
    assert initiatives.reviewers_for(tree.other_grassroots) == [outsider]
    assert initiatives.reviewers_for(tree.root) == []  # administrators are not told of each one


def test_reviewers_for_prefers_the_unit_itself(tree, reviewer, unit_officer):
    local = make_user("officer.cs", role=Role.OFFICER, unit=tree.grassroots)
    assert initiatives.reviewers_for(tree.grassroots) == [local]
    assert initiatives.reviewers_for(tree.grassroots2) == [reviewer]


def test_reviewers_for_lists_each_person_once_and_skips_inactive_ones(tree, reviewer, unit_officer):
    two_roles = make_user("hoidong", role=Role.OFFICER, unit=tree.upper)
    accounts.grant_role(two_roles, role=Role.REVIEWER, unit=tree.upper, by=None)
    assert sorted(u.username for u in initiatives.reviewers_for(tree.grassroots)) == [
        "hoidong",
        "reviewer",
    ]
    reviewer.is_active = False
    reviewer.save()
    two_roles.is_active = False
    two_roles.save()
    assert initiatives.reviewers_for(tree.grassroots) == [unit_officer]


def test_submission_tells_the_reviewers_in_app(tree, campaign, member, reviewer, unit_officer):
    initiative = make_initiative(campaign, tree.grassroots, by=member, status=Status.SUBMITTED)
    [note] = Notification.objects.filter(user=reviewer)
    assert initiative.reference in note.text
    assert initiative.title in note.text
    assert note.url == f"/initiatives/{initiative.pk}/"
    assert note.read_at is None
    assert texts(unit_officer) == []  # not the nearest
    assert texts(member) == []  # nobody is told what they did themselves


def test_officer_submitting_on_behalf_is_not_told_of_it(tree, campaign):
    officer = make_user("officer.cs", role=Role.OFFICER, unit=tree.grassroots)
    make_initiative(
        campaign,
        tree.grassroots,
        by=officer,
        status=Status.SUBMITTED,
        authors=[{"name": "Lê Văn Nam", "share": 100}],
    )
    assert texts(officer) == []


def test_resubmission_tells_the_reviewers_again(tree, campaign, member, reviewer, unit_officer):
    initiative = make_initiative(
        campaign, tree.grassroots, by=member, status=Status.RETURNED, decider=unit_officer
    )
    initiatives.submit_initiative(initiative, by=member)
    assert len(texts(reviewer)) == 2


def test_authors_and_the_support_team_are_told_of_a_decision(
    tree, campaign, member, member_record, support_team, reviewer, unit_officer
):
    initiative = make_initiative(
        campaign,
        tree.grassroots,
        by=support_team,
        status=Status.SUBMITTED,
        authors=[{"member": member_record.code, "share": 100}],
    )
    initiatives.decide_initiative(
        initiative, by=unit_officer, decision="returned", reason="Bổ sung biên bản"
    )
    [to_member] = Notification.objects.filter(user=member)
    assert initiative.reference in to_member.text
    assert to_member.url == f"/initiatives/{initiative.pk}/"
    assert len(texts(support_team)) == 1
    assert texts(unit_officer) == []


def test_reopening_tells_the_authors(tree, campaign, member, unit_officer):
    initiative = make_initiative(
        campaign, tree.grassroots, by=member, status=Status.INVALID, decider=unit_officer
    )
    initiatives.reopen_initiative(initiative, by=unit_officer, reason="Xem xét lại")
    assert len(texts(member)) == 2  # the decision, then the reopening


# -- email ---------------------------------------------------------------------------------


@pytest.fixture
def member_with_email(member):
    member.email = "hoa@example.com"
    member.save()
    return member


def test_email_leaves_only_after_commit(
    tree, campaign, member_with_email, unit_officer, mailoutbox, django_capture_on_commit_callbacks
):
    initiative = make_initiative(
        campaign, tree.grassroots, by=member_with_email, status=Status.SUBMITTED
    )
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        initiatives.decide_initiative(
            initiative,
            by=unit_officer,
            decision="valid",
            benefit_valid_vnd=120_000_000,
            reason="Đạt yêu cầu",
        )
    assert mailoutbox == []
    assert len(callbacks) == 1
    callbacks[0]()
    [mail] = mailoutbox
    assert mail.to == ["hoa@example.com"]
    assert initiative.reference in mail.subject
    assert "120.000.000" in mail.body  # Vietnamese grouping, whatever the caller's language
    assert "150.000.000" in mail.body
    assert "Đạt yêu cầu" in mail.body
    assert mail.body.rstrip().endswith(f"/initiatives/{initiative.pk}/")


def test_no_email_when_the_user_turned_them_off(
    tree, campaign, member_with_email, unit_officer, mailoutbox, django_capture_on_commit_callbacks
):
    member_with_email.email_notifications = False
    member_with_email.save()
    initiative = make_initiative(
        campaign, tree.grassroots, by=member_with_email, status=Status.SUBMITTED
    )
    with django_capture_on_commit_callbacks(execute=True):
        initiatives.decide_initiative(initiative, by=unit_officer, decision="valid")
    assert mailoutbox == []
    assert len(texts(member_with_email)) == 1  # still told in the app


def test_no_email_without_an_address(
    tree, campaign, member, unit_officer, mailoutbox, django_capture_on_commit_callbacks
):
    assert member.email == ""
    initiative = make_initiative(campaign, tree.grassroots, by=member, status=Status.SUBMITTED)
    with django_capture_on_commit_callbacks(execute=True):
        initiatives.decide_initiative(initiative, by=unit_officer, decision="valid")
    assert mailoutbox == []
    assert len(texts(member)) == 1


def test_reviewers_with_an_address_get_an_email_on_submission(
    tree, campaign, member, mailoutbox, django_capture_on_commit_callbacks
):
    local = make_user("officer.cs", role=Role.OFFICER, unit=tree.grassroots, email="cs@example.com")
    with django_capture_on_commit_callbacks(execute=True):
        initiative = make_initiative(campaign, tree.grassroots, by=member, status=Status.SUBMITTED)
    assert [m.to for m in mailoutbox] == [["cs@example.com"]]
    assert initiative.reference in mailoutbox[0].subject
    assert len(texts(local)) == 1


def test_nothing_is_sent_when_the_transaction_rolls_back(
    tree, campaign, member_with_email, unit_officer, mailoutbox, django_capture_on_commit_callbacks
):
    initiative = make_initiative(
        campaign, tree.grassroots, by=member_with_email, status=Status.SUBMITTED
    )
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        initiatives.decide_initiative(initiative, by=unit_officer, decision="valid")
        raise RuntimeError("something later failed")
    assert callbacks == []
    assert mailoutbox == []
    assert texts(member_with_email) == []


# -- the notify helper ---------------------------------------------------------------------


def test_plain_texts_are_rendered_in_the_recipients_language_not_the_callers(member, unit_officer):
    seen = []

    def text():
        seen.append(translation.get_language())
        return "Sáng kiến SK-000001 đã hợp lệ."

    assert translation.get_language() == "en"
    services.notify([member, unit_officer], text=text, url="/initiatives/1/")
    assert seen == ["vi", "vi"]  # once per recipient, each in their language (Vietnamese here)
    assert texts(member) == ["Sáng kiến SK-000001 đã hợp lệ."]


def test_decision_text_uses_the_vietnamese_status_names(tree, campaign, member, unit_officer):
    initiative = make_initiative(campaign, tree.grassroots, by=member, status=Status.SUBMITTED)
    with translation.override("vi"):
        expected = str(Status.VALID.label).lower()
    initiatives.decide_initiative(initiative, by=unit_officer, decision="valid")
    assert expected in texts(member)[0]


def test_notify_skips_inactive_and_missing_users_and_duplicates(member, unit_officer):
    unit_officer.is_active = False
    unit_officer.save()
    made = services.notify([member, member, None, unit_officer], text="Xin chào")
    assert len(made) == 1
    assert texts(member) == ["Xin chào"]


def test_long_texts_are_cut_to_fit(member):
    services.notify([member], text="ắ" * 600)
    assert len(texts(member)[0]) == 500


def test_mark_read_marks_only_the_users_own(member, unit_officer):
    services.notify([member, unit_officer], text="Một")
    services.notify([member], text="Hai")
    mine = list(Notification.objects.filter(user=member).order_by("id"))
    others = Notification.objects.get(user=unit_officer)
    assert services.mark_read(member, [mine[0].pk, others.pk]) == 1
    assert Notification.objects.filter(user=member).unread().count() == 1
    assert services.mark_read(member) == 1
    assert Notification.objects.get(pk=others.pk).read_at is None


def test_the_returned_notification_carries_the_reason(tree, campaign, member, unit_officer):
    initiative = make_initiative(campaign, tree.grassroots, by=member, status=Status.SUBMITTED)
    initiatives.decide_initiative(
        initiative, by=unit_officer, decision="returned", reason="Bổ sung biên bản nghiệm thu"
    )
    [text] = texts(member)
    assert initiative.reference in text and "Bổ sung biên bản nghiệm thu" in text


def test_the_invalid_notification_carries_the_reason(tree, campaign, member, unit_officer):
    initiative = make_initiative(campaign, tree.grassroots, by=member, status=Status.SUBMITTED)
    initiatives.decide_initiative(
        initiative, by=unit_officer, decision="invalid", reason="Trùng với sáng kiến năm trước"
    )
    [text] = texts(member)
    assert "Trùng với sáng kiến năm trước" in text
