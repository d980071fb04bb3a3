"""The bulk decision journey in Chromium on a 360 × 740 phone: a reviewer opens the review
queue from the menu, validates 20 initiatives in one bulk action and returns 3 with one
reason; every one has its own history row and its authors' notification. The test relies
on field names, URLs and data attributes, not on classes or wording."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from conftest import PASSWORD
from sangkien.browser_testing import horizontal_overflow, log_in, open_menu
from sangkien.initiatives.models import Action, HistoryEntry, Initiative, Status
from sangkien.initiatives.tests.builders import make_campaign, make_initiative
from sangkien.notifications.models import Notification

pytestmark = pytest.mark.browser

PHONE = {"width": 360, "height": 740}
REASON = "Bổ sung biên bản nghiệm thu và cách tính giá trị làm lợi."


@pytest.fixture
def viewport():
    return PHONE


def test_reviewer_validates_twenty_in_one_action_and_returns_three_with_a_reason(
    page, tree, member, reviewer
):
    campaign = make_campaign(tree.root)
    waiting = [
        make_initiative(
            campaign, tree.grassroots, by=member, status=Status.SUBMITTED, title=f"Sáng kiến {n:02}"
        )
        for n in range(23)
    ]
    log_in(page, "reviewer", PASSWORD)
    open_menu(page)
    page.locator("nav a[href='/initiatives/review/']").click()
    expect(page).to_have_url(re.compile(r"/initiatives/review/"))
    rows = page.locator("[data-bulk-row]")
    expect(rows).to_have_count(23)
    assert horizontal_overflow(page) <= 1, "the queue with its bulk form scrolls sideways"

    # Twenty ticked on the phone, then "valid" at the top and the bar at the bottom.
    oldest_first = sorted(waiting, key=lambda i: i.pk)
    to_validate = oldest_first[:20]
    for initiative in to_validate:
        page.locator(f"[data-bulk-row][value='{initiative.pk}']").check()
    expect(page.locator("[data-bulk-selected]")).to_contain_text("20")
    page.locator("input[name=decision][value=valid]").check()
    bar = page.locator("[data-bulk-bar] button[type=submit]")
    bar.scroll_into_view_if_needed()
    expect(bar).to_be_in_viewport()
    bar.click()
    expect(page).to_have_url(re.compile(r"/initiatives/review/decide/"))
    expect(page.locator("[data-bulk-summary]")).to_contain_text("20")
    expect(page.locator("[data-done]")).to_have_count(20)
    assert horizontal_overflow(page) <= 1

    # The three left: returned with one reason.
    page.locator("a.button[href^='/initiatives/review/']").click()
    expect(rows).to_have_count(3)
    for box in rows.all():
        box.check()
    page.locator("input[name=decision][value=returned]").check()
    page.locator("[name=reason]").fill(REASON)
    page.locator("[data-bulk-bar] button[type=submit]").click()
    expect(page.locator("[data-bulk-summary]")).to_contain_text("3")
    expect(page.locator("[data-done]")).to_have_count(3)

    validated = Initiative.objects.filter(pk__in=[i.pk for i in to_validate])
    assert {i.status for i in validated} == {Status.VALID}
    assert all(i.benefit_valid_vnd == i.benefit_claimed_vnd for i in validated)
    returned = Initiative.objects.filter(pk__in=[i.pk for i in oldest_first[20:]])
    assert {i.status for i in returned} == {Status.RETURNED}
    assert {i.decision_reason for i in returned} == {REASON}
    for initiative in validated:
        [entry] = HistoryEntry.objects.filter(initiative=initiative, action=Action.VALIDATED)
        assert entry.actor == reviewer
    for initiative in returned:
        [entry] = HistoryEntry.objects.filter(initiative=initiative, action=Action.RETURNED)
        assert entry.actor == reviewer and entry.note == REASON
    texts = list(Notification.objects.filter(user=member).values_list("text", flat=True))
    for initiative in [*validated, *returned]:
        assert sum(initiative.reference in t for t in texts) == 1
    assert sum(REASON in t for t in texts) == 3
