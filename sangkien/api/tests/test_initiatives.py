from __future__ import annotations

import datetime as dt
import io
import json
from types import SimpleNamespace

import pytest
from django.db import connection
from django.db.models import Q
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from conftest import (
    build_tree,
    make_member,
    make_member_record,
    make_support_team,
    make_user,
    shared_world,
)
from sangkien.accounts.models import Role
from sangkien.campaigns import services as campaigns
from sangkien.initiatives import services
from sangkien.initiatives.models import Action, Initiative
from sangkien.orgs import services as orgs

TODAY = timezone.localdate()
APPLIED = (TODAY - dt.timedelta(days=60)).isoformat()
PDF = b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def make_api_campaign(tree):
    return campaigns.create_campaign(
        code="1TRIEU",
        name="1 triệu sáng kiến",
        owner=tree.root,
        starts_on=TODAY - dt.timedelta(days=300),
        ends_on=TODAY + dt.timedelta(days=400),
        by=None,
        phases=[
            {
                "name": "Đợt 1",
                "starts_on": TODAY - dt.timedelta(days=300),
                "ends_on": TODAY - dt.timedelta(days=100),
            },
            {
                "name": "Đợt 2",
                "starts_on": TODAY - dt.timedelta(days=99),
                "ends_on": TODAY + dt.timedelta(days=400),
            },
        ],
        fields=[("KT", "Kỹ thuật"), ("QL", "Quản lý")],
        requires_recognition=False,
    )


# The 23 initiatives of `many` are built once for the module and each test that asks for them
# gets its own copy (conftest.shared_world); the others build their own tree and personas.
def new_many() -> SimpleNamespace:
    w = SimpleNamespace(tree=build_tree())
    w.member_record = make_member_record(w.tree)
    w.member = make_member(w.member_record)
    w.support_team = make_support_team(w.tree)
    w.campaign = make_api_campaign(w.tree)
    w.many = build_many(w.member, w.support_team, w.tree, w.campaign)
    return w


kept_world, shared = shared_world(new_many, "many")


@pytest.fixture
def tree(shared, db):
    return shared.tree if shared else build_tree()


@pytest.fixture
def member_record(shared, tree):
    return shared.member_record if shared else make_member_record(tree)


@pytest.fixture
def member(shared, member_record):
    return shared.member if shared else make_member(member_record)


@pytest.fixture
def support_team(shared, tree):
    return shared.support_team if shared else make_support_team(tree)


@pytest.fixture
def campaign(shared, tree):
    return shared.campaign if shared else make_api_campaign(tree)


@pytest.fixture
def many(shared, db):
    return shared.many


@pytest.fixture
def api(client, bearer):
    """Calls the API as a user with a personal token (no CSRF needed)."""
    headers: dict[int, dict[str, str]] = {}

    def call(method: str, url: str, user=None, body=None, **extra):
        kwargs = dict(extra)
        if user is not None:
            headers.setdefault(user.pk, bearer(user))
            kwargs["headers"] = {**headers[user.pk], **kwargs.get("headers", {})}
        if body is not None:
            kwargs["data"] = json.dumps(body)
            kwargs["content_type"] = "application/json"
        return getattr(client, method)(url, **kwargs)

    return call


def entry(**changes) -> dict:
    body = {
        "campaign": "1TRIEU",
        "unit": "TH-KCN-001",
        "title": "Cải tiến khuôn ép đế giày",
        "field": "KT",
        "problem": "Khuôn cũ làm hỏng 5% đế giày.",
        "description": "Thêm rãnh thoát khí và gia nhiệt đều.",
        "conditions": "Máy ép thủy lực 200 tấn.",
        "first_applied_on": APPLIED,
        "benefit_claimed_vnd": 120_000_000,
        "benefit_method": "Giảm phế phẩm 4% trên sản lượng năm.",
        "confidential": "Nhiệt độ khuôn 185 độ C.",
    }
    body.update(changes)
    return {k: v for k, v in body.items() if v is not ...}


def ok(response, status: int = 200) -> dict:
    assert response.status_code == status, response.content
    return response.json()


def error(response, status: int) -> dict:
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert isinstance(body["message"], str) and body["message"]
    return body


def invalid(response, field: str) -> dict:
    body = error(response, 422)
    assert field in body["errors"], body
    assert field in body["message"]
    return body


def url(initiative, suffix: str = "") -> str:
    pk = initiative if isinstance(initiative, int) else initiative.pk
    return f"/api/v1/initiatives/{pk}{suffix}"


def draft(member_user, campaign, *, title="Cải tiến khuôn ép đế giày", unit=None, **fields):
    """A draft written by `member_user` through the service the API calls."""
    data = {
        "field": "KT",
        "problem": "Vấn đề",
        "description": "Mô tả",
        "first_applied_on": TODAY - dt.timedelta(days=60),
        "benefit_claimed_vnd": 1_000_000,
        "confidential": "Bí mật",
        **fields,
    }
    return services.create_initiative(
        campaign=campaign,
        unit=unit or member_user.member.unit,
        by=member_user,
        title=title,
        **data,
    )


def submitted(member_user, campaign, **kwargs) -> Initiative:
    initiative = draft(member_user, campaign, **kwargs)
    return services.submit_initiative(initiative, by=member_user)


# -- the journey ---------------------------------------------------------------------------


def test_member_and_officer_take_an_initiative_from_draft_to_valid(
    api, member, unit_officer, campaign
):
    created = ok(api("post", "/api/v1/initiatives", member, entry()), 201)
    pk = created["id"]
    assert created["status"] == "draft"
    assert created["reference"] == f"SK-{pk:06d}"
    assert created["campaign"] == "1TRIEU"
    assert created["unit"] == "TH-KCN-001"
    assert created["field"] == "KT"
    assert created["first_applied_on"] == APPLIED
    assert created["benefit_claimed_vnd"] == 120_000_000
    assert created["authors"][0]["member"] == "DV00000001"
    assert created["authors"][0]["share"] == 100
    assert created["on_behalf"] is False
    assert set(created["actions"]) >= {"edit", "submit", "withdraw", "attach"}

    sent = ok(api("post", url(pk, "/submit"), member))
    assert sent["status"] == "submitted"
    assert sent["phase"] == 2
    assert sent["submitted_at"]

    returned = ok(
        api(
            "post",
            url(pk, "/decision"),
            unit_officer,
            {"decision": "returned", "reason": "Ghi rõ cách tính lợi ích."},
        )
    )
    assert returned["status"] == "returned"
    assert returned["decision_reason"] == "Ghi rõ cách tính lợi ích."

    mine = ok(api("get", url(pk), member))
    assert mine["status"] == "returned"
    fixed = ok(
        api(
            "patch",
            url(pk),
            member,
            {
                "benefit_method": "Giảm phế phẩm 4% × 3 triệu đôi × 10.000 đ.",
                "version": mine["version"],
            },
        )
    )
    assert fixed["benefit_method"].startswith("Giảm phế phẩm 4% ×")
    assert fixed["version"] == mine["version"] + 1

    assert (
        ok(api("post", url(pk, "/submit"), member, {"version": fixed["version"]}))["status"]
        == "submitted"
    )

    valid = ok(
        api(
            "post",
            url(pk, "/decision"),
            unit_officer,
            {"decision": "valid", "reason": "Đạt.", "benefit_valid_vnd": 90_000_000},
        )
    )
    assert valid["status"] == "valid"
    assert valid["decided_at"]

    final = ok(api("get", url(pk), member))
    assert final["benefit_claimed_vnd"] == 120_000_000
    assert final["benefit_valid_vnd"] == 90_000_000
    history = final["history"]
    assert [h["action"] for h in history] == [
        "created", "submitted", "returned", "edited", "resubmitted", "validated",
    ]  # fmt: skip
    assert [(h["from"], h["to"]) for h in history] == [
        (None, "draft"),
        ("draft", "submitted"),
        ("submitted", "returned"),
        ("returned", "returned"),
        ("returned", "submitted"),
        ("submitted", "valid"),
    ]
    assert history[2]["note"] == "Ghi rõ cách tính lợi ích."
    assert history[-1]["benefit_valid_vnd"] == 90_000_000
    assert history[-1]["by"] == "officer"
    assert history[0]["by"] == "Nguyễn Thị Hoa"
    times = [h["at"] for h in history]
    assert times == sorted(times)


