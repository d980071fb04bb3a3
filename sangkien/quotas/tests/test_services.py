import dataclasses

import pytest
from django.db import IntegrityError, transaction

from sangkien.campaigns import services as campaigns
from sangkien.core.errors import ConflictError, ValidationError
from sangkien.core.models import AuditEntry
from sangkien.quotas import services
from sangkien.quotas.models import Quota, QuotaChange
from sangkien.quotas.services import QuotaValue, State, quotas_for

pytestmark = pytest.mark.usefixtures("english")


def assigned(unit, campaign, phase=None):
    return Quota.objects.get(unit=unit, campaign=campaign, phase=phase).assigned


def messages(exc):
    return " ".join(m for ms in exc.value.message_dict.values() for m in ms)


# -- allocate ------------------------------------------------------------------------------


def test_allocate_writes_each_child_with_history_and_audit(tree, campaign, unit_officer):
    changes = services.allocate(
        tree.upper,
        campaign,
        None,
        {tree.grassroots: 120, tree.grassroots2: "80"},
        unit_officer,
        note="Theo kế hoạch",
    )
    assert len(changes) == 2
    assert assigned(tree.grassroots, campaign) == 120
    assert assigned(tree.grassroots2, campaign) == 80
    change = QuotaChange.objects.get(quota__unit=tree.grassroots)
    assert (change.field, change.before, change.after) == ("assigned", None, 120)
    assert change.by == unit_officer and change.note == "Theo kế hoạch"
    entry = AuditEntry.objects.get(action="quota.assigned", after__assigned=120)
    assert entry.actor == unit_officer and entry.before["assigned"] is None
    quota = Quota.objects.get(unit=tree.grassroots)
    assert quota.version == 1 and quota.updated_by == unit_officer


def test_allocate_unchanged_values_write_nothing(tree, campaign, unit_officer):
    services.allocate(tree.upper, campaign, None, {tree.grassroots: 120}, unit_officer)
    again = services.allocate(
        tree.upper, campaign, None, {tree.grassroots: "120", tree.grassroots2: ""}, unit_officer
    )
    assert again == []
    assert QuotaChange.objects.count() == 1
    assert AuditEntry.objects.filter(action__startswith="quota.").count() == 1
    assert not Quota.objects.filter(unit=tree.grassroots2).exists()  # blank, no row made
    assert Quota.objects.get(unit=tree.grassroots).version == 1


def test_allocate_changes_and_clears_with_before_and_after(tree, campaign, unit_officer):
    services.allocate(tree.upper, campaign, None, {tree.grassroots: 120}, unit_officer)
    services.allocate(tree.upper, campaign, None, {"TH-KCN-001": 150}, unit_officer)
    services.allocate(tree.upper, campaign, None, {tree.grassroots.pk: None}, unit_officer)
    history = list(
        QuotaChange.objects.filter(quota__unit=tree.grassroots)
        .order_by("id")
        .values_list("before", "after")
    )
    assert history == [(None, 120), (120, 150), (150, None)]
    assert Quota.objects.get(unit=tree.grassroots).version == 3


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("1.500", 1500), ("1,500", 1500), (" 12 000 ", 12000), ("1.234.567", 1234567), (1500.0, 1500),
     (0, 0), ("0", 0), ("250", 250)],
)  # fmt: skip
def test_parse_quota_reads_thousands_separators(raw, expected):
    assert services.parse_quota(raw) == expected


@pytest.mark.parametrize(
    ("raw", "words"),
    [("abc", "not a whole number"), ("-5", "negative"), (-5, "negative"), (12.5, "whole number"),
     ("12,5", "not a whole number"), ("1.50", "not a whole number"), (True, "whole number"),
     ("2000000000", "cannot be above")],
)  # fmt: skip
def test_parse_quota_rejects_with_a_message(english, raw, words):
    with pytest.raises(ValueError, match=words):
        services.parse_quota(raw)


def test_allocate_is_all_or_nothing_and_names_the_row(tree, campaign, unit_officer):
    with pytest.raises(ValidationError) as exc:
        services.allocate(
            tree.upper, campaign, None, {tree.grassroots: 100, tree.grassroots2: "-3"}, unit_officer
        )
    assert "TH-KCN-002" in exc.value.message_dict
    assert tree.grassroots2.name in messages(exc) and "negative" in messages(exc)
    assert not Quota.objects.exists() and not QuotaChange.objects.exists()


