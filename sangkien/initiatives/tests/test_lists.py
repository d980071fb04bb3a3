import datetime as dt
import re
from types import SimpleNamespace

import pytest
import segno
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from conftest import (
    build_tree,
    make_member,
    make_member_record,
    make_support_team,
    make_unit_officer,
    make_user,
    shared_world,
)
from sangkien.accounts.models import Role
from sangkien.campaigns.services import create_campaign
from sangkien.initiatives import lists, queue
from sangkien.initiatives.models import Initiative, Status
from sangkien.initiatives.services import (
    create_initiative,
    decide_initiative,
    submit_initiative,
    withdraw_initiative,
)
from sangkien.orgs import services as orgs

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture(autouse=True)
def _pages_in_english(client):
    """These tests read the English wording; the Vietnamese one is checked by the catalogue."""
    client.cookies["sangkien_language"] = "en"


def make_list_campaign(tree):
    return create_campaign(
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
        fields=[("KT", "Kỹ thuật"), ("QL", "Quản lý")],
        requires_recognition=False,
    )


def make_other_campaign(tree):
    return create_campaign(
        code="TH-2026",
        name="Sáng kiến xứ Thanh",
        owner=tree.province,
        starts_on=dt.date(2026, 1, 1),
        ends_on=dt.date(2027, 12, 31),
        by=None,
        fields=[("CN", "Công nghệ")],
        requires_recognition=False,
    )


def make_member2(tree):
    record = orgs.create_member(
        unit=tree.grassroots2, full_name="Trần Văn Đông", by=None, code="DV00000002"
    )
    return make_user("member2", member=record)


def make(campaign, unit, by, title, *, authors=None, submit=True, benefit=1_000_000, field="KT"):
    initiative = create_initiative(
        campaign=campaign,
        unit=unit,
        by=by,
        authors=authors,
        title=title,
        field=field,
        problem="Vấn đề cần giải quyết",
        description="Mô tả giải pháp",
        first_applied_on=dt.date(2026, 3, 1),
        benefit_claimed_vnd=benefit,
    )
    if submit:
        initiative = submit_initiative(initiative, by=by)
    return initiative


def titles(response):
    return [i.title for i in response.context["page"].items]


def walk(client, url, params=None):
    """Every item over every page, following the next cursor."""
    params = dict(params or {})
    seen, pages = [], 0
    while True:
        response = client.get(url, params)
        assert response.status_code == 200
        page = response.context["page"]
        seen += [i.pk for i in page.items]
        pages += 1
        if not page.has_next:
            return seen, pages
        params["cursor"] = page.next_cursor


# -- my initiatives ------------------------------------------------------------------------


def test_my_initiatives_lists_own_newest_first_with_drafts(login, member, member2, campaign, tree):
    first = make(campaign, tree.grassroots, member, "Cải tiến máy khâu")
    make(campaign, tree.grassroots2, member2, "Sáng kiến của người khác")
    draft = make(campaign, tree.grassroots, member, "Bản nháp dây chuyền", submit=False)
    response = login(member).get(reverse("initiatives:mine"))
    assert response.status_code == 200
    assert titles(response) == [draft.title, first.title]
    html = response.content.decode()
    assert reverse("initiatives:detail", args=[first.pk]) in html
    assert reverse("initiatives:create") in html
    assert first.reference in html
    assert 'class="badge status-draft"' in html
    assert 'class="badge status-submitted"' in html


def test_my_initiatives_of_support_team_are_what_it_entered(
    login, support_team, member, campaign, tree
):
    entered = make(
        campaign,
        tree.grassroots,
        support_team,
        "Nhập hộ: tiết kiệm điện",
        authors=[{"member": member.member, "share": 100}],
    )
    response = login(support_team).get(reverse("initiatives:mine"))
    assert titles(response) == [entered.title]
    assert "You entered it on the authors’ behalf." in response.content.decode()
    # The author sees it too, marked as entered for them.
    response = login(member).get(reverse("initiatives:mine"))
    assert titles(response) == [entered.title]
    assert "Entered on your behalf" in response.content.decode()


def test_my_initiatives_outsider_sees_none_of_them(login, outsider, member, campaign, tree):
    make(campaign, tree.grassroots, member, "Cải tiến máy khâu")
    response = login(outsider).get(reverse("initiatives:mine"))
    assert response.status_code == 200
    assert titles(response) == []
    assert "You have no initiatives yet." in response.content.decode()


