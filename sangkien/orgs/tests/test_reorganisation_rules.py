"""What a reorganisation refuses before writing anything: a date in the future (the tree,
the open work and the figures change when it is recorded), and leaving open initiatives
outside their campaign (a move out of the campaign's owner, a successor it does not cover)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone, translation

from sangkien.core.errors import ValidationError
from sangkien.initiatives import services
from sangkien.initiatives.models import Initiative, Status
from sangkien.initiatives.tests.builders import make_campaign, make_initiative
from sangkien.orgs import services as orgs
from sangkien.orgs.models import Unit, UnitEvent

pytestmark = pytest.mark.django_db


def _union(code, parent):
    return orgs.create_unit(
        code=code, name=f"Công đoàn {code}", kind="grassroots", parent=parent, by=None,
        founded_on=dt.date(2000, 1, 1),
    )  # fmt: skip


def test_a_reorganisation_dated_in_the_future_is_refused(tree):
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    union = _union("TH-KCN-041", tree.upper)
    events = UnitEvent.objects.count()
    calls = [
        lambda: orgs.dissolve_unit(union, by=None, on=tomorrow),
        lambda: orgs.move_unit(union, new_parent=tree.other_province, by=None, on=tomorrow),
        lambda: orgs.merge_units([union], into=tree.grassroots2, by=None, on=tomorrow),
        lambda: orgs.split_unit(
            union,
            by=None,
            on=tomorrow,
            records_to="TH-KCN-042",
            into=[{"code": "TH-KCN-042", "name": "A"}, {"code": "TH-KCN-043", "name": "B"}],
        ),  # fmt: skip
    ]
    for call in calls:
        with translation.override("en"), pytest.raises(ValidationError) as refused:
            call()
        assert "is in the future" in str(refused.value.message_dict["effective_on"])
    assert Unit.objects.get(pk=union.pk).status == "active"
    assert UnitEvent.objects.count() == events
    # Today, it goes through.
    orgs.dissolve_unit(union, by=None, on=timezone.localdate())
    assert Unit.objects.get(pk=union.pk).status == "dissolved"


def test_open_work_never_ends_outside_its_campaign(tree, member):
    # A campaign of the province TH only, with an initiative under review and a draft.
    campaign = make_campaign(tree.province, code="TH2026")
    waiting = make_initiative(campaign, tree.grassroots, by=member, status=Status.SUBMITTED)
    with translation.override("en"), pytest.raises(ValidationError) as refused:
        orgs.move_unit(tree.upper, new_parent=tree.other_province, by=None)
    assert "TH2026" in str(refused.value.message_dict["parent"])
    assert "outside the campaign" in str(refused.value.message_dict["parent"])
    with translation.override("en"), pytest.raises(ValidationError) as refused:
        orgs.merge_units([tree.grassroots], into=tree.other_grassroots, by=None)
    assert "TH2026" in str(refused.value.message_dict["target"])
    with translation.override("en"), pytest.raises(ValidationError) as refused:
        orgs.dissolve_unit(tree.grassroots, transfer_to=tree.other_grassroots, by=None)
    assert "TH2026" in str(refused.value.message_dict["transfer_to"])
    assert Initiative.objects.get(pk=waiting.pk).unit_id == tree.grassroots.pk
    assert Unit.objects.get(pk=tree.upper.pk).parent_id == tree.province.pk
    # Inside the campaign's reach the same merge goes through, the work with it.
    orgs.merge_units([tree.grassroots], into=tree.grassroots2, by=None)
    assert Initiative.objects.get(pk=waiting.pk).unit_id == tree.grassroots2.pk
    # Decided work does not hold a move back.
    services.decide_initiative(Initiative.objects.get(pk=waiting.pk), by=None, decision="valid")
    orgs.move_unit(Unit.objects.get(pk=tree.upper.pk), new_parent=tree.root, by=None)
