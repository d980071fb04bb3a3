"""The login limit: one for every way in, per account whatever the spelling, per address
without locking out an office behind one address, and exact under parallel attempts."""

from __future__ import annotations

import datetime as dt
import threading
import time
from typing import Any
from unittest import mock

import pytest
from django.contrib.auth import authenticate
from django.test import Client, RequestFactory

from conftest import PASSWORD, make_user
from sangkien.accounts import services
from sangkien.accounts.models import LoginAttempts, User
from sangkien.initiatives.tests.test_concurrency import (  # noqa: F401 - the fixture
    own_connections,
    run_at_once,
)

LOGIN = "/accounts/login/"
SIGNUP = "/accounts/signup/"
ADMIN_LOGIN = "/admin/login/"


def site_login(client: Client, identifier: str, password: str, **extra: Any) -> Any:
    return client.post(LOGIN, {"identifier": identifier, "password": password}, **extra)


def admin_login(client: Client, username: str, password: str) -> Any:
    return client.post(ADMIN_LOGIN, {"username": username, "password": password, "next": "/admin/"})


@pytest.fixture
def root(tree) -> User:
    user = make_user("root", email="root@example.com", phone="0900000001")
    user.is_staff = user.is_superuser = True
    user.save()
    return user


@pytest.fixture
def lan(tree) -> User:
    return make_user("lan", email="lan@example.com", phone="0900000003")


# -- the admin's login -----------------------------------------------------------------------


def test_the_admin_login_is_limited_like_the_site_login(client, settings, root):
    for _ in range(30):
        assert "_auth_user_id" not in admin_login(client, "root", "sai").wsgi_request.session
    response = admin_login(client, "root", PASSWORD)
    assert "_auth_user_id" not in client.session
    assert response.status_code == 429
    assert "Đăng nhập sai quá nhiều lần" in response.content.decode()
    assert site_login(client, "root", PASSWORD).status_code == 429


def test_failures_on_the_site_login_close_the_admin_login(client, settings, root):
    for _ in range(settings.LOGIN_MAX_FAILURES):
        assert site_login(client, "root", "sai").status_code == 200
    assert admin_login(client, "root", PASSWORD).status_code == 429
    assert "_auth_user_id" not in client.session


def test_a_wrong_password_on_the_admin_login_is_not_a_429(client, root):
    response = admin_login(client, "root", "sai")
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


def test_failures_on_the_admin_login_close_the_site_login(client, settings, root):
    for _ in range(settings.LOGIN_MAX_FAILURES):
        admin_login(client, "root", "sai")
    assert site_login(client, "root", PASSWORD).status_code == 429


def test_the_admin_login_still_works(client, root):
    response = admin_login(client, "root@example.com", PASSWORD)
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(root.pk)


# -- per account, whatever the spelling ------------------------------------------------------


@pytest.mark.parametrize(
    "spelling", ["lan", "LAN", "lan@example.com", "0900000003", "+84900000003", "84900000003"]
)
def test_every_spelling_of_the_identifier_logs_in(client, lan, spelling):
    assert site_login(client, spelling, PASSWORD).status_code == 302
    assert client.session["_auth_user_id"] == str(lan.pk)


def test_failures_under_every_spelling_count_for_the_one_account(client, settings, lan):
    spellings = ["lan", "LAN@example.com", "0900000003", "+84900000003", "84900000003"]
    assert len(spellings) == settings.LOGIN_MAX_FAILURES
    for spelling in spellings:
        assert site_login(client, spelling, "sai").status_code == 200
    for spelling in [*spellings, "0900 000 003"]:
        assert site_login(client, spelling, PASSWORD).status_code == 429
    assert "_auth_user_id" not in client.session


def test_unknown_identifiers_are_counted_in_their_normalised_form(client, settings, tree):
    for spelling in ["Nobody", "NOBODY", "nobody", "nobody ", "NoBody"]:
        site_login(client, spelling, "sai")
    assert site_login(client, "nobody", "sai").status_code == 429
    for spelling in ["0911111111", "+84911111111", "84911111111", "0911 111 111", "091.111.1111"]:
        site_login(client, spelling, "sai")
    assert site_login(client, "+84 911 111 111", "sai").status_code == 429


