import datetime as dt

import pytest
from django.urls import reverse

from sangkien.accounts.models import Role
from sangkien.orgs import services
from sangkien.orgs.models import Member, Unit, UnitStatus

D = dt.date


def post_ok(client, url, data):
    """POST a form and expect the redirect that follows a successful write."""
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    return response


# -- every page answers 404 to an outsider and sends anonymous users to the login ------------

UNIT_PAGES = [
    ("orgs:detail", "GET"),
    ("orgs:members", "GET"),
    ("orgs:member_create", "GET"),
    ("orgs:create", "GET"),
    ("orgs:edit", "GET"),
    ("orgs:grants", "GET"),
    ("orgs:move", "GET"),
    ("orgs:merge", "GET"),
    ("orgs:split", "GET"),
    ("orgs:dissolve", "GET"),
    ("orgs:member_create", "POST"),
    ("orgs:create", "POST"),
    ("orgs:edit", "POST"),
    ("orgs:grants", "POST"),
    ("orgs:move", "POST"),
    ("orgs:merge", "POST"),
    ("orgs:split", "POST"),
    ("orgs:dissolve", "POST"),
]
MEMBER_PAGES = [
    ("orgs:member_detail", "GET"),
    ("orgs:member_edit", "GET"),
    ("orgs:member_move", "GET"),
    ("orgs:member_end", "GET"),
    ("orgs:member_edit", "POST"),
    ("orgs:member_move", "POST"),
    ("orgs:member_end", "POST"),
]


def _call(client, method, url):
    return client.post(url, {}) if method == "POST" else client.get(url)


@pytest.mark.parametrize(("name", "method"), UNIT_PAGES)
def test_outsider_gets_404_on_unit_pages(login, outsider, tree, name, method):
    client = login(outsider)
    assert _call(client, method, reverse(name, args=[tree.grassroots.code])).status_code == 404


@pytest.mark.parametrize(("name", "method"), MEMBER_PAGES)
def test_outsider_gets_404_on_member_pages(login, outsider, member_record, name, method):
    client = login(outsider)
    assert _call(client, method, reverse(name, args=[member_record.code])).status_code == 404


def test_outsider_gets_404_on_grant_revoke(login, outsider, unit_officer, tree):
    grant = unit_officer.grants.get()
    url = reverse("orgs:grant_revoke", args=[tree.province.code, grant.pk])
    assert login(outsider).post(url).status_code == 404


def test_outsider_search_finds_nothing_of_other_subtrees(login, outsider, tree):
    response = login(outsider).get(reverse("orgs:search"), {"q": "Sao Vàng"})
    assert response.status_code == 200
    assert "TH-KCN-001" not in response.content.decode()


def test_unknown_unit_is_404(login, admin):
    assert login(admin).get(reverse("orgs:detail", args=["NOPE"])).status_code == 404