def test_get_answers_every_name_of_the_issue(api, member, campaign):
    pk = ok(api("post", "/api/v1/initiatives", member, entry()), 201)["id"]
    body = ok(api("get", url(pk), member))
    assert set(body) >= {
        "id", "campaign", "unit", "title", "field", "problem", "description", "conditions",
        "first_applied_on", "benefit_claimed_vnd", "benefit_method", "confidential", "authors",
        "status", "benefit_valid_vnd", "history", "reference", "submitted_at", "decided_at",
        "phase", "entered_by", "on_behalf", "decision_reason", "attachments", "version",
    }  # fmt: skip
    assert body["confidential"] == "Nhiệt độ khuôn 185 độ C."
    assert body["benefit_valid_vnd"] is None
    assert body["attachments"] == []


# -- entry ---------------------------------------------------------------------------------


def test_member_without_authors_is_the_sole_author(api, member, campaign):
    body = ok(api("post", "/api/v1/initiatives", member, entry()), 201)
    assert [(a["member"], a["name"], a["share"]) for a in body["authors"]] == [
        ("DV00000001", "Nguyễn Thị Hoa", 100)
    ]
    assert body["entered_by"] == "Nguyễn Thị Hoa"


def test_support_team_enters_on_a_members_behalf(api, support_team, member_record, campaign):
    body = ok(
        api(
            "post",
            "/api/v1/initiatives",
            support_team,
            entry(
                authors=[
                    {"member": "dv00000001", "share": 70},
                    {"name": "Lê Văn Tâm", "share": 30, "workplace": "Xưởng cơ khí"},
                ]
            ),
        ),
        201,
    )
    assert body["on_behalf"] is True
    assert body["entered_by"] == "support"
    assert body["authors"] == [
        {"member": "DV00000001", "name": "Nguyễn Thị Hoa", "share": 70, "birth_date": None,
         "workplace": "", "position": "", "qualification": ""},
        {"member": None, "name": "Lê Văn Tâm", "share": 30, "birth_date": None,
         "workplace": "Xưởng cơ khí", "position": "", "qualification": ""},
    ]  # fmt: skip


def test_shares_with_decimals_that_add_up_to_100_are_accepted(api, support_team, campaign):
    body = ok(
        api(
            "post",
            "/api/v1/initiatives",
            support_team,
            entry(authors=[{"name": "A", "share": 33.33}, {"name": "B", "share": 66.67}]),
        ),
        201,
    )
    assert [a["share"] for a in body["authors"]] == [33.33, 66.67]


def test_text_is_stored_in_nfc(api, member, campaign):
    decomposed = "Cải tiến"  # NFD
    body = ok(api("post", "/api/v1/initiatives", member, entry(title=decomposed)), 201)
    assert body["title"] == "Cải tiến"


def test_unknown_names_in_the_body_are_ignored(api, member, campaign):
    body = ok(api("post", "/api/v1/initiatives", member, entry(status="valid", colour="đỏ")), 201)
    assert body["status"] == "draft"


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"authors": [{"name": "A", "share": 60}, {"name": "B", "share": 30}]}, "authors"),
        ({"authors": [{"name": "A", "share": "một trăm"}]}, "authors.0.share"),
        ({"authors": [{"name": "A", "share": 0}, {"name": "B", "share": 100}]}, "authors.0.share"),
        ({"authors": [{"member": "DV99999999", "share": 100}]}, "authors.0.member"),
        ({"authors": [{"share": 100}]}, "authors.0.name"),
        ({"first_applied_on": "31/03/2026"}, "first_applied_on"),
        ({"first_applied_on": "2026-02-30"}, "first_applied_on"),
        ({"first_applied_on": 20260301}, "first_applied_on"),
        ({"first_applied_on": "2001-01-01"}, "first_applied_on"),
        ({"first_applied_on": (TODAY + dt.timedelta(days=3)).isoformat()}, "first_applied_on"),
        ({"field": "XX"}, "field"),
        ({"benefit_claimed_vnd": 1.5}, "benefit_claimed_vnd"),
        ({"benefit_claimed_vnd": "khoảng hai triệu"}, "benefit_claimed_vnd"),
        ({"benefit_claimed_vnd": "1,5"}, "benefit_claimed_vnd"),
        ({"benefit_claimed_vnd": True}, "benefit_claimed_vnd"),
        ({"benefit_claimed_vnd": -5}, "benefit_claimed_vnd"),
        ({"title": ""}, "title"),
        ({"title": ...}, "title"),
        ({"title": 42}, "title"),
        ({"campaign": "NOTHING"}, "campaign"),
        ({"campaign": ...}, "campaign"),
        ({"unit": "XX-404"}, "unit"),
        ({"unit": "TH-KCN"}, "unit"),  # an upper union: initiatives go under grassroots units
    ],
)
def test_bad_input_gets_422_naming_the_field(
    api, support_team, member_record, campaign, changes, field
):
    response = api("post", "/api/v1/initiatives", support_team, entry(**changes))
    invalid(response, field)
    assert not Initiative.objects.exists()


def test_share_sum_message_gives_the_total(api, support_team, campaign):
    body = invalid(
        api(
            "post",
            "/api/v1/initiatives",
            support_team,
            entry(authors=[{"name": "A", "share": 60}, {"name": "B", "share": 30}]),
            headers={"Accept-Language": "en"},
        ),
        "authors",
    )
    assert "90" in body["message"]


def test_bad_date_and_benefit_are_reported_together(api, member, campaign):
    body = error(
        api(
            "post",
            "/api/v1/initiatives",
            member,
            entry(first_applied_on="hôm qua", benefit_claimed_vnd="nhiều"),
        ),
        422,
    )
    assert set(body["errors"]) == {"first_applied_on", "benefit_claimed_vnd"}


def test_unknown_field_code_lists_the_campaigns_codes(api, member, campaign):
    body = invalid(api("post", "/api/v1/initiatives", member, entry(field="ZZ")), "field")
    assert "KT" in body["errors"]["field"][0] and "QL" in body["errors"]["field"][0]


