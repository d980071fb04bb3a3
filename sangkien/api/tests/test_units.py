from __future__ import annotations

import pytest
from django.core.management import call_command

from sangkien.accounts.models import User
from sangkien.orgs import services as orgs

# The endpoints about units, with a unit code the personas below can all see.
ENDPOINTS = ["/api/v1/units", "/api/v1/units?parent=TH", "/api/v1/units/TH-KCN"]


def codes(response) -> list[str]:
    return [u["code"] for u in response.json()["items"]]


@pytest.mark.parametrize("url", ENDPOINTS)
def test_anonymous_gets_401_json(client, tree, url):
    response = client.get(url)
    assert response.status_code == 401
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["message"]


@pytest.mark.parametrize(
    "url", ["/api/v1/units/TH", "/api/v1/units/TH-KCN-001", "/api/v1/units?parent=TH"]
)
def test_outsider_gets_404_json(login, outsider, url):
    response = login(outsider).get(url)
    assert response.status_code == 404
    assert response.json() == {"message": response.json()["message"]}


def test_outsider_sees_only_their_own_province_at_the_top(login, outsider):
    assert codes(login(outsider).get("/api/v1/units")) == ["HN"]


def test_unknown_unit_answers_like_a_hidden_one(login, unit_officer):
    client = login(unit_officer)
    unknown = client.get("/api/v1/units/NO-SUCH-UNIT")
    hidden = client.get("/api/v1/units/HN")
    assert unknown.status_code == hidden.status_code == 404
    assert unknown.json() == hidden.json()


def test_officer_sees_their_province_at_the_top(login, unit_officer):
    response = login(unit_officer).get("/api/v1/units")
    assert response.status_code == 200
    assert codes(response) == ["TH"]
    assert response.json()["next_cursor"] is None


def test_national_admin_sees_the_root(login, admin):
    assert codes(login(admin).get("/api/v1/units")) == ["VN"]


def test_superuser_made_by_createsuperuser_sees_the_root(client, tree, monkeypatch):
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", "mat-khau-quan-tri-1")
    call_command(
        "createsuperuser", interactive=False, username="root", email="root@example.com", verbosity=0
    )
    client.force_login(User.objects.get(username="root"))
    assert codes(client.get("/api/v1/units")) == ["VN"]
    assert client.get("/api/v1/units/HN-001").status_code == 200


def test_member_sees_their_own_grassroots_unit(login, member):
    client = login(member)
    assert codes(client.get("/api/v1/units")) == ["TH-KCN-001"]
    assert client.get("/api/v1/units/TH-KCN").status_code == 404


def test_children_with_parent_code_and_counts(login, unit_officer, tree, member_record):
    orgs.create_member(unit=tree.grassroots2, full_name="Lê Văn Tám", by=None)
    response = login(unit_officer).get("/api/v1/units?parent=TH-KCN")
    assert response.status_code == 200
    items = response.json()["items"]
    assert [u["code"] for u in items] == ["TH-KCN-001", "TH-KCN-002"]  # Vietnamese name order
    first = items[0]
    assert first["name"] == "Công đoàn Công ty CP Giày Sao Vàng"
    assert first["kind"] == "grassroots"
    assert first["parent"] == "TH-KCN"
    assert first["children_count"] == 0
    assert first["members_count"] == 1
    upper = login(unit_officer).get("/api/v1/units/TH-KCN").json()
    assert upper["children_count"] == 2
    assert upper["members_count"] == 2
    assert upper["parent"] == "TH"


def test_unit_codes_are_case_insensitive(login, unit_officer):
    assert login(unit_officer).get("/api/v1/units/th-kcn").json()["code"] == "TH-KCN"


def test_get_unit(login, reviewer):
    response = login(reviewer).get("/api/v1/units/TH-KCN-002")
    assert response.status_code == 200
    body = response.json()
    assert body["code"] == "TH-KCN-002"
    assert body["name"] == "Công đoàn Công ty TNHH Dệt Đông Sơn"
    assert body["status"] == "active"
    assert body["answered_for_by"] is None


def test_closed_units_are_listed_only_when_asked(login, admin, tree):
    orgs.dissolve_unit(tree.grassroots2, by=None, transfer_to=tree.grassroots)
    client = login(admin)
    assert codes(client.get("/api/v1/units?parent=TH-KCN")) == ["TH-KCN-001"]
    closed = client.get("/api/v1/units?parent=TH-KCN&include_closed=true").json()["items"]
    assert {u["code"]: u["status"] for u in closed} == {
        "TH-KCN-001": "active",
        "TH-KCN-002": "dissolved",
    }
    assert client.get("/api/v1/units/TH-KCN-002").json()["answered_for_by"] == "TH-KCN-001"


def test_unit_children_come_a_page_at_a_time(login, admin, tree):
    for i in range(7):
        orgs.create_unit(
            code=f"TH-KCN-1{i:02d}", name=f"Công đoàn Nhà máy số {i}", kind="grassroots",
            parent=tree.upper, by=None,
        )  # fmt: skip
    client = login(admin)
    seen: list[str] = []
    url = "/api/v1/units?parent=TH-KCN&limit=4"
    while url:
        body = client.get(url).json()
        assert len(body["items"]) <= 4
        seen += [u["code"] for u in body["items"]]
        url = (
            body["next_cursor"]
            and f"/api/v1/units?parent=TH-KCN&limit=4&cursor={body['next_cursor']}"
        )
    assert len(seen) == len(set(seen)) == 9
