"""Quotas through the API: read, allocate, a unit's own target and the campaign owner's own
quota, through the quota services; 404 outside the caller's scope, 403 without the role."""

from __future__ import annotations

import datetime as dt

import pytest

from sangkien.campaigns import services as campaigns
from sangkien.quotas import services
from sangkien.quotas.models import Quota, QuotaChange

BASE = "/api/v1/quotas"


@pytest.fixture
def campaign(tree):
    return campaigns.create_campaign(
        code="1TRIEU",
        name="1 triệu sáng kiến",
        owner=tree.root,
        starts_on=dt.date(2026, 1, 1),
        ends_on=dt.date(2027, 12, 31),
        by=None,
        phases=[
            {"name": "Đợt 1", "starts_on": dt.date(2026, 1, 1), "ends_on": dt.date(2026, 6, 30)},
            {"name": "Đợt 2", "starts_on": dt.date(2026, 7, 1), "ends_on": dt.date(2027, 12, 31)},
        ],
    )


def post(client, path, body, headers):
    return client.post(path, body, content_type="application/json", headers=headers)


# -- reading ---------------------------------------------------------------------------------


def test_an_officer_reads_the_quotas_of_a_unit_and_its_children(
    client, tree, campaign, unit_officer, admin, bearer
):
    services.allocate(tree.province, campaign, None, {"TH-KCN": 40}, admin)
    response = client.get(f"{BASE}/TH?campaign=1TRIEU", headers=bearer(unit_officer))
    assert response.status_code == 200
    body = response.json()
    assert body["unit"] == "TH" and body["campaign"] == "1TRIEU" and body["phase"] is None
    assert [(c["unit"], c["assigned"], c["version"]) for c in body["children"]] == [
        ("TH-KCN", 40, 1)
    ]
    assert body["children_total"] == 40
    assert body["may_allocate"] and body["may_set_target"] and not body["may_set_own_quota"]


def test_the_newest_campaign_is_read_without_one(client, tree, campaign, unit_officer, bearer):
    assert client.get(f"{BASE}/TH", headers=bearer(unit_officer)).json()["campaign"] == "1TRIEU"


def test_a_phase_is_read_by_its_number(client, tree, campaign, unit_officer, admin, bearer):
    phase2 = campaign.phases.get(number=2)
    services.allocate(tree.province, campaign, phase2, {"TH-KCN": 7}, admin)
    headers = bearer(unit_officer)
    body = client.get(f"{BASE}/TH?campaign=1TRIEU&phase=2", headers=headers).json()
    assert body["phase"] == 2
    assert body["children"][0]["assigned"] == 7
    whole = client.get(f"{BASE}/TH?campaign=1TRIEU", headers=headers).json()
    assert whole["children"][0]["assigned"] is None
    assert whole["children"][0]["effective_assigned"] == 7


@pytest.mark.parametrize(
    "query", ["?campaign=NOPE", "?campaign=1TRIEU&phase=9"], ids=["campaign", "phase"]
)
def test_an_unknown_campaign_or_phase_is_not_found(
    client, tree, campaign, unit_officer, bearer, query
):
    assert client.get(f"{BASE}/TH{query}", headers=bearer(unit_officer)).status_code == 404


def test_no_campaign_is_not_found(client, tree, unit_officer, bearer):
    assert client.get(f"{BASE}/TH", headers=bearer(unit_officer)).status_code == 404


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", ""),
        ("post", "/allocation"),
        ("post", "/target"),
        ("post", "/own"),
    ],
)
def test_outside_the_callers_scope_is_not_found(
    client, tree, campaign, outsider, member, bearer, method, path
):
    body = {"campaign": "1TRIEU", "values": {"TH-KCN": 5}, "versions": {"TH-KCN": 0},
            "value": 5, "version": 0}  # fmt: skip
    for user, code in ((outsider, "TH"), (outsider, "VN"), (member, "TH-KCN")):
        headers = bearer(user)
        if method == "get":
            response = client.get(f"{BASE}/{code}?campaign=1TRIEU", headers=headers)
        else:
            response = post(client, f"{BASE}/{code}{path}?", body, headers)
        assert response.status_code == 404, (user.username, code, path)
    assert not Quota.objects.exists()


def test_without_a_token_or_session_it_is_401(client, tree, campaign):
    assert client.get(f"{BASE}/TH?campaign=1TRIEU").status_code == 401


# -- allocating ------------------------------------------------------------------------------


