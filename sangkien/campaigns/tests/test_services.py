from __future__ import annotations

import datetime as dt

import pytest
from django.utils import translation

from sangkien.campaigns import services
from sangkien.campaigns.models import ApplicationField, Campaign, Phase
from sangkien.core.errors import ValidationError
from sangkien.core.models import AuditEntry
from sangkien.orgs import services as orgs

START = dt.date(2021, 9, 1)
END = dt.date(2023, 9, 1)
PHASES = [
    {"name": "Đợt 1", "starts_on": dt.date(2022, 1, 8), "ends_on": dt.date(2022, 5, 31)},
    {"name": "Đợt 2", "starts_on": dt.date(2022, 6, 1), "ends_on": END},
]
FIELDS = [("kt", "Kỹ thuật, công nghệ"), ("QL", "  Quản lý,   điều hành ")]


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def create(tree, **overrides):
    data = {
        "code": "1trieu",
        "name": "1 triệu sáng kiến – nỗ lực vượt khó, sáng tạo",
        "owner": tree.root,
        "starts_on": START,
        "ends_on": END,
        "by": None,
        "phases": PHASES,
        "fields": FIELDS,
    }
    data.update(overrides)
    return services.create_campaign(**data)


def errors_of(exc) -> dict[str, str]:
    return {k: " ".join(v) for k, v in exc.value.message_dict.items()}


def test_create_campaign_with_phases_and_fields(tree, admin):
    campaign = create(tree, by=admin)
    assert campaign.code == "1TRIEU"
    assert campaign.requires_recognition is True
    assert list(campaign.phases.values_list("number", "name", "starts_on", "ends_on")) == [
        (1, "Đợt 1", dt.date(2022, 1, 8), dt.date(2022, 5, 31)),
        (2, "Đợt 2", dt.date(2022, 6, 1), END),
    ]
    assert list(campaign.fields.values_list("code", "name", "position")) == [
        ("KT", "Kỹ thuật, công nghệ", 0),
        ("QL", "Quản lý, điều hành", 1),
    ]
    audit = AuditEntry.objects.get(action="campaign.create", object_id=str(campaign.pk))
    assert audit.actor == admin
    assert audit.after["code"] == "1TRIEU"
    assert audit.after["fields"] == [["KT", "Kỹ thuật, công nghệ"], ["QL", "Quản lý, điều hành"]]


def test_unnamed_phases_are_numbered(tree):
    campaign = create(
        tree,
        phases=[
            {"starts_on": START, "ends_on": dt.date(2022, 8, 31)},
            {"name": " ", "starts_on": dt.date(2022, 9, 1), "ends_on": END},
        ],
    )
    assert list(campaign.phases.values_list("name", flat=True)) == ["Phase 1", "Phase 2"]


def test_campaign_without_phases_or_fields(tree):
    campaign = create(tree, phases=None, fields=None, requires_recognition=False)
    assert not campaign.phases.exists()
    assert not campaign.fields.exists()
    assert campaign.requires_recognition is False


@pytest.mark.parametrize("code", ["", "mã có dấu", "A B", "X" * 33, "-ABC"])
def test_campaign_code_must_be_a_code(tree, code):
    with pytest.raises(ValidationError) as exc:
        create(tree, code=code)
    assert set(exc.value.message_dict) == {"code"}
    assert not Campaign.objects.exists()


def test_campaign_code_is_unique(tree):
    create(tree)
    with pytest.raises(ValidationError) as exc:
        create(tree, code=" 1Trieu ")
    assert errors_of(exc) == {"code": "The campaign code 1TRIEU is already used."}
    assert Campaign.objects.count() == 1


def test_campaign_needs_a_name_and_its_dates(tree):
    with pytest.raises(ValidationError) as exc:
        create(tree, name="  ", starts_on=None, ends_on=None, phases=[])
    assert set(exc.value.message_dict) == {"name", "starts_on", "ends_on"}


def test_campaign_cannot_end_before_it_starts(tree):
    with pytest.raises(ValidationError) as exc:
        create(tree, starts_on=END, ends_on=START, phases=[])
    assert set(exc.value.message_dict) == {"ends_on"}