def test_my_initiatives_needs_login(client, tree):
    response = client.get(reverse("initiatives:mine"))
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


def test_my_initiatives_refuses_post(login, member):
    assert login(member).post(reverse("initiatives:mine")).status_code == 405


def test_my_initiatives_pages_by_cursor(login, member, campaign, tree, monkeypatch):
    monkeypatch.setattr(lists, "PAGE_SIZE", 2)
    made = [make(campaign, tree.grassroots, member, f"Sáng kiến số {n}").pk for n in range(5)]
    seen, pages = walk(login(member), reverse("initiatives:mine"))
    assert pages == 3
    assert seen == sorted(made, reverse=True)


def test_my_initiatives_pages_mix_entered_and_authored_without_gaps(
    login, member, support_team, campaign, tree, monkeypatch
):
    monkeypatch.setattr(lists, "PAGE_SIZE", 2)
    for_member = {"member": member.member, "share": 100}
    made = []
    for n in range(3):
        made.append(make(campaign, tree.grassroots, member, f"Tự viết {n}").pk)
        made.append(
            make(campaign, tree.grassroots, support_team, f"Nhập hộ {n}", authors=[for_member]).pk
        )
    seen, pages = walk(login(member), reverse("initiatives:mine"))
    assert (seen, pages) == (sorted(made, reverse=True), 3)
    seen, pages = walk(login(support_team), reverse("initiatives:mine"))
    assert seen == sorted(made[1::2], reverse=True)
    assert pages == 2


# -- the review queue: access --------------------------------------------------------------


def test_queue_member_without_review_role_gets_404(login, member):
    client = login(member)
    assert client.get(reverse("initiatives:queue")).status_code == 404
    assert client.get(reverse("initiatives:queue_counts")).status_code == 404


def test_queue_needs_login(client, tree):
    response = client.get(reverse("initiatives:queue"))
    assert response.status_code == 302


def test_queue_outsider_gets_404_for_a_unit_outside_scope(login, outsider, tree):
    client = login(outsider)
    for code in ("TH", "TH-KCN-001"):
        assert client.get(reverse("initiatives:queue"), {"unit": code}).status_code == 404
        assert client.get(reverse("initiatives:queue_counts"), {"unit": code}).status_code == 404


def test_queue_outsider_sees_nothing_of_other_provinces(login, outsider, member, campaign, tree):
    make(campaign, tree.grassroots, member, "Cải tiến máy khâu")
    response = login(outsider).get(reverse("initiatives:queue"))
    assert response.status_code == 200
    assert titles(response) == []


def test_queue_reviewer_of_a_lower_unit_gets_404_above_it(login, reviewer, tree):
    client = login(reviewer)
    assert client.get(reverse("initiatives:queue"), {"unit": "TH"}).status_code == 404
    assert client.get(reverse("initiatives:queue"), {"unit": "TH-KCN"}).status_code == 200


def test_queue_lists_submitted_of_subtree_not_drafts(
    login, reviewer, member, member2, campaign, tree
):
    sent = make(campaign, tree.grassroots, member, "Cải tiến máy khâu")
    make(campaign, tree.grassroots, member, "Bản nháp riêng", submit=False)
    sent2 = make(campaign, tree.grassroots2, member2, "Dệt vải tiết kiệm sợi")
    response = login(reviewer).get(reverse("initiatives:queue"))
    assert response.status_code == 200
    assert titles(response) == [sent2.title, sent.title]
    assert "Initiatives of every unit you review." in response.content.decode()


@pytest.mark.parametrize("persona", ["unit_officer", "reviewer", "support_team", "admin"])
def test_queue_opens_for_every_review_role(request, login, persona, member, campaign, tree):
    sent = make(campaign, tree.grassroots, member, "Cải tiến máy khâu")
    user = request.getfixturevalue(persona)
    response = login(user).get(reverse("initiatives:queue"))
    assert response.status_code == 200
    assert titles(response) == [sent.title]


def test_queue_refuses_post(login, unit_officer):
    assert login(unit_officer).post(reverse("initiatives:queue")).status_code == 405
    assert login(unit_officer).post(reverse("initiatives:queue_counts")).status_code == 405


