from __future__ import annotations

import datetime as dt
import itertools
import unicodedata
from decimal import Decimal
from unittest import mock

import pytest
from django.utils import timezone, translation

from conftest import make_user
from sangkien.accounts.models import Role
from sangkien.core.errors import ConflictError, ValidationError
from sangkien.core.models import AuditEntry
from sangkien.initiatives import services
from sangkien.initiatives.models import TRANSITIONS, Action, HistoryEntry, Initiative, Status
from sangkien.orgs import services as orgs

from .builders import complete, make_campaign, make_initiative, take_step, today


@pytest.fixture(autouse=True)
def _english():
    """Messages are asserted in English (the msgids); Vietnamese is checked elsewhere."""
    with translation.override("en"):
        yield


@pytest.fixture
def campaign(tree):
    return make_campaign(tree.root)


def dmy(day: dt.date) -> str:
    return day.strftime("%d/%m/%Y")


def errors_of(exc) -> dict[str, str]:
    return {k: " ".join(v) for k, v in exc.value.message_dict.items()}


def state(initiative: Initiative) -> tuple:
    row = Initiative.objects.get(pk=initiative.pk)
    return (
        row.status,
        row.version,
        row.submitted_at,
        row.decided_at,
        row.benefit_valid_vnd,
        row.decision_reason,
        HistoryEntry.objects.filter(initiative=initiative).count(),
        AuditEntry.objects.filter(object_id=str(initiative.pk)).count(),
    )


# -- the transition table ------------------------------------------------------------------

ALL_PAIRS = list(itertools.product(Status.values, Action.values))
ALLOWED = [pair for pair in ALL_PAIRS if pair in TRANSITIONS]
# The steps the workflow's services take; created, edited and moved are records of other
# services (entry, edits, hand-overs), never a status change of their own.
STEPS = set(Action.values) - {Action.CREATED, Action.EDITED, Action.MOVED}
REFUSED = [pair for pair in ALL_PAIRS if pair not in TRANSITIONS and pair[1] in STEPS]
OFFICER_ACTIONS = {Action.VALIDATED, Action.RETURNED, Action.INVALIDATED, Action.REOPENED}


def test_the_table_allows_what_the_workflow_says():
    assert sorted(ALLOWED) == sorted(
        [
            ("draft", "submitted"),
            ("draft", "withdrawn"),
            ("submitted", "validated"),
            ("submitted", "returned"),
            ("submitted", "invalidated"),
            ("submitted", "withdrawn"),
            ("returned", "resubmitted"),
            ("returned", "withdrawn"),
            ("returned", "reopened"),
            ("valid", "reopened"),
            ("invalid", "reopened"),
        ]
    )


@pytest.mark.parametrize(("status", "action"), ALLOWED)
def test_allowed_transition_moves_status_and_writes_history_and_audit(
    tree, campaign, member, unit_officer, status, action
):
    initiative = make_initiative(
        campaign, tree.grassroots, by=member, status=status, decider=unit_officer
    )
    actor = unit_officer if action in OFFICER_ACTIONS else member
    version = initiative.version
    before = timezone.now()
    moved = take_step(initiative, by=actor, action=action, reason="Ghi chú của bước này")
    after = timezone.now()
    target = TRANSITIONS[(status, action)]
    assert moved.status == target
    assert Initiative.objects.get(pk=initiative.pk).status == target
    assert moved.version == version + 1
    entry = HistoryEntry.objects.filter(initiative=initiative).latest("at", "id")
    assert (entry.action, entry.from_status, entry.to_status) == (action, status, target)
    assert entry.actor == actor
    assert before <= entry.at <= after
    assert entry.note == (
        "" if action in (Action.SUBMITTED, Action.RESUBMITTED) else "Ghi chú của bước này"
    )
    audit = AuditEntry.objects.get(
        action=f"initiative.{action}",
        object_type="initiatives.initiative",
        object_id=str(initiative.pk),
    )
    assert audit.actor == actor
    assert audit.before["status"] == status
    assert audit.after["status"] == target


@pytest.mark.parametrize(("status", "action"), REFUSED)
def test_transition_not_in_table_is_refused_and_changes_nothing(
    tree, campaign, member, unit_officer, status, action
):
    initiative = make_initiative(
        campaign, tree.grassroots, by=member, status=status, decider=unit_officer
    )
    actor = unit_officer if action in OFFICER_ACTIONS else member
    was = state(initiative)
    with pytest.raises(services.TransitionError) as exc:
        take_step(initiative, by=actor, action=action, reason="Lý do")
    assert isinstance(exc.value, ConflictError)
    assert exc.value.message
    assert state(initiative) == was


def test_refusal_says_what_the_status_is(tree, campaign, member, unit_officer):
    initiative = make_initiative(
        campaign, tree.grassroots, by=member, status=Status.VALID, decider=unit_officer
    )
    with pytest.raises(services.TransitionError, match="before a decision; this one is valid"):
        services.withdraw_initiative(initiative, by=member)
    draft = make_initiative(campaign, tree.grassroots, by=member, title="Sáng kiến khác")
    with pytest.raises(services.TransitionError, match="Only an initiative under review"):
        services.decide_initiative(draft, by=unit_officer, decision="valid")
    with pytest.raises(services.TransitionError, match="Only a decision can be reopened"):
        services.reopen_initiative(draft, by=unit_officer, reason="Xem lại")


