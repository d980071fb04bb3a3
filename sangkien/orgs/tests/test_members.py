import datetime as dt
import unicodedata

import pytest

from sangkien.core.errors import ConflictError, ValidationError
from sangkien.core.models import AuditEntry
from sangkien.orgs import services
from sangkien.orgs.models import Member, Unit


def test_create_member_normalises_text_and_counts(tree):
    decomposed = unicodedata.normalize("NFD", "  Trần   Thị Ánh  ")
    m = services.create_member(
        unit=tree.grassroots, full_name=decomposed, by=None, phone="+84 912 345 679"
    )
    assert m.full_name == "Trần Thị Ánh"
    assert unicodedata.is_normalized("NFC", m.full_name)
    assert m.name_folded == "tran thi anh"
    assert m.phone == "0912345679"
    assert m.code.startswith("DV")
    assert Unit.objects.get(pk=tree.root.pk).members_total == 1
    assert AuditEntry.objects.filter(action="member.create", object_id=str(m.pk)).exists()


def test_create_member_rejects_bad_input_and_writes_nothing(tree):
    with pytest.raises(ValidationError) as exc:
        services.create_member(
            unit=tree.upper, full_name="  ", by=None, phone="12", birth_date=dt.date(2999, 1, 1)
        )
    assert set(exc.value.message_dict) == {"full_name", "unit", "phone", "birth_date"}
    assert Member.objects.count() == 0
    assert Unit.objects.get(pk=tree.root.pk).members_total == 0


def test_member_code_must_be_unique(tree, member_record):
    with pytest.raises(ValidationError) as exc:
        services.create_member(
            unit=tree.grassroots, full_name="Lê Văn Nam", by=None, code=member_record.code
        )
    assert "code" in exc.value.message_dict


def test_stale_edit_is_a_conflict(tree, member_record):
    version = member_record.version
    services.update_member(member_record, by=None, expected_version=version, position="Tổ trưởng")
    with pytest.raises(ConflictError):
        services.update_member(
            member_record, by=None, expected_version=version, position="Quản đốc"
        )
    assert Member.objects.get(pk=member_record.pk).position == "Tổ trưởng"


def test_move_member_keeps_history_and_totals(tree, member_record):
    services.move_member(
        member_record,
        to=tree.other_grassroots,
        by=None,
        on=dt.date(2024, 9, 1),
        reason="Chuyển công tác",
    )
    m = Member.objects.get(pk=member_record.pk)
    assert m.unit == tree.other_grassroots
    assert list(m.memberships.values_list("unit__code", "ended_on")) == [
        ("TH-KCN-001", dt.date(2024, 9, 1)),
        ("HN-001", None),
    ]
    assert Unit.objects.get(pk=tree.province.pk).members_total == 0
    assert Unit.objects.get(pk=tree.other_province.pk).members_total == 1
    assert services.recount_member_totals() == 0


def test_member_cannot_move_to_upper_unit(tree, member_record):
    with pytest.raises(ValidationError):
        services.move_member(member_record, to=tree.upper, by=None)


def test_end_membership(tree, member_record):
    services.end_membership(member_record, by=None, on=dt.date(2025, 1, 1), reason="Nghỉ hưu")
    m = Member.objects.get(pk=member_record.pk)
    assert m.left_on == dt.date(2025, 1, 1)
    assert Unit.objects.get(pk=tree.grassroots.pk).members_total == 0
    with pytest.raises(ValidationError):
        services.end_membership(m, by=None)
    assert Member.objects.current().count() == 0


def test_unit_code_rules(tree):
    with pytest.raises(ValidationError) as exc:
        services.create_unit(code="th kcn", name="X", kind="grassroots", parent=tree.upper, by=None)
    assert "code" in exc.value.message_dict
    with pytest.raises(ValidationError):
        services.create_unit(
            code="TH-KCN-001", name="Trùng mã", kind="grassroots", parent=tree.upper, by=None
        )
    with pytest.raises(ValidationError):  # a province cannot sit under a grassroots union
        services.create_unit(
            code="XX", name="Sai cấp", kind="provincial", parent=tree.grassroots, by=None
        )
    unit = services.create_unit(
        code="th-kcn-003", name="Công đoàn Cơ sở mới", kind="grassroots", parent=tree.upper, by=None
    )
    assert unit.code == "TH-KCN-003"


def test_closed_unit_takes_no_new_children_or_members(tree):
    services.dissolve_unit(tree.grassroots2, by=None)
    with pytest.raises(ValidationError):
        services.create_member(unit=tree.grassroots2, full_name="Phạm Văn Hải", by=None)
    with pytest.raises(ValidationError):
        services.create_unit(
            code="G2-T1", name="Tổ 1", kind="group", parent=tree.grassroots2, by=None
        )


def test_merge_refuses_nested_sources(tree):
    with pytest.raises(ValidationError):
        services.merge_units([tree.province, tree.upper], into=tree.other_province, by=None)
    assert Unit.objects.get(pk=tree.province.pk).is_active
