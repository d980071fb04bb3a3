"""Personal data (Decree 13/2023): reading it is logged, a member downloads their own data,
an administrator anonymises a member on request and the figures stay exactly right."""

from __future__ import annotations

import io
import json

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command

from conftest import PASSWORD, make_user
from sangkien.accounts import services as accounts
from sangkien.accounts.models import Role
from sangkien.audit import services
from sangkien.core.audit import PERSONAL_DATA_READ
from sangkien.core.models import AuditEntry
from sangkien.initiatives.models import Author
from sangkien.orgs.models import Member
from sangkien.stats.tests.test_check import _check, build


def _reads(**filters):
    return AuditEntry.objects.filter(action=PERSONAL_DATA_READ, **filters)


def test_the_member_page_logs_who_read_whose_personal_data(
    login, tree, unit_officer, member_record
):
    login(unit_officer).get(f"/units/members/{member_record.code}/")
    entry = _reads().get()
    assert entry.actor == unit_officer
    assert entry.object_id == str(member_record.pk) and entry.unit_id == tree.grassroots.pk
    assert entry.after == {"through": "member_page"}


def test_no_log_when_no_personal_data_is_shown(login, tree, reviewer, member_record):
    response = login(reviewer).get(f"/units/members/{member_record.code}/")
    assert response.status_code == 200
    assert "0912345678" not in response.content.decode()
    assert not _reads().exists()


def test_the_member_reading_their_own_record_is_not_logged(login, tree, member):
    login(member).get(f"/units/members/{member.member.code}/")
    assert not _reads().exists()


def test_the_member_api_logs_each_member_read(login, tree, unit_officer, member_record):
    client = login(unit_officer)
    client.get(f"/api/v1/members/{member_record.code}")
    client.get("/api/v1/members", {"unit": "TH"})
    assert [e.after["through"] for e in _reads(object_id=str(member_record.pk))] == ["api", "api"]


def test_the_member_export_logs_the_unit_and_count(login, tree, unit_officer, member_record):
    response = login(unit_officer).post("/exports/members/TH-KCN-001/")
    assert response.status_code == 200
    entry = _reads().get()
    assert entry.object_type == "orgs.unit" and entry.unit_id == tree.grassroots.pk
    assert entry.after == {"through": "export", "members": 1}


def test_readings_show_on_the_audit_page(login, tree, unit_officer, admin, member_record):
    login(admin).get(f"/units/members/{member_record.code}/")
    response = login(unit_officer).get("/audit/", {"kind": "personal_data"})
    items = response.context["items"]
    assert [i.entry.actor for i in items] == [admin]
    assert items[0].through


def test_a_member_downloads_their_own_data(login, tree, member, unit_officer):
    from sangkien.initiatives.tests.builders import make_campaign, make_initiative

    campaign = make_campaign(tree.root)
    made = make_initiative(campaign, tree.grassroots, by=member)
    accounts.grant_role(member, role=Role.MEMBER, unit=tree.grassroots, by=unit_officer)
    login(unit_officer).get(f"/units/members/{member.member.code}/")
    response = login(member).get("/audit/my-data/")
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    data = json.loads(response.content)
    assert data["member"]["phone"] == "0912345678"
    assert data["member"]["birth_date"] == "1990-05-17"
    assert [i["number"] for i in data["initiatives"]] == [made.pk]
    assert [r["role"] for r in data["roles"]] == ["member"]
    assert data["account"]["username"] == "member"
    actions = [e["action"] for e in data["audit_about_me"]]
    assert PERSONAL_DATA_READ in actions and "member.create" in actions
    assert "initiative.create" in {e["action"] for e in data["audit_by_me"]}


def test_my_data_is_only_ones_own(login, tree, member, unit_officer):
    data = json.loads(login(unit_officer).get("/audit/my-data/").content)
    assert data["member"] is None and data["account"]["username"] == "officer"


def test_the_account_page_links_to_the_download(login, tree, member):
    assert "/audit/my-data/" in login(member).get("/accounts/me/").content.decode()


# -- anonymising --------------------------------------------------------------------------


