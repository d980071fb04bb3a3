"""A database busy with another writer: the work is tried again a bounded number of times,
and the visitor is told in words, never shown "database is locked"."""

from __future__ import annotations

import pytest
from django.db import OperationalError, transaction
from django.utils import translation

from sangkien.core import locks
from sangkien.reports import views as home_views


def locked() -> OperationalError:
    return OperationalError("database is locked")


@pytest.fixture(autouse=True)
def _no_waiting(monkeypatch):
    monkeypatch.setattr(locks, "FIRST_WAIT", 0.001)


def test_work_is_tried_again_while_the_database_is_busy():
    calls = []

    def work():
        calls.append(1)
        if len(calls) < 3:
            raise locked()
        return "done"

    assert locks.retry_on_lock(work) == "done" and len(calls) == 3


def test_work_that_stays_busy_ends_in_a_message_not_the_raw_error():
    def work():
        raise locked()

    with translation.override("vi"), pytest.raises(locks.DatabaseBusy) as caught:
        locks.retry_on_lock(work)
    assert "database is locked" not in caught.value.message
    assert "bận" in caught.value.message


def test_other_database_errors_are_not_retried():
    calls = []

    def work():
        calls.append(1)
        raise OperationalError("no such table: x")

    with pytest.raises(OperationalError):
        locks.retry_on_lock(work)
    assert len(calls) == 1


@pytest.mark.django_db(transaction=True)
def test_inside_a_transaction_the_error_goes_up_for_the_whole_to_be_redone():
    calls = []

    def work():
        calls.append(1)
        raise locked()

    with pytest.raises(OperationalError), transaction.atomic():
        locks.retry_on_lock(work)
    assert len(calls) == 1


@pytest.mark.django_db(transaction=True)
def test_a_page_that_met_a_busy_database_is_answered_on_the_next_try(
    client, tree, unit_officer, monkeypatch
):
    client.force_login(unit_officer)
    original = home_views.home_for
    calls = []

    def home_for(user):
        calls.append(1)
        if len(calls) == 1:
            raise locked()
        return original(user)

    monkeypatch.setattr(home_views, "home_for", home_for)
    response = client.get("/")
    assert response.status_code == 200 and len(calls) == 2


@pytest.mark.django_db(transaction=True)
def test_a_page_whose_database_stays_busy_says_so_in_words(client, tree, unit_officer, monkeypatch):
    client.force_login(unit_officer)

    def home_for(user):
        raise locked()

    monkeypatch.setattr(home_views, "home_for", home_for)
    response = client.get("/")
    assert response.status_code == 503 and response["Retry-After"]
    body = response.content.decode()
    assert "database is locked" not in body and "Cơ sở dữ liệu đang bận" in body


@pytest.mark.django_db(transaction=True)
def test_the_api_answers_a_busy_database_in_json(client, tree, unit_officer, monkeypatch):
    from sangkien.api import units as api_units

    client.force_login(unit_officer)

    def busy(*args, **kwargs):
        raise locked()

    monkeypatch.setattr(api_units, "top_units_for", busy)
    response = client.get("/api/v1/units")
    assert response.status_code == 503, response.content
    assert "database is locked" not in response.json()["message"]