# -- the review queue: columns -------------------------------------------------------------


def test_queue_row_shows_reference_authors_date_benefit_status_and_on_behalf(
    login, unit_officer, support_team, member, campaign, tree
):
    initiative = make(
        campaign,
        tree.grassroots,
        support_team,
        "Giảm tiêu hao điện năng",
        authors=[
            {"member": member.member, "share": 60},
            {"name": "Lê Văn Bình", "share": 40},
        ],
        benefit=125_500_000,
    )
    client = login(unit_officer)
    client.cookies["sangkien_language"] = "vi"  # money as Vietnamese write it
    html = client.get(reverse("initiatives:queue")).content.decode()
    assert "125.500.000\u00a0₫" in html
    client.cookies["sangkien_language"] = "en"
    response = client.get(reverse("initiatives:queue"))
    html = response.content.decode()
    assert f"SK-{initiative.pk:06d}" in html
    assert "Nguyễn Thị Hoa, Lê Văn Bình" in html
    assert timezone.localdate(initiative.submitted_at).strftime("%d/%m/%Y") in html
    assert 'class="badge status-submitted"' in html
    assert "Entered on behalf" in html
    assert reverse("initiatives:detail", args=[initiative.pk]) in html
    assert 'data-label="' in html  # cards on narrow screens
    assert "sangkien/lists.css" in html


def test_queue_row_has_no_on_behalf_marker_for_own_entry(
    login, unit_officer, member, campaign, tree
):
    make(campaign, tree.grassroots, member, "Cải tiến máy khâu")
    html = login(unit_officer).get(reverse("initiatives:queue")).content.decode()
    assert "badge on-behalf" not in html


# -- the review queue: filters -------------------------------------------------------------


def build_queue_data(campaign, other_campaign, member, member2, support_team, unit_officer, tree):
    """Six initiatives across two units, two campaigns, both fields and phases, every
    status in the queue, one entered on behalf."""
    d = {}
    d["valid"] = make(campaign, tree.grassroots, member, "Cải tiến máy khâu công nghiệp")
    decide_initiative(d["valid"], by=unit_officer, decision="valid")
    d["returned"] = make(campaign, tree.grassroots, member, "Quản lý kho bằng mã vạch", field="QL")
    decide_initiative(d["returned"], by=unit_officer, decision="returned", reason="Bổ sung số liệu")
    d["invalid"] = make(campaign, tree.grassroots2, member2, "Đèn tiết kiệm điện xưởng dệt")
    decide_initiative(d["invalid"], by=unit_officer, decision="invalid", reason="Trùng lặp")
    d["withdrawn"] = make(campaign, tree.grassroots2, member2, "Máy cuốn sợi tự động")
    withdraw_initiative(d["withdrawn"], by=member2)
    d["behalf"] = make(
        campaign,
        tree.grassroots2,
        support_team,
        "Đổi mới quy trình nhuộm",
        authors=[{"member": member2.member, "share": 100}],
    )
    d["other"] = make(other_campaign, tree.grassroots, member, "Ứng dụng số hóa hồ sơ", field="CN")
    # Phase 1 and an early submission date for two of them.
    phase1 = campaign.phases.get(number=1)
    early = timezone.make_aware(dt.datetime(2026, 3, 15, 9, 0))
    Initiative.objects.filter(pk__in=[d["valid"].pk, d["returned"].pk]).update(
        phase=phase1, submitted_at=early
    )
    return {k: Initiative.objects.get(pk=v.pk) for k, v in d.items()}


def new_queue_world() -> SimpleNamespace:
    w = SimpleNamespace(tree=build_tree())
    w.campaign = make_list_campaign(w.tree)
    w.other_campaign = make_other_campaign(w.tree)
    w.member_record = make_member_record(w.tree)
    w.member = make_member(w.member_record)
    w.member2 = make_member2(w.tree)
    w.support_team = make_support_team(w.tree)
    w.unit_officer = make_unit_officer(w.tree)
    w.queue_data = build_queue_data(
        w.campaign, w.other_campaign, w.member, w.member2, w.support_team, w.unit_officer, w.tree
    )
    return w