@pytest.mark.parametrize("code", ["TH-KCN-001", "HN-001", "TH", "NOPE"])
def test_allocate_only_to_direct_children(tree, campaign, unit_officer, code):
    """The province allocates to TH-KCN only: not to a grandchild, another province's unit,
    itself or a code that does not exist."""
    with pytest.raises(ValidationError) as exc:
        services.allocate(tree.province, campaign, None, {code: 10}, unit_officer)
    assert "not a unit directly under" in messages(exc)
    assert not Quota.objects.exists()


def test_allocate_refuses_a_phase_of_another_campaign(tree, campaign, unit_officer):
    other = campaigns.create_campaign(
        code="KHAC",
        name="Chương trình khác",
        owner=tree.root,
        starts_on=campaign.starts_on,
        ends_on=campaign.ends_on,
        by=None,
        phases=[{"name": "Đợt A", "starts_on": campaign.starts_on, "ends_on": campaign.ends_on}],
    )
    with pytest.raises(ValidationError) as exc:
        services.allocate(
            tree.upper, campaign, other.phases.get(), {tree.grassroots: 1}, unit_officer
        )
    assert "phase" in exc.value.message_dict


def test_allocate_refuses_a_unit_outside_the_campaign(tree, unit_officer):
    province_campaign = campaigns.create_campaign(
        code="TH2026",
        name="Sáng kiến Thanh Hóa",
        owner=tree.province,
        starts_on=__import__("datetime").date(2026, 1, 1),
        ends_on=__import__("datetime").date(2026, 12, 31),
        by=None,
    )
    with pytest.raises(ValidationError) as exc:
        services.allocate(
            tree.other_province, province_campaign, None, {tree.other_grassroots: 5}, None
        )
    assert "outside the campaign" in messages(exc)


def test_phase_quotas_are_apart_from_the_whole_campaign(tree, campaign, phase1, unit_officer):
    services.allocate(tree.upper, campaign, phase1, {tree.grassroots: 40}, unit_officer)
    services.allocate(tree.upper, campaign, None, {tree.grassroots: 100}, unit_officer)
    assert assigned(tree.grassroots, campaign, phase1) == 40
    assert assigned(tree.grassroots, campaign) == 100
    assert Quota.objects.get(phase=phase1).phase_key == phase1.pk


# -- conflicts -----------------------------------------------------------------------------


def test_stale_version_is_a_conflict_and_writes_nothing(tree, campaign, unit_officer, admin):
    services.allocate(tree.upper, campaign, None, {tree.grassroots: 100}, unit_officer)
    # Both read version 1 of TH-KCN-001 and version 0 (no row) of TH-KCN-002.
    seen = {tree.grassroots: 1, tree.grassroots2: 0}
    services.allocate(
        tree.upper, campaign, None, {tree.grassroots: 110}, admin, expected_versions=seen
    )
    with pytest.raises(ConflictError) as exc:
        services.allocate(
            tree.upper,
            campaign,
            None,
            {tree.grassroots: 130, tree.grassroots2: 50},
            unit_officer,
            expected_versions=seen,
        )
    assert tree.grassroots.name in exc.value.message
    assert assigned(tree.grassroots, campaign) == 110
    assert not Quota.objects.filter(unit=tree.grassroots2).exists()


@pytest.mark.parametrize(
    "seen", [{}, {"TH-KCN-002": 0}, {"TH-KCN-001": "abc"}, {"TH-KCN-001": None}]
)
def test_a_value_without_a_whole_version_is_a_conflict(tree, campaign, unit_officer, seen):
    with pytest.raises(ConflictError) as exc:
        services.allocate(
            tree.upper, campaign, None, {tree.grassroots: 7}, unit_officer, expected_versions=seen
        )
    assert tree.grassroots.name in exc.value.message
    assert not Quota.objects.exists()


def test_current_versions_pass(tree, campaign, unit_officer):
    services.allocate(
        tree.upper, campaign, None, {tree.grassroots: 5}, unit_officer, expected_versions={
            tree.grassroots: 0}
    )  # fmt: skip
    services.allocate(
        tree.upper, campaign, None, {"TH-KCN-001": 6}, unit_officer, expected_versions={
            "TH-KCN-001": 1}
    )  # fmt: skip
    assert assigned(tree.grassroots, campaign) == 6


def test_target_with_stale_version_is_a_conflict(tree, campaign, unit_officer):
    services.set_target(tree.upper, campaign, None, 50, unit_officer, expected_version=0)
    with pytest.raises(ConflictError):
        services.set_target(tree.upper, campaign, None, 60, unit_officer, expected_version=0)
    assert Quota.objects.get(unit=tree.upper).target == 50


