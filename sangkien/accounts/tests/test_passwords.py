"""Changing a password, resetting it by email, and an officer's temporary password that
must be changed at the next login."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from conftest import PASSWORD, make_user
from sangkien.accounts import services
from sangkien.accounts.models import Role, User
from sangkien.core.models import AuditEntry

NEW_PASSWORD = "mot-mat-khau-moi-2026"
CHANGE = "/accounts/password/"


# -- change --------------------------------------------------------------------------------


def test_change_password_needs_the_old_one_and_keeps_the_session(login, unit_officer):
    client = login(unit_officer)
    assert client.get(CHANGE).status_code == 200
    wrong = {"old_password": "sai", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    assert client.post(CHANGE, wrong).status_code == 400
    ok = {**wrong, "old_password": PASSWORD}
    response = client.post(CHANGE, ok)
    assert response.status_code == 302
    unit_officer.refresh_from_db()
    assert unit_officer.check_password(NEW_PASSWORD)
    assert client.get(reverse("accounts:me")).status_code == 200  # still signed in
    assert AuditEntry.objects.filter(action="user.password", actor=unit_officer).exists()


def test_change_password_applies_the_password_validators(login, unit_officer):
    data = {"old_password": PASSWORD, "new_password1": "12345678", "new_password2": "12345678"}
    response = login(unit_officer).post(CHANGE, data)
    assert response.status_code == 400
    assert response.context["form"].has_error("new_password2")


def test_change_password_needs_login(client, db):
    assert client.get(CHANGE)["Location"].startswith(reverse("accounts:login"))


# -- an officer's temporary password --------------------------------------------------------


def test_officer_gives_a_member_a_temporary_password_that_must_be_changed(
    client, unit_officer, member
):
    officer = Client()
    officer.force_login(unit_officer)
    url = reverse("accounts:member_account", args=[member.member.code])
    page = officer.get(url)
    assert page.context["may_reset"]
    assert officer.post(url, {"action": "reset"}).status_code == 400  # not confirmed
    response = officer.post(url, {"action": "reset", "confirm": "on"})
    assert response.status_code == 200
    temporary = re.search(r"data-temporary-password>([A-Z0-9-]+)<", response.content.decode())[1]
    member.refresh_from_db()
    assert member.must_change_password and member.check_password(temporary)
    assert AuditEntry.objects.filter(action="user.password", actor=unit_officer).exists()

    # The member logs in with it and every page leads to the change-password page.
    login = client.post(reverse("accounts:login"), {"identifier": "member", "password": temporary})
    assert login.status_code == 302
    home = client.get("/")
    assert home.status_code == 302 and home["Location"] == CHANGE + "?next=%2F"
    assert client.get("/initiatives/")["Location"].startswith(CHANGE)
    assert client.get(CHANGE).status_code == 200
    data = {"old_password": temporary, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    response = client.post(CHANGE, {**data, "next": "/initiatives/"})
    assert response["Location"] == "/initiatives/"
    member.refresh_from_db()
    assert not member.must_change_password
    assert client.get("/").status_code == 200


def test_a_forced_change_leaves_logout_and_the_language_switch_open(client, member):
    member.must_change_password = True
    member.save()
    client.force_login(member)
    assert (
        client.post(reverse("set_language"), {"language": "en", "next": CHANGE}).status_code == 302
    )
    assert client.post(reverse("accounts:logout")).status_code == 302
    assert "_auth_user_id" not in client.session


@pytest.mark.parametrize("persona", ["outsider", "reviewer", "support_team"])
def test_others_cannot_reset_a_members_password(request, persona, member):
    client = Client()
    client.force_login(request.getfixturevalue(persona))
    url = reverse("accounts:member_account", args=[member.member.code])
    assert client.post(url, {"action": "reset", "confirm": "on"}).status_code == 404
    member.refresh_from_db()
    assert member.check_password(PASSWORD) and not member.must_change_password


def test_an_officer_cannot_reset_someone_who_holds_a_role_above_them(tree, member, login):
    grassroots_officer = make_user("gr-officer", role=Role.OFFICER, unit=tree.grassroots)
    services.grant_role(member, role=Role.OFFICER, unit=tree.province, by=None)
    client = login(grassroots_officer)
    url = reverse("accounts:member_account", args=[member.member.code])
    assert not client.get(url).context["may_reset"]
    assert client.post(url, {"action": "reset", "confirm": "on"}).status_code == 404
    # The province's officer may.
    from sangkien.accounts.permissions import can_reset_password

    province_officer = make_user("pr-officer", role=Role.OFFICER, unit=tree.province)
    assert can_reset_password(province_officer, member)
    assert not can_reset_password(member, member)


# -- reset by email ------------------------------------------------------------------------


def reset_link(message) -> str:
    return re.search(r"https?://[^/\s]+(/accounts/password/reset/\S+/)", message.body)[1]


def test_reset_by_email_sends_a_link_that_sets_a_new_password(client, member):
    member.email = "hoa@example.com"
    member.must_change_password = True
    member.save()
    response = client.post(reverse("accounts:password_reset"), {"email": "HOA@example.com"})
    assert response["Location"] == reverse("accounts:password_reset_done")
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["hoa@example.com"]
    assert "Sáng kiến" in message.subject and "member" in message.body  # the username
    link = reset_link(message)
    form = client.get(link, follow=True)
    assert form.status_code == 200 and form.context["validlink"]
    set_url = form.redirect_chain[-1][0]
    data = {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    assert client.post(set_url, data)["Location"] == reverse("accounts:password_reset_complete")
    member.refresh_from_db()
    assert member.check_password(NEW_PASSWORD) and not member.must_change_password
    # The link works once.
    assert not client.get(link, follow=True).context["validlink"]


def test_reset_email_is_in_the_language_of_the_page(client, member):
    member.email = "hoa@example.com"
    member.save()
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    client.post(reverse("accounts:password_reset"), {"email": "hoa@example.com"})
    assert "Choose a new password" in mail.outbox[0].subject
    client.post(reverse("set_language"), {"language": "vi", "next": "/"})
    client.post(reverse("accounts:password_reset"), {"email": "hoa@example.com"})
    assert "Chọn mật khẩu mới" in mail.outbox[1].subject


def test_reset_for_an_unknown_address_says_the_same_and_sends_nothing(client, db):
    response = client.post(reverse("accounts:password_reset"), {"email": "nobody@example.com"})
    assert response["Location"] == reverse("accounts:password_reset_done")
    assert mail.outbox == []


def test_reset_pages_answer(client, db):
    for name in ("password_reset", "password_reset_done", "password_reset_complete"):
        assert client.get(reverse(name.join(["accounts:", ""]))).status_code == 200
    bad = reverse("accounts:password_reset_confirm", args=["MQ", "set-password"])
    assert not client.get(bad).context["validlink"]
    assert User.objects.count() == 0


def test_an_account_made_without_a_password_cannot_log_in_with_one(db):
    user = services.create_user(username="chi.token", password=None, by=None)
    assert not user.has_usable_password()
    assert not Client().login(username="chi.token", password="")
    response = Client().post(
        reverse("accounts:login"), {"identifier": "chi.token", "password": "x"}
    )
    assert response.status_code == 200 and "_auth_user_id" not in Client().session
