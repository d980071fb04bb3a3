"""Reorganisations through the API: /api/v1/units/{code}/move, /merge, /split and /dissolve,
for whoever `can_reorganise` allows (administrators above the unit, national
administrators), calling the same services as the pages: outsiders 404, others 403, bad
input 422 naming the field, nothing written."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.test import Client

from conftest import make_user
from sangkien.accounts.models import Role
from sangkien.initiatives.models import Action, Initiative, Status
from sangkien.initiatives.tests.builders import make_campaign, make_initiative
from sangkien.orgs import services as orgs
from sangkien.orgs.models import Member, Unit, UnitEvent, UnitStatus
from sangkien.stats import check

pytestmark = pytest.mark.django_db


@pytest.fixture
def post(bearer):
    def _post(user, address: str, body: dict, language: str = "en"):
        return Client().post(
            address,
            data=json.dumps(body),
            content_type="application/json",
            headers={**bearer(user), "Accept-Language": language},
        )

    return _post


@pytest.fixture
def province_admin(tree):
    return make_user("province.admin", role=Role.ADMIN, unit=tree.province)


def _unit(code: str) -> Unit:
    return Unit.objects.get(code=code)


ENDPOINTS = [
    ("move", {"parent": "TH"}),
    ("merge", {"into": "TH-KCN-002"}),
    ("split", {"into": [{"code": "A1", "name": "A"}, {"code": "A2", "name": "B"}],
               "records_to": "A1"}),
    ("dissolve", {"transfer_to": "TH-KCN-002"}),
]  # fmt: skip


@pytest.mark.parametrize(("action", "body"), ENDPOINTS)
def test_outsider_gets_404_and_nothing_changes(tree, outsider, post, action, body):
    response = post(outsider, f"/api/v1/units/TH-KCN-001/{action}", body)
    assert response.status_code == 404
    assert response.json() == {"message": "Not found."}
    assert _unit("TH-KCN-001").is_active
    assert _unit("TH-KCN-001").parent_id == tree.upper.pk
    assert not UnitEvent.objects.filter(kind__in=["moved", "merged", "split", "dissolved"]).exists()


@pytest.mark.parametrize(("action", "body"), ENDPOINTS)
def test_an_officer_who_may_not_reorganise_gets_403(tree, unit_officer, post, action, body):
    response = post(unit_officer, f"/api/v1/units/TH-KCN-001/{action}", body)
    assert response.status_code == 403
    assert response.json()["message"] == "Only an administrator above a unit can reorganise it."
    assert _unit("TH-KCN-001").is_active


def test_anonymous_gets_401(tree):
    response = Client().post(
        "/api/v1/units/TH-KCN-001/move", data="{}", content_type="application/json"
    )
    assert response.status_code == 401


def test_an_administrator_of_the_province_moves_a_unit(tree, province_admin, post):
    new_upper = orgs.create_unit(
        code="TH-SX", name="Công đoàn ngành Sản xuất", kind="upper", parent=tree.province, by=None
    )
    response = post(
        province_admin,
        "/api/v1/units/TH-KCN-001/move",
        {"parent": "TH-SX", "effective_on": dt.date.today().isoformat(), "note": "QĐ 5"},
    )
    assert response.status_code == 200, response.content
    assert response.json()["parent"] == "TH-SX"
    moved = _unit("TH-KCN-001")
    assert moved.parent_id == new_upper.pk
    assert moved.path.startswith(new_upper.path)
    event = UnitEvent.objects.get(kind="moved")
    assert event.actor == province_admin
    assert event.note == "QĐ 5"


def test_a_parent_outside_the_callers_scope_reads_as_unknown(tree, province_admin, post):
    response = post(province_admin, "/api/v1/units/TH-KCN-001/move", {"parent": "HN"})
    assert response.status_code == 422
    assert response.json()["errors"] == {"parent": ["No unit has the code HN."]}
    unknown = post(province_admin, "/api/v1/units/TH-KCN-001/move", {"parent": "NO-SUCH"})
    assert unknown.json()["errors"] == {"parent": ["No unit has the code NO-SUCH."]}
    assert _unit("TH-KCN-001").parent_id == tree.upper.pk


def test_bad_input_names_the_field_in_the_callers_language(tree, admin, post):
    under_itself = post(admin, "/api/v1/units/TH-KCN/move", {"parent": "TH-KCN-001"})
    assert under_itself.status_code == 422
    assert under_itself.json()["errors"] == {
        "parent": ["A unit cannot be moved under itself or its own units."]
    }
    vi = post(admin, "/api/v1/units/TH-KCN/move", {"parent": "TH-KCN-001"}, language="vi")
    assert vi.json()["errors"]["parent"][0] != under_itself.json()["errors"]["parent"][0]
    missing = post(admin, "/api/v1/units/TH-KCN/move", {})
    assert missing.status_code == 422
    assert "parent" in missing.json()["errors"]
    bad_date = post(admin, "/api/v1/units/TH-KCN/move", {"parent": "HN", "effective_on": "3/4"})
    assert bad_date.status_code == 422
    assert "effective_on" in bad_date.json()["errors"]
    root = post(admin, "/api/v1/units/VN/move", {"parent": "TH"})
    assert root.status_code == 422
    assert root.json()["message"] == "The root unit cannot be moved."
    assert _unit("TH-KCN").parent_id == tree.province.pk


def test_a_merge_hands_over_members_and_open_work(tree, admin, post, bearer):
    campaign = make_campaign(tree.root)
    author = orgs.create_member(unit=tree.grassroots, full_name="Trần Thị Mai", by=None)
    authors = [{"member": author, "share": 100}]
    pending = make_initiative(
        campaign, tree.grassroots, by=None, status=Status.SUBMITTED, authors=authors
    )
    response = post(
        admin, "/api/v1/units/TH-KCN-001/merge", {"into": "HN-001", "note": "QĐ 9/QĐ-TLĐ"}
    )
    assert response.status_code == 200, response.content
    assert response.json()["code"] == "HN-001"
    closed = _unit("TH-KCN-001")
    assert closed.status == UnitStatus.MERGED
    assert closed.successor_id == tree.other_grassroots.pk
    assert Member.objects.get(pk=author.pk).unit_id == tree.other_grassroots.pk
    pending = Initiative.objects.get(pk=pending.pk)
    assert pending.unit_id == tree.other_grassroots.pk
    assert pending.history.filter(action=Action.MOVED, moved_from=closed).exists()
    assert [str(d) for d in check.check()] == []
    # The API's history says where it came from.
    shown = Client().get(f"/api/v1/initiatives/{pending.pk}", headers=bearer(admin))
    assert shown.json()["history"][-1]["action"] == "moved"
    assert shown.json()["history"][-1]["moved_from"] == "TH-KCN-001"


def test_a_merge_into_a_new_unit_and_its_bad_input(tree, admin, post):
    refused = post(
        admin,
        "/api/v1/units/TH-KCN-001/merge",
        {"others": ["TH-KCN-002"], "new_unit": {"code": "bad code", "name": "X"}},
    )
    assert refused.status_code == 422
    assert list(refused.json()["errors"]) == ["new_unit.code"]
    assert not Unit.objects.filter(name="X").exists()
    both = post(
        admin,
        "/api/v1/units/TH-KCN-001/merge",
        {"into": "HN-001", "new_unit": {"code": "TH-KCN-100", "name": "CĐ mới"}},
    )
    assert both.status_code == 422
    assert both.json()["errors"] == {
        "into": ["Choose an existing unit or describe a new one, not both."]
    }
    made = post(
        admin,
        "/api/v1/units/TH-KCN-001/merge",
        {"others": ["TH-KCN-002"], "new_unit": {"code": "TH-KCN-100", "name": "CĐ hợp nhất"}},
    )
    assert made.status_code == 200, made.content
    assert made.json()["code"] == "TH-KCN-100"
    assert made.json()["parent"] == "TH-KCN"
    assert set(
        Unit.objects.filter(successor__code="TH-KCN-100").values_list("code", flat=True)
    ) == {
        "TH-KCN-001",
        "TH-KCN-002",
    }


def test_merging_a_unit_the_caller_may_not_reorganise_is_403(tree, province_admin, post):
    address = "/api/v1/units/TH-KCN-001/merge"
    outside = post(province_admin, address, {"others": ["HN-001"], "into": "TH-KCN-002"})
    assert outside.status_code == 422
    assert outside.json()["errors"] == {"others.0": ["No unit has the code HN-001."]}
    # The province itself is in the administrator's scope but not below their role.
    itself = post(province_admin, address, {"others": ["TH"], "into": "TH-KCN-002"})
    assert itself.status_code == 403
    assert _unit("TH-KCN-001").is_active


def test_a_split_answers_the_new_units(tree, admin, post):
    a, b = (orgs.create_member(unit=tree.grassroots, full_name=n, by=None) for n in ("An", "Bình"))
    response = post(
        admin,
        "/api/v1/units/TH-KCN-001/split",
        {
            "into": [{"code": "TH-KCN-011", "name": "CĐ Giày 1"},
                     {"code": "TH-KCN-012", "name": "CĐ Giày 2"}],
            "records_to": "TH-KCN-011",
            "members": {b.code: "TH-KCN-012"},
        },
    )  # fmt: skip
    assert response.status_code == 200, response.content
    assert [u["code"] for u in response.json()["items"]] == ["TH-KCN-011", "TH-KCN-012"]
    assert Member.objects.get(pk=a.pk).unit.code == "TH-KCN-011"
    assert Member.objects.get(pk=b.pk).unit.code == "TH-KCN-012"
    assert _unit("TH-KCN-001").successor.code == "TH-KCN-011"
    one = post(
        admin,
        "/api/v1/units/TH-KCN-002/split",
        {"into": [{"code": "TH-KCN-021", "name": "X"}], "records_to": "TH-KCN-021"},
    )
    assert one.status_code == 422
    assert one.json()["errors"] == {"into": ["A split makes at least two units."]}
    assert not Unit.objects.filter(code="TH-KCN-021").exists()


def test_a_dissolution_without_a_taker_is_refused_then_done(tree, admin, post):
    orgs.create_member(unit=tree.grassroots2, full_name="Cường", by=None)
    refused = post(admin, "/api/v1/units/TH-KCN-002/dissolve", {})
    assert refused.status_code == 422
    assert list(refused.json()["errors"]) == ["transfer_to"]
    assert _unit("TH-KCN-002").is_active
    done = post(admin, "/api/v1/units/TH-KCN-002/dissolve", {"transfer_to": "TH-KCN-001"})
    assert done.status_code == 200, done.content
    assert done.json()["status"] == "dissolved"
    assert done.json()["answered_for_by"] == "TH-KCN-001"
    again = post(admin, "/api/v1/units/TH-KCN-002/dissolve", {"transfer_to": "TH-KCN-001"})
    assert again.status_code == 422
    assert again.json()["message"] == "Unit TH-KCN-002 is no longer active."


def test_the_endpoints_are_in_the_openapi_document(client, db):
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    for action in ("move", "merge", "split", "dissolve"):
        operation = paths[f"/api/v1/units/{{code}}/{action}"]["post"]
        assert {"403", "404", "422"} <= set(operation["responses"])