# -- targets -------------------------------------------------------------------------------


def test_target_may_be_above_assigned_and_both_are_kept(tree, campaign, unit_officer):
    services.allocate(tree.root, campaign, None, {tree.other_province: 60000}, None)
    services.set_target(tree.other_province, campaign, None, "130.000", unit_officer)
    assert quotas_for(campaign, None, [tree.other_province.pk]) == {
        tree.other_province.pk: QuotaValue(60000, 130000)
    }
    change = QuotaChange.objects.get(field="target")
    assert (change.before, change.after) == (None, 130000)


def test_target_below_assigned_is_refused_with_the_figure(tree, campaign, unit_officer):
    services.allocate(tree.province, campaign, None, {tree.upper: 500}, unit_officer)
    with pytest.raises(ValidationError) as exc:
        services.set_target(tree.upper, campaign, None, 499, unit_officer)
    assert "target" in exc.value.message_dict
    assert "below its assigned quota of 500" in messages(exc)
    assert Quota.objects.get(unit=tree.upper).target is None
    services.set_target(tree.upper, campaign, None, 500, unit_officer)
    assert Quota.objects.get(unit=tree.upper).target == 500


def test_target_can_be_cleared_and_a_blank_on_no_row_writes_nothing(tree, campaign, unit_officer):
    assert services.set_target(tree.upper, campaign, None, "", unit_officer) == []
    assert not Quota.objects.exists()
    services.set_target(tree.upper, campaign, None, 700, unit_officer)
    services.set_target(tree.upper, campaign, None, None, unit_officer)
    assert Quota.objects.get(unit=tree.upper).target is None
    assert QuotaChange.objects.count() == 2


def test_raising_quota_above_target_clears_target_with_a_note(tree, campaign, unit_officer):
    services.allocate(tree.province, campaign, None, {tree.upper: 500}, unit_officer)
    services.set_target(tree.upper, campaign, None, 600, unit_officer)
    changes = services.allocate(tree.province, campaign, None, {tree.upper: 650}, unit_officer)
    assert [c.field for c in changes] == ["assigned", "target"]
    quota = Quota.objects.get(unit=tree.upper)
    assert (quota.assigned, quota.target) == (650, None)
    cleared = QuotaChange.objects.filter(field="target").latest("id")
    assert (cleared.before, cleared.after) == (600, None)
    assert "650" in cleared.note


def test_database_refuses_a_target_below_assigned(tree, campaign):
    with pytest.raises(IntegrityError), transaction.atomic():
        Quota.objects.create(unit=tree.upper, campaign=campaign, assigned=10, target=9)


def test_database_allows_one_whole_campaign_row_per_unit(tree, campaign):
    Quota.objects.create(unit=tree.upper, campaign=campaign, assigned=10)
    with pytest.raises(IntegrityError), transaction.atomic():
        Quota.objects.create(unit=tree.upper, campaign=campaign, assigned=11)


def test_database_refuses_a_phase_key_that_is_not_the_phase(tree, campaign, phase1):
    with pytest.raises(IntegrityError), transaction.atomic():
        Quota.objects.create(unit=tree.upper, campaign=campaign, phase=phase1, phase_key=0)


# -- own quota of the unit running the campaign --------------------------------------------


def test_owner_sets_its_own_quota(tree, campaign, admin):
    services.set_own_quota(tree.root, campaign, None, "1.000.000", admin)
    assert assigned(tree.root, campaign) == 1_000_000


def test_other_units_get_their_quota_from_above(tree, campaign, unit_officer):
    with pytest.raises(ValidationError) as exc:
        services.set_own_quota(tree.province, campaign, None, 10, unit_officer)
    assert "from the unit above" in messages(exc)


# -- summary -------------------------------------------------------------------------------


def test_summary_without_own_quota(tree, campaign, unit_officer):
    services.allocate(tree.upper, campaign, None, {tree.grassroots: 30}, unit_officer)
    summary = services.allocation_summary(tree.upper, campaign, None)
    assert summary.state == State.NO_OWN_QUOTA
    assert (summary.children_total, summary.children_count, summary.allocated_count) == (30, 2, 1)
    assert summary.difference is None