# `queue_data` is built once for the module and each test that asks for it gets its own copy
# (conftest.shared_world); the other tests build their own tree, campaigns and personas.
kept_world, shared = shared_world(new_queue_world, "queue_data")


@pytest.fixture
def tree(shared, db):
    return shared.tree if shared else build_tree()


@pytest.fixture
def campaign(shared, tree):
    return shared.campaign if shared else make_list_campaign(tree)


@pytest.fixture
def other_campaign(shared, tree):
    return shared.other_campaign if shared else make_other_campaign(tree)


@pytest.fixture
def member_record(shared, tree):
    return shared.member_record if shared else make_member_record(tree)


@pytest.fixture
def member(shared, member_record):
    return shared.member if shared else make_member(member_record)


@pytest.fixture
def member2(shared, tree):
    return shared.member2 if shared else make_member2(tree)


@pytest.fixture
def support_team(shared, tree):
    return shared.support_team if shared else make_support_team(tree)


@pytest.fixture
def unit_officer(shared, tree):
    return shared.unit_officer if shared else make_unit_officer(tree)


@pytest.fixture
def queue_data(shared, db):
    return shared.queue_data


def queue_titles(client, **params):
    response = client.get(reverse("initiatives:queue"), params)
    assert response.status_code == 200, response.status_code
    return set(titles(response))


def names(data, *keys):
    return {data[k].title for k in keys}


def test_queue_without_filters_shows_all_six(login, unit_officer, queue_data):
    assert queue_titles(login(unit_officer)) == {i.title for i in queue_data.values()}


def test_queue_filters_by_status(login, unit_officer, queue_data):
    client = login(unit_officer)
    assert queue_titles(client, status="valid") == names(queue_data, "valid")
    assert queue_titles(client, status="returned") == names(queue_data, "returned")
    assert queue_titles(client, status="invalid") == names(queue_data, "invalid")
    assert queue_titles(client, status="withdrawn") == names(queue_data, "withdrawn")
    assert queue_titles(client, status="submitted") == names(queue_data, "behalf", "other")


def test_queue_filters_by_unit_code(login, unit_officer, queue_data):
    client = login(unit_officer)
    assert queue_titles(client, unit="TH-KCN-002") == names(
        queue_data, "invalid", "withdrawn", "behalf"
    )
    assert queue_titles(client, unit="th-kcn-001") == names(
        queue_data, "valid", "returned", "other"
    )
    assert len(queue_titles(client, unit="TH-KCN")) == 6


def test_queue_filters_by_unit_name_ignoring_diacritics(login, unit_officer, queue_data):
    client = login(unit_officer)
    response = client.get(reverse("initiatives:queue"), {"unit": "det dong son"})
    assert set(titles(response)) == names(queue_data, "invalid", "withdrawn", "behalf")
    assert response.context["queue"].unit.code == "TH-KCN-002"


def test_queue_unit_name_matching_several_units_shows_them_together(
    login, unit_officer, queue_data
):
    client = login(unit_officer)
    response = client.get(reverse("initiatives:queue"), {"unit": "Công ty"})
    assert len(titles(response)) == 6
    html = response.content.decode()
    assert "2 units match" in html
    assert "unit=TH-KCN-001" in html and "unit=TH-KCN-002" in html


def test_queue_unit_name_matching_nothing_says_so(login, unit_officer, queue_data):
    response = login(unit_officer).get(reverse("initiatives:queue"), {"unit": "Chu Văn An"})
    assert titles(response) == []  # a unit of another province is not among theirs
    assert "No unit you review matches" in response.content.decode()


def test_queue_unit_name_matching_too_many_asks_for_more(
    login, unit_officer, queue_data, monkeypatch
):
    monkeypatch.setattr(queue, "UNIT_MATCHES", 1)
    response = login(unit_officer).get(reverse("initiatives:queue"), {"unit": "Công ty"})
    assert titles(response) == []
    assert "Type more of the name" in response.content.decode()


def test_queue_filters_by_campaign(login, unit_officer, queue_data):
    client = login(unit_officer)
    assert queue_titles(client, campaign="TH-2026") == names(queue_data, "other")
    assert len(queue_titles(client, campaign="1TRIEU")) == 5


def test_queue_filters_by_field(login, unit_officer, queue_data, campaign):
    ql = campaign.fields.get(code="QL")
    assert queue_titles(login(unit_officer), field=ql.pk) == names(queue_data, "returned")


