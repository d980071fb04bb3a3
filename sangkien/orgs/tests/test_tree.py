import datetime as dt

import pytest

from sangkien.core.errors import ValidationError
from sangkien.orgs import services
from sangkien.orgs.models import Member, Unit, UnitEvent, UnitStatus, UnitVersion, decode_path

D = dt.date


def test_subtree_and_ancestors(tree):
    codes = set(Unit.objects.in_subtree(tree.province).values_list("code", flat=True))
    assert codes == {"TH", "TH-KCN", "TH-KCN-001", "TH-KCN-002"}
    assert [u.code for u in tree.grassroots.ancestors()] == ["VN", "TH", "TH-KCN"]
    assert decode_path(tree.grassroots.path)[-1] == tree.grassroots.pk


def test_unordered_units_are_not_taken_for_ordered_so_first_picks_the_lowest_id(tree):
    # Django's `first()` orders by id only when the queryset says it is not `ordered`.
    assert Unit.objects.filter(parent=tree.province).ordered is False
    assert Unit.objects.in_order().ordered is True
    assert Member.objects.all().ordered is False
    lowest = Unit.objects.filter(parent=None).order_by("pk")[0]
    assert Unit.objects.filter(parent=None).first() == lowest


def test_move_rewrites_subtree_paths_and_keeps_history(tree, member_record):
    services.move_unit(tree.upper, new_parent=tree.other_province, by=None, on=D(2025, 7, 1))
    g = Unit.objects.get(pk=tree.grassroots.pk)
    assert g.path.startswith(tree.other_province.path)
    assert g.depth == 3
    assert Unit.objects.get(pk=tree.other_province.pk).members_total == 1
    assert Unit.objects.get(pk=tree.province.pk).members_total == 0
    before = services.tree_on(D(2025, 6, 30))[tree.upper.pk]
    after = services.tree_on(D(2025, 7, 1))[tree.upper.pk]
    assert before.parent_id == tree.province.pk
    assert after.parent_id == tree.other_province.pk


def test_move_under_own_subtree_is_refused(tree):
    with pytest.raises(ValidationError):
        services.move_unit(tree.province, new_parent=tree.upper, by=None)


def test_merge_provinces_keeps_records_answerable(tree, member_record):
    merged = services.merge_units(
        [tree.province, tree.other_province],
        new_unit={"code": "TH-HN", "name": "Liên đoàn Lao động liên tỉnh", "kind": "provincial"},
        by=None,
        on=D(2025, 7, 1),
    )
    old = Unit.objects.get(pk=tree.province.pk)
    assert old.status == UnitStatus.MERGED
    assert old.successor == merged
    assert old.closed_on == D(2025, 7, 1)
    assert Unit.objects.get(pk=tree.upper.pk).parent == merged
    assert Unit.objects.get(pk=tree.other_grassroots.pk).parent == merged
    assert Unit.objects.get(pk=merged.pk).members_total == 1
    assert Unit.objects.get(pk=tree.province.pk).members_total == 0
    # the grassroots unit still exists where it was, under the new province
    g = Member.objects.get(pk=member_record.pk).unit
    assert g.pk == tree.grassroots.pk
    assert g.path.startswith(merged.path)
    # history: on the day before, the upper union stood under Thanh Hóa
    assert services.tree_on(D(2025, 6, 30))[tree.upper.pk].parent_id == tree.province.pk
    assert UnitEvent.objects.filter(kind="merged").count() == 1
    assert old.answering_unit() == merged


def test_merge_grassroots_moves_members_with_history(tree, member_record):
    services.merge_units([tree.grassroots], into=tree.grassroots2, by=None, on=D(2024, 1, 1))
    m = Member.objects.get(pk=member_record.pk)
    assert m.unit == tree.grassroots2
    spans = list(m.memberships.order_by("started_on").values_list("unit__code", "ended_on"))
    assert spans == [("TH-KCN-001", D(2024, 1, 1)), ("TH-KCN-002", None)]
    assert Unit.objects.get(pk=tree.grassroots2.pk).members_total == 1
    assert Unit.objects.get(pk=tree.upper.pk).members_total == 1


def test_split_and_dissolve(tree, member_record):
    a, b = services.split_unit(
        tree.grassroots,
        into=[
            {"code": "G-A", "name": "Công đoàn Phân xưởng A"},
            {"code": "G-B", "name": "Công đoàn Phân xưởng B"},
        ],
        records_to="G-B",
        members={"DV00000001": "G-A"},
        by=None,
        on=D(2024, 3, 1),
    )
    assert Member.objects.get(pk=member_record.pk).unit == a
    assert Unit.objects.get(pk=tree.grassroots.pk).successor == b
    with pytest.raises(ValidationError):
        services.dissolve_unit(a, by=None)  # still has a member
    services.dissolve_unit(a, transfer_to=b, by=None, on=D(2024, 6, 1))
    assert Member.objects.get(pk=member_record.pk).unit == b
    # chains of successors resolve to the unit answering now
    assert Unit.objects.get(pk=tree.grassroots.pk).answering_unit() == b


def test_rename_is_dated(tree):
    services.update_unit(tree.province, name="LĐLĐ tỉnh Thanh Hóa (mới)", by=None, on=D(2025, 7, 1))
    versions = list(UnitVersion.objects.filter(unit=tree.province).order_by("valid_from"))
    assert [v.name for v in versions] == [
        "Liên đoàn Lao động tỉnh Thanh Hóa",
        "LĐLĐ tỉnh Thanh Hóa (mới)",
    ]
    assert versions[0].valid_to == D(2025, 7, 1)


def test_recount_agrees_with_maintained_totals(tree, member_record):
    services.create_member(unit=tree.grassroots2, full_name="Lê Văn Bình", by=None)
    services.move_unit(tree.upper, new_parent=tree.other_province, by=None)
    assert services.recount_member_totals() == 0