def test_anonymising_keeps_every_figure_and_check_stats_clean(tree, admin):
    built = build(tree, merge=True)
    campaign = built["campaign"]
    author = Author.objects.filter(initiative=built["made"]["v1"]).order_by("id").first().member

    def figures_now() -> str:
        out = io.StringIO()
        for unit in ("VN", "TH", "TH-KCN", "TH-KCN-001"):
            call_command("stats", unit=unit, campaign=campaign.code, children=True, stdout=out)
        return out.getvalue()

    before = figures_now()
    services.anonymise_member(author, by=admin, reason="Đơn đề nghị ngày 01/12/2026")
    assert figures_now() == before
    assert _check() == []
    author.refresh_from_db()
    assert author.full_name == f"Đoàn viên đã ẩn danh #{author.pk}"
    assert Author.objects.filter(member=author).exclude(name=author.full_name).count() == 0


def test_anonymising_clears_personal_data_closes_the_login_and_is_audited(
    client, tree, admin, member
):
    record = member.member
    token = accounts.create_token(member, by=admin)
    services.anonymise_member(record, by=admin, reason="Yêu cầu bằng văn bản")
    record.refresh_from_db()
    member.refresh_from_db()
    assert (record.birth_date, record.phone, record.email, record.position) == (None, "", "", "")
    assert not member.is_active and not member.has_usable_password()
    assert member.username == f"an-danh-{member.pk}" and member.email == ""
    assert not client.login(username="member", password=PASSWORD)
    assert client.get("/api/v1/members", HTTP_AUTHORIZATION=f"Bearer {token}").status_code == 401
    entry = AuditEntry.objects.get(action="member.anonymise")
    assert entry.actor == admin and entry.note == "Yêu cầu bằng văn bản"
    assert entry.unit_id == tree.grassroots.pk
    created = AuditEntry.objects.get(action="member.create", object_id=str(record.pk))
    assert created.after["phone"] is None and created.after["birth_date"] is None
    assert created.after["full_name"] == record.full_name
    assert "0912345678" not in json.dumps(list(AuditEntry.objects.values("before", "after")))


def test_anonymising_needs_a_reason_and_happens_once(tree, admin, member_record):
    with pytest.raises(ValidationError):
        services.anonymise_member(member_record, by=admin, reason="   ")
    services.anonymise_member(member_record, by=admin, reason="Đơn")
    with pytest.raises(ValidationError):
        services.anonymise_member(member_record, by=admin, reason="Đơn")


def test_the_page_confirms_with_the_member_code_and_a_reason(login, tree, admin, member_record):
    client = login(admin)
    url = f"/audit/members/{member_record.code}/anonymise/"
    assert client.get(url).status_code == 200
    refused = client.post(url, {"reason": "Đơn", "confirm": "SAI"})
    assert refused.status_code == 422
    assert refused.context["form"].errors["confirm"]
    assert Member.objects.get(pk=member_record.pk).full_name == "Nguyễn Thị Hoa"
    assert client.post(url, {"reason": "", "confirm": member_record.code}).status_code == 422
    done = client.post(url, {"reason": "Đơn ngày 1/12", "confirm": member_record.code.lower()})
    assert done.status_code == 302
    assert services.is_anonymised(Member.objects.get(pk=member_record.pk))


def test_only_administrators_above_the_member_anonymise(
    login, tree, unit_officer, outsider, member_record
):
    url = f"/audit/members/{member_record.code}/anonymise/"
    assert login(unit_officer).get(url).status_code == 404
    assert login(outsider).get(url).status_code == 404
    provincial_admin = make_user("tinh", role=Role.ADMIN, unit=tree.other_province)
    assert login(provincial_admin).get(url).status_code == 404
    assert (
        login(provincial_admin).post(url, {"reason": "x", "confirm": "DV00000001"}).status_code
        == 404
    )
    assert Member.objects.get(pk=member_record.pk).full_name == "Nguyễn Thị Hoa"


def test_the_command_anonymises_with_a_reason(tree, admin, member_record, capsys):
    call_command("anonymise", member_record.code, reason="Đơn", by="admin")
    assert capsys.readouterr().out.strip() == f"Đoàn viên đã ẩn danh #{member_record.pk}"
    assert AuditEntry.objects.get(action="member.anonymise").actor == admin