# -- entry ---------------------------------------------------------------------------------


def test_member_creates_a_draft_as_sole_author(tree, campaign, member, member_record):
    initiative = services.create_initiative(
        campaign=campaign, unit=tree.grassroots, by=member, **complete()
    )
    assert initiative.status == Status.DRAFT
    assert initiative.entered_by == member
    assert initiative.on_behalf is False
    assert [(a.member, a.name, a.share) for a in initiative.authors.all()] == [
        (member_record, "Nguyễn Thị Hoa", Decimal("100.00"))
    ]
    entry = initiative.history.get()
    assert (entry.action, entry.from_status, entry.to_status, entry.actor) == (
        Action.CREATED,
        "",
        Status.DRAFT,
        member,
    )
    audit = AuditEntry.objects.get(action="initiative.create", object_id=str(initiative.pk))
    assert audit.after["title"] == initiative.title
    assert audit.after["authors"][0][0] == member_record.pk


def test_support_team_enters_on_behalf_of_a_member(tree, campaign, support_team, member_record):
    initiative = services.create_initiative(
        campaign=campaign,
        unit=tree.grassroots,
        by=support_team,
        authors=[{"member": member_record.code.lower(), "share": "100"}],
        **complete(),
    )
    assert initiative.entered_by == support_team
    assert initiative.on_behalf is True
    assert initiative.authors.get().member == member_record


def test_create_normalises_text_and_folds_the_title(tree, campaign, member):
    title = unicodedata.normalize("NFD", "  Cải   tiến  Đường ống  ")
    initiative = services.create_initiative(
        campaign=campaign,
        unit=tree.grassroots,
        by=member,
        title=title,
        problem=unicodedata.normalize("NFD", "Rò rỉ\r\nnước"),
        benefit_claimed_vnd="1.500.000",
    )
    assert initiative.title == "Cải tiến Đường ống"
    assert initiative.title_folded == "cai tien duong ong"
    assert initiative.problem == unicodedata.normalize("NFC", "Rò rỉ\nnước")
    assert initiative.benefit_claimed_vnd == 1_500_000


def test_create_refuses_bad_input_and_writes_nothing(tree, campaign, member):
    with pytest.raises(ValidationError) as exc:
        services.create_initiative(
            campaign=campaign,
            unit=tree.grassroots,
            by=member,
            title="  ",
            field="XX",
            benefit_claimed_vnd="nhiều lắm",
            status="valid",
        )
    errors = errors_of(exc)
    assert set(errors) == {"title", "field", "benefit_claimed_vnd", "status"}
    assert "KT, QL" in errors["field"]
    assert Initiative.objects.count() == 0
    assert not AuditEntry.objects.filter(action__startswith="initiative.").exists()


def test_create_needs_a_title(tree, campaign, member):
    with pytest.raises(ValidationError) as exc:
        services.create_initiative(campaign=campaign, unit=tree.grassroots, by=member)
    assert set(exc.value.message_dict) == {"title"}


@pytest.mark.parametrize(
    "amount", [-1, 10**15 + 1, "1,5", "12abc", 1.5, Decimal("NaN"), float("inf"), True]
)
def test_claimed_benefit_must_be_a_whole_number_of_dong_in_range(tree, campaign, member, amount):
    with pytest.raises(ValidationError) as exc:
        services.create_initiative(
            campaign=campaign,
            unit=tree.grassroots,
            by=member,
            **complete(benefit_claimed_vnd=amount),
        )
    assert set(exc.value.message_dict) == {"benefit_claimed_vnd"}


@pytest.mark.parametrize(
    ("typed", "amount"),
    [
        ("1.500.000", 1_500_000),
        ("1 500 000", 1_500_000),
        ("2500", 2500),
        (Decimal("7"), 7),
        ("", 0),
    ],
)
def test_claimed_benefit_is_read_as_people_type_it(tree, campaign, member, typed, amount):
    initiative = services.create_initiative(
        campaign=campaign, unit=tree.grassroots, by=member, **complete(benefit_claimed_vnd=typed)
    )
    assert initiative.benefit_claimed_vnd == amount


def test_dates_may_be_given_as_iso_text(tree, campaign, member):
    day = today() - dt.timedelta(days=5)
    with pytest.raises(ValidationError) as exc:
        services.create_initiative(
            campaign=campaign,
            unit=tree.grassroots,
            by=member,
            **complete(first_applied_on=day.isoformat(), recognition_date="31/02/2024"),
        )
    assert set(exc.value.message_dict) == {"recognition_date"}
    initiative = services.create_initiative(
        campaign=campaign,
        unit=tree.grassroots,
        by=member,
        **complete(first_applied_on=day.isoformat()),
    )
    assert initiative.first_applied_on == day


# -- editing -------------------------------------------------------------------------------


