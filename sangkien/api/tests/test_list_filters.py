"""The API's lists read their filters with the pages' forms: the same rules give the same
errors, a 422 naming the field with the page's message."""

from __future__ import annotations

from html import unescape

import pytest
from django.http import QueryDict
from django.urls import reverse
from django.utils import translation

from sangkien.api.audit import AuditListForm
from sangkien.api.initiatives import ListFilterForm
from sangkien.audit.forms import AuditFilterForm
from sangkien.initiatives.queue import InitiativeFilterForm, QueueFilterForm
from sangkien.initiatives.tests.builders import make_campaign


@pytest.fixture
def campaign(tree):
    return make_campaign(tree.root, code="1TRIEU")


def errors_of(response) -> dict[str, list[str]]:
    assert response.status_code == 422, response.content
    body = response.json()
    field = next(iter(body["errors"]))
    assert field in body["message"]
    return body["errors"]


def test_dates_out_of_order_are_refused_by_the_api_as_on_the_queue_page(
    login, unit_officer, campaign
):
    client = login(unit_officer)
    page = QueueFilterForm(
        QueryDict("submitted_from=10/03/2026&submitted_to=01/03/2026"), campaigns=[campaign]
    )
    assert not page.is_valid()
    message = page.errors["submitted_to"]
    with translation.override("en"):
        assert str(page.fields["submitted_to"].label) == "Submitted until"
        assert QueueFilterForm(page.data, campaigns=[campaign]).errors["submitted_to"] == [
            "The end date cannot be before the start date."
        ]
    errors = errors_of(
        client.get("/api/v1/initiatives?submitted_from=2026-03-10&submitted_to=2026-03-01")
    )
    assert errors == {"submitted_to": message}
    body = unescape(
        client.get(
            reverse("initiatives:queue"),
            {"submitted_from": "10/03/2026", "submitted_to": "01/03/2026"},
        ).content.decode()
    )
    assert message[0] in body
    # The same day twice is a range of one day, for both.
    same = client.get("/api/v1/initiatives?submitted_from=2026-03-10&submitted_to=2026-03-10")
    assert same.status_code == 200


@pytest.mark.parametrize(
    "query",
    [
        "status=accepted",
        "campaign=NOTHING",
        "campaign=1TRIEU&field=ZZ",
        "campaign=1TRIEU&phase=9",
        "phase=one",
        "submitted_from=01-01-2026",
        "submitted_to=2026-02-30",
        "on_behalf=perhaps",
        "order=random",
        "submitted_from=2026-03-10&submitted_to=2026-03-01",
    ],
)
def test_the_initiatives_list_answers_what_its_form_says(login, unit_officer, campaign, query):
    form = ListFilterForm(QueryDict(query), campaigns=[campaign])
    assert not form.is_valid()
    expected = {name: list(messages) for name, messages in form.errors.items()}
    assert errors_of(login(unit_officer).get(f"/api/v1/initiatives?{query}")) == expected


def test_the_initiatives_list_form_is_the_pages(campaign):
    """One set of rules: the API's form is the page's with the API's names for values."""
    assert issubclass(ListFilterForm, InitiativeFilterForm)
    assert issubclass(QueueFilterForm, InitiativeFilterForm)
    form = ListFilterForm(
        QueryDict("campaign=1trieu&field=kt&phase=2&on_behalf=true&order=oldest"),
        campaigns=[campaign],
    )
    assert form.is_valid(), form.errors
    filters = form.filters()
    assert filters.campaign == campaign
    assert filters.field.code == "KT" and filters.phase.number == 2
    assert filters.on_behalf is True
    assert form.ordering == ("id",)


def test_the_audit_list_refuses_what_the_audit_page_refuses(login, unit_officer):
    client = login(unit_officer)
    for query in ("kind=bogus", "date_from=2026-03-10&date_to=2026-03-01"):
        page = AuditFilterForm(QueryDict(query))
        assert not page.is_valid()
        expected = {name: list(messages) for name, messages in page.errors.items()}
        assert errors_of(client.get(f"/api/v1/audit?{query}")) == expected
    # Dates as the API writes them; the page's day-first ones are for the page.
    assert errors_of(client.get("/api/v1/audit?date_from=10/03/2026")).keys() == {"date_from"}
    assert AuditListForm(QueryDict("date_from=2026-03-10")).is_valid()
    ok = client.get("/api/v1/audit", {"date_from": "2026-03-01", "date_to": "2026-03-01"})
    assert ok.status_code == 200


def test_a_date_the_calendar_lacks_is_refused_naming_the_field(login, unit_officer):
    errors = errors_of(login(unit_officer).get("/api/v1/audit?date_to=2026-02-30"))
    assert list(errors) == ["date_to"]
    assert AuditListForm(QueryDict("date_to=2026-02-30")).errors["date_to"] == errors["date_to"]
