"""Forms that help: required marks explained, every error in one round, a summary at the top
linking to each field, and a refused decision that shows itself where the reviewer looks."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from sangkien.campaigns.services import create_campaign
from sangkien.initiatives.models import Initiative, Status
from sangkien.initiatives.tests.builders import make_initiative
from sangkien.initiatives.tests.test_views import form_data, new_url


@pytest.fixture(autouse=True)
def _in_english(client, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    client.cookies["sangkien_language"] = "en"
    with translation.override("en"):
        yield


@pytest.fixture
def campaign(tree):
    return create_campaign(
        code="SK2026",
        name="Sáng kiến 2026–2027",
        owner=tree.root,
        starts_on=dt.date(2026, 1, 1),
        ends_on=dt.date(2027, 12, 31),
        by=None,
        fields=[("KT", "Kỹ thuật, công nghệ"), ("QL", "Quản lý, điều hành")],
        requires_recognition=False,
    )


@pytest.fixture
def field(campaign):
    return campaign.fields.get(code="KT")


def summary_links(html: str) -> list[str]:
    match = re.search(
        r'<div class="errors error-summary"[^>]*data-error-summary>(.*?)</div>', html, re.S
    )
    assert match, "no error summary"
    return re.findall(r'<a href="#([^"]+)" data-error-link>', match.group(1))


def test_the_entry_form_marks_what_a_submission_needs_and_explains_the_mark(
    login, member, campaign
):
    html = login(member).get(new_url()).content.decode()
    assert "Fields marked with * are needed to submit" in html
    for name in ("title", "field", "problem", "description", "first_applied_on"):
        label = re.search(rf'<label for="id_{name}">(.*?)</label>', html, re.S)
        assert label and 'class="req"' in label.group(1), name
    assert 'class="req"' not in re.search(
        r'<label for="id_conditions">(.*?)</label>', html, re.S
    ).group(1)


def test_every_error_of_the_entry_form_shows_in_one_round(login, member, field, campaign):
    """A date that cannot be read (the form's), a problem left empty (the submission's) and
    contributions adding up to 90 % (the service's): all three at once, nothing saved."""
    data = form_data(field, first_applied_on="31/02/2026", problem="", action="submit")
    data["authors-0-share"] = "90"
    response = login(member).post(new_url(), data)
    assert response.status_code == 400
    html = response.content.decode()
    links = summary_links(html)
    assert "id_first_applied_on" in links
    assert "id_problem" in links
    assert "100%" in html and "authors-h" in links
    assert not Initiative.objects.exists()


def test_fixing_what_the_summary_listed_is_enough(login, member, field, campaign):
    client = login(member)
    data = form_data(field, first_applied_on="31/02/2026", problem="", action="submit")
    client.post(new_url(), data)
    data.update(first_applied_on="01/03/2026", problem="Khuôn cũ làm hỏng nhiều đế.")
    response = client.post(new_url(), data)
    assert response.status_code == 302
    assert Initiative.objects.get().status == Status.SUBMITTED


def test_an_author_row_error_is_in_the_summary_with_a_link_to_its_field(
    login, member, field, campaign
):
    data = form_data(field)
    data["authors-0-member"] = "DV99999999"
    response = login(member).post(new_url(), data)
    assert response.status_code == 400
    assert "id_authors-0-member" in summary_links(response.content.decode())


def test_a_refused_decision_says_so_at_the_top_and_at_the_form(
    login, member, unit_officer, campaign
):
    initiative = make_initiative(campaign, member.member.unit, by=member, status=Status.SUBMITTED)
    response = login(unit_officer).post(
        reverse("initiatives:decide", args=[initiative.pk]),
        {"decision": "valid", "benefit_valid_vnd": "một triệu", "version": initiative.version},
    )
    assert response.status_code == 400
    html = response.content.decode()
    top = html.index('id="decision-refused"')
    assert top < html.index('id="decide"')
    assert 'href="#decide"' in html[top : top + 400]
    assert "data-decision-refused" in html  # beside the status badge: nothing was decided
    assert "decide_benefit_valid_vnd" in summary_links(html)
    assert f'action="/initiatives/{initiative.pk}/decide/#decide"' in html
    assert Initiative.objects.get(pk=initiative.pk).status == Status.SUBMITTED


def test_the_decision_form_reports_a_missing_reason_and_a_bad_amount_together(
    login, member, unit_officer, campaign
):
    initiative = make_initiative(campaign, member.member.unit, by=member, status=Status.SUBMITTED)
    response = login(unit_officer).post(
        reverse("initiatives:decide", args=[initiative.pk]),
        {"decision": "returned", "benefit_valid_vnd": "abc", "reason": ""},
    )
    assert response.status_code == 400
    links = summary_links(response.content.decode())
    assert "decide_reason" in links and "decide_benefit_valid_vnd" in links


def test_a_decision_outside_scope_is_still_404(login, member, outsider, campaign):
    initiative = make_initiative(campaign, member.member.unit, by=member, status=Status.SUBMITTED)
    response = login(outsider).post(
        reverse("initiatives:decide", args=[initiative.pk]), {"decision": "valid"}
    )
    assert response.status_code == 404


@pytest.mark.parametrize("name", ["accounts:password_change", "accounts:login", "accounts:signup"])
def test_shared_forms_mark_required_fields_and_explain_the_mark(client, login, unit_officer, name):
    page = login(unit_officer) if name == "accounts:password_change" else Client()
    page.cookies["sangkien_language"] = "en"
    html = page.get(reverse(name)).content.decode()
    assert 'class="req"' in html
    assert "Fields marked with * are required." in html


def test_a_validated_benefit_out_of_range_is_refused_with_the_rest(
    login, member, unit_officer, campaign
):
    initiative = make_initiative(campaign, member.member.unit, by=member, status=Status.SUBMITTED)
    response = login(unit_officer).post(
        reverse("initiatives:decide", args=[initiative.pk]),
        {"decision": "valid", "benefit_valid_vnd": "9.000.000.000.000.000.000"},
    )
    assert response.status_code == 400
    assert "decide_benefit_valid_vnd" in summary_links(response.content.decode())
    assert Initiative.objects.get(pk=initiative.pk).status == Status.SUBMITTED