def test_edit_a_draft_records_what_changed(tree, campaign, member):
    initiative = make_initiative(campaign, tree.grassroots, by=member)
    edited = services.update_initiative(
        initiative,
        by=member,
        expected_version=initiative.version,
        title="Cải tiến khuôn ép đế giày hai mảnh",
        benefit_claimed_vnd=200_000_000,
    )
    assert edited.version == initiative.version + 1
    assert edited.title_folded == "cai tien khuon ep de giay hai manh"
    entry = edited.history.latest("at", "id")
    assert entry.action == Action.EDITED
    assert entry.changed_fields == ["benefit_claimed_vnd", "title"]
    audit = AuditEntry.objects.get(action="initiative.update", object_id=str(initiative.pk))
    assert audit.before["benefit_claimed_vnd"] == 150_000_000
    assert audit.after["benefit_claimed_vnd"] == 200_000_000


def test_edit_that_changes_nothing_writes_nothing(tree, campaign, member, member_record):
    initiative = make_initiative(campaign, tree.grassroots, by=member)
    was = state(initiative)
    same = services.update_initiative(
        initiative,
        by=member,
        title=initiative.title,
        authors=[{"member": member_record, "share": 100}],
    )
    assert same.version == initiative.version
    assert state(initiative) == was


def test_edit_of_author_details_is_an_edit(tree, campaign, member, member_record):
    initiative = make_initiative(campaign, tree.grassroots, by=member)
    edited = services.update_initiative(
        initiative,
        by=member,
        authors=[{"member": member_record, "share": 100, "position": "Tổ trưởng tổ may"}],
    )
    assert edited.history.latest("at", "id").changed_fields == ["authors"]
    assert edited.authors.get().position == "Tổ trưởng tổ may"


def test_edit_of_a_submitted_initiative_is_refused(tree, campaign, member):
    initiative = make_initiative(campaign, tree.grassroots, by=member, status=Status.SUBMITTED)
    with pytest.raises(services.TransitionError, match="this one is under review"):
        services.update_initiative(initiative, by=member, title="Tên mới")


def test_returned_initiative_can_be_edited(tree, campaign, member, unit_officer):
    initiative = make_initiative(
        campaign, tree.grassroots, by=member, status=Status.RETURNED, decider=unit_officer
    )
    edited = services.update_initiative(initiative, by=member, description="Mô tả đầy đủ hơn")
    assert edited.status == Status.RETURNED
    assert edited.description == "Mô tả đầy đủ hơn"


def test_stale_edit_is_a_conflict_and_changes_nothing(tree, campaign, member):
    initiative = make_initiative(campaign, tree.grassroots, by=member)
    version = initiative.version
    services.update_initiative(initiative, by=member, expected_version=version, title="Bản A")
    with pytest.raises(ConflictError, match="Someone else changed"):
        services.update_initiative(initiative, by=member, expected_version=version, title="Bản B")
    assert Initiative.objects.get(pk=initiative.pk).title == "Bản A"


def test_stale_decision_is_a_conflict(tree, campaign, member, unit_officer, reviewer):
    initiative = make_initiative(
        campaign, tree.grassroots, by=member, status=Status.VALID, decider=unit_officer
    )
    services.reopen_initiative(initiative, by=unit_officer, reason="Cần xem lại giá trị")
    with pytest.raises(ConflictError) as exc:
        services.decide_initiative(
            initiative, by=reviewer, decision="valid", expected_version=initiative.version
        )
    assert not isinstance(exc.value, services.TransitionError)
    assert Initiative.objects.get(pk=initiative.pk).status == Status.SUBMITTED


# -- the 100% share rule -------------------------------------------------------------------


def outsider_author(name: str, share) -> dict:
    return {"name": name, "share": share}


def create_with(tree, campaign, by, authors):
    return services.create_initiative(
        campaign=campaign, unit=tree.grassroots, by=by, authors=authors, **complete()
    )


@pytest.mark.parametrize(
    "shares",
    [["33.33", "33.33", "33.34"], [100], ["50", "50.00"], ["99.99", "0.01"], ["70,5", "29,5%"]],
)
def test_shares_adding_up_to_100_are_accepted(tree, campaign, member, member_record, shares):
    authors = [{"member": member_record.code, "share": shares[0]}] + [
        outsider_author(f"Tác giả {i}", share) for i, share in enumerate(shares[1:], start=1)
    ]
    initiative = create_with(tree, campaign, member, authors)
    assert sum(a.share for a in initiative.authors.all()) == 100


@pytest.mark.parametrize(("shares", "total"), [(["60", "30"], "90"), (["50", "50.01"], "100.01")])
def test_shares_not_adding_up_to_100_are_refused(tree, campaign, member, shares, total):
    authors = [outsider_author(f"Tác giả {i}", s) for i, s in enumerate(shares)]
    with pytest.raises(ValidationError) as exc:
        create_with(tree, campaign, member, authors)
    errors = errors_of(exc)
    assert set(errors) == {"authors"}
    assert f"add up to {total}%" in errors["authors"]
    assert Initiative.objects.count() == 0


@pytest.mark.parametrize("share", [0, "0", "-10", "100.01", 101, "33.333", "ba mươi", None, True])
def test_a_bad_share_is_refused_naming_its_row(tree, campaign, member, share):
    authors = [outsider_author("Lê Văn Nam", 50), outsider_author("Trần Thị Lan", share)]
    with pytest.raises(ValidationError) as exc:
        create_with(tree, campaign, member, authors)
    errors = errors_of(exc)
    assert set(errors) == {"authors.1.share"}
    assert "percentage above 0 and at most 100" in errors["authors.1.share"]