def test_a_unit_outside_scope_reads_like_an_unknown_one(api, member, campaign):
    outside = invalid(api("post", "/api/v1/initiatives", member, entry(unit="HN-001")), "unit")
    unknown = invalid(api("post", "/api/v1/initiatives", member, entry(unit="ZZ-001")), "unit")
    assert outside["errors"]["unit"] == [
        m.replace("ZZ-001", "HN-001") for m in unknown["errors"]["unit"]
    ]


def test_a_visible_unit_the_caller_cannot_enter_for_says_so(api, reviewer, campaign):
    body = invalid(api("post", "/api/v1/initiatives", reviewer, entry()), "unit")
    unknown = invalid(api("post", "/api/v1/initiatives", reviewer, entry(unit="ZZ-1")), "unit")
    assert body["errors"]["unit"] != unknown["errors"]["unit"]


def test_member_cannot_enter_for_a_sibling_unit(api, member, campaign):
    invalid(api("post", "/api/v1/initiatives", member, entry(unit="TH-KCN-002")), "unit")


def test_campaign_of_another_province_is_unknown_to_the_caller(api, member, tree, campaign):
    campaigns.create_campaign(
        code="HN-2026",
        name="Sáng kiến Hà Nội",
        owner=tree.other_province,
        starts_on=TODAY - dt.timedelta(days=30),
        ends_on=TODAY + dt.timedelta(days=30),
        by=None,
    )
    invalid(api("post", "/api/v1/initiatives", member, entry(campaign="HN-2026")), "campaign")


def test_member_codes_outside_the_callers_reach_read_as_unknown(api, member, tree, campaign):
    stranger = orgs.create_member(unit=tree.other_grassroots, full_name="Trần Văn Bảo", by=None)
    body = invalid(
        api(
            "post",
            "/api/v1/initiatives",
            member,
            entry(authors=[{"member": stranger.code, "share": 100}]),
        ),
        "authors.0.member",
    )
    assert "Trần Văn Bảo" not in json.dumps(body, ensure_ascii=False)
    unknown = invalid(
        api(
            "post",
            "/api/v1/initiatives",
            member,
            entry(authors=[{"member": "DV77777777", "share": 100}]),
        ),
        "authors.0.member",
    )
    assert body["errors"]["authors.0.member"] == [
        m.replace("DV77777777", stranger.code) for m in unknown["errors"]["authors.0.member"]
    ]


def test_member_may_name_a_colleague_of_the_same_unit(api, member, tree, campaign):
    colleague = orgs.create_member(unit=tree.grassroots, full_name="Lê Thị Mai", by=None)
    body = ok(
        api(
            "post",
            "/api/v1/initiatives",
            member,
            entry(
                authors=[
                    {"member": "DV00000001", "share": 50},
                    {"member": colleague.code, "share": 50},
                ]
            ),
        ),
        201,
    )
    assert [a["name"] for a in body["authors"]] == ["Nguyễn Thị Hoa", "Lê Thị Mai"]


# -- auth: 401, CSRF, tokens ---------------------------------------------------------------


def endpoints(pk: int) -> list[tuple[str, str, dict | None]]:
    return [
        ("get", "/api/v1/initiatives", None),
        ("post", "/api/v1/initiatives", entry()),
        ("get", url(pk), None),
        ("patch", url(pk), {"title": "Khác"}),
        ("post", url(pk, "/submit"), {}),
        ("post", url(pk, "/decision"), {"decision": "valid"}),
        ("post", url(pk, "/withdraw"), {}),
        ("post", url(pk, "/reopen"), {"reason": "Xem lại"}),
        ("post", url(pk, "/attachments"), None),
    ]


def test_anonymous_gets_401_everywhere(api, member, campaign):
    pk = submitted(member, campaign).pk
    for method, address, body in endpoints(pk):
        response = api(method, address, None, body)
        assert response.status_code == 401, (method, address)
        assert response.json()["message"]
    assert Initiative.objects.get().status == "submitted"


def test_session_writes_need_the_csrf_token(member, campaign):
    client = Client(enforce_csrf_checks=True)
    client.force_login(member)
    send = {"data": json.dumps(entry()), "content_type": "application/json"}
    refused = client.post("/api/v1/initiatives", **send)
    error(refused, 403)
    assert not Initiative.objects.exists()
    secret = "a" * 32
    client.cookies["csrftoken"] = secret
    created = client.post("/api/v1/initiatives", headers={"X-CSRFToken": secret}, **send)
    assert created.status_code == 201, created.content
    assert client.get(url(created.json()["id"])).status_code == 200  # reads need no token


def test_bearer_token_needs_no_csrf_token(member, campaign, bearer):
    client = Client(enforce_csrf_checks=True)
    response = client.post(
        "/api/v1/initiatives",
        data=json.dumps(entry()),
        content_type="application/json",
        headers=bearer(member),
    )
    assert response.status_code == 201, response.content


# -- scope: 404 for outsiders --------------------------------------------------------------


def test_outsider_gets_404_everywhere(api, member, outsider, campaign):
    initiative = submitted(member, campaign)
    pdf = io.BytesIO(PDF)
    pdf.name = "ban-ve.pdf"
    for method, address, body in endpoints(initiative.pk)[2:]:
        if address.endswith("/attachments"):
            response = api(method, address, outsider, data={"file": pdf})
        else:
            response = api(method, address, outsider, body)
        error(response, 404)
    initiative.refresh_from_db()
    assert initiative.status == "submitted"
    assert initiative.version == 2


def test_outsider_gets_404_for_a_file(api, member, outsider, campaign):
    initiative = draft(member, campaign)
    upload = io.BytesIO(PDF)
    upload.name = "a.pdf"
    attached = ok(api("post", url(initiative, "/attachments"), member, data={"file": upload}), 201)
    error(api("get", attached["url"], outsider), 404)


def test_outsider_gets_404_for_a_unit_outside_scope_in_the_list(api, outsider, member, campaign):
    submitted(member, campaign)
    error(api("get", "/api/v1/initiatives?unit=TH-KCN-001", outsider), 404)
    error(api("get", "/api/v1/initiatives?unit=TH", outsider), 404)
    assert ok(api("get", "/api/v1/initiatives", outsider))["items"] == []


def test_unknown_initiative_gets_404(api, member, campaign):
    error(api("get", url(999999), member), 404)
    error(api("patch", url(999999), member, {"title": "x"}), 404)
    error(api("post", url(999999, "/submit"), member), 404)


def test_drafts_stay_private_to_whoever_writes_them(
    api, member, unit_officer, support_team, campaign
):
    initiative = draft(member, campaign)
    for user in (unit_officer, support_team):
        error(api("get", url(initiative), user), 404)
        error(api("post", url(initiative, "/submit"), user), 404)
    assert ok(api("get", url(initiative), member))["status"] == "draft"


def test_reviewer_of_another_grassroots_unit_gets_404(api, member, tree, campaign):
    other_reviewer = make_user("reviewer2", role=Role.REVIEWER, unit=tree.grassroots2)
    initiative = submitted(member, campaign)
    error(api("get", url(initiative), other_reviewer), 404)
    error(api("post", url(initiative, "/decision"), other_reviewer, {"decision": "valid"}), 404)