def test_an_officer_allocates_to_the_children(client, tree, campaign, unit_officer, bearer):
    response = post(
        client,
        f"{BASE}/TH/allocation",
        {"campaign": "1TRIEU", "values": {"TH-KCN": "1.500"}, "versions": {"TH-KCN": 0},
         "note": "Theo kế hoạch"},
        bearer(unit_officer),
    )  # fmt: skip
    assert response.status_code == 200, response.json()
    assert response.json()["children"][0]["assigned"] == 1500
    quota = Quota.objects.get(unit=tree.upper)
    assert quota.assigned == 1500 and quota.updated_by == unit_officer
    assert QuotaChange.objects.get().note == "Theo kế hoạch"


def test_allocation_needs_the_versions_read(client, tree, campaign, unit_officer, bearer):
    headers = bearer(unit_officer)
    body = {"campaign": "1TRIEU", "values": {"TH-KCN": 5}}
    assert post(client, f"{BASE}/TH/allocation", body, headers).status_code == 422
    body["versions"] = {}
    assert post(client, f"{BASE}/TH/allocation", body, headers).status_code == 409
    assert not Quota.objects.exists()


def test_a_stale_version_writes_nothing(client, tree, campaign, unit_officer, admin, bearer):
    services.allocate(tree.province, campaign, None, {"TH-KCN": 40}, admin)
    body = {"campaign": "1TRIEU", "values": {"TH-KCN": 50}, "versions": {"TH-KCN": 0}}
    response = post(client, f"{BASE}/TH/allocation", body, bearer(unit_officer))
    assert response.status_code == 409
    assert Quota.objects.get(unit=tree.upper).assigned == 40


@pytest.mark.parametrize("value", ["-1", "abc", 2_000_000_000, 1.5])
def test_a_bad_quota_is_refused_naming_the_child(
    client, tree, campaign, unit_officer, bearer, value
):
    body = {"campaign": "1TRIEU", "values": {"TH-KCN": value}, "versions": {"TH-KCN": 0}}
    response = post(client, f"{BASE}/TH/allocation", body, bearer(unit_officer))
    assert response.status_code == 422
    assert not Quota.objects.exists()


def test_only_children_receive_an_allocation(client, tree, campaign, unit_officer, bearer):
    body = {"campaign": "1TRIEU", "values": {"TH-KCN-001": 5}, "versions": {"TH-KCN-001": 0}}
    response = post(client, f"{BASE}/TH/allocation", body, bearer(unit_officer))
    assert response.status_code == 422
    assert "TH-KCN-001" in response.json()["errors"]


def test_a_reviewer_may_read_but_not_allocate(client, tree, campaign, reviewer, bearer):
    headers = bearer(reviewer)
    body = client.get(f"{BASE}/TH-KCN?campaign=1TRIEU", headers=headers).json()
    assert body["may_allocate"] is False
    allocation = {"campaign": "1TRIEU", "values": {"TH-KCN-001": 5},
                  "versions": {"TH-KCN-001": 0}}  # fmt: skip
    assert post(client, f"{BASE}/TH-KCN/allocation", allocation, headers).status_code == 403
    target = {"campaign": "1TRIEU", "value": 5, "version": 0}
    assert post(client, f"{BASE}/TH-KCN/target", target, headers).status_code == 403
    assert not Quota.objects.exists()


# -- a unit's own figures --------------------------------------------------------------------


def test_an_officer_sets_the_units_target(client, tree, campaign, unit_officer, admin, bearer):
    services.allocate(tree.root, campaign, None, {"TH": 10}, admin)
    headers = bearer(unit_officer)
    below = {"campaign": "1TRIEU", "value": 9, "version": 1}
    assert post(client, f"{BASE}/TH/target", below, headers).status_code == 422
    response = post(client, f"{BASE}/TH/target", {**below, "value": 12}, headers)
    assert response.status_code == 200
    assert response.json()["target"] == 12 and response.json()["version"] == 2
    stale = {"campaign": "1TRIEU", "value": 15, "version": 1}
    assert post(client, f"{BASE}/TH/target", stale, headers).status_code == 409
    assert Quota.objects.get(unit=tree.province).target == 12


def test_the_target_needs_a_version(client, tree, campaign, unit_officer, bearer):
    body = {"campaign": "1TRIEU", "value": 5}
    assert post(client, f"{BASE}/TH/target", body, bearer(unit_officer)).status_code == 422


def test_only_the_campaign_owner_sets_its_own_quota(
    client, tree, campaign, unit_officer, admin, bearer
):
    body = {"campaign": "1TRIEU", "value": 1000, "version": 0}
    assert post(client, f"{BASE}/TH/own", body, bearer(unit_officer)).status_code == 403
    response = post(client, f"{BASE}/VN/own", body, bearer(admin))
    assert response.status_code == 200
    assert response.json()["assigned"] == 1000
    assert Quota.objects.get(unit=tree.root).assigned == 1000
