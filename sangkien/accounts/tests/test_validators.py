"""Password validators and username rules wherever a password or a username is set:
`sangkien adduser`, the sign-up, the reset by email, the forced change and Django admin."""

from __future__ import annotations

import re
from io import StringIO

import pytest
from django.core import mail
from django.core.management import CommandError, call_command
from django.urls import reverse

from conftest import PASSWORD, make_user
from sangkien.accounts import services
from sangkien.accounts.models import User
from sangkien.core.errors import ValidationError
from sangkien.text import scripts

LOOK_ALIKE = "\u0430dmin"  # a Cyrillic "а", then Latin "dmin"
SIGNUP = "/accounts/signup/"
GOOD = "hoa-dang-ky-2026-xanh"


def adduser(*args: str) -> str:
    out = StringIO()
    call_command("adduser", *args, stdout=out)
    return out.getvalue()


# -- the alphabet of a username --------------------------------------------------------------


def test_scripts_of_vietnamese_and_look_alikes():
    assert scripts("Nguyễn Thị Hoa đặng ư ơ ă") == ["LATIN"]
    assert scripts("officer.cs-2026@x") == ["LATIN"]
    assert scripts(LOOK_ALIKE) == ["CYRILLIC", "LATIN"]
    assert scripts("2026_.-") == []


@pytest.mark.parametrize("name", [LOOK_ALIKE, "p\u0430ypal", "\u03bffficer"])  # а, Greek ο
def test_adduser_refuses_a_username_mixing_alphabets(tree, name):
    with pytest.raises(CommandError, match="username"):
        adduser(name, "--password", GOOD)
    assert not User.objects.exists()


def test_adduser_keeps_vietnamese_usernames(tree):
    adduser("nguyễn.hoà", "--password", GOOD)
    assert User.objects.filter(username="nguyễn.hoà").exists()


def test_the_service_refuses_a_look_alike_in_the_users_language(tree):
    with pytest.raises(ValidationError) as caught:
        services.create_user(username=LOOK_ALIKE, password=GOOD, by=None)
    assert "một bảng chữ cái" in caught.value.message_dict["username"][0]


def test_the_admin_add_user_form_refuses_a_look_alike(client, tree):
    root = make_user("root")
    root.is_staff = root.is_superuser = True
    root.save()
    client.force_login(root)
    data = {"username": LOOK_ALIKE, "password1": GOOD, "password2": GOOD, "usable_password": "true"}
    response = client.post("/admin/accounts/user/add/", data)
    assert response.status_code == 200
    assert response.context["adminform"].form.has_error("username", "mixed_scripts")
    assert not User.objects.filter(username=LOOK_ALIKE).exists()


def test_sign_up_refuses_a_look_alike_username(client, member_record):
    code = services.invite_members([member_record], by=None)[0].code
    data = {"code": code, "member_code": member_record.code, "password1": GOOD, "password2": GOOD}
    response = client.post(SIGNUP, {**data, "username": LOOK_ALIKE})
    assert response.status_code == 400
    assert response.context["form"].has_error("username", "mixed_scripts")
    assert not User.objects.exists()


# -- password validators -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("username", "password"),
    [("lan", "abc"), ("thanhhoa2026", "thanhhoa2026"), ("lan", "12345678")],
)
def test_adduser_applies_the_password_validators(tree, username, password):
    with pytest.raises(CommandError, match="password"):
        adduser(username, "--password", password)
    assert not User.objects.exists()


def test_sign_up_refuses_the_username_as_password(client, member_record):
    code = services.invite_members([member_record], by=None)[0].code
    name = "nguyenthihoa1990"
    data = {"code": code, "member_code": member_record.code, "username": name}
    response = client.post(SIGNUP, {**data, "password1": name, "password2": name})
    assert response.status_code == 400
    assert response.context["form"].has_error("password1")
    assert not User.objects.filter(username=name).exists()


def test_the_reset_by_email_applies_the_validators(client, member):
    member.email = "hoa@example.com"
    member.save()
    client.post(reverse("accounts:password_reset"), {"email": "hoa@example.com"})
    link = re.search(r"https?://[^/\s]+(/accounts/password/reset/\S+/)", mail.outbox[0].body)[1]
    set_url = client.get(link, follow=True).redirect_chain[-1][0]
    for bad in ("abc", "member", "12345678"):
        response = client.post(set_url, {"new_password1": bad, "new_password2": bad})
        assert response.status_code == 200 and response.context["form"].errors
    member.refresh_from_db()
    assert member.check_password(PASSWORD)


def test_the_forced_change_applies_the_validators(client, member):
    services.set_temporary_password(member, by=None)
    client.force_login(member)
    member.refresh_from_db()
    # the old password is the temporary one: the form refuses before saving whatever it is
    for bad in ("abc", "member", "12345678"):
        data = {"old_password": "x", "new_password1": bad, "new_password2": bad}
        response = client.post(reverse("accounts:password_change"), data)
        assert response.status_code == 400
        assert response.context["form"].has_error("new_password2")
    member.refresh_from_db()
    assert member.must_change_password