def test_another_member_of_the_same_unit_gets_404(api, member, tree, campaign):
    colleague = orgs.create_member(unit=tree.grassroots, full_name="Lê Thị Mai", by=None)
    other = make_user("mai", member=colleague)
    initiative = submitted(member, campaign)
    error(api("get", url(initiative), other), 404)
    error(api("post", url(initiative, "/withdraw"), other), 404)


def test_support_team_of_another_grassroots_unit_gets_404(api, member, tree, campaign):
    other_support = make_user("support3", role=Role.SUPPORT, unit=tree.grassroots2)
    initiative = submitted(member, campaign)
    error(api("get", url(initiative), other_support), 404)
    error(api("get", "/api/v1/initiatives?unit=TH-KCN-001", other_support), 404)
    assert ok(api("get", "/api/v1/initiatives", other_support))["items"] == []


# -- roles: 403 for who can see but may not act --------------------------------------------


def test_author_cannot_decide_their_own_initiative(api, member, campaign):
    initiative = submitted(member, campaign)
    body = error(api("post", url(initiative, "/decision"), member, {"decision": "valid"}), 403)
    assert body["message"]
    assert Initiative.objects.get().status == "submitted"


def test_officer_who_is_an_author_cannot_decide(api, tree, campaign):
    officer_member = orgs.create_member(unit=tree.grassroots, full_name="Võ Văn Kiệt", by=None)
    officer = make_user("writer", role=Role.OFFICER, unit=tree.province, member=officer_member)
    initiative = submitted(officer, campaign)
    error(api("post", url(initiative, "/decision"), officer, {"decision": "valid"}), 403)
    services.decide_initiative(
        initiative, by=make_user("other", role=Role.OFFICER, unit=tree.upper), decision="valid"
    )
    error(api("post", url(initiative, "/reopen"), officer, {"reason": "Xem lại"}), 403)


def test_support_team_sees_but_cannot_decide(api, member, support_team, campaign):
    initiative = submitted(member, campaign)
    ok(api("get", url(initiative), support_team))
    error(api("post", url(initiative, "/decision"), support_team, {"decision": "valid"}), 403)


def test_reviewer_decides_but_cannot_reopen(api, member, reviewer, campaign):
    initiative = submitted(member, campaign)
    body = ok(api("post", url(initiative, "/decision"), reviewer, {"decision": "valid"}))
    assert body["benefit_valid_vnd"] == body["benefit_claimed_vnd"] == 1_000_000
    error(api("post", url(initiative, "/reopen"), reviewer, {"reason": "Xem lại"}), 403)


def test_money_as_people_write_it_is_read_as_the_forms_and_imports_read_it(
    api, member, support_team, reviewer, campaign
):
    body = ok(
        api("post", "/api/v1/initiatives", support_team, entry(benefit_claimed_vnd="2,5 triệu")),
        201,
    )
    assert body["benefit_claimed_vnd"] == 2_500_000
    initiative = submitted(member, campaign)
    decision = {"decision": "valid", "benefit_valid_vnd": "1,8 triệu"}
    body = ok(api("post", url(initiative, "/decision"), reviewer, decision))
    assert body["benefit_valid_vnd"] == 1_800_000


def test_only_own_people_withdraw(api, member, unit_officer, campaign):
    initiative = submitted(member, campaign)
    error(api("post", url(initiative, "/withdraw"), unit_officer), 403)
    assert ok(api("post", url(initiative, "/withdraw"), member))["status"] == "withdrawn"


def test_reviewer_cannot_edit_a_returned_initiative(api, member, reviewer, unit_officer, campaign):
    initiative = submitted(member, campaign)
    services.decide_initiative(initiative, by=unit_officer, decision="returned", reason="Sửa")
    error(api("patch", url(initiative), reviewer, {"title": "Khác"}), 403)
    error(api("post", url(initiative, "/submit"), reviewer), 403)


def test_support_team_fixes_and_resubmits_a_returned_initiative(
    api, member, support_team, unit_officer, campaign
):
    initiative = submitted(member, campaign)
    services.decide_initiative(initiative, by=unit_officer, decision="returned", reason="Sửa")
    ok(api("patch", url(initiative), support_team, {"conditions": "Máy ép 200 tấn."}))
    assert ok(api("post", url(initiative, "/submit"), support_team))["status"] == "submitted"


def test_administrator_may_look_at_a_draft_but_not_change_it(api, member, admin, campaign):
    initiative = draft(member, campaign)
    assert ok(api("get", url(initiative), admin))["status"] == "draft"
    error(api("patch", url(initiative), admin, {"title": "Khác"}), 403)
    error(api("post", url(initiative, "/submit"), admin), 403)
    error(api("post", url(initiative, "/withdraw"), admin), 403)
    attach = {"file": upload("a.pdf", PDF)}
    error(api("post", url(initiative, "/attachments"), admin, data=attach), 403)
    assert Initiative.objects.get().version == 1


def test_403_messages_follow_accept_language(api, member, campaign):
    initiative = submitted(member, campaign)
    english = error(
        api(
            "post",
            url(initiative, "/decision"),
            member,
            {"decision": "valid"},
            headers={"Accept-Language": "en"},
        ),
        403,
    )
    assert english["message"] == (
        "You entered this initiative or are one of its authors, so you cannot decide it."
    )


# -- conflicts: 409 ------------------------------------------------------------------------


def test_second_decision_gets_409_and_changes_nothing(
    api, member, unit_officer, reviewer, campaign
):
    initiative = submitted(member, campaign)
    ok(api("post", url(initiative, "/decision"), unit_officer, {"decision": "valid"}))
    body = error(
        api(
            "post",
            url(initiative, "/decision"),
            reviewer,
            {"decision": "invalid", "reason": "Không mới"},
            headers={"Accept-Language": "en"},
        ),
        409,
    )
    assert "already decided" in body["message"]
    assert "officer" in body["message"]
    initiative.refresh_from_db()
    assert initiative.status == "valid"
    assert initiative.decided_by == unit_officer


def test_decision_with_a_stale_version_gets_409(api, member, unit_officer, reviewer, campaign):
    initiative = submitted(member, campaign)
    read = ok(api("get", url(initiative), unit_officer))
    services.decide_initiative(initiative, by=reviewer, decision="valid")
    services.reopen_initiative(initiative, by=unit_officer, reason="Tính lại.")
    body = {"decision": "invalid", "reason": "Không mới.", "version": read["version"]}
    error(api("post", url(initiative, "/decision"), unit_officer, body), 409)
    initiative.refresh_from_db()
    assert initiative.status == "submitted"


def test_two_officers_reading_the_same_version_the_second_gets_409(
    api, member, unit_officer, reviewer, campaign
):
    initiative = submitted(member, campaign)
    version = ok(api("get", url(initiative), unit_officer))["version"]
    first = {"decision": "returned", "reason": "Bổ sung bản vẽ.", "version": version}
    ok(api("post", url(initiative, "/decision"), unit_officer, first))
    second = {"decision": "valid", "version": version}
    error(api("post", url(initiative, "/decision"), reviewer, second), 409)
    assert Initiative.objects.get().status == "returned"


