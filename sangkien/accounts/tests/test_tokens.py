"""Personal API tokens: they expire, their owner lists and revokes them (My account page,
API, command line), and none is made for a deactivated account."""

from __future__ import annotations

import datetime as dt
from io import StringIO
from unittest import mock

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.utils import timezone

from conftest import make_user
from sangkien.accounts import services
from sangkien.accounts.models import ApiToken
from sangkien.core.errors import ValidationError
from sangkien.core.models import AuditEntry

ME = "/accounts/me/"
UNITS = "/api/v1/units"


def run(*args: str) -> str:
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def bearer(raw: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {raw}"}


# -- expiry ---------------------------------------------------------------------------------


def test_a_new_token_lasts_the_default_days(settings, unit_officer):
    settings.SANGKIEN_TOKEN_DAYS = 30
    services.create_token(unit_officer)
    lasts = ApiToken.objects.get().expires_at - timezone.now()
    assert dt.timedelta(days=29, hours=23) < lasts <= dt.timedelta(days=30)


def test_an_expired_token_gets_401(client, unit_officer):
    raw = services.create_token(unit_officer, days=1)
    assert client.get(UNITS, headers=bearer(raw)).status_code == 200
    ApiToken.objects.update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    response = client.get(UNITS, headers=bearer(raw))
    assert response.status_code == 401
    assert response.json()["message"]


def test_a_token_expires_at_the_day_chosen(client, unit_officer):
    raw = services.create_token(unit_officer, days=7)
    in_six_days = timezone.now() + dt.timedelta(days=6, hours=23)
    in_eight_days = timezone.now() + dt.timedelta(days=8)
    with mock.patch("django.utils.timezone.now", return_value=in_six_days):
        assert client.get(UNITS, headers=bearer(raw)).status_code == 200
    with mock.patch("django.utils.timezone.now", return_value=in_eight_days):
        assert client.get(UNITS, headers=bearer(raw)).status_code == 401


@pytest.mark.parametrize("days", [0, -1, 366])
def test_a_token_lasts_one_day_to_the_most(unit_officer, days):
    with pytest.raises(ValidationError) as caught:
        services.create_token(unit_officer, days=days)
    assert "days" in caught.value.error_dict
    assert not ApiToken.objects.exists()


def test_no_token_for_a_deactivated_user(unit_officer):
    unit_officer.is_active = False
    unit_officer.save()
    with pytest.raises(ValidationError):
        services.create_token(unit_officer)
    assert not ApiToken.objects.exists()


# -- the command line ------------------------------------------------------------------------


def test_token_create_refuses_a_deactivated_user(unit_officer):
    unit_officer.is_active = False
    unit_officer.save()
    with pytest.raises(CommandError, match="officer"):
        run("token", "create", "officer")
    assert not ApiToken.objects.exists()


def test_token_create_takes_the_days(unit_officer):
    run("token", "create", "officer", "--days", "3", "--name", "báo cáo")
    token = ApiToken.objects.get()
    assert token.name == "báo cáo"
    assert token.expires_at - timezone.now() <= dt.timedelta(days=3)


def test_token_create_refuses_too_many_days(unit_officer):
    with pytest.raises(CommandError):
        run("token", "create", "officer", "--days", "1000")


def test_token_list_and_revoke(client, unit_officer):
    raw = run("token", "create", "officer").strip()
    prefix = ApiToken.objects.get().prefix
    assert f"{prefix}\tactive" in run("token", "list", "officer")
    assert prefix in run("token", "revoke", "officer", prefix)
    assert f"{prefix}\trevoked" in run("token", "list", "officer")
    assert client.get(UNITS, headers=bearer(raw)).status_code == 401


def test_token_revoke_finds_only_the_users_own_tokens(unit_officer, outsider):
    services.create_token(outsider)
    prefix = ApiToken.objects.get().prefix
    with pytest.raises(CommandError):
        run("token", "revoke", "officer", prefix)
    assert ApiToken.objects.get().revoked_at is None


# -- My account page -------------------------------------------------------------------------


def test_my_account_lists_my_tokens_only(login, unit_officer, outsider):
    services.create_token(unit_officer, name="máy chấm điểm")
    services.create_token(outsider, name="của người khác")
    body = login(unit_officer).get(ME).content.decode()
    assert "máy chấm điểm" in body
    assert "của người khác" not in body


def test_my_account_makes_a_token_and_shows_it_once(login, unit_officer):
    client = login(unit_officer)
    response = client.post("/accounts/me/tokens/", {"name": "tập lệnh", "days": "10"})
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    raw = response.context["new_token"]
    assert raw in response.content.decode()
    token = ApiToken.objects.get(user=unit_officer)
    assert token.name == "tập lệnh"
    assert token.expires_at - timezone.now() <= dt.timedelta(days=10)
    assert Client().get(UNITS, headers=bearer(raw)).status_code == 200
    assert raw not in client.get(ME).content.decode()
    assert AuditEntry.objects.filter(action="token.create", actor=unit_officer).exists()


@pytest.mark.parametrize("days", ["0", "366", "", "abc"])
def test_my_account_refuses_a_bad_term(login, unit_officer, days):
    response = login(unit_officer).post("/accounts/me/tokens/", {"name": "x", "days": days})
    assert response.status_code == 400
    assert response.context["token_form"].errors["days"]
    assert not ApiToken.objects.exists()


def test_my_account_revokes_my_token(login, unit_officer):
    raw = services.create_token(unit_officer)
    token = ApiToken.objects.get()
    client = login(unit_officer)
    response = client.post(f"/accounts/me/tokens/{token.pk}/revoke/")
    assert response.status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert Client().get(UNITS, headers=bearer(raw)).status_code == 401
    assert AuditEntry.objects.filter(action="token.revoke", actor=unit_officer).exists()


def test_nobody_revokes_someone_elses_token_on_the_page(login, unit_officer, outsider):
    services.create_token(unit_officer)
    token = ApiToken.objects.get()
    assert login(outsider).post(f"/accounts/me/tokens/{token.pk}/revoke/").status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None


def test_the_token_pages_need_a_login_and_a_post(client, login, unit_officer):
    services.create_token(unit_officer)
    token = ApiToken.objects.get()
    assert client.post("/accounts/me/tokens/", {"days": "5"}).status_code == 302
    assert client.post(f"/accounts/me/tokens/{token.pk}/revoke/").status_code == 302
    signed_in = login(unit_officer)
    assert signed_in.get("/accounts/me/tokens/").status_code == 405
    assert signed_in.get(f"/accounts/me/tokens/{token.pk}/revoke/").status_code == 405
    assert not ApiToken.objects.exclude(pk=token.pk).exists()
    token.refresh_from_db()
    assert token.revoked_at is None


def test_a_member_may_make_a_token(login, member):
    response = login(member).post("/accounts/me/tokens/", {"days": "5"})
    assert response.status_code == 200
    assert ApiToken.objects.filter(user=member).count() == 1


# -- the API ---------------------------------------------------------------------------------


def test_the_api_lists_the_callers_tokens(client, unit_officer, outsider):
    raw = services.create_token(unit_officer, name="một")
    services.create_token(unit_officer, name="hai")
    services.revoke_token(ApiToken.objects.get(name="hai"), by=unit_officer)
    services.create_token(outsider, name="ba")
    items = client.get("/api/v1/tokens", headers=bearer(raw)).json()["items"]
    assert [(t["name"], t["active"]) for t in items] == [("hai", False), ("một", True)]
    assert all("key_hash" not in t for t in items)


def test_the_api_revokes_the_callers_token(client, unit_officer):
    raw = services.create_token(unit_officer)
    other = services.create_token(unit_officer)
    token = ApiToken.objects.get(prefix=other[:10])
    response = client.post(f"/api/v1/tokens/{token.pk}/revoke", headers=bearer(raw))
    assert response.status_code == 200
    assert response.json()["active"] is False
    assert client.get(UNITS, headers=bearer(other)).status_code == 401
    assert client.get(UNITS, headers=bearer(raw)).status_code == 200


def test_a_token_revokes_itself(client, unit_officer):
    raw = services.create_token(unit_officer)
    token = ApiToken.objects.get()
    assert client.post(f"/api/v1/tokens/{token.pk}/revoke", headers=bearer(raw)).status_code == 200
    assert client.get(UNITS, headers=bearer(raw)).status_code == 401


def test_the_api_does_not_find_someone_elses_token(client, unit_officer, outsider):
    services.create_token(unit_officer)
    token = ApiToken.objects.get()
    response = client.post(
        f"/api/v1/tokens/{token.pk}/revoke", headers=bearer(services.create_token(outsider))
    )
    assert response.status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None


def test_the_token_list_needs_authentication(client, tree):
    assert client.get("/api/v1/tokens").status_code == 401


def test_the_api_makes_no_token(client, unit_officer):
    raw = services.create_token(unit_officer)
    response = client.post("/api/v1/tokens", {"days": 5}, headers=bearer(raw))
    assert response.status_code in (404, 405)
    assert ApiToken.objects.count() == 1


def test_the_tokens_of_a_user_deactivated_afterwards_fail(client, tree):
    user = make_user("lan")
    raw = services.create_token(user)
    user.is_active = False
    user.save()
    assert client.get(UNITS, headers=bearer(raw)).status_code == 401