def test_queue_filters_by_phase(login, unit_officer, queue_data, campaign):
    client = login(unit_officer)
    phase1, phase2 = campaign.phases.order_by("number")
    assert queue_titles(client, phase=phase1.pk) == names(queue_data, "valid", "returned")
    assert queue_titles(client, phase=phase2.pk) == names(
        queue_data, "invalid", "withdrawn", "behalf"
    )


def test_queue_filters_by_submission_dates(login, unit_officer, queue_data):
    client = login(unit_officer)
    early = names(queue_data, "valid", "returned")
    assert queue_titles(client, submitted_from="15/03/2026", submitted_to="15/03/2026") == early
    assert queue_titles(client, submitted_to="31/03/2026") == early
    assert queue_titles(client, submitted_from="16/03/2026") == names(
        queue_data, "invalid", "withdrawn", "behalf", "other"
    )


def test_queue_filters_by_entered_on_behalf(login, unit_officer, queue_data):
    client = login(unit_officer)
    assert queue_titles(client, on_behalf="yes") == names(queue_data, "behalf")
    assert len(queue_titles(client, on_behalf="no")) == 5


def test_queue_searches_titles_ignoring_diacritics(login, unit_officer, queue_data):
    client = login(unit_officer)
    assert queue_titles(client, q="tiet kiem dien") == names(queue_data, "invalid")
    assert queue_titles(client, q="ĐÈN TIẾT") == names(queue_data, "invalid")
    assert queue_titles(client, q="ma vach") == names(queue_data, "returned")


def test_queue_filters_combine(login, unit_officer, queue_data):
    client = login(unit_officer)
    assert queue_titles(client, unit="TH-KCN-001", campaign="1TRIEU", status="valid") == names(
        queue_data, "valid"
    )
    assert queue_titles(client, unit="TH-KCN-002", status="valid") == set()


def test_queue_orders_newest_or_oldest_first(login, unit_officer, queue_data):
    client = login(unit_officer)
    newest = [i.pk for i in client.get(reverse("initiatives:queue")).context["page"].items]
    oldest = [
        i.pk
        for i in client.get(reverse("initiatives:queue"), {"order": "oldest"}).context["page"].items
    ]
    assert newest == sorted(newest, reverse=True)
    assert oldest == list(reversed(newest))


def test_queue_reports_filters_it_cannot_read_and_keeps_the_others(
    login, unit_officer, queue_data, other_campaign
):
    client = login(unit_officer)
    response = client.get(
        reverse("initiatives:queue"),
        {"submitted_from": "31/02/2026", "status": "draft", "unit": "TH-KCN-002"},
    )
    assert response.status_code == 200
    assert set(titles(response)) == names(queue_data, "invalid", "withdrawn", "behalf")
    form = response.context["form"]
    assert "submitted_from" in form.errors and "status" in form.errors
    assert "Some filters could not be read" in response.content.decode()


def test_queue_refuses_a_field_of_another_campaign(login, unit_officer, queue_data, other_campaign):
    cn = other_campaign.fields.get(code="CN")
    response = login(unit_officer).get(
        reverse("initiatives:queue"), {"campaign": "1TRIEU", "field": cn.pk}
    )
    assert "field" in response.context["form"].errors


def test_queue_filter_choices_show_only_campaigns_of_the_scope(login, outsider, queue_data):
    response = login(outsider).get(reverse("initiatives:queue"))
    choices = dict(response.context["form"].fields["campaign"].choices)
    assert "1TRIEU" in choices  # national: covers Hà Nội too
    assert "TH-2026" not in choices  # run by Thanh Hóa


def test_queue_htmx_request_gets_only_the_results(login, unit_officer, queue_data):
    response = login(unit_officer).get(
        reverse("initiatives:queue"), {"status": "valid", "q": "", "unit": ""}, **HTMX
    )
    html = response.content.decode()
    # The address bar keeps only the filters that are set.
    assert response["HX-Push-Url"] == "/initiatives/review/?status=valid"
    assert "<html" not in html
    assert 'id="queue-results"' in html
    assert queue_data["valid"].title in html
    # The counts load afterwards, with the same filters.
    assert 'hx-get="/initiatives/review/counts/?status=valid"' in html