def test_patch_with_a_stale_version_gets_409_and_changes_nothing(api, member, campaign):
    initiative = draft(member, campaign)
    stale = ok(api("get", url(initiative), member))["version"]
    ok(api("patch", url(initiative), member, {"title": "Tên mới", "version": stale}))
    error(api("patch", url(initiative), member, {"title": "Tên khác", "version": stale}), 409)
    assert Initiative.objects.get().title == "Tên mới"


def test_submit_with_a_stale_version_gets_409(api, member, campaign):
    initiative = draft(member, campaign)
    stale = ok(api("get", url(initiative), member))["version"]
    services.update_initiative(initiative, by=member, title="Tên mới")
    error(api("post", url(initiative, "/submit"), member, {"version": stale}), 409)
    assert Initiative.objects.get().status == "draft"


def test_patch_of_a_submitted_initiative_gets_409(api, member, campaign):
    initiative = submitted(member, campaign)
    error(api("patch", url(initiative), member, {"title": "Khác"}), 409)


def test_refused_transitions_get_409(api, member, unit_officer, campaign):
    initiative = submitted(member, campaign)
    error(api("post", url(initiative, "/submit"), member), 409)
    error(api("post", url(initiative, "/reopen"), unit_officer, {"reason": "Xem lại"}), 409)
    services.decide_initiative(initiative, by=unit_officer, decision="valid")
    error(api("post", url(initiative, "/withdraw"), member), 409)
    error(api("post", url(initiative, "/submit"), member), 409)


def test_409_says_what_the_services_say(api, member, unit_officer, campaign):
    initiative = submitted(member, campaign)
    english = {"headers": {"Accept-Language": "en"}}
    reopen = {"reason": "Xem lại"}
    steps = [
        ("patch", "", member, {"title": "Khác"}, Action.EDITED),
        ("post", "/submit", member, None, Action.SUBMITTED),
        ("post", "/reopen", unit_officer, reopen, Action.REOPENED),
    ]
    for method, suffix, user, body, action in steps:
        answer = error(api(method, url(initiative, suffix), user, body, **english), 409)
        with translation.override("en"):
            assert answer["message"] == services.refusal_message(initiative, action)
    attach = api(
        "post", url(initiative, "/attachments"), member, data={"kind": "document"}, **english
    )
    assert (
        error(attach, 409)["message"]
        == "Files can be added to a draft or a returned initiative only."
    )
    services.decide_initiative(initiative, by=unit_officer, decision="valid")
    answer = error(api("post", url(initiative, "/withdraw"), member, **english), 409)
    assert answer["message"] == (
        "An initiative can be withdrawn only before a decision; this one is valid."
    )


def test_second_decision_names_the_first_decider_family_name_first(
    api, member, reviewer, tree, campaign
):
    record = orgs.create_member(unit=tree.grassroots2, full_name="Đỗ Minh Tuấn", by=None)
    officer = make_user("tuan", role=Role.OFFICER, unit=tree.province, member=record)
    initiative = submitted(member, campaign)
    ok(api("post", url(initiative, "/decision"), officer, {"decision": "valid"}))
    body = {"decision": "invalid", "reason": "Không mới"}
    english = {"headers": {"Accept-Language": "en"}}
    answer = error(api("post", url(initiative, "/decision"), reviewer, body, **english), 409)
    assert "already decided (valid) by Đỗ Minh Tuấn at " in answer["message"]
    history = ok(api("get", url(initiative), member))["history"]
    assert history[-1]["by"] == "Đỗ Minh Tuấn"


# -- PATCH ---------------------------------------------------------------------------------


def test_patch_changes_only_the_names_given(api, member, campaign):
    initiative = draft(member, campaign)
    body = ok(api("patch", url(initiative), member, {"field": "QL", "benefit_claimed_vnd": 5}))
    assert body["field"] == "QL"
    assert body["benefit_claimed_vnd"] == 5
    assert body["title"] == "Cải tiến khuôn ép đế giày"
    assert body["problem"] == "Vấn đề"
    assert body["history"][-1]["action"] == "edited"


def test_patch_can_clear_a_value(api, member, campaign):
    initiative = draft(member, campaign)
    body = ok(api("patch", url(initiative), member, {"first_applied_on": None, "field": None}))
    assert body["first_applied_on"] is None
    assert body["field"] is None


def test_patch_replaces_the_authors(api, member, campaign):
    initiative = draft(member, campaign)
    authors = [{"member": "DV00000001", "share": 80}, {"name": "Hồ Văn Nam", "share": 20}]
    body = ok(api("patch", url(initiative), member, {"authors": authors}))
    assert [(a["name"], a["share"]) for a in body["authors"]] == [
        ("Nguyễn Thị Hoa", 80),
        ("Hồ Văn Nam", 20),
    ]


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"authors": [{"member": "DV00000001", "share": 50}]}, "authors"),
        ({"first_applied_on": "2026/01/01"}, "first_applied_on"),
        ({"benefit_claimed_vnd": "một tỷ"}, "benefit_claimed_vnd"),
        ({"field": "ZZ"}, "field"),
        ({"campaign": "KHAC"}, "campaign"),
        ({"unit": "TH-KCN-002"}, "unit"),
        ({"version": "hai"}, "version"),
    ],
)
def test_bad_patch_gets_422_naming_the_field(api, member, campaign, changes, field):
    initiative = draft(member, campaign)
    invalid(api("patch", url(initiative), member, changes), field)
    assert Initiative.objects.get().version == 1


def test_patch_accepts_the_current_campaign_and_unit(api, member, campaign):
    initiative = draft(member, campaign)
    body = ok(
        api(
            "patch",
            url(initiative),
            member,
            {"campaign": "1TRIEU", "unit": "th-kcn-001", "title": "Mới"},
        )
    )
    assert body["title"] == "Mới"


# -- submit, decision, withdraw, reopen ----------------------------------------------------


def test_submit_of_an_incomplete_draft_names_what_is_missing(api, member, campaign):
    pk = ok(
        api(
            "post",
            "/api/v1/initiatives",
            member,
            {"campaign": "1TRIEU", "unit": "TH-KCN-001", "title": "Ý tưởng"},
        ),
        201,
    )["id"]
    body = error(api("post", url(pk, "/submit"), member), 422)
    assert {"field", "problem", "description", "first_applied_on"} <= set(body["errors"])
    assert Initiative.objects.get().status == "draft"