def test_campaign_owner_must_be_active(tree):
    orgs.dissolve_unit(tree.grassroots2, by=None, on=dt.date(2024, 1, 1))
    tree.grassroots2.refresh_from_db()
    with pytest.raises(ValidationError) as exc:
        create(tree, owner=tree.grassroots2)
    assert set(exc.value.message_dict) == {"owner"}


@pytest.mark.parametrize(
    ("start", "end"),
    [
        (dt.date(2021, 8, 31), dt.date(2022, 5, 31)),  # starts before the campaign
        (dt.date(2022, 1, 8), dt.date(2023, 9, 2)),  # ends after it
    ],
)
def test_phase_must_lie_inside_the_period(tree, start, end):
    with pytest.raises(ValidationError) as exc:
        create(tree, phases=[{"name": "Đợt 1", "starts_on": start, "ends_on": end}])
    errors = errors_of(exc)
    assert set(errors) == {"phases.0"}
    assert "01/09/2021 to 01/09/2023" in errors["phases.0"]
    assert not Campaign.objects.exists()
    assert not Phase.objects.exists()


def test_phases_must_not_overlap(tree):
    with pytest.raises(ValidationError) as exc:
        create(
            tree,
            phases=[
                {
                    "name": "Đợt 1",
                    "starts_on": dt.date(2022, 1, 8),
                    "ends_on": dt.date(2022, 5, 31),
                },
                {"name": "Đợt 2", "starts_on": dt.date(2022, 5, 31), "ends_on": END},
            ],
        )
    errors = errors_of(exc)
    assert set(errors) == {"phases.1"}
    assert "Phase 2 must start after the phase before it ends (31/05/2022)" in errors["phases.1"]


def test_phases_must_come_in_the_order_of_their_dates(tree):
    with pytest.raises(ValidationError) as exc:
        create(tree, phases=list(reversed(PHASES)))
    assert set(exc.value.message_dict) == {"phases.1"}


def test_phase_must_not_end_before_it_starts_and_needs_dates(tree):
    with pytest.raises(ValidationError) as exc:
        create(
            tree,
            phases=[
                {
                    "name": "Đợt 1",
                    "starts_on": dt.date(2022, 5, 31),
                    "ends_on": dt.date(2022, 1, 8),
                },
                {"name": "Đợt 2", "starts_on": dt.date(2022, 6, 1)},
            ],
        )
    assert set(exc.value.message_dict) == {"phases.0", "phases.1"}


def test_field_codes_must_be_distinct(tree):
    with pytest.raises(ValidationError) as exc:
        create(tree, fields=[("KT", "Kỹ thuật"), ("kt ", "Kỹ thuật 2"), ("", "Khác")])
    errors = errors_of(exc)
    assert set(errors) == {"fields.1.code", "fields.2.code"}
    assert "KT" in errors["fields.1.code"]
    assert not ApplicationField.objects.exists()


def test_field_needs_a_name(tree):
    with pytest.raises(ValidationError) as exc:
        create(tree, fields=[("KT", "  ")])
    assert set(exc.value.message_dict) == {"fields.0.name"}


def test_covers_its_owners_subtree(tree):
    campaign = create(tree, code="TH", owner=tree.province)
    assert campaign.covers(tree.grassroots)
    assert campaign.covers(tree.province)
    assert not campaign.covers(tree.other_grassroots)
    assert not campaign.covers(tree.root)


def test_open_days_and_phases(tree):
    campaign = create(tree)
    assert campaign.is_open_on(START) and campaign.is_open_on(END)
    assert not campaign.is_open_on(START - dt.timedelta(days=1))
    assert not campaign.is_open_on(END + dt.timedelta(days=1))
    assert campaign.phase_on(dt.date(2021, 12, 1)) is None
    assert campaign.phase_on(dt.date(2022, 1, 8)).number == 1
    assert campaign.phase_on(dt.date(2022, 5, 31)).number == 1
    assert campaign.phase_on(dt.date(2022, 6, 1)).number == 2