def test_the_same_member_twice_is_refused(tree, campaign, member, member_record):
    authors = [
        {"member": member_record.code, "share": 50},
        {"member": member_record, "share": 50},
    ]
    with pytest.raises(ValidationError) as exc:
        create_with(tree, campaign, member, authors)
    assert errors_of(exc) == {"authors.1.member": "Nguyễn Thị Hoa is listed twice."}


def test_an_unknown_member_code_is_refused(tree, campaign, member):
    with pytest.raises(ValidationError) as exc:
        create_with(tree, campaign, member, [{"member": "DV99999999", "share": 100}])
    assert errors_of(exc) == {"authors.0.member": "No member has the code DV99999999."}


def test_a_member_who_left_cannot_be_an_author(tree, campaign, support_team, member_record):
    orgs.end_membership(member_record, by=None, on=today(), reason="Nghỉ việc")
    with pytest.raises(ValidationError) as exc:
        create_with(tree, campaign, support_team, [{"member": member_record.code, "share": 100}])
    assert errors_of(exc) == {"authors.0.member": "Nguyễn Thị Hoa is no longer a member."}


def test_a_member_outside_the_campaign_owner_subtree_cannot_be_an_author(tree, support_team):
    province_campaign = make_campaign(tree.province, code="TH-2025")
    hanoi = orgs.create_member(unit=tree.other_grassroots, full_name="Phạm Văn Đức", by=None)
    with pytest.raises(ValidationError) as exc:
        create_with(
            tree,
            province_campaign,
            support_team,
            [{"member": hanoi.code, "share": 60}, outsider_author("Lê Văn Nam", 40)],
        )
    assert errors_of(exc) == {
        "authors.0.member": "Phạm Văn Đức belongs to a unit this campaign does not cover."
    }


def test_authors_outside_the_system_are_named(tree, campaign, member, member_record):
    initiative = create_with(
        tree,
        campaign,
        member,
        [
            {"member": member_record.code, "share": 60},
            {
                "name": "  Kỹ sư   Lê Văn Nam ",
                "share": 40,
                "workplace": "Viện Cơ khí",
                "birth_date": dt.date(1985, 2, 3),
            },
        ],
    )
    outsider = initiative.authors.get(member__isnull=True)
    assert (outsider.name, outsider.share, outsider.workplace) == (
        "Kỹ sư Lê Văn Nam",
        Decimal("40.00"),
        "Viện Cơ khí",
    )
    assert outsider.position_in_list == 1


def test_an_author_needs_a_name_or_a_member_code(tree, campaign, member):
    with pytest.raises(ValidationError) as exc:
        create_with(tree, campaign, member, [{"name": " ", "share": 100}])
    assert set(errors_of(exc)) == {"authors.0.name"}


def test_author_birth_date_must_be_a_past_date(tree, campaign, member):
    with pytest.raises(ValidationError) as exc:
        create_with(
            tree,
            campaign,
            member,
            [{"name": "Lê Văn Nam", "share": 100, "birth_date": today() + dt.timedelta(days=1)}],
        )
    assert set(errors_of(exc)) == {"authors.0.birth_date"}


def test_bad_authors_on_edit_keep_the_old_ones(tree, campaign, member, member_record):
    initiative = make_initiative(campaign, tree.grassroots, by=member)
    with pytest.raises(ValidationError) as exc:
        services.update_initiative(
            initiative,
            by=member,
            authors=[{"member": member_record.code, "share": 90}],
        )
    assert set(exc.value.message_dict) == {"authors"}
    assert list(initiative.authors.values_list("member_id", "share")) == [
        (member_record.pk, Decimal("100.00"))
    ]


def test_replacing_authors_updates_on_behalf(tree, campaign, support_team, member_record):
    initiative = create_with(tree, campaign, support_team, [outsider_author("Lê Văn Nam", 100)])
    assert initiative.on_behalf is True
    edited = services.update_initiative(
        initiative, by=support_team, authors=[{"member": member_record.code, "share": 100}]
    )
    assert edited.on_behalf is True
    assert edited.authors.get().member == member_record


def test_too_many_authors_are_refused(tree, campaign, member):
    authors = [outsider_author(f"Tác giả {i}", 1) for i in range(services.MAX_AUTHORS + 1)]
    with pytest.raises(ValidationError) as exc:
        create_with(tree, campaign, member, authors)
    assert set(exc.value.message_dict) == {"authors"}


# -- eligibility ---------------------------------------------------------------------------


def test_first_applied_before_the_campaign_is_refused_with_the_dates(tree, campaign, member):
    day = campaign.starts_on - dt.timedelta(days=1)
    with pytest.raises(ValidationError) as exc:
        services.create_initiative(
            campaign=campaign, unit=tree.grassroots, by=member, **complete(first_applied_on=day)
        )
    message = errors_of(exc)["first_applied_on"]
    assert dmy(campaign.starts_on) in message
    assert dmy(campaign.ends_on) in message


def test_first_applied_after_the_campaign_is_refused_with_the_dates(tree, member):
    ended = make_campaign(
        tree.root,
        code="2023",
        starts_on=today() - dt.timedelta(days=400),
        ends_on=today() - dt.timedelta(days=10),
    )
    with pytest.raises(ValidationError) as exc:
        services.create_initiative(
            campaign=ended,
            unit=tree.grassroots,
            by=member,
            **complete(first_applied_on=today() - dt.timedelta(days=5)),
        )
    message = errors_of(exc)["first_applied_on"]
    assert f"between {dmy(ended.starts_on)} and {dmy(ended.ends_on)}" in message