def test_a_good_login_starts_the_account_count_again(client, settings, lan):
    for _ in range(settings.LOGIN_MAX_FAILURES - 1):
        site_login(client, "lan", "sai")
    assert site_login(client, "lan", PASSWORD).status_code == 302
    client.logout()
    for _ in range(settings.LOGIN_MAX_FAILURES - 1):
        assert site_login(client, "lan", "sai").status_code == 200
    assert site_login(client, "lan", PASSWORD).status_code == 302


def test_the_account_opens_again_after_the_window(client, settings, lan):
    for _ in range(settings.LOGIN_MAX_FAILURES):
        site_login(client, "lan", "sai")
    assert site_login(client, "lan", PASSWORD).status_code == 429
    LoginAttempts.objects.update(
        window_start=dt.datetime(2020, 1, 1, tzinfo=dt.UTC)  # long ago
    )
    assert site_login(client, "lan", PASSWORD).status_code == 302


def test_the_refusal_says_how_long_to_wait_in_both_languages(client, settings, lan):
    for _ in range(settings.LOGIN_MAX_FAILURES):
        site_login(client, "lan", "sai")
    body = site_login(client, "lan", PASSWORD).content.decode()
    assert "Đăng nhập sai quá nhiều lần. Vui lòng chờ 15 phút rồi thử lại." in body
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    body = site_login(client, "lan", PASSWORD).content.decode()
    assert "Too many failed attempts. Wait 15 minutes and try again." in body


# -- per address -----------------------------------------------------------------------------


def test_one_address_mistyping_for_many_accounts_does_not_lock_out_the_office(
    client, settings, lan
):
    """Twenty colleagues behind one NAT address each mistype once: the next one logs in."""
    for i in range(20):
        make_user(f"nv{i}")
        assert site_login(client, f"nv{i}", "sai").status_code == 200
    assert site_login(client, "lan", PASSWORD).status_code == 302


def test_one_address_guessing_on_many_accounts_is_slowed(client, settings, lan):
    settings.LOGIN_MAX_FAILURES_PER_ADDRESS = 12
    for i in range(12):
        site_login(client, f"nobody{i}", "sai")
    assert site_login(client, "lan", PASSWORD).status_code == 429
    other = Client(REMOTE_ADDR="203.0.113.9")
    assert site_login(other, "lan", PASSWORD).status_code == 302


def test_good_logins_from_an_address_do_not_use_up_its_count(client, settings, lan):
    settings.LOGIN_MAX_FAILURES_PER_ADDRESS = 3
    for _ in range(5):
        assert site_login(client, "lan", PASSWORD).status_code == 302
        client.logout()


# -- parallel attempts -----------------------------------------------------------------------


def test_thirty_parallel_attempts_check_at_most_five_passwords(own_connections, settings):  # noqa: F811
    make_user("song-song", phone="0900000009")
    checked: list[int] = []
    lock = threading.Lock()
    original = User.check_password

    def slow_check(self: User, raw: str) -> bool:
        with lock:
            checked.append(1)
        time.sleep(0.05)  # the real hasher takes its time: parallel requests overlap
        return original(self, raw)

    spellings = ["song-song", "0900000009", "+84900000009", "84900000009", "SONG-SONG"]

    def attempt(i: int):
        def job() -> Any:
            request = RequestFactory().post(LOGIN, REMOTE_ADDR=f"198.51.100.{i}")
            return authenticate(request, username=spellings[i % 5], password="sai")

        return job

    with mock.patch.object(User, "check_password", slow_check):
        results = run_at_once(own_connections, *(attempt(i) for i in range(30)))
    assert not [r for r in results if isinstance(r, Exception)], results
    assert len(checked) == settings.LOGIN_MAX_FAILURES


def test_a_refused_password_at_sign_up_is_no_guess(client, settings, member_record):
    """Only wrong codes and wrong facts count; a refused password gives its attempt back."""
    code = services.invite_members([member_record], by=None)[0].code
    data = {"code": code, "member_code": member_record.code, "username": "hoa"}
    for _ in range(settings.LOGIN_MAX_FAILURES + 2):
        response = client.post(SIGNUP, {**data, "password1": "abc", "password2": "abc"})
        assert response.status_code == 400
        assert response.context["form"].has_error("password1")
    response = client.post(SIGNUP, {**data, "password1": PASSWORD, "password2": PASSWORD})
    assert response.status_code == 302
    assert User.objects.filter(username="hoa", member=member_record).exists()