@pytest.mark.parametrize(
    ("first", "second", "state", "difference"),
    [(60, 30, State.UNDER, -10), (60, 40, State.EXACT, 0), (80, 40, State.OVER, 20)],
)
def test_summary_states(tree, campaign, unit_officer, first, second, state, difference):
    services.allocate(tree.province, campaign, None, {tree.upper: 100}, unit_officer)
    services.set_target(tree.upper, campaign, None, 150, unit_officer)
    services.allocate(
        tree.upper, campaign, None, {tree.grassroots: first, tree.grassroots2: second}, None
    )
    summary = services.allocation_summary(tree.upper, campaign, None)
    assert (summary.own_assigned, summary.own_target) == (100, 150)
    assert summary.children_total == first + second
    assert (summary.state, summary.difference) == (state, difference)
    assert summary.unallocated == max(-difference, 0)


def test_summary_counts_active_children_only(tree, campaign, unit_officer):
    from sangkien.orgs import services as orgs

    services.allocate(tree.province, campaign, None, {tree.upper: 100}, unit_officer)
    services.allocate(
        tree.upper, campaign, None, {tree.grassroots: 60, tree.grassroots2: 40}, unit_officer
    )
    orgs.merge_units([tree.grassroots], into=tree.grassroots2, by=None, on=campaign.starts_on)
    summary = services.allocation_summary(tree.upper, campaign, None)
    assert (summary.children_count, summary.children_total, summary.state) == (1, 40, "under")


# -- the read contract of the statistics engine --------------------------------------------


def test_quotas_for_contract(tree, campaign, phase1, phase2, unit_officer):
    services.allocate(tree.province, campaign, None, {tree.upper: 100}, unit_officer)
    services.allocate(tree.province, campaign, phase1, {tree.upper: 40}, unit_officer)
    services.allocate(tree.upper, campaign, phase1, {tree.grassroots: 20}, unit_officer)
    services.allocate(
        tree.upper, campaign, phase2, {tree.grassroots: 30, tree.grassroots2: 25}, unit_officer
    )
    services.set_target(tree.grassroots, campaign, phase1, 35, unit_officer)
    ids = [tree.upper.pk, tree.grassroots.pk, tree.grassroots2.pk, tree.province.pk]

    assert quotas_for(campaign, phase1, ids) == {
        tree.upper.pk: QuotaValue(40, None),
        tree.grassroots.pk: QuotaValue(20, 35),
    }
    whole = quotas_for(campaign, None, ids)
    assert whole[tree.upper.pk] == QuotaValue(100, None)  # its own row, not its phases
    # No whole-campaign row: the sum of the phases; the target counts phase 1's target and
    # phase 2's assigned quota (no target there).
    assert whole[tree.grassroots.pk] == QuotaValue(50, 65)
    assert whole[tree.grassroots2.pk] == QuotaValue(25, None)
    assert tree.province.pk not in whole  # no row: absent
    assert quotas_for(campaign.pk, phase1.pk, iter([tree.upper.pk])) == {
        tree.upper.pk: QuotaValue(40, None)
    }
    assert quotas_for(campaign, None, []) == {}


def test_quota_value_is_frozen():
    value = QuotaValue(assigned=1, target=None)
    with pytest.raises(dataclasses.FrozenInstanceError):
        value.assigned = 2  # type: ignore[misc]


@pytest.mark.parametrize("phase_number", [None, 1])
def test_quotas_for_is_one_query(
    tree, campaign, unit_officer, django_assert_num_queries, phase_number
):
    phase = campaign.phases.get(number=phase_number) if phase_number else None
    services.allocate(
        tree.upper, campaign, phase, {tree.grassroots: 1, tree.grassroots2: 2}, unit_officer
    )
    ids = [tree.grassroots.pk, tree.grassroots2.pk, *range(10**6, 10**6 + 58)]  # 60 ids
    with django_assert_num_queries(1):
        result = quotas_for(campaign, phase, ids)
    assert set(result) == {tree.grassroots.pk, tree.grassroots2.pk}


def test_history_lists_latest_first(tree, campaign, unit_officer):
    services.allocate(tree.upper, campaign, None, {tree.grassroots: 1}, unit_officer)
    services.allocate(tree.upper, campaign, None, {tree.grassroots2: 2}, unit_officer)
    services.set_target(tree.upper, campaign, None, 9, unit_officer)
    rows = services.history([tree.upper, tree.grassroots, tree.grassroots2], campaign, None)
    assert [(r.quota.unit.code, r.after) for r in rows] == [
        ("TH-KCN", 9),
        ("TH-KCN-002", 2),
        ("TH-KCN-001", 1),
    ]
    assert services.history([tree.grassroots], campaign, None, limit=5)[0].after == 1
