"""Implementation plans through the API: coverage and a union's plan, record, change and
remove it through the plan services; 404 outside the caller's scope, 403 without the role."""

from __future__ import annotations

import datetime as dt

import pytest

from sangkien.campaigns import services as campaigns
from sangkien.core.models import AuditEntry
from sangkien.plans import services
from sangkien.plans.models import Plan

BASE = "/api/v1/plans/1TRIEU"
BODY = {
    "signed_on": "2026-02-01",
    "employer_name": "Công ty CP Giày Sao Vàng",
    "employer_representative": "Giám đốc Lê Văn Minh",
    "targets": "Mỗi tổ một sáng kiến",
    "target_initiatives": 30,
    "reward_mechanism": "Thưởng 500.000 đồng mỗi sáng kiến được công nhận",
}


@pytest.fixture
def campaign(tree):
    return campaigns.create_campaign(
        code="1TRIEU",
        name="1 triệu sáng kiến",
        owner=tree.root,
        starts_on=dt.date(2026, 1, 1),
        ends_on=dt.date(2027, 12, 31),
        by=None,
    )


@pytest.fixture
def plan(tree, campaign):
    return services.create_plan(
        unit=tree.grassroots,
        campaign=campaign,
        by=None,
        signed_on=dt.date(2026, 2, 1),
        employer_name="Công ty",
        employer_representative="Giám đốc",
        targets="Mục tiêu",
        reward_mechanism="Thưởng",
    )


def put(client, path, body, headers):
    return client.put(path, body, content_type="application/json", headers=headers)


def test_an_officer_reads_the_coverage_of_a_unit(client, tree, plan, unit_officer, bearer):
    response = client.get(f"{BASE}/TH-KCN", headers=bearer(unit_officer))
    assert response.status_code == 200
    body = response.json()
    assert body["coverage"]["with_plan"] == 1
    assert body["coverage"]["grassroots"] == 2
    assert body["coverage"]["percent"] == 50.0
    assert {c["unit"]: c["with_plan"] for c in body["children"]} == {
        "TH-KCN-001": 1,
        "TH-KCN-002": 0,
    }
    assert body["plan"] is None and body["may_manage"] is False


def test_a_unions_plan_is_read_with_it(client, tree, plan, support_team, bearer):
    body = client.get(f"{BASE}/TH-KCN-001", headers=bearer(support_team)).json()
    assert body["plan"]["employer_name"] == "Công ty"
    assert body["plan"]["version"] == plan.version
    assert body["may_manage"] is False


def test_an_officer_records_a_plan(client, tree, campaign, unit_officer, bearer):
    response = put(client, f"{BASE}/TH-KCN-001", BODY, bearer(unit_officer))
    assert response.status_code == 201, response.json()
    assert response.json()["target_initiatives"] == 30
    stored = Plan.objects.get(unit=tree.grassroots)
    assert stored.created_by == unit_officer
    assert AuditEntry.objects.filter(action="plan.create", actor=unit_officer).exists()


def test_changing_a_plan_needs_its_version(client, tree, plan, unit_officer, bearer):
    headers = bearer(unit_officer)
    assert put(client, f"{BASE}/TH-KCN-001", BODY, headers).status_code == 422
    stale = {**BODY, "version": plan.version + 5}
    assert put(client, f"{BASE}/TH-KCN-001", stale, headers).status_code == 409
    response = put(client, f"{BASE}/TH-KCN-001", {**BODY, "version": plan.version}, headers)
    assert response.status_code == 200
    assert response.json()["version"] == plan.version + 1
    assert Plan.objects.get().employer_name == BODY["employer_name"]


@pytest.mark.parametrize(
    ("field", "value"),
    [("signed_on", "2999-01-01"), ("signed_on", "01/02/2026"), ("employer_name", ""),
     ("target_initiatives", 0)],
)  # fmt: skip
def test_a_bad_field_writes_nothing(client, tree, campaign, unit_officer, bearer, field, value):
    response = put(client, f"{BASE}/TH-KCN-001", {**BODY, field: value}, bearer(unit_officer))
    assert response.status_code == 422
    assert field in response.json()["errors"]
    assert not Plan.objects.exists()


def test_only_a_grassroots_union_has_a_plan(client, tree, campaign, unit_officer, bearer):
    assert put(client, f"{BASE}/TH-KCN", BODY, bearer(unit_officer)).status_code == 404


def test_an_officer_removes_a_plan(client, tree, plan, unit_officer, bearer):
    headers = bearer(unit_officer)
    path = f"{BASE}/TH-KCN-001"
    assert client.delete(f"{path}?version={plan.version + 1}", headers=headers).status_code == 409
    assert client.delete(path, headers=headers).status_code == 422
    assert client.delete(f"{path}?version={plan.version}", headers=headers).status_code == 204
    assert not Plan.objects.exists()
    assert client.delete(f"{path}?version={plan.version}", headers=headers).status_code == 404


def test_a_reviewer_reads_but_does_not_write(client, tree, plan, reviewer, bearer):
    headers = bearer(reviewer)
    assert client.get(f"{BASE}/TH-KCN-001", headers=headers).status_code == 200
    assert put(client, f"{BASE}/TH-KCN-001", {**BODY, "version": 1}, headers).status_code == 403
    path = f"{BASE}/TH-KCN-001?version={plan.version}"
    assert client.delete(path, headers=headers).status_code == 403
    assert Plan.objects.get().employer_name == "Công ty"


@pytest.mark.parametrize("code", ["TH", "TH-KCN", "TH-KCN-001"])
def test_outside_the_callers_scope_is_not_found(client, tree, plan, outsider, bearer, code):
    headers = bearer(outsider)
    assert client.get(f"{BASE}/{code}", headers=headers).status_code == 404
    assert put(client, f"{BASE}/{code}", {**BODY, "version": 1}, headers).status_code == 404
    assert client.delete(f"{BASE}/{code}?version=1", headers=headers).status_code == 404
    assert Plan.objects.get().employer_name == "Công ty"


def test_an_unknown_campaign_is_not_found(client, tree, plan, unit_officer, bearer):
    response = client.get("/api/v1/plans/NOPE/TH-KCN-001", headers=bearer(unit_officer))
    assert response.status_code == 404
