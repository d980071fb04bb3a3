from __future__ import annotations

import pytest

from sangkien.orgs import services as orgs
from sangkien.text import person_sort_key

PERSONAL = ("birth_date", "phone", "email")


def first_item(response) -> dict:
    assert response.status_code == 200, response.content
    return response.json()["items"][0]


@pytest.mark.parametrize("url", ["/api/v1/members?unit=TH", "/api/v1/members/DV00000001"])
def test_anonymous_gets_401_json(client, member_record, url):
    response = client.get(url)
    assert response.status_code == 401
    assert response.json()["message"]


@pytest.mark.parametrize(
    "url",
    ["/api/v1/members?unit=TH", "/api/v1/members?unit=TH-KCN-001", "/api/v1/members/DV00000001"],
)
def test_outsider_gets_404_json(login, outsider, member_record, url):
    response = login(outsider).get(url)
    assert response.status_code == 404
    assert response.json()["message"]


def test_officer_of_the_subtree_sees_personal_data(login, unit_officer, member_record):
    item = first_item(login(unit_officer).get("/api/v1/members?unit=TH"))
    assert item["code"] == "DV00000001"
    assert item["full_name"] == "Nguyễn Thị Hoa"
    assert item["unit"] == "TH-KCN-001"
    assert item["personal_data_visible"] is True
    assert item["birth_date"] == "1990-05-17"
    assert item["phone"] == "0912345678"
    assert item["email"] == "hoa@example.com"


def test_national_admin_sees_personal_data(login, admin, member_record):
    item = first_item(login(admin).get("/api/v1/members?unit=VN"))
    assert item["personal_data_visible"] is True
    assert item["birth_date"] == "1990-05-17"


@pytest.mark.parametrize("persona", ["support_team", "reviewer"])
def test_support_and_reviewers_list_members_without_personal_data(
    request, login, member_record, persona
):
    user = request.getfixturevalue(persona)
    item = first_item(login(user).get("/api/v1/members?unit=TH-KCN"))
    assert item["code"] == "DV00000001"
    assert item["personal_data_visible"] is False
    assert all(item[field] is None for field in PERSONAL)
    one = login(user).get("/api/v1/members/DV00000001").json()
    assert all(one[field] is None for field in PERSONAL)


def test_support_team_cannot_list_above_its_unit(login, support_team, member_record):
    assert login(support_team).get("/api/v1/members?unit=TH").status_code == 404


@pytest.mark.parametrize("persona", ["member", "editor"])
def test_members_and_editors_cannot_list_members(request, login, member_record, persona):
    user = request.getfixturevalue(persona)
    assert login(user).get("/api/v1/members?unit=TH-KCN-001").status_code == 404


def test_member_sees_their_own_record_with_personal_data(login, member):
    response = login(member).get("/api/v1/members/DV00000001")
    assert response.status_code == 200
    body = response.json()
    assert body["personal_data_visible"] is True
    assert body["email"] == "hoa@example.com"


def test_member_cannot_see_another_member(login, member, tree):
    other = orgs.create_member(unit=tree.grassroots, full_name="Phạm Văn Đức", by=None)
    assert login(member).get(f"/api/v1/members/{other.code}").status_code == 404


def test_officer_gets_one_member(login, unit_officer, member_record):
    body = login(unit_officer).get("/api/v1/members/dv00000001").json()
    assert body["code"] == "DV00000001"
    assert body["phone"] == "0912345678"


def test_unknown_personal_data_is_null_not_empty(login, unit_officer, tree):
    person = orgs.create_member(unit=tree.grassroots, full_name="Đỗ Minh Khôi", by=None)
    body = login(unit_officer).get(f"/api/v1/members/{person.code}").json()
    assert body["personal_data_visible"] is True
    assert body["phone"] is None
    assert body["email"] is None


