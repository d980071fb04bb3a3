"""Implementation plans: the services (checks, audit, conflicts, the signed document), the
coverage figure and its counters (after creates, deletes and reorganisations), and every
page (outsider 404, wrong role 403, the document served only to those who may see it)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone, translation

from sangkien.campaigns.services import create_campaign
from sangkien.core.errors import ConflictError, ValidationError
from sangkien.core.models import AuditEntry
from sangkien.orgs import services as orgs
from sangkien.plans import services, views
from sangkien.plans.models import GrassrootsCount, Plan, PlanCount
from sangkien.plans.services import plan_coverage, plans_percent

PDF = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << >>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 40


@pytest.fixture(autouse=True)
def _english(client, settings):
    """Pages and messages in English, so the checks read the msgids whatever the catalogue."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return tmp_path / "media"


def make_campaign(owner, code="SK"):
    today = timezone.localdate()
    return create_campaign(
        code=code,
        name="1 triệu sáng kiến",
        owner=owner,
        starts_on=today - dt.timedelta(days=100),
        ends_on=today + dt.timedelta(days=300),
        by=None,
        fields=[("KT", "Kỹ thuật")],
    )


@pytest.fixture
def campaign(tree):
    return make_campaign(tree.root)


def details(**overrides):
    data = {
        "signed_on": timezone.localdate() - dt.timedelta(days=10),
        "employer_name": "Công ty CP Giày Sao Vàng",
        "employer_representative": "Nguyễn Văn An, Giám đốc",
        "targets": "Mỗi tổ sản xuất có ít nhất 2 sáng kiến được công nhận.",
        "target_initiatives": 40,
        "reward_mechanism": "Thưởng 500.000 đồng cho mỗi sáng kiến được công nhận.",
    }
    data.update(overrides)
    return data


def pdf(name="Kế hoạch đã ký.pdf", content=PDF):
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def plan_for(unit, campaign, by=None, **overrides):
    return services.create_plan(unit=unit, campaign=campaign, by=by, **details(**overrides))


def stored(media):
    return [p for p in media.rglob("*") if p.is_file()] if media.exists() else []


# -- create, update, delete ----------------------------------------------------------------


def test_create_plan_with_document(tree, campaign, unit_officer, media):
    plan = services.create_plan(
        unit=tree.grassroots, campaign=campaign, by=unit_officer, document=pdf(), **details()
    )
    assert plan.version == 1 and plan.created_by == unit_officer
    assert plan.document_name == "Kế hoạch đã ký.pdf" and plan.document_type == "application/pdf"
    assert plan.document.name.startswith(f"plans/{tree.grassroots.pk}/")
    assert "Kế hoạch" not in plan.document.name  # stored under a name of our making
    assert plan.document.read() == PDF
    entry = AuditEntry.objects.get(action="plan.create")
    assert entry.after["employer_name"] == "Công ty CP Giày Sao Vàng"
    assert entry.after["target_initiatives"] == 40


def test_create_plan_says_what_is_wrong_field_by_field(tree, campaign):
    with pytest.raises(ValidationError) as exc:
        services.create_plan(
            unit=tree.grassroots,
            campaign=campaign,
            by=None,
            signed_on=None,
            employer_name=" ",
            employer_representative="",
            targets="",
            reward_mechanism="",
            target_initiatives=0,
        )
    assert set(exc.value.message_dict) == {
        "signed_on",
        "employer_name",
        "employer_representative",
        "targets",
        "reward_mechanism",
        "target_initiatives",
    }
    assert not Plan.objects.exists()


def test_create_plan_refuses_a_future_date(tree, campaign):
    with pytest.raises(ValidationError) as exc:
        plan_for(tree.grassroots, campaign, signed_on=timezone.localdate() + dt.timedelta(days=1))
    assert exc.value.message_dict["signed_on"] == ["The date signed cannot be in the future."]


@pytest.mark.parametrize("which", ["upper", "province", "root"])
def test_only_grassroots_unions_sign_plans(tree, campaign, which):
    with pytest.raises(ValidationError) as exc:
        plan_for(getattr(tree, which), campaign)
    assert "unit" in exc.value.message_dict


def test_one_plan_per_union_and_campaign(tree, campaign):
    plan_for(tree.grassroots, campaign)
    with pytest.raises(ValidationError) as exc:
        plan_for(tree.grassroots, campaign)
    assert "already has an implementation plan" in exc.value.message_dict["unit"][0]
    other = make_campaign(tree.root, code="SK2")
    plan_for(tree.grassroots, other)  # another campaign: its own plan
    assert Plan.objects.count() == 2