def test_submit_needs_the_recognition_when_the_campaign_asks_for_it(api, member, tree):
    campaigns.create_campaign(
        code="CN",
        name="Sáng kiến công nhận",
        owner=tree.province,
        starts_on=TODAY - dt.timedelta(days=200),
        ends_on=TODAY + dt.timedelta(days=200),
        by=None,
        fields=[("KT", "Kỹ thuật")],
        requires_recognition=True,
    )
    pk = ok(api("post", "/api/v1/initiatives", member, entry(campaign="CN")), 201)["id"]
    invalid(api("post", url(pk, "/submit"), member), "recognition_body")
    ok(
        api(
            "patch",
            url(pk),
            member,
            {
                "recognition_body": "Hội đồng sáng kiến Công ty",
                "recognition_number": "12/QĐ-HĐSK",
                "recognition_date": (TODAY - dt.timedelta(days=10)).isoformat(),
            },
        )
    )
    assert ok(api("post", url(pk, "/submit"), member))["status"] == "submitted"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"decision": "maybe"}, "decision"),
        ({}, "decision"),
        ({"decision": "returned"}, "reason"),
        ({"decision": "invalid", "reason": ""}, "reason"),
        ({"decision": "valid", "benefit_valid_vnd": 1.5}, "benefit_valid_vnd"),
        ({"decision": "valid", "benefit_valid_vnd": -1}, "benefit_valid_vnd"),
        ({"decision": "returned", "reason": "x", "benefit_valid_vnd": 5}, "benefit_valid_vnd"),
    ],
)
def test_bad_decision_gets_422_naming_the_field(api, member, unit_officer, campaign, body, field):
    initiative = submitted(member, campaign)
    invalid(api("post", url(initiative, "/decision"), unit_officer, body), field)
    assert Initiative.objects.get().status == "submitted"


def test_invalid_decision_keeps_the_reason(api, member, unit_officer, campaign):
    initiative = submitted(member, campaign)
    body = ok(
        api(
            "post",
            url(initiative, "/decision"),
            unit_officer,
            {"decision": "invalid", "reason": "Đã có giải pháp tương tự."},
        )
    )
    assert body["status"] == "invalid"
    assert body["benefit_valid_vnd"] is None
    assert body["history"][-1]["note"] == "Đã có giải pháp tương tự."


def test_withdraw_with_a_reason(api, member, campaign):
    initiative = submitted(member, campaign)
    body = ok(api("post", url(initiative, "/withdraw"), member, {"reason": "Nộp nhầm."}))
    assert body["status"] == "withdrawn"
    assert body["history"][-1]["note"] == "Nộp nhầm."


def test_officer_reopens_a_decision_with_a_reason(api, member, unit_officer, campaign):
    initiative = submitted(member, campaign)
    services.decide_initiative(initiative, by=unit_officer, decision="valid", benefit_valid_vnd=7)
    invalid(api("post", url(initiative, "/reopen"), unit_officer, {}), "reason")
    invalid(api("post", url(initiative, "/reopen"), unit_officer, {"reason": "  "}), "reason")
    body = ok(
        api("post", url(initiative, "/reopen"), unit_officer, {"reason": "Tính lại lợi ích."})
    )
    assert body["status"] == "submitted"
    assert body["benefit_valid_vnd"] is None
    assert body["history"][-1]["action"] == "reopened"
    assert body["history"][-1]["note"] == "Tính lại lợi ích."


def test_actions_say_what_the_caller_may_do(api, member, unit_officer, support_team, campaign):
    initiative = submitted(member, campaign)
    assert ok(api("get", url(initiative), member))["actions"] == ["withdraw"]
    assert ok(api("get", url(initiative), unit_officer))["actions"] == ["decide"]
    assert ok(api("get", url(initiative), support_team))["actions"] == []
    services.decide_initiative(initiative, by=unit_officer, decision="valid")
    assert ok(api("get", url(initiative), unit_officer))["actions"] == ["reopen"]


# -- confidential --------------------------------------------------------------------------


def test_confidential_part_for_authors_enterer_and_deciders_only(
    api, member, support_team, unit_officer, reviewer, admin, tree, campaign
):
    initiative = ok(
        api(
            "post",
            "/api/v1/initiatives",
            support_team,
            entry(authors=[{"member": "DV00000001", "share": 100, "birth_date": "1990-05-17"}]),
        ),
        201,
    )
    pk = initiative["id"]
    ok(api("post", url(pk, "/submit"), support_team))
    other_support = make_user("support2", role=Role.SUPPORT, unit=tree.province)
    seen = {}
    for user in (member, support_team, unit_officer, reviewer, admin, other_support):
        body = ok(api("get", url(pk), user))
        seen[user.username] = (body["confidential"], body["authors"][0]["birth_date"])
        assert body["confidential_visible"] is (body["confidential"] is not None)
    secret = ("Nhiệt độ khuôn 185 độ C.", "1990-05-17")
    assert seen == {
        "member": secret,  # an author
        "support": secret,  # entered it
        "officer": secret,  # decides
        "reviewer": secret,  # decides
        "admin": secret,
        "support2": (None, None),  # sees the initiative, not its secret
    }


def test_lists_never_carry_the_confidential_part(api, member, unit_officer, campaign):
    submitted(member, campaign)
    for user in (member, unit_officer):
        item = ok(api("get", "/api/v1/initiatives", user))["items"][0]
        assert "confidential" not in item
        assert "Bí mật" not in json.dumps(item, ensure_ascii=False)


# -- attachments ---------------------------------------------------------------------------


def upload(name: str, content: bytes) -> io.BytesIO:
    f = io.BytesIO(content)
    f.name = name
    return f


def test_attach_a_file_list_it_and_download_it(api, member, unit_officer, campaign):
    initiative = draft(member, campaign)
    attached = ok(
        api(
            "post",
            url(initiative, "/attachments"),
            member,
            data={"file": upload("Bản vẽ khuôn.pdf", PDF), "kind": "document"},
        ),
        201,
    )
    assert attached["name"] == "Bản vẽ khuôn.pdf"
    assert attached["content_type"] == "application/pdf"
    assert attached["size"] == len(PDF)
    body = ok(api("get", url(initiative), member))
    assert body["attachments"] == [attached]
    assert body["history"][-1]["note"].endswith("Bản vẽ khuôn.pdf")
    download = api("get", attached["url"], member)
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == PDF
    services.submit_initiative(initiative, by=member)
    assert api("get", attached["url"], unit_officer).status_code == 200


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("virus.exe", b"MZ\x90\x00"),
        ("fake.pdf", b"<html>not a pdf</html>"),
        ("empty.pdf", b""),
    ],
)
def test_refused_files_get_422_naming_the_file(api, member, campaign, name, content):
    initiative = draft(member, campaign)
    invalid(
        api("post", url(initiative, "/attachments"), member, data={"file": upload(name, content)}),
        "file",
    )
    assert not initiative.attachments.exists()


def test_too_large_a_file_gets_422(api, member, campaign, settings):
    settings.SANGKIEN_ATTACHMENT_MAX_BYTES = 20
    initiative = draft(member, campaign)
    invalid(
        api("post", url(initiative, "/attachments"), member, data={"file": upload("a.pdf", PDF)}),
        "file",
    )


def test_missing_file_gets_422(api, member, campaign):
    initiative = draft(member, campaign)
    invalid(api("post", url(initiative, "/attachments"), member, data={}), "file")


def test_attachments_of_a_submitted_initiative_get_409(api, member, campaign):
    initiative = submitted(member, campaign)
    error(
        api("post", url(initiative, "/attachments"), member, data={"file": upload("a.pdf", PDF)}),
        409,
    )