# -- the review queue: pages and queries ---------------------------------------------------


@pytest.mark.parametrize("order", ["newest", "oldest"])
def test_queue_cursor_pages_have_no_duplicates_or_gaps(
    login, unit_officer, member, campaign, tree, monkeypatch, order
):
    monkeypatch.setattr(lists, "PAGE_SIZE", 2)
    made = [make(campaign, tree.grassroots, member, f"Sáng kiến số {n}").pk for n in range(6)]
    seen, pages = walk(login(unit_officer), reverse("initiatives:queue"), {"order": order})
    assert pages == 3
    assert seen == (sorted(made) if order == "oldest" else sorted(made, reverse=True))


def test_queue_cursor_pages_keep_the_filters(
    login, unit_officer, member, member2, campaign, tree, monkeypatch
):
    monkeypatch.setattr(lists, "PAGE_SIZE", 2)
    mine = [make(campaign, tree.grassroots, member, f"Sáng kiến A{n}").pk for n in range(5)]
    for n in range(3):
        make(campaign, tree.grassroots2, member2, f"Sáng kiến B{n}")
    seen, pages = walk(login(unit_officer), reverse("initiatives:queue"), {"unit": "TH-KCN-001"})
    assert pages == 3
    assert seen == sorted(mine, reverse=True)


def test_queue_next_page_link_carries_filters_and_cursor(
    login, unit_officer, member, campaign, tree, monkeypatch
):
    monkeypatch.setattr(lists, "PAGE_SIZE", 1)
    make(campaign, tree.grassroots, member, "Sáng kiến một")
    make(campaign, tree.grassroots, member, "Sáng kiến hai")
    response = login(unit_officer).get(reverse("initiatives:queue"), {"q": "sang kien"})
    page = response.context["page"]
    assert f"?q=sang+kien&amp;cursor={page.next_cursor}" in response.content.decode()


def test_queue_page_uses_a_bounded_number_of_queries(
    login, unit_officer, support_team, member, campaign, tree, django_assert_max_num_queries
):
    def add(count, start):
        for n in range(start, start + count):
            make(
                campaign,
                tree.grassroots,
                support_team,
                f"Sáng kiến số {n}",
                authors=[
                    {"member": member.member, "share": 50},
                    {"name": "Lê Văn Bình", "share": 50},
                ],
            )

    client = login(unit_officer)
    params = {"unit": "TH-KCN-001"}
    add(2, 0)
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("initiatives:queue"), params)
    add(10, 2)
    # One of them asks which units the user's support teams serve (campaigns_for).
    with django_assert_max_num_queries(13) as many:
        response = client.get(reverse("initiatives:queue"), params)
    assert len(titles(response)) == 12
    assert len(many) == len(few)  # no query per row
    with django_assert_max_num_queries(10):
        client.get(reverse("initiatives:queue_counts"), params, **HTMX)
    with django_assert_max_num_queries(8):
        client.get(reverse("initiatives:mine"))


# -- counts per status ---------------------------------------------------------------------


def counts(response):
    return {link["status"]: link["count"] for link in response.context["links"]}


def test_queue_counts_per_status(login, unit_officer, queue_data):
    response = login(unit_officer).get(reverse("initiatives:queue_counts"), **HTMX)
    assert response.status_code == 200
    assert counts(response) == {
        "submitted": 2,
        "returned": 1,
        "valid": 1,
        "invalid": 1,
        "withdrawn": 1,
    }
    assert response.context["total"] == 6
    assert "<html" not in response.content.decode()


def test_queue_counts_follow_the_filters_but_not_the_status(login, unit_officer, queue_data):
    client = login(unit_officer)
    response = client.get(
        reverse("initiatives:queue_counts"), {"unit": "TH-KCN-002", "status": "valid"}, **HTMX
    )
    assert counts(response) == {
        "submitted": 1,
        "returned": 0,
        "valid": 0,
        "invalid": 1,
        "withdrawn": 1,
    }
    html = response.content.decode()
    # Each count links to the queue with the other filters and that status.
    assert 'href="/initiatives/review/?unit=TH-KCN-002&amp;status=invalid"' in html
    assert 'href="/initiatives/review/?unit=TH-KCN-002"' in html
    assert re.search(r'status=valid" aria-current="true"', html)