def test_plan_needs_a_campaign_covering_the_union(tree):
    provincial = make_campaign(tree.province, code="TH")
    with pytest.raises(ValidationError) as exc:
        plan_for(tree.other_grassroots, provincial)
    assert "does not cover" in exc.value.message_dict["unit"][0]


def test_closed_union_signs_no_plan(tree, campaign, admin):
    orgs.dissolve_unit(tree.grassroots2, by=admin)
    tree.grassroots2.refresh_from_db()
    with pytest.raises(ValidationError) as exc:
        plan_for(tree.grassroots2, campaign)
    assert "no longer active" in exc.value.message_dict["unit"][0]


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("ke-hoach.pdf", b"MZ\x90\x00 not a pdf"),  # the bytes are not a PDF
        ("ke-hoach.exe", PDF),  # a PDF under a name we do not accept
        ("ke-hoach.png", PDF),  # a PDF named as an image
        ("ke-hoach.pdf", b""),  # empty
    ],
)
def test_document_must_be_what_its_name_says(tree, campaign, media, name, content):
    with pytest.raises(ValidationError) as exc:
        services.create_plan(
            unit=tree.grassroots,
            campaign=campaign,
            by=None,
            document=SimpleUploadedFile(name, content),
            **details(),
        )
    assert list(exc.value.message_dict) == ["document"]
    assert not Plan.objects.exists() and stored(media) == []


def test_document_size_is_limited(tree, campaign, settings, media):
    settings.SANGKIEN_ATTACHMENT_MAX_BYTES = 20
    with pytest.raises(ValidationError) as exc:
        services.create_plan(
            unit=tree.grassroots, campaign=campaign, by=None, document=pdf(), **details()
        )
    assert "larger than" in exc.value.message_dict["document"][0]
    assert stored(media) == []


def test_update_plan_and_replace_its_document(
    tree, campaign, unit_officer, media, django_capture_on_commit_callbacks
):
    plan = services.create_plan(
        unit=tree.grassroots, campaign=campaign, by=None, document=pdf(), **details()
    )
    old = plan.document.name
    with django_capture_on_commit_callbacks(execute=True):
        plan = services.update_plan(
            plan,
            by=unit_officer,
            expected_version=1,
            targets="Mỗi phân xưởng 5 sáng kiến.",
            document=SimpleUploadedFile("scan.png", PNG),
        )
    plan.refresh_from_db()
    assert plan.version == 2 and plan.updated_by == unit_officer
    assert plan.targets == "Mỗi phân xưởng 5 sáng kiến."
    assert plan.employer_name == "Công ty CP Giày Sao Vàng"  # not given, not changed
    assert plan.document_name == "scan.png" and plan.document_type == "image/png"
    assert not default_storage.exists(old) and default_storage.exists(plan.document.name)
    entry = AuditEntry.objects.get(action="plan.update")
    assert entry.before["document_name"] == "Kế hoạch đã ký.pdf"
    assert entry.after["document_name"] == "scan.png"


def test_update_plan_refuses_a_stale_version(tree, campaign, unit_officer):
    plan = plan_for(tree.grassroots, campaign)
    services.update_plan(plan, by=unit_officer, expected_version=1, targets="Mục tiêu mới")
    with pytest.raises(ConflictError):
        services.update_plan(plan, by=unit_officer, expected_version=1, targets="Khác")
    plan.refresh_from_db()
    assert plan.targets == "Mục tiêu mới" and plan.version == 2


def test_update_plan_checks_fields(tree, campaign):
    plan = plan_for(tree.grassroots, campaign)
    with pytest.raises(ValidationError) as exc:
        services.update_plan(plan, by=None, reward_mechanism=" ", target_initiatives=-3)
    assert set(exc.value.message_dict) == {"reward_mechanism", "target_initiatives"}
    plan.refresh_from_db()
    assert plan.version == 1