def test_reviewer_cannot_attach_files(api, member, reviewer, unit_officer, campaign):
    initiative = submitted(member, campaign)
    services.decide_initiative(initiative, by=unit_officer, decision="returned", reason="Sửa")
    error(
        api("post", url(initiative, "/attachments"), reviewer, data={"file": upload("a.pdf", PDF)}),
        403,
    )


def test_unknown_file_gets_404(api, member, campaign):
    initiative = draft(member, campaign)
    error(api("get", url(initiative, "/attachments/12345"), member), 404)


# -- lists ---------------------------------------------------------------------------------


def build_many(member, support_team, tree, campaign):
    """23 initiatives: 12 of the member's (3 drafts), 11 entered by the support team for the
    second grassroots unit."""
    rows = []
    for i in range(12):
        initiative = draft(member, campaign, title=f"Sáng kiến số {i} của Hoa")
        if i >= 3:
            initiative = services.submit_initiative(initiative, by=member)
        rows.append(initiative)
    for i in range(11):
        initiative = services.create_initiative(
            campaign=campaign,
            unit=tree.grassroots2,
            by=support_team,
            title=f"Giải pháp tiết kiệm điện Đông Sơn {i}",
            field="QL",
            problem="P",
            description="D",
            first_applied_on=TODAY - dt.timedelta(days=60),
            authors=[{"name": f"Người ngoài {i}", "share": 100}],
        )
        rows.append(services.submit_initiative(initiative, by=support_team))
    return rows


def all_pages(api, user, query: str, limit: int = 5) -> list[dict]:
    seen: list[dict] = []
    cursor = None
    while True:
        address = f"/api/v1/initiatives?limit={limit}{query}" + (
            f"&cursor={cursor}" if cursor else ""
        )
        body = ok(api("get", address, user))
        assert len(body["items"]) <= limit
        seen += body["items"]
        cursor = body["next_cursor"]
        if cursor is None:
            return seen


def test_cursor_pages_cover_the_queue_once_newest_first(api, unit_officer, many):
    items = all_pages(api, unit_officer, "&unit=TH")
    ids = [i["id"] for i in items]
    queued = [i.pk for i in many if i.status != "draft"]
    assert len(ids) == len(set(ids)) == len(queued) == 20
    assert ids == sorted(queued, reverse=True)
    oldest = [i["id"] for i in all_pages(api, unit_officer, "&unit=TH&order=oldest", limit=7)]
    assert oldest == sorted(queued)


def test_rows_added_while_paging_do_not_repeat(api, member, unit_officer, many, campaign):
    first = ok(api("get", "/api/v1/initiatives?unit=TH&limit=10", unit_officer))
    submitted(member, campaign, title="Mới nhất")
    rest = ok(
        api(
            "get",
            f"/api/v1/initiatives?unit=TH&limit=100&cursor={first['next_cursor']}",
            unit_officer,
        )
    )
    ids = [i["id"] for i in first["items"] + rest["items"]]
    assert len(ids) == len(set(ids)) == 20


def test_member_lists_their_own_drafts_included(api, member, many):
    items = all_pages(api, member, "")
    assert len(items) == 12
    assert {i["status"] for i in items} == {"draft", "submitted"}
    assert all(i["authors"][0]["member"] == "DV00000001" for i in items)


def test_member_with_a_unit_sees_only_their_own_under_it(api, member, many):
    assert len(all_pages(api, member, "&unit=TH-KCN-001")) == 12
    assert len(all_pages(api, member, "&unit=TH")) == 12
    error(api("get", "/api/v1/initiatives?unit=TH-KCN-002", member), 404)
    error(api("get", "/api/v1/initiatives?unit=HN", member), 404)


def test_reviewer_without_a_unit_gets_the_whole_review_scope(api, reviewer, many):
    items = all_pages(api, reviewer, "", limit=50)
    assert len(items) == 20
    assert "draft" not in {i["status"] for i in items}


@pytest.mark.parametrize("query", ["&mine=true", "&mine=true&order=oldest", "&unit=TH-KCN-001"])
def test_own_pages_hold_what_the_member_wrote_or_entered_once_each(
    api, member, member_record, support_team, tree, campaign, many, query
):
    """Entered for the member by the support team, written with a colleague, or entered by
    the member for a colleague: each is the member's own, on exactly one page."""
    colleague = orgs.create_member(unit=tree.grassroots, full_name="Lê Văn Nam", by=None)
    shared = [{"member": member_record.code, "share": 50}, {"member": colleague.code, "share": 50}]
    extra = [
        draft(support_team, campaign, unit=tree.grassroots, authors=shared, title="Chung"),
        draft(member, campaign, authors=[{"member": colleague.code, "share": 100}], title="Hộ"),
    ]
    expected = sorted(
        Initiative.objects.filter(Q(entered_by=member) | Q(authors__member=member_record))
        .distinct()
        .values_list("id", flat=True),
        reverse="oldest" not in query,
    )
    assert {i.pk for i in extra} <= set(expected)
    ids = [i["id"] for i in all_pages(api, member, query, limit=4)]
    assert ids == expected


def test_support_team_finds_its_drafts_with_mine(api, support_team, tree, campaign):
    services.create_initiative(
        campaign=campaign, unit=tree.grassroots, by=support_team, title="Nháp"
    )
    assert ok(api("get", "/api/v1/initiatives", support_team))["items"] == []
    mine = ok(api("get", "/api/v1/initiatives?mine=true", support_team))["items"]
    assert [i["title"] for i in mine] == ["Nháp"]


def test_unit_filter_narrows_to_the_subtree(api, unit_officer, many):
    items = all_pages(api, unit_officer, "&unit=th-kcn-002", limit=50)
    assert {i["unit"] for i in items} == {"TH-KCN-002"}
    assert len(items) == 11


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("&status=submitted", 20),
        ("&status=valid", 0),
        ("&campaign=1TRIEU", 20),
        ("&campaign=1trieu&field=QL", 11),
        ("&field=KT", 9),
        ("&campaign=1TRIEU&phase=2", 20),
        ("&phase=1", 0),
        ("&on_behalf=true", 11),
        ("&on_behalf=false", 9),
        ("&q=dong son", 11),
        ("&q=ĐÔNG SƠN 1", 2),  # "… Đông Sơn 1" and "… Đông Sơn 10"
        ("&q=cua hoa", 9),
        (f"&submitted_from={TODAY.isoformat()}&submitted_to={TODAY.isoformat()}", 20),
        (f"&submitted_to={(TODAY - dt.timedelta(days=1)).isoformat()}", 0),
        (f"&submitted_from={(TODAY + dt.timedelta(days=1)).isoformat()}", 0),
    ],
)
def test_list_filters(api, unit_officer, many, query, expected):
    assert len(all_pages(api, unit_officer, "&unit=TH" + query, limit=50)) == expected