def test_first_applied_in_the_future_is_refused_with_the_dates(tree, campaign, member):
    day = today() + dt.timedelta(days=3)
    with pytest.raises(ValidationError) as exc:
        services.create_initiative(
            campaign=campaign, unit=tree.grassroots, by=member, **complete(first_applied_on=day)
        )
    message = errors_of(exc)["first_applied_on"]
    assert dmy(day) in message
    assert dmy(today()) in message


def test_recognition_date_in_the_future_is_refused(tree, campaign, member):
    with pytest.raises(ValidationError) as exc:
        services.create_initiative(
            campaign=campaign,
            unit=tree.grassroots,
            by=member,
            **complete(recognition_date=today() + dt.timedelta(days=1)),
        )
    assert set(exc.value.message_dict) == {"recognition_date"}


def test_submission_when_the_campaign_is_closed_is_refused(tree, member):
    closed = make_campaign(
        tree.root,
        code="2023",
        starts_on=today() - dt.timedelta(days=400),
        ends_on=today() - dt.timedelta(days=1),
    )
    initiative = make_initiative(
        closed, tree.grassroots, by=member, first_applied_on=today() - dt.timedelta(days=30)
    )
    with pytest.raises(ValidationError) as exc:
        services.submit_initiative(initiative, by=member)
    errors = errors_of(exc)
    assert set(errors) == {"campaign"}
    assert f"from {dmy(closed.starts_on)} to {dmy(closed.ends_on)}" in errors["campaign"]
    assert Initiative.objects.get(pk=initiative.pk).status == Status.DRAFT


def test_resubmission_after_the_campaign_closed_is_accepted(tree, campaign, member, unit_officer):
    initiative = make_initiative(
        campaign, tree.grassroots, by=member, status=Status.RETURNED, decider=unit_officer
    )
    type(campaign).objects.filter(pk=campaign.pk).update(ends_on=today() - dt.timedelta(days=1))
    resubmitted = services.submit_initiative(initiative, by=member)
    assert resubmitted.status == Status.SUBMITTED


def test_recognition_evidence_is_required_when_the_campaign_says_so(tree, campaign, member):
    initiative = make_initiative(
        campaign,
        tree.grassroots,
        by=member,
        recognition_body="",
        recognition_number="",
        recognition_date=None,
    )
    with pytest.raises(ValidationError) as exc:
        services.submit_initiative(initiative, by=member)
    assert set(exc.value.message_dict) == {
        "recognition_body",
        "recognition_number",
        "recognition_date",
    }


def test_recognition_evidence_is_optional_when_the_campaign_says_so(tree, member):
    open_campaign = make_campaign(tree.root, requires_recognition=False)
    initiative = make_initiative(
        open_campaign,
        tree.grassroots,
        by=member,
        recognition_body="",
        recognition_number="",
        recognition_date=None,
    )
    assert services.submit_initiative(initiative, by=member).status == Status.SUBMITTED


def test_submission_needs_the_required_fields(tree, campaign, member):
    initiative = services.create_initiative(
        campaign=campaign, unit=tree.grassroots, by=member, title="Ý tưởng mới"
    )
    with pytest.raises(ValidationError) as exc:
        services.submit_initiative(initiative, by=member)
    assert set(exc.value.message_dict) == {
        "field",
        "problem",
        "description",
        "first_applied_on",
        "recognition_body",
        "recognition_number",
        "recognition_date",
    }
    assert state(initiative)[0] == Status.DRAFT


def test_submission_needs_an_author(tree, campaign, support_team):
    initiative = services.create_initiative(
        campaign=campaign, unit=tree.grassroots, by=support_team, authors=[], **complete()
    )
    with pytest.raises(ValidationError) as exc:
        services.submit_initiative(initiative, by=support_team)
    assert set(exc.value.message_dict) == {"authors"}


def test_submission_rechecks_authors_who_left_since(tree, campaign, member, member_record):
    initiative = make_initiative(campaign, tree.grassroots, by=member)
    orgs.end_membership(member_record, by=None, on=today(), reason="Chuyển công tác")
    with pytest.raises(ValidationError) as exc:
        services.submit_initiative(initiative, by=member)
    assert set(exc.value.message_dict) == {"authors.0.member"}


def test_entry_is_under_a_grassroots_unit(tree, campaign, support_team):
    with pytest.raises(ValidationError) as exc:
        services.create_initiative(
            campaign=campaign,
            unit=tree.upper,
            by=support_team,
            authors=[outsider_author("Lê Văn Nam", 100)],
            **complete(),
        )
    assert set(exc.value.message_dict) == {"unit"}


def test_entry_under_a_union_group_is_accepted(tree, campaign, support_team):
    group = orgs.create_unit(
        code="TH-KCN-001-T1", name="Tổ công đoàn phân xưởng may", kind="group",
        parent=tree.grassroots, by=None,
    )  # fmt: skip
    initiative = services.create_initiative(
        campaign=campaign,
        unit=group,
        by=support_team,
        authors=[outsider_author("Lê Văn Nam", 100)],
        **complete(),
    )
    assert services.submit_initiative(initiative, by=support_team).status == Status.SUBMITTED