@pytest.mark.parametrize(
    "url",
    [
        "/units/",
        "/units/search/?q=th",
        "/units/TH/",
        "/units/TH/members/",
        "/units/TH/new/",
        "/units/TH/roles/",
        "/units/TH-KCN/merge/",
        "/units/members/DV00000001/",
        "/units/members/DV00000001/edit/",
    ],
)
def test_anonymous_is_sent_to_login(client, member_record, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=")


# -- browsing ------------------------------------------------------------------------------


def test_index_lists_top_units_of_user(login, unit_officer, tree):
    body = login(unit_officer).get(reverse("orgs:index")).content.decode()
    assert tree.province.name in body
    assert tree.other_province.name not in body


def test_unit_detail_shows_children_breadcrumbs_and_count(login, unit_officer, tree, member_record):
    response = login(unit_officer).get(reverse("orgs:detail", args=["TH-KCN"]))
    body = response.content.decode()
    assert response.status_code == 200
    assert tree.grassroots.name in body and tree.grassroots2.name in body
    # the province is in the breadcrumbs; the national root is not the officer's to see
    assert reverse("orgs:detail", args=["TH"]) in body
    assert reverse("orgs:detail", args=["VN"]) not in body


def test_unit_detail_shows_closed_children_with_successor(login, admin, tree, member_record):
    services.merge_units([tree.grassroots], into=tree.grassroots2, by=None, on=D(2025, 7, 1))
    body = login(admin).get(reverse("orgs:detail", args=["TH-KCN"])).content.decode()
    assert "01/07/2025" in body
    assert reverse("orgs:detail", args=["TH-KCN-002"]) in body
    closed = login(admin).get(reverse("orgs:detail", args=["TH-KCN-001"])).content.decode()
    assert tree.grassroots2.name in closed  # answered for by


def test_unit_detail_lists_events_and_versions(login, admin, tree):
    services.update_unit(tree.upper, name="Công đoàn KCN Thanh Hóa mới", by=None, on=D(2025, 7, 1))
    body = login(admin).get(reverse("orgs:detail", args=["TH-KCN"])).content.decode()
    assert "Công đoàn các Khu công nghiệp Thanh Hóa" in body  # the old name, in the history
    assert "01/07/2025" in body


def test_member_sees_own_unit_but_not_member_list(login, member, tree):
    client = login(member)
    assert client.get(reverse("orgs:detail", args=["TH-KCN-001"])).status_code == 200
    assert client.get(reverse("orgs:detail", args=["TH-KCN-002"])).status_code == 404
    assert client.get(reverse("orgs:members", args=["TH-KCN-001"])).status_code == 404


def test_search_ignores_diacritics_and_d(login, unit_officer, tree):
    response = login(unit_officer).get(reverse("orgs:search"), {"q": "dong son"})
    assert tree.grassroots2.name in response.content.decode()


def test_search_by_code_prefix_htmx_partial(login, unit_officer, tree):
    response = login(unit_officer).get(
        reverse("orgs:search"), {"q": "th-kcn-00"}, HTTP_HX_REQUEST="true"
    )
    body = response.content.decode()
    assert "<html" not in body
    assert "TH-KCN-001" in body and "TH-KCN-002" in body


def test_search_datalist_gives_options(login, unit_officer, tree):
    response = login(unit_officer).get(
        reverse("orgs:search"), {"datalist": "1", "field": "unit", "unit": "TH-KCN-002"}
    )
    assert '<option value="TH-KCN-002">' in response.content.decode()


# -- members -------------------------------------------------------------------------------


def _many_members(unit, n):
    names = ["Nguyễn Văn An", "Trần Thị Bình", "Lê Văn Cường", "Phạm Thị Dung", "Đỗ Văn Đức"]
    return [
        services.create_member(unit=unit, full_name=f"{names[i % 5]} {i:03d}", by=None)
        for i in range(n)
    ]


def test_member_list_pages_by_cursor_without_duplicates(login, unit_officer, tree, settings):
    settings.PAGE_SIZE = 7
    _many_members(tree.grassroots, 10)
    _many_members(tree.grassroots2, 10)
    client = login(unit_officer)
    seen: list[str] = []
    url = reverse("orgs:members", args=["TH"])
    cursor = None
    for _page in range(5):
        response = client.get(url, {"cursor": cursor} if cursor else {})
        page = response.context["page"]
        seen += [m.code for m in page.items]
        cursor = page.next_cursor
        if not cursor:
            break
    assert len(seen) == 20 == len(set(seen))
    expected = list(
        Member.objects.in_subtree(tree.province).in_order().values_list("code", flat=True)
    )
    assert seen == expected


def test_member_list_is_in_vietnamese_name_order(login, unit_officer, tree):
    for name in ["Trần Văn Bình", "Nguyễn Thị An", "Lê Thị Ánh"]:
        services.create_member(unit=tree.grassroots, full_name=name, by=None)
    page = login(unit_officer).get(reverse("orgs:members", args=["TH-KCN-001"])).context["page"]
    assert [m.full_name for m in page.items] == ["Nguyễn Thị An", "Lê Thị Ánh", "Trần Văn Bình"]


def test_member_list_uses_a_fixed_number_of_queries(
    login, unit_officer, tree, django_assert_max_num_queries
):
    _many_members(tree.grassroots, 30)
    client = login(unit_officer)
    client.get(reverse("orgs:members", args=["TH"]))  # warm the session
    with django_assert_max_num_queries(12):
        client.get(reverse("orgs:members", args=["TH"]))


def test_member_search_ignores_diacritics(login, support_team, tree):
    services.create_member(unit=tree.grassroots2, full_name="Đặng Thị Đông", by=None)
    services.create_member(unit=tree.grassroots2, full_name="Lê Văn Tây", by=None)
    response = login(support_team).get(
        reverse("orgs:members", args=["TH-KCN"]), {"q": "dang dong"}, HTTP_HX_REQUEST="true"
    )
    body = response.content.decode()
    assert "Đặng Thị Đông" in body and "Lê Văn Tây" not in body
    assert "<html" not in body


def test_member_list_former_members(login, unit_officer, tree, member_record):
    services.end_membership(member_record, by=None, on=D(2025, 1, 1))
    client = login(unit_officer)
    url = reverse("orgs:members", args=["TH"])
    assert member_record.full_name not in client.get(url).content.decode()
    assert member_record.full_name in client.get(url, {"former": "1"}).content.decode()


@pytest.mark.parametrize(("persona", "shown"), [
    ("unit_officer", True),
    ("member", True),
    ("admin", True),
    ("support_team", False),
    ("reviewer", False),
])  # fmt: skip
def test_personal_data_only_for_officers_and_the_member(
    request, login, member_record, persona, shown
):
    user = request.getfixturevalue(persona)
    response = login(user).get(reverse("orgs:member_detail", args=[member_record.code]))
    body = response.content.decode()
    assert response.status_code == 200
    assert ("0912345678" in body) is shown
    assert ("hoa@example.com" in body) is shown
    assert ("17/05/1990" in body) is shown


def test_member_detail_shows_history(login, unit_officer, tree, member_record):
    services.move_member(member_record, to=tree.grassroots2, by=None, on=D(2024, 2, 1))
    body = login(unit_officer).get(reverse("orgs:member_detail", args=["DV00000001"])).content
    body = body.decode()
    assert tree.grassroots.name in body and tree.grassroots2.name in body
    assert "01/02/2024" in body


def test_officer_adds_member(login, unit_officer, tree):
    client = login(unit_officer)
    post_ok(
        client,
        reverse("orgs:member_create", args=["TH-KCN-002"]),
        {
            "full_name": "  Vũ   Thị Mai ",
            "gender": "female",
            "birth_date": "02/09/1995",
            "phone": "+84 912 000 111",
            "email": "Mai@Example.com",
            "joined_on": "",
            "code": "",
            "position": "Kế toán",
        },
    )
    m = Member.objects.get(full_name="Vũ Thị Mai")
    assert m.unit == tree.grassroots2
    assert m.birth_date == D(1995, 9, 2)
    assert m.phone == "0912000111"
    assert Unit.objects.get(pk=tree.province.pk).members_total == 1


def test_add_member_to_upper_unit_shows_service_error(login, unit_officer, tree):
    response = login(unit_officer).post(
        reverse("orgs:member_create", args=["TH-KCN"]), {"full_name": "Hồ Văn Nam"}
    )
    assert response.status_code == 400
    assert response.context["form"].non_field_errors()
    assert not Member.objects.filter(full_name="Hồ Văn Nam").exists()


def test_add_member_with_bad_date_shows_field_error(login, unit_officer, tree):
    response = login(unit_officer).post(
        reverse("orgs:member_create", args=["TH-KCN-001"]),
        {"full_name": "Hồ Văn Nam", "birth_date": "31/02/1990"},
    )
    assert response.status_code == 400
    assert "birth_date" in response.context["form"].errors


def test_officer_edits_member_and_stale_version_conflicts(login, unit_officer, member_record):
    client = login(unit_officer)
    url = reverse("orgs:member_edit", args=[member_record.code])
    data = {"full_name": "Nguyễn Thị Hoà", "gender": "female", "version": member_record.version}
    post_ok(client, url, data)
    assert Member.objects.get(pk=member_record.pk).full_name == "Nguyễn Thị Hoà"
    response = client.post(url, {**data, "full_name": "Nguyễn Thị Hòa"})  # old version
    assert response.status_code == 409
    assert Member.objects.get(pk=member_record.pk).full_name == "Nguyễn Thị Hoà"


def test_officer_moves_member_inside_scope_only(login, unit_officer, tree, member_record):
    client = login(unit_officer)
    url = reverse("orgs:member_move", args=[member_record.code])
    response = client.post(url, {"unit": "HN-001"})
    assert response.status_code == 400
    assert "unit" in response.context["form"].errors
    post_ok(client, url, {"unit": "th-kcn-002", "on": "01/03/2025", "reason": "Chuyển công tác"})
    assert Member.objects.get(pk=member_record.pk).unit == tree.grassroots2


def test_officer_ends_membership(login, unit_officer, member_record):
    post_ok(
        login(unit_officer),
        reverse("orgs:member_end", args=[member_record.code]),
        {"on": "31/12/2024", "reason": "Nghỉ hưu"},
    )
    assert Member.objects.get(pk=member_record.pk).left_on == D(2024, 12, 31)


def test_support_team_cannot_edit_members(login, support_team, member_record):
    client = login(support_team)
    assert client.get(reverse("orgs:member_edit", args=[member_record.code])).status_code == 403
    assert client.get(reverse("orgs:member_create", args=["TH-KCN-001"])).status_code == 403


# -- units ---------------------------------------------------------------------------------


def test_officer_creates_child_unit(login, unit_officer, tree):
    post_ok(
        login(unit_officer),
        reverse("orgs:create", args=["TH-KCN"]),
        {"code": "th-kcn-003", "name": "Công đoàn Công ty Đường Lam Sơn", "kind": "grassroots"},
    )
    unit = Unit.objects.get(code="TH-KCN-003")
    assert unit.parent == tree.upper


def test_create_unit_shows_duplicate_code_next_to_field(login, unit_officer, tree):
    response = login(unit_officer).post(
        reverse("orgs:create", args=["TH-KCN"]),
        {"code": "TH-KCN-001", "name": "Trùng mã", "kind": "grassroots"},
    )
    assert response.status_code == 400
    assert "code" in response.context["form"].errors


def test_create_unit_offers_only_allowed_kinds(login, unit_officer, tree):
    form = login(unit_officer).get(reverse("orgs:create", args=["TH-KCN-001"])).context["form"]
    assert [k for k, _label in form.fields["kind"].choices] == ["group"]


def test_officer_gets_404_outside_subtree(login, unit_officer, tree):
    client = login(unit_officer)
    assert client.get(reverse("orgs:create", args=["HN"])).status_code == 404
    assert client.post(reverse("orgs:edit", args=["HN-001"]), {"name": "x"}).status_code == 404


def test_officer_renames_unit_with_date_and_conflict(login, unit_officer, tree):
    client = login(unit_officer)
    url = reverse("orgs:edit", args=["TH-KCN"])
    version = Unit.objects.get(pk=tree.upper.pk).version
    post_ok(
        client, url, {"name": "Công đoàn KCN Thanh Hóa", "on": "01/07/2025", "version": version}
    )
    unit = Unit.objects.get(pk=tree.upper.pk)
    assert unit.name == "Công đoàn KCN Thanh Hóa"
    assert unit.versions.order_by("valid_from").last().valid_from == D(2025, 7, 1)
    response = client.post(url, {"name": "Tên khác", "version": version})
    assert response.status_code == 409
    assert Unit.objects.get(pk=tree.upper.pk).name == "Công đoàn KCN Thanh Hóa"


def test_reviewer_cannot_edit_unit(login, reviewer, tree):
    assert login(reviewer).get(reverse("orgs:edit", args=["TH-KCN"])).status_code == 403


@pytest.mark.parametrize("name", ["orgs:move", "orgs:merge", "orgs:split", "orgs:dissolve"])
def test_reorganisation_forms_only_for_admins(login, unit_officer, admin, tree, name):
    url = reverse(name, args=["TH-KCN"])
    assert login(unit_officer).get(url).status_code == 403
    assert login(admin).get(url).status_code == 200


def test_reorganisation_links_only_for_admins(login, unit_officer, admin, tree):
    move = reverse("orgs:move", args=["TH-KCN"])
    assert (
        move
        not in login(unit_officer).get(reverse("orgs:detail", args=["TH-KCN"])).content.decode()
    )
    assert move in login(admin).get(reverse("orgs:detail", args=["TH-KCN"])).content.decode()


def test_admin_moves_unit(login, admin, tree, member_record):
    post_ok(
        login(admin), reverse("orgs:move", args=["TH-KCN"]), {"parent": "HN", "on": "01/07/2025"}
    )
    assert Unit.objects.get(pk=tree.upper.pk).parent == tree.other_province
    assert Unit.objects.get(pk=tree.other_province.pk).members_total == 1


def test_admin_move_under_own_subtree_shows_error(login, admin, tree):
    response = login(admin).post(reverse("orgs:move", args=["TH"]), {"parent": "TH-KCN"})
    assert response.status_code == 400
    assert "parent" in response.context["form"].errors


def test_admin_merges_into_new_unit(login, admin, tree, member_record):
    post_ok(
        login(admin),
        reverse("orgs:merge", args=["TH"]),
        {
            "others": "HN",
            "target": "new",
            "new_code": "TH-HN",
            "new_name": "Liên đoàn Lao động liên tỉnh",
            "on": "01/07/2025",
        },
    )
    merged = Unit.objects.get(code="TH-HN")
    assert Unit.objects.get(pk=tree.province.pk).status == UnitStatus.MERGED
    assert Unit.objects.get(pk=tree.other_province.pk).successor == merged
    assert merged.members_total == 1


def test_admin_merges_into_existing_unit(login, admin, tree, member_record):
    post_ok(
        login(admin),
        reverse("orgs:merge", args=["TH-KCN-001"]),
        {"target": "existing", "into": "TH-KCN-002"},
    )
    assert Member.objects.get(pk=member_record.pk).unit == tree.grassroots2


def test_merge_needs_new_unit_fields(login, admin, tree):
    response = login(admin).post(reverse("orgs:merge", args=["TH-KCN-001"]), {"target": "new"})
    assert response.status_code == 400
    assert {"new_code", "new_name"} <= set(response.context["form"].errors)


def test_admin_splits_unit(login, admin, tree, member_record):
    other = services.create_member(unit=tree.grassroots, full_name="Lê Văn Bình", by=None)
    post_ok(
        login(admin),
        reverse("orgs:split", args=["TH-KCN-001"]),
        {
            "first_code": "G-A",
            "first_name": "Công đoàn Phân xưởng A",
            "second_code": "G-B",
            "second_name": "Công đoàn Phân xưởng B",
            "records_to": "first",
            "to_other": other.code.lower(),
        },
    )
    assert Member.objects.get(pk=member_record.pk).unit.code == "G-A"
    assert Member.objects.get(pk=other.pk).unit.code == "G-B"
    assert Unit.objects.get(pk=tree.grassroots.pk).successor.code == "G-A"


def test_split_rejects_unknown_codes(login, admin, tree):
    response = login(admin).post(
        reverse("orgs:split", args=["TH-KCN-001"]),
        {
            "first_code": "G-A",
            "first_name": "A",
            "second_code": "G-B",
            "second_name": "B",
            "records_to": "first",
            "to_other": "DV-NOPE",
        },
    )
    assert response.status_code == 400
    assert "to_other" in response.context["form"].errors
    assert not Unit.objects.filter(code="G-A").exists()


def test_admin_dissolves_unit(login, admin, tree, member_record):
    client = login(admin)
    url = reverse("orgs:dissolve", args=["TH-KCN-001"])
    response = client.post(url, {})
    assert response.status_code == 400
    assert "transfer_to" in response.context["form"].errors
    post_ok(client, url, {"transfer_to": "TH-KCN-002", "on": "01/07/2025"})
    assert Unit.objects.get(pk=tree.grassroots.pk).status == UnitStatus.DISSOLVED
    assert Member.objects.get(pk=member_record.pk).unit == tree.grassroots2


def test_province_admin_cannot_reorganise_own_province(login, tree):
    from conftest import make_user

    province_admin = make_user("padmin", role=Role.ADMIN, unit=tree.province)
    client = login(province_admin)
    assert client.get(reverse("orgs:merge", args=["TH"])).status_code == 403
    assert client.get(reverse("orgs:merge", args=["TH-KCN"])).status_code == 200


def test_pages_render_in_english(login, unit_officer, member_record, client):
    login(unit_officer)
    client.cookies["sangkien_language"] = "en"
    body = client.get(reverse("orgs:detail", args=["TH"])).content.decode()
    assert 'lang="en"' in body
    assert "Units below" in body