def test_status_filter_by_decision(api, unit_officer, many):
    services.decide_initiative(many[5], by=unit_officer, decision="valid")
    items = ok(api("get", "/api/v1/initiatives?unit=TH&status=valid", unit_officer))["items"]
    assert [i["id"] for i in items] == [many[5].pk]
    assert items[0]["benefit_valid_vnd"] == 1_000_000


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("?status=accepted", "status"),
        ("?campaign=NOTHING", "campaign"),
        ("?campaign=1TRIEU&field=ZZ", "field"),
        ("?campaign=1TRIEU&phase=9", "phase"),
        ("?phase=one", "phase"),
        ("?submitted_from=01-01-2026", "submitted_from"),
        ("?on_behalf=perhaps", "on_behalf"),
        ("?order=random", "order"),
        ("?limit=0", "limit"),
        ("?limit=201", "limit"),
        ("?cursor=not-a-cursor", "cursor"),
        ("?cursor=WyJhIl0", "cursor"),  # ["a"]
    ],
)
def test_bad_list_parameters_get_422_naming_them(api, unit_officer, campaign, query, field):
    invalid(api("get", "/api/v1/initiatives" + query, unit_officer), field)


def test_list_reads_in_a_fixed_number_of_queries(api, unit_officer, member, many):
    def count(limit: int) -> int:
        with CaptureQueriesContext(connection) as queries:
            body = ok(api("get", f"/api/v1/initiatives?unit=TH&limit={limit}", unit_officer))
        assert len(body["items"]) == limit
        return len(queries)

    api("get", "/api/v1/initiatives", unit_officer)  # the token's first use is recorded once
    assert count(2) == count(20)
    assert count(20) <= 10


def test_member_list_reads_in_a_fixed_number_of_queries(
    api, member, many, django_assert_max_num_queries
):
    api("get", "/api/v1/initiatives?limit=1", member)
    with django_assert_max_num_queries(10):
        assert len(ok(api("get", "/api/v1/initiatives?limit=12", member))["items"]) == 12


def test_detail_reads_in_a_fixed_number_of_queries(
    api, member, unit_officer, tree, campaign, django_assert_max_num_queries
):
    people = [
        orgs.create_member(unit=tree.grassroots, full_name=f"Tác giả {i}", by=None)
        for i in range(4)
    ]
    initiative = draft(
        member,
        campaign,
        authors=[{"member": p, "share": 25} for p in people],
    )
    for i in range(3):
        services.update_initiative(initiative, by=member, title=f"Tên {i}")
    services.add_attachment(initiative, by=member, upload=_uploaded("a.pdf"))
    services.add_attachment(initiative, by=member, upload=_uploaded("b.pdf"))
    services.submit_initiative(initiative, by=member)
    api("get", url(initiative), unit_officer)
    with django_assert_max_num_queries(12):
        body = ok(api("get", url(initiative), unit_officer))
    assert len(body["authors"]) == 4
    assert len(body["attachments"]) == 2
    assert len(body["history"]) >= 7


def _uploaded(name: str):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def test_submit_takes_an_empty_body(client, member, campaign, bearer):
    initiative = draft(member, campaign)
    response = client.post(
        url(initiative, "/submit"),
        data=b"",
        content_type="application/json",
        headers=bearer(member),
    )
    assert ok(response)["status"] == "submitted"


def test_a_body_that_is_not_json_gets_400(client, member, campaign, bearer):
    response = client.post(
        "/api/v1/initiatives",
        data=b"{campaign: 1TRIEU",
        content_type="application/json",
        headers=bearer(member),
    )
    error(response, 400)
    assert not Initiative.objects.exists()


def test_who_cannot_read_the_confidential_part_does_not_overwrite_it(
    api, member, support_team, unit_officer, tree, campaign
):
    initiative = services.create_initiative(
        campaign=campaign,
        unit=tree.grassroots,
        by=member,
        title="Cải tiến băng tải",
        field="KT",
        problem="P",
        description="D",
        first_applied_on=TODAY - dt.timedelta(days=60),
        confidential="Sơ đồ mạch điều khiển.",
        authors=[
            {"member": member.member, "share": 60, "birth_date": dt.date(1990, 5, 17)},
            {"name": "Lê Văn Tâm", "share": 40, "birth_date": dt.date(1985, 1, 2)},
        ],
    )
    services.submit_initiative(initiative, by=member)
    services.decide_initiative(initiative, by=unit_officer, decision="returned", reason="Sửa")
    other_support = make_user("support2", role=Role.SUPPORT, unit=tree.province)
    seen = ok(api("get", url(initiative), other_support))
    assert seen["confidential"] is None
    changes = {
        "confidential": None,
        "title": "Cải tiến băng tải số 2",
        "authors": [
            {"member": "DV00000001", "share": 50},
            {"name": "Lê  Văn Tâm", "share": 50},
        ],
    }
    body = ok(api("patch", url(initiative), other_support, changes))
    assert body["title"] == "Cải tiến băng tải số 2"
    assert body["confidential"] is None
    assert [a["share"] for a in body["authors"]] == [50, 50]
    full = ok(api("get", url(initiative), member))
    assert full["confidential"] == "Sơ đồ mạch điều khiển."
    assert [a["birth_date"] for a in full["authors"]] == ["1990-05-17", "1985-01-02"]


# -- bulk decisions ------------------------------------------------------------------------


def test_bulk_decision_decides_each_and_lists_what_it_could_not(api, member, reviewer, campaign):
    first = submitted(member, campaign)
    second = submitted(member, campaign, title="Sáng kiến thứ hai")
    third = submitted(member, campaign, title="Sáng kiến thứ ba")
    services.decide_initiative(third, by=reviewer, decision="valid")
    body = ok(
        api(
            "post",
            "/api/v1/initiatives/decisions",
            reviewer,
            {
                "ids": [first.pk, second.pk, third.pk],
                "decision": "valid",
                "benefits": {str(second.pk): "1,8 triệu"},
            },
            headers={"Accept-Language": "en"},
        )
    )
    assert body["decided"] == 2 and body["refused"] == 1
    items = {i["id"]: i for i in body["items"]}
    assert items[first.pk]["decided"] and items[first.pk]["status"] == "valid"
    assert "already decided" in items[third.pk]["problem"]
    assert Initiative.objects.get(pk=second.pk).benefit_valid_vnd == 1_800_000
    assert Action.VALIDATED in Initiative.objects.get(pk=first.pk).history.values_list(
        "action", flat=True
    )


def test_bulk_decision_outsider_gets_404_and_nothing_changes(api, member, outsider, campaign):
    initiative = submitted(member, campaign)
    response = api(
        "post",
        "/api/v1/initiatives/decisions",
        outsider,
        {"ids": [initiative.pk], "decision": "valid"},
    )
    error(response, 404)
    assert Initiative.objects.get(pk=initiative.pk).status == "submitted"


def test_bulk_decision_member_gets_404(api, member, campaign):
    initiative = submitted(member, campaign)
    body = {"ids": [initiative.pk], "decision": "valid"}
    error(api("post", "/api/v1/initiatives/decisions", member, body), 404)


def test_bulk_decision_refuses_too_many_ids_with_422(api, reviewer, tree):
    body = {"ids": list(range(1, 103)), "decision": "valid"}
    error(api("post", "/api/v1/initiatives/decisions", reviewer, body), 422)


def test_bulk_decision_is_in_the_openapi_document(client):
    spec = client.get("/api/v1/openapi.json").json()
    operation = spec["paths"]["/api/v1/initiatives/decisions"]["post"]
    assert "same service" in operation["description"]
    assert "200" in operation["responses"] and "404" in operation["responses"]