def test_delete_plan_removes_it_and_its_document(
    tree, campaign, unit_officer, media, django_capture_on_commit_callbacks
):
    plan = services.create_plan(
        unit=tree.grassroots, campaign=campaign, by=None, document=pdf(), **details()
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.delete_plan(plan, by=unit_officer, expected_version=1)
    assert not Plan.objects.exists() and stored(media) == []
    entry = AuditEntry.objects.get(action="plan.delete")
    assert entry.before["employer_name"] == "Công ty CP Giày Sao Vàng"
    with pytest.raises(ConflictError):
        services.delete_plan(plan, by=unit_officer)


# -- coverage ------------------------------------------------------------------------------


def coverage(campaign, *units):
    figures = plan_coverage(campaign, list(units))
    return [figures[u.pk] for u in units]


def test_coverage_counts_plans_up_the_tree(tree, campaign):
    t = tree
    units = (t.root, t.province, t.upper, t.grassroots, t.grassroots2, t.other_province)
    assert coverage(campaign, *units) == [(0, 3), (0, 2), (0, 2), (0, 1), (0, 1), (0, 1)]
    plan = plan_for(t.grassroots, campaign)
    assert coverage(campaign, *units) == [(1, 3), (1, 2), (1, 2), (1, 1), (0, 1), (0, 1)]
    plan_for(t.other_grassroots, campaign)
    assert coverage(campaign, *units) == [(2, 3), (1, 2), (1, 2), (1, 1), (0, 1), (1, 1)]
    services.delete_plan(plan, by=None)
    assert coverage(campaign, *units) == [(1, 3), (0, 2), (0, 2), (0, 1), (0, 1), (1, 1)]


def test_coverage_is_per_campaign(tree, campaign):
    plan_for(tree.grassroots, campaign)
    other = make_campaign(tree.root, code="SK2")
    assert coverage(other, tree.root, tree.grassroots) == [(0, 3), (0, 1)]


def test_coverage_stays_within_the_campaigns_reach(tree):
    provincial = make_campaign(tree.province, code="TH")
    plan_for(tree.grassroots, provincial)
    # Above the owner: the owner's figures; beside it: nothing.
    assert coverage(provincial, tree.root, tree.province, tree.other_province) == [
        (1, 2),
        (1, 2),
        (0, 0),
    ]


def test_coverage_of_a_union_group_is_empty(tree, campaign):
    group = orgs.create_unit(
        code="TH-KCN-001-T1", name="Tổ 1", kind="group", parent=tree.grassroots, by=None
    )
    assert coverage(campaign, group) == [(0, 0)]


def test_coverage_follows_a_move(tree, campaign, admin):
    plan_for(tree.grassroots2, campaign)
    orgs.move_unit(tree.grassroots2, new_parent=tree.other_province, by=admin)
    tree.grassroots2.refresh_from_db()
    assert coverage(campaign, tree.upper, tree.province, tree.other_province, tree.root) == [
        (0, 1),
        (0, 1),
        (1, 2),
        (1, 3),
    ]


def test_a_merged_unions_plan_stops_counting(tree, campaign, admin):
    plan_for(tree.grassroots, campaign)
    plan_for(tree.grassroots2, campaign)
    orgs.merge_units([tree.grassroots], into=tree.grassroots2, by=admin)
    tree.grassroots.refresh_from_db()
    assert coverage(campaign, tree.upper, tree.grassroots, tree.grassroots2) == [
        (1, 1),
        (0, 0),
        (1, 1),
    ]
    assert Plan.objects.count() == 2  # kept: it is history


def test_new_unions_count_at_once(tree, campaign):
    plan_for(tree.grassroots, campaign)
    assert coverage(campaign, tree.upper) == [(1, 2)]
    orgs.create_unit(
        code="TH-KCN-003", name="CĐ Công ty 3", kind="grassroots", parent=tree.upper, by=None
    )
    assert coverage(campaign, tree.upper) == [(1, 3)]


def test_counters_agree_with_a_recount(tree, campaign, admin):
    plan_for(tree.grassroots, campaign)
    plan = plan_for(tree.other_grassroots, campaign)
    orgs.move_unit(tree.grassroots2, new_parent=tree.other_province, by=admin)
    plan_coverage(campaign, [tree.root])  # the move is counted in
    services.delete_plan(plan, by=None)
    plan_for(tree.grassroots2.__class__.objects.get(pk=tree.grassroots2.pk), campaign)

    def rows():
        return (
            sorted(PlanCount.objects.filter(with_plan__gt=0).values_list("unit_id", "with_plan")),
            sorted(GrassrootsCount.objects.values_list("unit_id", "active")),
        )

    kept = rows()
    assert services.recount_coverage(force=True)
    assert rows() == kept
    assert not services.recount_coverage()  # nothing changed since


def test_coverage_reads_few_queries(tree, campaign, django_assert_max_num_queries):
    plan_coverage(campaign, [tree.root])  # counted once
    units = [tree.root, tree.province, tree.upper, tree.other_province, tree.grassroots]
    with django_assert_max_num_queries(6):
        plan_coverage(campaign, units)


@pytest.mark.parametrize(
    ("with_plan", "total", "percent"),
    [(1, 3, Decimal("33.3")), (2, 3, Decimal("66.7")), (1, 16, Decimal("6.3")), (3, 3, 100)],
)
def test_plans_percent_has_one_decimal(with_plan, total, percent):
    assert plans_percent(with_plan, total) == percent


def test_plans_percent_of_nothing_is_none():
    assert plans_percent(0, 0) is None


# -- pages ---------------------------------------------------------------------------------


def url(name, code="TH-KCN-001", campaign="SK"):
    return reverse(f"plans:{name}", args=[campaign, code])


def form(**overrides):
    data = {
        "signed_on": (timezone.localdate() - dt.timedelta(days=5)).strftime("%d/%m/%Y"),
        "employer_name": "Công ty CP Giày Sao Vàng",
        "employer_representative": "Nguyễn Văn An, Giám đốc",
        "targets": "Mỗi tổ có 2 sáng kiến.",
        "target_initiatives": "40",
        "reward_mechanism": "Thưởng 500.000 đồng mỗi sáng kiến.",
    }
    data.update(overrides)
    return data


def test_officer_records_a_plan_with_its_document(login, tree, campaign, unit_officer):
    client = login(unit_officer)
    page = client.get(url("detail"))
    assert page.status_code == 200 and url("edit") in page.content.decode()
    assert client.get(url("edit")).status_code == 200
    response = client.post(url("edit"), {**form(), "document": pdf()})
    assert response.status_code == 302 and response["Location"] == url("detail")
    plan = Plan.objects.get()
    assert plan.unit == tree.grassroots and plan.target_initiatives == 40
    detail = client.get(url("detail")).content.decode()
    assert "Công ty CP Giày Sao Vàng" in detail and url("document") in detail


def test_plan_form_shows_errors(login, campaign, unit_officer):
    response = login(unit_officer).post(url("edit"), form(employer_name="", signed_on="31/02/2025"))
    assert response.status_code == 400
    html = response.content.decode()
    assert 'id="id_employer_name_error"' in html and 'id="id_signed_on_error"' in html
    assert not Plan.objects.exists()


def test_plan_form_refuses_a_fake_document(login, campaign, unit_officer, media):
    response = login(unit_officer).post(
        url("edit"), {**form(), "document": pdf(content=b"<html>not a pdf</html>")}
    )
    assert response.status_code == 400
    assert 'id="id_document_error"' in response.content.decode()
    assert not Plan.objects.exists() and stored(media) == []


def test_plan_edit_with_a_stale_version_is_a_conflict(login, tree, campaign, unit_officer):
    plan = plan_for(tree.grassroots, campaign)
    services.update_plan(plan, by=None, targets="Đã đổi")
    client = login(unit_officer)
    assert 'name="version" value="2"' in client.get(url("edit")).content.decode()
    response = client.post(url("edit"), form(version="1"))
    assert response.status_code == 409
    plan.refresh_from_db()
    assert plan.targets == "Đã đổi"
    assert client.post(url("edit"), form(version="2")).status_code == 302


@pytest.mark.parametrize("persona", ["reviewer", "support_team", "member", "editor"])
def test_plan_pages_for_roles_that_view_only(request, login, tree, campaign, persona):
    user = request.getfixturevalue(persona)
    plan_for(tree.grassroots, campaign)
    client = login(user)
    page = client.get(url("detail"))
    assert page.status_code == 200 and url("edit") not in page.content.decode()
    assert client.get(url("edit")).status_code == 403
    assert client.post(url("edit"), form()).status_code == 403
    assert client.post(url("delete"), {"version": "1"}).status_code == 403
    assert Plan.objects.get().version == 1


@pytest.mark.parametrize("name", ["detail", "edit", "document", "overview"])
def test_outsider_gets_404(login, tree, campaign, outsider, name):
    services.create_plan(
        unit=tree.grassroots, campaign=campaign, by=None, document=pdf(), **details()
    )
    client = login(outsider)
    code = "TH-KCN" if name == "overview" else "TH-KCN-001"
    assert client.get(url(name, code)).status_code == 404
    assert client.post(url("delete"), {"version": "1"}).status_code == 404
    assert client.get(reverse("plans:unit", args=["TH-KCN"])).status_code == 404


def test_document_is_served_to_those_who_see_the_union(login, tree, campaign, reviewer):
    services.create_plan(
        unit=tree.grassroots, campaign=campaign, by=None, document=pdf(), **details()
    )
    response = login(reviewer).get(url("document"))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert response["Content-Type"] == "application/pdf"
    assert "attachment" in response["Content-Disposition"]


def test_document_of_a_plan_without_one_is_404(login, tree, campaign, reviewer):
    plan_for(tree.grassroots, campaign)
    assert login(reviewer).get(url("document")).status_code == 404
    assert login(reviewer).get(url("document", "TH-KCN-002")).status_code == 404


def test_officer_removes_a_plan(login, tree, campaign, unit_officer):
    plan_for(tree.grassroots, campaign)
    client = login(unit_officer)
    assert client.get(url("delete")).status_code == 405
    stale = client.post(url("delete"), {"version": "7"})
    assert stale.status_code == 302 and Plan.objects.exists()
    response = client.post(url("delete"), {"version": "1"})
    assert response.status_code == 302 and not Plan.objects.exists()
    assert coverage(campaign, tree.upper) == [(0, 2)]


def test_campaign_the_user_cannot_use_is_404(login, tree, unit_officer):
    make_campaign(tree.other_province, code="HNSK")
    client = login(unit_officer)
    assert client.get(url("detail", campaign="HNSK")).status_code == 404
    assert client.get(url("detail", campaign="NOPE")).status_code == 404


def listed(response) -> str:
    """The list of grassroots unions on the overview page (after the children's table)."""
    return response.content.decode().split('id="list-h"')[1]


def test_overview_lists_unions_without_and_with_a_plan(login, tree, campaign, reviewer):
    plan_for(tree.grassroots, campaign)
    client = login(reviewer)
    page = client.get(url("overview", "TH-KCN"))
    assert page.status_code == 200
    assert "50.0" in page.content.decode()
    without = listed(page)
    assert url("detail", "TH-KCN-002") in without and url("detail", "TH-KCN-001") not in without
    with_plan = listed(client.get(url("overview", "TH-KCN"), {"show": "with"}))
    assert url("detail", "TH-KCN-001") in with_plan and url("detail", "TH-KCN-002") not in with_plan


def test_overview_children_figures(login, tree, campaign, unit_officer):
    plan_for(tree.grassroots, campaign)
    html = login(unit_officer).get(url("overview", "TH")).content.decode()
    assert url("overview", "TH-KCN") in html  # a child with its figures


def test_overview_pages_by_keyset(login, tree, campaign, unit_officer, monkeypatch):
    monkeypatch.setattr(views, "PAGE_SIZE", 1)
    client = login(unit_officer)
    first = listed(client.get(url("overview", "TH-KCN")))
    assert "TH-KCN-001" in first and "TH-KCN-002" not in first
    cursor = first.split("after=")[1].split('"')[0]
    second = listed(client.get(url("overview", "TH-KCN") + f"?show=without&after={cursor}"))
    assert "TH-KCN-002" in second and "TH-KCN-001" not in second


def test_overview_of_a_grassroots_union_is_its_plan(login, tree, campaign, reviewer):
    response = login(reviewer).get(url("overview", "TH-KCN-001"))
    assert response.status_code == 302 and response["Location"] == url("detail")
    back = login(reviewer).get(url("detail", "TH-KCN"))
    assert back.status_code == 302 and back["Location"] == url("overview", "TH-KCN")


def test_unit_page_goes_to_the_one_campaign(login, tree, campaign, reviewer):
    response = login(reviewer).get(reverse("plans:unit", args=["TH-KCN"]))
    assert response.status_code == 302 and response["Location"] == url("overview", "TH-KCN")
    make_campaign(tree.root, code="SK2")
    listing = login(reviewer).get(reverse("plans:unit", args=["TH-KCN"]))
    assert listing.status_code == 200 and url("overview", "TH-KCN", "SK2") in (
        listing.content.decode()
    )


def test_plans_of_a_closed_union_follow_its_successor(tree, campaign):
    """A merge hands the closed union's plan to the union that answers for it, unless that
    union has its own plan for the campaign; plan coverage counts the moved plan there."""
    other = make_campaign(tree.root, code="SK2")
    moved = plan_for(tree.grassroots, campaign)
    kept = plan_for(tree.grassroots, other)
    own = plan_for(tree.grassroots2, other)
    orgs.merge_units([tree.grassroots], into=tree.grassroots2, by=None)
    assert Plan.objects.get(pk=moved.pk).unit_id == tree.grassroots2.pk
    assert Plan.objects.get(pk=kept.pk).unit_id == tree.grassroots.pk  # the successor has one
    assert Plan.objects.get(pk=own.pk).unit_id == tree.grassroots2.pk
    upper = orgs.Unit.objects.get(pk=tree.upper.pk)
    assert services.plan_coverage(campaign, [upper])[upper.pk] == (1, 1)
    assert services.plan_coverage(other, [upper])[upper.pk] == (1, 1)