NAMES = [
    "Nguyễn Văn An", "Trần Thị Ánh", "Lê Văn Ân", "Phạm Thị Ăn", "Hoàng Văn Anh",
    "Nguyễn Văn An", "Đặng Thị Bích", "Vũ Văn Đông", "Bùi Thị Dung", "Ngô Văn Ý",
    "Đỗ Thị Yến", "Hồ Văn Ơn", "Dương Thị Ôn", "Lý Văn On", "Trịnh Thị Hà",
    "Mai Văn Hạ", "Cao Thị Hả", "Lưu Văn Hã", "Tô Thị Hà", "Nguyễn Văn Bình",
    "Trần Văn Chiến", "Lê Thị Thủy", "Phan Văn Sơn",
]  # fmt: skip


@pytest.fixture
def many_members(tree, member_record):
    people = [member_record]
    for i, name in enumerate(NAMES):
        unit = tree.grassroots if i % 2 else tree.grassroots2
        people.append(orgs.create_member(unit=unit, full_name=name, by=None))
    return people


def test_cursor_pages_cover_every_member_exactly_once_in_vietnamese_order(
    login, unit_officer, many_members
):
    client = login(unit_officer)
    seen: list[dict] = []
    cursor = None
    pages = 0
    while True:
        url = "/api/v1/members?unit=TH&limit=5" + (f"&cursor={cursor}" if cursor else "")
        body = client.get(url).json()
        assert len(body["items"]) <= 5
        seen += body["items"]
        pages += 1
        cursor = body["next_cursor"]
        if cursor is None:
            break
    codes = [m["code"] for m in seen]
    assert len(codes) == len(set(codes)) == len(many_members)
    assert set(codes) == {m.code for m in many_members}
    assert pages == 5
    expected = sorted(many_members, key=lambda m: (person_sort_key(m.full_name), m.pk))
    assert codes == [m.code for m in expected]


def test_members_added_while_paging_do_not_repeat_rows(login, unit_officer, many_members, tree):
    client = login(unit_officer)
    first = client.get("/api/v1/members?unit=TH&limit=10").json()
    orgs.create_member(unit=tree.grassroots, full_name="Âu Văn A", by=None)  # sorts first
    rest = client.get(f"/api/v1/members?unit=TH&limit=100&cursor={first['next_cursor']}").json()
    codes = [m["code"] for m in first["items"] + rest["items"]]
    assert len(codes) == len(set(codes)) == len(many_members)


def test_members_of_a_grassroots_unit_only(login, unit_officer, many_members, tree):
    body = login(unit_officer).get("/api/v1/members?unit=TH-KCN-002&limit=200").json()
    assert body["items"]
    assert {m["unit"] for m in body["items"]} == {"TH-KCN-002"}
    expected = [m for m in many_members if m.unit_id == tree.grassroots2.pk]
    assert len(body["items"]) == len(expected)


def test_search_ignores_tone_marks_and_d_stroke(login, unit_officer, many_members):
    body = login(unit_officer).get("/api/v1/members?unit=TH&q=dong").json()
    assert [m["full_name"] for m in body["items"]] == ["Vũ Văn Đông"]


def test_former_members_only_when_asked(login, unit_officer, member_record):
    orgs.end_membership(member_record, by=None)
    client = login(unit_officer)
    assert client.get("/api/v1/members?unit=TH").json()["items"] == []
    former = client.get("/api/v1/members?unit=TH&include_former=true").json()["items"]
    assert [m["code"] for m in former] == ["DV00000001"]
    assert former[0]["left_on"] is not None


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("", "unit"),
        ("?unit=TH&limit=0", "limit"),
        ("?unit=TH&limit=1000", "limit"),
        ("?unit=TH&limit=many", "limit"),
        ("?unit=TH&cursor=not-a-cursor", "cursor"),
        ("?unit=TH&cursor=WzFd", "cursor"),  # a list of the wrong length
        ("?unit=TH&include_former=perhaps", "include_former"),
    ],
)
def test_bad_parameters_get_422_naming_the_field(login, unit_officer, query, field):
    response = login(unit_officer).get("/api/v1/members" + query)
    assert response.status_code == 422
    body = response.json()
    assert field in body["message"]
    assert list(body["errors"]) == [field]