def test_queue_counts_of_reviewer_cover_only_their_subtree(login, reviewer, queue_data, outsider):
    response = login(reviewer).get(reverse("initiatives:queue_counts"))
    assert response.context["total"] == 6
    response = login(outsider).get(reverse("initiatives:queue_counts"))
    assert response.context["total"] == 0


def test_queue_counts_without_htmx_is_a_page(login, unit_officer, queue_data):
    html = login(unit_officer).get(reverse("initiatives:queue_counts")).content.decode()
    assert "<html" in html and "Counts by status" in html


# -- the QR poster -------------------------------------------------------------------------


def expected_svg(url):
    return segno.make(url, error="m", micro=False).svg_inline(
        scale=1, border=4, omitsize=True, dark="#000"
    )


@pytest.mark.parametrize("persona", ["unit_officer", "support_team", "admin"])
def test_poster_has_the_qr_code_of_the_unit_entry_url(
    request, login, persona, campaign, settings, tree
):
    settings.SITE_URL = "https://sangkien.congdoan.vn/"
    settings.SITE_URL_FROM_REQUEST = False
    user = request.getfixturevalue(persona)
    response = login(user).get(reverse("initiatives:poster", args=["TH-KCN-001"]))
    assert response.status_code == 200
    html = response.content.decode()
    url = "https://sangkien.congdoan.vn/initiatives/for/TH-KCN-001/"
    assert url == "https://sangkien.congdoan.vn" + reverse("initiatives:entry", args=["TH-KCN-001"])
    svg = expected_svg(url)
    assert svg.startswith("<svg") and svg in html
    # Not the code of another address.
    assert expected_svg(url.replace("001", "002")) not in html
    assert url in html
    assert tree.grassroots.name in html
    assert campaign.name in html
    assert "@page" not in html  # print rules live in the stylesheet
    assert "sangkien/lists.css" in html


def test_poster_names_the_campaign_run_closest_to_the_unit(
    login, unit_officer, campaign, other_campaign, tree
):
    response = login(unit_officer).get(reverse("initiatives:poster", args=["TH-KCN-001"]))
    assert response.context["campaign"] == other_campaign
    response = login(unit_officer).get(reverse("initiatives:poster", args=["TH-KCN"]))
    assert response.context["campaign"] == other_campaign


def test_poster_without_open_campaign_says_so(login, unit_officer, tree):
    response = login(unit_officer).get(reverse("initiatives:poster", args=["TH-KCN-001"]))
    assert response.status_code == 200
    assert response.context["campaign"] is None
    assert "No campaign is open for this unit today" in response.content.decode()


@pytest.mark.parametrize("persona", ["outsider", "reviewer", "member"])
def test_poster_is_404_for_people_who_do_not_put_it_up(request, login, persona, tree):
    user = request.getfixturevalue(persona)
    response = login(user).get(reverse("initiatives:poster", args=["TH-KCN-001"]))
    assert response.status_code == 404


def test_poster_is_404_for_an_unknown_unit_or_above_the_role(login, support_team, tree):
    client = login(support_team)
    assert client.get(reverse("initiatives:poster", args=["NOPE"])).status_code == 404
    assert client.get(reverse("initiatives:poster", args=["TH"])).status_code == 404


def test_poster_needs_login(client, tree):
    assert client.get(reverse("initiatives:poster", args=["TH-KCN-001"])).status_code == 302


def test_unit_page_links_the_poster_for_those_who_may_print_it(login, unit_officer, reviewer, tree):
    poster = reverse("initiatives:poster", args=["TH-KCN-001"])
    detail = reverse("orgs:detail", args=["TH-KCN-001"])
    assert poster in login(unit_officer).get(detail).content.decode()
    assert poster not in login(reviewer).get(detail).content.decode()


def test_poster_support_team_of_another_unit_gets_404(login, tree):
    helper = make_user("support-hn", role=Role.SUPPORT, unit=tree.other_province)
    response = login(helper).get(reverse("initiatives:poster", args=["TH-KCN-001"]))
    assert response.status_code == 404


def test_queue_statuses_are_the_ones_in_the_queue():
    assert Status.DRAFT not in queue.QUEUE_STATUSES
    assert len(queue.QUEUE_STATUSES) == 5
