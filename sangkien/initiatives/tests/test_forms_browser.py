"""In Chromium on a 360 px phone: a refused form puts the focus on its first error, and the
summary at its top links to every field in error (sangkien/forms.js). The test relies on
field names, ids and data attributes, not on classes or wording."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from conftest import PASSWORD
from sangkien.browser_testing import log_in
from sangkien.initiatives.models import Initiative, Status
from sangkien.initiatives.tests.builders import make_campaign, make_initiative

pytestmark = pytest.mark.browser


@pytest.fixture
def viewport():
    return {"width": 360, "height": 740}


def focused_id(page) -> str:
    return page.evaluate("document.activeElement && document.activeElement.id")


def test_a_refused_entry_form_focuses_its_first_error_and_links_to_the_others(page, tree, member):
    make_campaign(tree.root, requires_recognition=False)
    log_in(page, "member", PASSWORD)
    page.goto("/initiatives/new/")
    page.locator("[name=title]").fill("Cải tiến khuôn ép")
    page.locator("[name=first_applied_on]").fill("31/02/2026")
    page.locator("button[name=action][value=submit]").click()
    summary = page.locator("[data-error-summary]").first
    expect(summary).to_be_visible()
    links = summary.locator("a[data-error-link]")
    expect(links.first).to_have_attribute("href", re.compile("^#id_"))
    first = links.first.get_attribute("href")[1:]
    expect(page.locator(f"#{first}")).to_be_focused()
    # Every error came in this round: the unreadable date and what a submission needs.
    hrefs = [links.nth(i).get_attribute("href") for i in range(links.count())]
    assert "#id_first_applied_on" in hrefs and "#id_problem" in hrefs, hrefs
    summary.locator("a[href='#id_first_applied_on']").click()
    expect(page.locator("#id_first_applied_on")).to_be_focused()
    assert not Initiative.objects.exists()


def test_a_refused_decision_lands_on_the_decision_form_with_the_focus_on_the_error(
    page, tree, member, unit_officer
):
    campaign = make_campaign(tree.root)
    initiative = make_initiative(campaign, tree.grassroots, by=member, status=Status.SUBMITTED)
    log_in(page, "officer", PASSWORD)
    page.goto(f"/initiatives/{initiative.pk}/")
    decide = page.locator(f"form[action^='/initiatives/{initiative.pk}/decide/']")
    decide.locator("input[name=decision][value=returned]").check()
    decide.locator("[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/decide/#decide$"))
    expect(page.locator("#decision-refused")).to_be_visible()
    expect(page.locator("[data-decision-refused]")).to_be_visible()
    expect(page.locator("#decide_reason")).to_be_focused()
    expect(page.locator("#decide_reason")).to_be_in_viewport()
    assert Initiative.objects.get(pk=initiative.pk).status == Status.SUBMITTED
