"""The audit log for officers: each entry under its unit, read only inside the reader's
subtrees (two provinces), filters, the .xlsx export, the API, personal data hidden."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from openpyxl import load_workbook

from conftest import make_user
from sangkien.accounts import services as accounts
from sangkien.accounts.models import Role
from sangkien.audit import permissions, queries
from sangkien.core import audit
from sangkien.core.models import AuditEntry
from sangkien.initiatives.tests.builders import make_campaign, make_initiative
from sangkien.orgs import services as orgs


@pytest.fixture
def changes(tree, admin):
    """A member, an edit and an initiative in each province, by the administrator."""
    th = orgs.create_member(
        unit=tree.grassroots, full_name="Lê Văn Tám", by=admin, code="TH0001",
        phone="0911111111", birth_date=dt.date(1988, 1, 2),
    )  # fmt: skip
    orgs.update_member(th, by=admin, phone="0922222222")
    hn = orgs.create_member(
        unit=tree.other_grassroots, full_name="Trần Thị Hà", by=admin, code="HN0001",
        phone="0933333333",
    )  # fmt: skip
    campaign = make_campaign(tree.root)
    i_th = make_initiative(
        campaign, tree.grassroots, by=admin, authors=[{"member": th, "share": 100}]
    )
    i_hn = make_initiative(
        campaign, tree.other_grassroots, by=admin, authors=[{"member": hn, "share": 100}]
    )
    return {"th": th, "hn": hn, "i_th": i_th, "i_hn": i_hn, "campaign": campaign}


def test_the_writer_files_each_entry_under_the_unit_of_its_object(tree, admin, changes):
    by_object = {(e.object_type, e.object_id): e.unit_id for e in AuditEntry.objects.all()}
    assert by_object[("orgs.member", str(changes["th"].pk))] == tree.grassroots.pk
    assert by_object[("orgs.member", str(changes["hn"].pk))] == tree.other_grassroots.pk
    assert by_object[("initiatives.initiative", str(changes["i_th"].pk))] == tree.grassroots.pk
    assert by_object[("orgs.unit", str(tree.upper.pk))] == tree.upper.pk
    grant = admin.grants.get()
    assert by_object[("accounts.rolegrant", str(grant.pk))] == tree.root.pk
    assert by_object[("campaigns.campaign", str(changes["campaign"].pk))] == tree.root.pk


def test_officers_read_only_their_own_province(tree, unit_officer, outsider, changes):
    mine = set(permissions.entries_visible_to(unit_officer).values_list("unit__code", flat=True))
    theirs = set(permissions.entries_visible_to(outsider).values_list("unit__code", flat=True))
    assert mine and all(code.startswith("TH") for code in mine)
    assert theirs == {"HN", "HN-001"}
    assert not permissions.entries_visible_to(unit_officer).filter(unit__isnull=True).exists()
    assert not permissions.entries_visible_to(unit_officer, tree.other_province).exists()


def test_a_member_or_reviewer_reads_no_audit_log(tree, member, reviewer, changes):
    assert not permissions.entries_visible_to(member).exists()
    assert not permissions.entries_visible_to(reviewer).exists()


def test_the_page_lists_the_subtree_newest_first(login, tree, unit_officer, changes):
    response = login(unit_officer).get("/audit/")
    assert response.status_code == 200
    ids = [e.entry.pk for e in response.context["items"]]
    assert ids == sorted(ids, reverse=True)
    assert str(changes["th"].pk) in {e.entry.object_id for e in response.context["items"]}
    body = response.content.decode()
    assert "Trần Thị Hà" not in body and "0933333333" not in body


def test_outsider_gets_404_for_a_unit_outside_their_scope(login, tree, outsider, changes):
    client = login(outsider)
    assert client.get("/audit/?unit=TH").status_code == 404
    assert client.get("/audit/export.xlsx?unit=TH-KCN-001").status_code == 404
    assert client.get("/api/v1/audit?unit=TH").status_code == 404


def test_a_member_without_an_officer_role_gets_404(login, tree, member, reviewer, changes):
    for user in (member, reviewer):
        client = login(user)
        assert client.get("/audit/").status_code == 404
        assert client.get("/audit/?unit=TH-KCN").status_code == 404
        assert client.get("/api/v1/audit").status_code == 404


def test_anonymous_visitors_are_sent_to_log_in(client, tree):
    assert client.get("/audit/").status_code == 302
    assert client.get("/api/v1/audit").status_code == 401


def test_filters_kind_object_person_and_dates(login, tree, unit_officer, admin, changes):
    other = make_user("cb2", role=Role.OFFICER, unit=tree.province)
    other.first_name = "Minh"
    other.save()
    orgs.update_member(changes["th"], by=other, position="Thợ hàn")
    client = login(unit_officer)
    page = client.get("/audit/", {"kind": "member", "object": changes["th"].pk})
    actions = [e.entry.action for e in page.context["items"]]
    assert actions == ["member.update", "member.update", "member.create"]
    page = client.get("/audit/", {"kind": "initiative"})
    assert {e.entry.object_type for e in page.context["items"]} == {"initiatives.initiative"}
    page = client.get("/audit/", {"who": "Minh"})
    assert [e.entry.actor_id for e in page.context["items"]] == [other.pk]
    page = client.get("/audit/", {"who": "cb2", "kind": "initiative"})
    assert page.context["items"] == []
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    page = client.get("/audit/", {"date_from": tomorrow.strftime("%d/%m/%Y")})
    assert page.context["items"] == []
    page = client.get("/audit/", {"date_to": timezone.localdate().strftime("%d/%m/%Y")})
    assert page.context["items"]


def test_a_backwards_date_range_is_refused_with_a_message(login, tree, unit_officer, changes):
    client = login(unit_officer)
    response = client.get("/audit/", {"date_from": "10/03/2026", "date_to": "01/03/2026"})
    assert response.status_code == 200
    assert response.context["page"] is None
    assert "ngày kết thúc" in response.content.decode().lower()
    response = client.get("/audit/", {"date_from": "32/13/2026"})
    assert response.context["form"].errors["date_from"]


def test_pages_are_keyset_and_cost_a_bounded_number_of_queries(
    login, tree, unit_officer, changes, settings
):
    settings.PAGE_SIZE = 3
    for i in range(12):
        orgs.update_member(changes["th"], by=None, position=f"Vị trí {i}")
    client = login(unit_officer)
    client.get("/audit/")  # warm the session
    seen = []
    cursor = ""
    for _ in range(3):
        with CaptureQueriesContext(connection) as queries_run:
            response = client.get("/audit/", {"cursor": cursor} if cursor else {})
        assert len(queries_run) <= 8
        seen += [e.entry.pk for e in response.context["items"]]
        cursor = response.context["page"].next_cursor
    assert len(seen) == 9 and len(set(seen)) == 9 and seen == sorted(seen, reverse=True)


def test_the_export_holds_the_filtered_rows_and_no_formula(login, tree, unit_officer, changes):
    orgs.update_member(changes["th"], by=None, position='=HYPERLINK("http://x")')
    client = login(unit_officer)
    response = client.get("/audit/export.xlsx", {"kind": "member", "unit": "TH"})
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True)
    rows = list(book.active.iter_rows(values_only=True))
    assert len(rows[0]) == 9
    body = rows[1:]
    assert (
        len(body)
        == AuditEntry.objects.filter(object_type="orgs.member", unit__code__startswith="TH")
        .exclude(action=audit.PERSONAL_DATA_READ)
        .count()
    )
    assert all(r[5].startswith("TH") for r in body)
    changes_cells = [r[7] or "" for r in body]
    assert any("0922222222" in c for c in changes_cells)  # officers see personal data
    assert not any(c.startswith("=") for r in body for c in r if isinstance(c, str))
    assert any("'=HYPERLINK" in c or "=HYPERLINK" in c for c in changes_cells)


def test_personal_values_are_hidden_from_who_may_not_see_them(tree, reviewer, changes):
    entry = AuditEntry.objects.filter(action="member.update").first()
    before, after, visible = permissions.shown_states(reviewer, entry)
    assert not visible
    assert before["phone"] == "***" and after["phone"] == "***"
    assert after["full_name"] == "Lê Văn Tám"
    item = queries.shown(reviewer, [entry])[0]
    assert [c.field for c in item.changes] == ["phone"]  # the change still shows


def test_personal_values_show_to_officers_of_the_unit(tree, unit_officer, changes):
    entry = AuditEntry.objects.filter(action="member.update").first()
    _before, after, visible = permissions.shown_states(unit_officer, entry)
    assert visible and after["phone"] == "0922222222"


def test_the_api_lists_pages_with_filters_and_checks_its_cursor(login, tree, unit_officer, changes):
    client = login(unit_officer)
    response = client.get("/api/v1/audit", {"limit": 1, "kind": "member"})
    assert response.status_code == 200
    data = response.json()
    assert len(data["items"]) == 1 and data["next_cursor"]
    assert {i["kind"] for i in data["items"]} == {"member"}
    assert all(i["unit"].startswith("TH") for i in data["items"])
    nxt = client.get("/api/v1/audit", {"limit": 1, "kind": "member", "cursor": data["next_cursor"]})
    assert nxt.status_code == 200
    assert not {i["id"] for i in nxt.json()["items"]} & {i["id"] for i in data["items"]}
    assert client.get("/api/v1/audit", {"cursor": "garbage"}).status_code == 422
    assert client.get("/api/v1/audit", {"kind": "nonsense"}).status_code == 422
    bad = client.get("/api/v1/audit", {"date_from": "2026-03-10", "date_to": "2026-03-01"})
    assert bad.status_code == 422
    spec = client.get("/api/v1/openapi.json").json()
    assert "/api/v1/audit" in spec["paths"]


def test_the_unit_page_links_to_its_audit_log_for_officers_only(
    login, tree, unit_officer, reviewer
):
    assert "/audit/?unit=TH-KCN" in login(unit_officer).get("/units/TH-KCN/").content.decode()
    assert "/audit/" not in login(reviewer).get("/units/TH-KCN/").content.decode()


def test_entries_without_a_unit_are_a_national_administrators(tree, admin, unit_officer):
    token_entry = AuditEntry.objects.create(action="x", object_type="imports.file", object_id="1")
    assert permissions.entries_visible_to(admin).filter(pk=token_entry.pk).exists()
    assert not permissions.entries_visible_to(unit_officer).filter(pk=token_entry.pk).exists()


def test_the_migration_backfills_the_unit_of_existing_entries(tree, admin, changes):
    import importlib

    from django.apps import apps

    migration = importlib.import_module("sangkien.core.migrations.0002_audit_unit")
    officer = make_user("gone", role=Role.OFFICER, unit=tree.grassroots2)
    accounts.revoke_role(officer.grants.get(), by=admin)  # the grant no longer exists
    expected = dict(AuditEntry.objects.values_list("pk", "unit_id"))
    AuditEntry.objects.update(unit=None)
    migration.backfill(apps, None)
    after = dict(AuditEntry.objects.values_list("pk", "unit_id"))
    assert after == expected
    deleted = AuditEntry.objects.get(action="grant.delete")
    assert deleted.unit_id == tree.grassroots2.pk