def test_entry_under_a_unit_the_campaign_does_not_cover_is_refused(tree, admin):
    province_campaign = make_campaign(tree.province, code="TH-2025")
    with pytest.raises(ValidationError) as exc:
        services.create_initiative(
            campaign=province_campaign,
            unit=tree.other_grassroots,
            by=admin,
            authors=[outsider_author("Lê Văn Nam", 100)],
            **complete(),
        )
    assert errors_of(exc) == {"unit": "The campaign TH-2025 does not cover unit HN-001."}


def test_a_draft_of_a_dissolved_unit_is_submitted_under_the_unit_taking_it(
    tree, campaign, support_team
):
    initiative = services.create_initiative(
        campaign=campaign,
        unit=tree.grassroots2,
        by=support_team,
        authors=[outsider_author("Lê Văn Nam", 100)],
        **complete(),
    )
    # Its parent cannot take initiatives: the dissolution must name a union that can.
    with pytest.raises(ValidationError) as exc:
        orgs.dissolve_unit(tree.grassroots2, by=None, on=today(), note="Doanh nghiệp giải thể")
    assert errors_of(exc) == {
        "transfer_to": "TH-KCN-002 has initiatives not yet decided; they go to TH-KCN, which is "
        "not a grassroots union or a union group. Choose one that is."
    }
    orgs.dissolve_unit(
        tree.grassroots2, by=None, transfer_to=tree.grassroots, note="Doanh nghiệp giải thể"
    )
    submitted = services.submit_initiative(initiative, by=support_team)
    assert submitted.status == Status.SUBMITTED
    assert submitted.unit == tree.grassroots


# -- submission ----------------------------------------------------------------------------


def test_submission_sets_the_date_and_the_phase(tree, campaign, member):
    initiative = make_initiative(campaign, tree.grassroots, by=member)
    before = timezone.now()
    submitted = services.submit_initiative(initiative, by=member, expected_version=1)
    assert before <= submitted.submitted_at <= timezone.now()
    assert submitted.phase.number == 2


def test_phase_comes_from_the_submission_date(tree, campaign, member):
    then = timezone.now() - dt.timedelta(days=40)
    with mock.patch("django.utils.timezone.now", return_value=then):
        initiative = make_initiative(
            campaign,
            tree.grassroots,
            by=member,
            status=Status.SUBMITTED,
            first_applied_on=today() - dt.timedelta(days=60),
            recognition_date=today() - dt.timedelta(days=50),
        )
    assert initiative.submitted_at == then
    assert initiative.phase.number == 1
    assert initiative.phase.name == "Đợt 1"


def test_submission_between_phases_has_no_phase(tree, member):
    start = today() - dt.timedelta(days=100)
    gap = make_campaign(
        tree.root,
        code="GAP",
        starts_on=start,
        ends_on=today() + dt.timedelta(days=100),
        phases=[{"name": "Đợt 1", "starts_on": start, "ends_on": today() - dt.timedelta(days=1)}],
    )
    initiative = make_initiative(gap, tree.grassroots, by=member, status=Status.SUBMITTED)
    assert initiative.phase is None


def test_resubmission_keeps_the_first_submission(tree, campaign, member, unit_officer):
    initiative = make_initiative(campaign, tree.grassroots, by=member, status=Status.SUBMITTED)
    first = initiative.submitted_at
    phase = initiative.phase
    services.decide_initiative(
        initiative, by=unit_officer, decision="returned", reason="Bổ sung cách tính giá trị làm lợi"
    )
    services.update_initiative(initiative, by=member, benefit_method="Tính theo sản lượng 2024")
    resubmitted = services.submit_initiative(initiative, by=member)
    assert resubmitted.status == Status.SUBMITTED
    assert resubmitted.submitted_at == first
    assert resubmitted.phase == phase
    assert resubmitted.decided_at is None
    assert resubmitted.decision_reason == ""
    assert list(initiative.history.values_list("action", flat=True)) == [
        "created",
        "submitted",
        "returned",
        "edited",
        "resubmitted",
    ]


# -- duplicates ----------------------------------------------------------------------------


def test_duplicate_title_in_the_same_unit_and_campaign_is_refused(tree, campaign, member):
    first = make_initiative(
        campaign, tree.grassroots, by=member, status=Status.SUBMITTED, title="Cải tiến khuôn ép"
    )
    second = make_initiative(campaign, tree.grassroots, by=member, title="CAI TIEN  khuôn EP")
    with pytest.raises(ValidationError) as exc:
        services.submit_initiative(second, by=member)
    errors = errors_of(exc)
    assert set(errors) == {"title"}
    assert first.reference in errors["title"]
    assert state(second)[0] == Status.DRAFT


