from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.contrib.sessions.backends.db import SessionStore
from django.test import RequestFactory
from django.utils import timezone
from ninja.errors import HttpError

from sangkien.accounts import services as accounts
from sangkien.accounts.models import ApiToken
from sangkien.api.auth import ActiveSessionAuth


def test_token_authenticates(client, unit_officer, bearer):
    response = client.get("/api/v1/units", headers=bearer(unit_officer))
    assert response.status_code == 200
    assert [u["code"] for u in response.json()["items"]] == ["TH"]


def test_token_keeps_the_scope_of_its_user(client, outsider, bearer):
    assert client.get("/api/v1/units/TH", headers=bearer(outsider)).status_code == 404


def test_token_scheme_is_case_insensitive(client, unit_officer):
    token = accounts.create_token(unit_officer)
    response = client.get("/api/v1/units", headers={"Authorization": f"bearer {token}"})
    assert response.status_code == 200


def test_revoked_token_gets_401(client, unit_officer):
    token = accounts.create_token(unit_officer)
    ApiToken.objects.update(revoked_at=timezone.now())
    response = client.get("/api/v1/units", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 401
    assert response.json()["message"]


@pytest.mark.parametrize("token", ["sk_unknown", "nonsense", ""])
def test_unknown_token_gets_401(client, tree, token):
    response = client.get("/api/v1/units", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 401
    assert response.json()["message"]


def test_bad_token_gets_401_even_with_a_session(login, unit_officer):
    client = login(unit_officer)
    assert client.get("/api/v1/units").status_code == 200
    response = client.get("/api/v1/units", headers={"Authorization": "Bearer sk_unknown"})
    assert response.status_code == 401


def test_token_of_a_deactivated_user_gets_401(client, unit_officer, bearer):
    headers = bearer(unit_officer)
    unit_officer.is_active = False
    unit_officer.save()
    assert client.get("/api/v1/units", headers=headers).status_code == 401


def test_token_records_when_it_was_last_used(client, unit_officer, bearer):
    client.get("/api/v1/units", headers=bearer(unit_officer))
    assert ApiToken.objects.get().last_used_at is not None


def test_session_authenticates(login, unit_officer):
    assert login(unit_officer).get("/api/v1/units/TH").status_code == 200


def _session_request(method: str, user, **extra):
    request = getattr(RequestFactory(), method)("/api/v1/units", **extra)
    request.user = user
    request.session = SessionStore()
    return request


def test_session_requests_that_change_data_need_the_csrf_token(unit_officer):
    request = _session_request("post", unit_officer)
    with pytest.raises(HttpError) as caught:
        ActiveSessionAuth()(request)
    assert caught.value.status_code == 403


def test_session_reads_need_no_csrf_token(unit_officer):
    assert ActiveSessionAuth()(_session_request("get", unit_officer)) == unit_officer


def test_session_auth_refuses_anonymous(db):
    assert ActiveSessionAuth()(_session_request("get", AnonymousUser())) is None
