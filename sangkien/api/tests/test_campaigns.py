from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from sangkien.campaigns import services as campaigns


@pytest.fixture
def national(tree):
    today = timezone.localdate()
    return campaigns.create_campaign(
        code="1TRIEU",
        name="1 triệu sáng kiến",
        owner=tree.root,
        starts_on=today - dt.timedelta(days=300),
        ends_on=today + dt.timedelta(days=400),
        by=None,
        phases=[
            {
                "name": "Đợt 1",
                "starts_on": today - dt.timedelta(days=300),
                "ends_on": today - dt.timedelta(days=100),
            },
            {
                "name": "Đợt 2",
                "starts_on": today - dt.timedelta(days=99),
                "ends_on": today + dt.timedelta(days=400),
            },
        ],
        fields=[("KT", "Kỹ thuật"), ("QL", "Quản lý")],
        requires_recognition=False,
    )


@pytest.fixture
def provincial(tree):
    return campaigns.create_campaign(
        code="TH-2026",
        name="Sáng kiến Thanh Hóa 2026",
        owner=tree.province,
        starts_on=dt.date(2026, 1, 1),
        ends_on=dt.date(2027, 12, 31),
        by=None,
        fields=[("SX", "Sản xuất")],
    )


def codes(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [c["code"] for c in response.json()["items"]]


@pytest.mark.parametrize("url", ["/api/v1/campaigns", "/api/v1/campaigns/1TRIEU"])
def test_anonymous_gets_401(client, national, url):
    response = client.get(url)
    assert response.status_code == 401
    assert response.json()["message"]


def test_member_lists_the_campaigns_above_their_unit_with_phases_and_fields(
    login, member, national, provincial
):
    body = login(member).get("/api/v1/campaigns").json()
    assert body["next_cursor"] is None
    by_code = {c["code"]: c for c in body["items"]}
    assert set(by_code) == {"1TRIEU", "TH-2026"}
    one = by_code["1TRIEU"]
    assert one["name"] == "1 triệu sáng kiến"
    assert one["owner"] == "VN"
    assert one["starts_on"] == national.starts_on.isoformat()
    assert one["ends_on"] == national.ends_on.isoformat()
    assert one["open"] is True
    assert one["requires_recognition"] is False
    assert [p["number"] for p in one["phases"]] == [1, 2]
    assert one["phases"][0]["name"] == "Đợt 1"
    assert one["fields"] == [{"code": "KT", "name": "Kỹ thuật"}, {"code": "QL", "name": "Quản lý"}]


def test_bearer_token_lists_campaigns(client, unit_officer, national, bearer):
    assert codes(client.get("/api/v1/campaigns", headers=bearer(unit_officer))) == ["1TRIEU"]


def test_outsider_does_not_see_another_provinces_campaign(login, outsider, national, provincial):
    assert codes(login(outsider).get("/api/v1/campaigns")) == ["1TRIEU"]


def test_outsider_gets_404_for_another_provinces_campaign(login, outsider, provincial):
    response = login(outsider).get("/api/v1/campaigns/TH-2026")
    assert response.status_code == 404
    assert response.json()["message"]


def test_unknown_campaign_gets_404(login, member, national):
    assert login(member).get("/api/v1/campaigns/NOTHING").status_code == 404


def test_one_campaign_by_code_in_any_case(login, support_team, provincial):
    body = login(support_team).get("/api/v1/campaigns/th-2026").json()
    assert body["code"] == "TH-2026"
    assert body["fields"] == [{"code": "SX", "name": "Sản xuất"}]
    assert body["phases"] == []


def test_user_without_a_unit_sees_no_campaigns(client, db, national):
    from conftest import make_user

    user = make_user("lonely")
    client.force_login(user)
    assert codes(client.get("/api/v1/campaigns")) == []


def test_campaign_list_reads_in_a_fixed_number_of_queries(
    login, member, national, provincial, django_assert_max_num_queries
):
    client = login(member)
    # One of them asks which units the user's support teams serve (campaigns_for).
    with django_assert_max_num_queries(9):
        assert len(codes(client.get("/api/v1/campaigns"))) == 2