def test_same_title_is_fine_elsewhere_or_after_a_withdrawal(tree, campaign, member, support_team):
    title = "Cải tiến khuôn ép"
    first = make_initiative(
        campaign, tree.grassroots, by=member, status=Status.SUBMITTED, title=title
    )
    other_unit = services.create_initiative(
        campaign=campaign,
        unit=tree.grassroots2,
        by=support_team,
        authors=[outsider_author("Lê Văn Nam", 100)],
        **complete(title=title),
    )
    assert services.submit_initiative(other_unit, by=support_team).status == Status.SUBMITTED
    other_campaign = make_campaign(tree.province, code="TH-2025")
    assert (
        make_initiative(
            other_campaign, tree.grassroots, by=member, status=Status.SUBMITTED, title=title
        ).status
        == Status.SUBMITTED
    )
    # Drafts do not count; a withdrawn one frees the title.
    draft = make_initiative(campaign, tree.grassroots, by=member, title=title)
    services.withdraw_initiative(first, by=member)
    assert services.submit_initiative(draft, by=member).status == Status.SUBMITTED


# -- decisions -----------------------------------------------------------------------------


@pytest.mark.parametrize("decision", ["returned", "invalid"])
def test_returning_or_invalidating_needs_a_reason(tree, campaign, member, unit_officer, decision):
    initiative = make_initiative(campaign, tree.grassroots, by=member, status=Status.SUBMITTED)
    was = state(initiative)
    with pytest.raises(ValidationError) as exc:
        services.decide_initiative(initiative, by=unit_officer, decision=decision, reason="  ")
    assert set(exc.value.message_dict) == {"reason"}
    assert state(initiative) == was


def test_valid_keeps_the_claimed_benefit_and_stores_the_validated_one(
    tree, campaign, member, unit_officer
):
    initiative = make_initiative(campaign, tree.grassroots, by=member, status=Status.SUBMITTED)
    decided = services.decide_initiative(
        initiative,
        by=unit_officer,
        decision="valid",
        benefit_valid_vnd="120.000.000",
        reason="Giá trị làm lợi tính lại theo sản lượng thực tế",
    )
    row = Initiative.objects.get(pk=initiative.pk)
    assert (row.status, row.benefit_claimed_vnd, row.benefit_valid_vnd) == (
        Status.VALID,
        150_000_000,
        120_000_000,
    )
    assert row.decided_by == unit_officer
    assert row.decided_at == decided.decided_at
    entry = row.history.latest("at", "id")
    assert (entry.action, entry.benefit_valid_vnd, entry.actor) == (
        Action.VALIDATED,
        120_000_000,
        unit_officer,
    )


def test_validated_benefit_defaults_to_the_claimed_one(tree, campaign, member, reviewer):
    initiative = make_initiative(campaign, tree.grassroots, by=member, status=Status.SUBMITTED)
    decided = services.decide_initiative(initiative, by=reviewer, decision="valid")
    assert decided.benefit_valid_vnd == decided.benefit_claimed_vnd == 150_000_000


@pytest.mark.parametrize(
    ("decision", "benefit"), [("valid", "nhiều"), ("valid", -5), ("returned", 100)]
)
def test_bad_validated_benefit_is_refused(tree, campaign, member, unit_officer, decision, benefit):
    initiative = make_initiative(campaign, tree.grassroots, by=member, status=Status.SUBMITTED)
    with pytest.raises(ValidationError) as exc:
        services.decide_initiative(
            initiative,
            by=unit_officer,
            decision=decision,
            reason="Lý do",
            benefit_valid_vnd=benefit,
        )
    assert set(exc.value.message_dict) == {"benefit_valid_vnd"}


def test_unknown_decision_is_refused(tree, campaign, member, unit_officer):
    initiative = make_initiative(campaign, tree.grassroots, by=member, status=Status.SUBMITTED)
    with pytest.raises(ValidationError) as exc:
        services.decide_initiative(initiative, by=unit_officer, decision="submitted")
    assert set(exc.value.message_dict) == {"decision"}


@pytest.fixture
def officer_author(tree):
    """An officer of a grassroots union who is also a member there."""
    record = orgs.create_member(unit=tree.grassroots, full_name="Đỗ Minh Tuấn", by=None)
    return make_user("officer.cs", role=Role.OFFICER, unit=tree.grassroots, member=record)


def test_an_author_cannot_decide_their_own_initiative(tree, campaign, officer_author):
    initiative = make_initiative(
        campaign, tree.grassroots, by=officer_author, status=Status.SUBMITTED
    )
    with pytest.raises(ValidationError) as exc:
        services.decide_initiative(initiative, by=officer_author, decision="valid")
    assert set(exc.value.message_dict) == {"decision"}
    assert state(initiative)[0] == Status.SUBMITTED


def test_an_author_cannot_reopen_their_own_initiative(tree, campaign, officer_author, unit_officer):
    initiative = make_initiative(
        campaign, tree.grassroots, by=officer_author, status=Status.INVALID, decider=unit_officer
    )
    with pytest.raises(ValidationError) as exc:
        services.reopen_initiative(initiative, by=officer_author, reason="Tôi không đồng ý")
    assert set(exc.value.message_dict) == {"decision"}


def test_reopen_needs_a_reason_and_clears_the_decision(tree, campaign, member, unit_officer):
    initiative = make_initiative(
        campaign, tree.grassroots, by=member, status=Status.VALID, decider=unit_officer
    )
    with pytest.raises(ValidationError) as exc:
        services.reopen_initiative(initiative, by=unit_officer, reason="")
    assert set(exc.value.message_dict) == {"reason"}
    assert state(initiative)[0] == Status.VALID
    reopened = services.reopen_initiative(
        initiative, by=unit_officer, reason="Hội đồng yêu cầu thẩm định lại"
    )
    row = Initiative.objects.get(pk=reopened.pk)
    assert row.status == Status.SUBMITTED
    assert (row.benefit_valid_vnd, row.decided_at, row.decided_by, row.decision_reason) == (
        None,
        None,
        None,
        "",
    )
    assert row.benefit_claimed_vnd == 150_000_000
    entry = row.history.latest("at", "id")
    assert (entry.action, entry.note) == (Action.REOPENED, "Hội đồng yêu cầu thẩm định lại")
    audit = AuditEntry.objects.get(action="initiative.reopened", object_id=str(row.pk))
    assert audit.before["benefit_valid_vnd"] == 150_000_000


@pytest.mark.parametrize("status", [Status.DRAFT, Status.SUBMITTED, Status.RETURNED])
def test_withdraw_before_a_decision(tree, campaign, member, unit_officer, status):
    initiative = make_initiative(
        campaign, tree.grassroots, by=member, status=status, decider=unit_officer
    )
    withdrawn = services.withdraw_initiative(initiative, by=member, reason="Chưa đủ điều kiện")
    assert withdrawn.status == Status.WITHDRAWN
    assert withdrawn.history.latest("at", "id").note == "Chưa đủ điều kiện"


@pytest.mark.parametrize("status", [Status.VALID, Status.INVALID, Status.WITHDRAWN])
def test_no_withdrawal_after_a_decision(tree, campaign, member, unit_officer, status):
    initiative = make_initiative(
        campaign, tree.grassroots, by=member, status=status, decider=unit_officer
    )
    with pytest.raises(services.TransitionError):
        services.withdraw_initiative(initiative, by=member)
    assert state(initiative)[0] == status


def test_second_decision_is_told_it_was_already_decided(
    tree, campaign, member, unit_officer, reviewer
):
    initiative = make_initiative(campaign, tree.grassroots, by=member, status=Status.SUBMITTED)
    seen_version = initiative.version
    services.decide_initiative(
        initiative, by=unit_officer, decision="valid", expected_version=seen_version
    )
    was = state(initiative)
    with pytest.raises(services.TransitionError) as exc:
        services.decide_initiative(
            initiative,
            by=reviewer,
            decision="returned",
            reason="Thiếu biên bản họp xét",
            expected_version=seen_version,
        )
    message = exc.value.message
    assert "already decided (valid) by officer" in message
    assert "Nothing was changed" in message
    assert state(initiative) == was
    assert initiative.history.filter(action__in=["validated", "returned"]).count() == 1


# -- how a refusal reads -------------------------------------------------------------------


def test_display_name_is_in_vietnamese_order(tree, member, member_record):
    assert services.display_name(member) == member_record.full_name == "Nguyễn Thị Hoa"
    named = make_user("binh", full_name="Trần Văn Bình")
    assert (named.last_name, named.first_name) == ("Trần Văn", "Bình")
    assert services.display_name(named) == "Trần Văn Bình"
    assert services.display_name(make_user("no.name")) == "no.name"
    assert services.display_name(None) == ""


def test_display_name_prefers_the_member_record(tree):
    record = orgs.create_member(unit=tree.grassroots, full_name="Lê Thị Thu Hà", by=None)
    user = make_user("ha", member=record, full_name="Ha Le")
    assert services.display_name(user) == "Lê Thị Thu Hà"


def test_already_decided_names_the_decider_family_name_first(tree, campaign, member):
    record = orgs.create_member(unit=tree.grassroots2, full_name="Đỗ Minh Tuấn", by=None)
    officer = make_user("tuan", role=Role.OFFICER, unit=tree.province, member=record)
    initiative = make_initiative(
        campaign, tree.grassroots, by=member, status=Status.VALID, decider=officer
    )
    with pytest.raises(services.TransitionError) as exc:
        services.decide_initiative(initiative, by=officer, decision="invalid", reason="Trùng")
    assert "already decided (valid) by Đỗ Minh Tuấn at " in exc.value.message
    fresh = Initiative.objects.select_related("decided_by__member").get(pk=initiative.pk)
    assert exc.value.message == services.refusal_message(fresh, Action.INVALIDATED)


@pytest.mark.parametrize(
    ("status", "action", "message"),
    [
        (
            Status.VALID,
            Action.SUBMITTED,
            "Only a draft can be submitted; this initiative is valid.",
        ),
        (
            Status.VALID,
            Action.WITHDRAWN,
            "An initiative can be withdrawn only before a decision; this one is valid.",
        ),
        (
            Status.SUBMITTED,
            Action.EDITED,
            "Only a draft or a returned initiative can be edited; this one is under review.",
        ),
    ],
)
def test_refusal_message_is_what_the_services_refuse_with(
    tree, campaign, member, unit_officer, status, action, message
):
    initiative = make_initiative(
        campaign, tree.grassroots, by=member, status=status, decider=unit_officer
    )
    assert services.refusal_message(initiative, action) == message
    with pytest.raises(services.TransitionError) as exc:
        if action == Action.EDITED:
            services.update_initiative(initiative, by=member, title="Tên khác")
        else:
            take_step(initiative, by=member, action=action)
    assert exc.value.message == message
