"""One-time sign-up codes: made by officers for members of their subtree, used once by the
member to make an account linked to their member record."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from sangkien.accounts import services
from sangkien.accounts.models import Invitation, Role, RoleGrant, User
from sangkien.core.models import AuditEntry
from sangkien.orgs import services as orgs

SIGNUP = "/accounts/signup/"
NEW_PASSWORD = "hoa-dang-ky-2026-xanh"


@pytest.fixture
def hoa(member_record):
    """A member with no account yet."""
    return member_record


@pytest.fixture
def lan(tree):
    return orgs.create_member(
        unit=tree.grassroots,
        full_name="Trần Thị Lan",
        by=None,
        code="DV00000002",
        birth_date=dt.date(1985, 1, 2),
    )


def invite(member, by=None, **kw):
    return services.invite_members([member], by=by, **kw)[0]


def sign_up_data(code, **overrides):
    data = {
        "code": code,
        "member_code": "DV00000001",
        "username": "hoa",
        "email": "hoa.nguyen@example.com",
        "password1": NEW_PASSWORD,
        "password2": NEW_PASSWORD,
    }
    data.update(overrides)
    return data


# -- services ------------------------------------------------------------------------------


def test_codes_use_an_unambiguous_alphabet_and_only_their_hash_is_stored(hoa, unit_officer):
    issued = invite(hoa, by=unit_officer)
    assert re.fullmatch(r"[A-HJKMNP-Z2-9]{5}-[A-HJKMNP-Z2-9]{5}", issued.code)
    raw = issued.code.replace("-", "")
    stored = Invitation.objects.get()
    assert raw not in stored.code_hash and stored.code_hash == services.hash_token(raw)
    assert stored.hint == raw[:3]
    days = (stored.expires_at - timezone.now()).days
    assert settings.SANGKIEN_INVITATION_DAYS - 1 <= days <= settings.SANGKIEN_INVITATION_DAYS
    assert AuditEntry.objects.filter(action="invitation.create", actor=unit_officer).count() == 1


def test_a_code_is_found_however_it_is_typed(hoa):
    issued = invite(hoa)
    typed = " " + issued.code.lower().replace("-", " ") + " "
    assert services.find_invitation(typed).pk == issued.invitation.pk
    assert services.find_invitation("IIIII-00000") is None


def test_sign_up_by_member_code_links_the_account_and_uses_the_code(hoa):
    issued = invite(hoa)
    user = services.sign_up(
        code=issued.code, member_code="dv00000001", username="hoa", password=NEW_PASSWORD
    )
    assert user.member == hoa
    assert user.check_password(NEW_PASSWORD)
    assert RoleGrant.objects.filter(user=user, role=Role.MEMBER, unit=hoa.unit).exists()
    invitation = Invitation.objects.get()
    assert invitation.used_at is not None and invitation.used_by == user
    assert AuditEntry.objects.filter(action="invitation.use", actor=user).exists()
    with pytest.raises(ValidationError) as exc:
        services.sign_up(
            code=issued.code, member_code="DV00000001", username="hoa2", password=NEW_PASSWORD
        )
    assert exc.value.error_dict["code"][0].code == "invalid_code"


def test_sign_up_by_name_and_date_of_birth_ignores_diacritics_and_case(hoa):
    issued = invite(hoa)
    user = services.sign_up(
        code=issued.code,
        full_name="nguyen thi  HOA",
        birth_date=dt.date(1990, 5, 17),
        username="hoa",
        password=NEW_PASSWORD,
    )
    assert user.member == hoa


@pytest.mark.parametrize(
    "facts",
    [
        {"full_name": "Nguyễn Thị Hoa"},  # a name alone is never enough
        {"full_name": "Nguyễn Thị Hoa", "birth_date": dt.date(1990, 5, 18)},
        {"full_name": "Trần Thị Lan", "birth_date": dt.date(1985, 1, 2)},  # someone else
        {"member_code": "DV00000002"},  # another member's code
        {},
    ],
)
def test_sign_up_refuses_facts_that_are_not_the_members(hoa, lan, facts):
    issued = invite(hoa)
    with pytest.raises(ValidationError) as exc:
        services.sign_up(code=issued.code, username="hoa", password=NEW_PASSWORD, **facts)
    assert exc.value.error_dict["__all__"][0].code == "mismatch"
    assert not User.objects.exists()
    assert Invitation.objects.usable().count() == 1  # the code still works


def test_an_expired_or_revoked_code_does_not_work(hoa, unit_officer):
    expired = invite(hoa)
    Invitation.objects.filter(pk=expired.invitation.pk).update(
        expires_at=timezone.now() - dt.timedelta(seconds=1)
    )
    with pytest.raises(ValidationError):
        services.sign_up(
            code=expired.code, member_code=hoa.code, username="hoa", password=NEW_PASSWORD
        )
    revoked = invite(hoa)
    services.revoke_invitation(revoked.invitation, by=unit_officer)
    with pytest.raises(ValidationError):
        services.sign_up(
            code=revoked.code, member_code=hoa.code, username="hoa", password=NEW_PASSWORD
        )
    assert AuditEntry.objects.filter(action="invitation.revoke", actor=unit_officer).exists()


def test_a_new_code_cancels_the_members_earlier_one(hoa):
    first = invite(hoa)
    second = invite(hoa)
    with pytest.raises(ValidationError):
        services.sign_up(
            code=first.code, member_code=hoa.code, username="hoa", password=NEW_PASSWORD
        )
    assert services.sign_up(
        code=second.code, member_code=hoa.code, username="hoa", password=NEW_PASSWORD
    )


def test_a_weak_password_or_a_taken_username_leaves_the_code_usable(hoa, unit_officer):
    issued = invite(hoa)
    with pytest.raises(ValidationError) as exc:
        services.sign_up(code=issued.code, member_code=hoa.code, username="hoa", password="123")
    assert "password" in exc.value.error_dict
    with pytest.raises(ValidationError) as exc:
        services.sign_up(
            code=issued.code, member_code=hoa.code, username="Officer", password=NEW_PASSWORD
        )
    assert "username" in exc.value.error_dict
    assert Invitation.objects.usable().count() == 1


def test_members_with_an_account_or_who_left_cannot_be_invited(tree, member, lan):
    with pytest.raises(ValidationError):
        services.invite_members([member.member], by=None)
    orgs.end_membership(lan, on=dt.date.today(), reason="Nghỉ việc", by=None)
    lan.refresh_from_db()
    with pytest.raises(ValidationError):
        services.invite_members([lan], by=None)
    assert not Invitation.objects.exists()


# -- views: officers -----------------------------------------------------------------------


def test_officer_invites_the_whole_union_and_gets_a_printable_sheet(
    login, unit_officer, hoa, lan, member
):
    client = login(unit_officer)
    url = reverse("accounts:unit_invitations", args=["TH-KCN-001"])
    page = client.get(url)
    assert page.status_code == 200
    assert page.context["without_account"] == 1  # Hoa has an account (the member persona)
    response = client.post(url, {"action": "all"})
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    body = response.content.decode()
    assert body.count('class="invite-card"') == 1
    assert "Trần Thị Lan" in body and "DV00000002" in body and "<svg" in body
    code = re.search(r"data-code>([A-Z0-9-]+)<", body).group(1)
    assert services.find_invitation(code).member == lan
    assert services.signup_url(code.replace("-", "")) in body


def test_officer_invites_a_list_of_members_by_code(login, unit_officer, hoa, lan):
    client = login(unit_officer)
    url = reverse("accounts:unit_invitations", args=["TH-KCN"])
    response = client.post(url, {"action": "list", "codes": "dv00000001, DV00000002"})
    assert response.status_code == 200
    assert response.content.decode().count('class="invite-card"') == 2
    assert Invitation.objects.usable().count() == 2


def test_a_list_with_a_code_outside_the_unit_is_refused(login, unit_officer, tree, hoa):
    stranger = orgs.create_member(
        unit=tree.other_grassroots, full_name="Lê Văn Nam", by=None, code="HN0000001"
    )
    client = login(unit_officer)
    url = reverse("accounts:unit_invitations", args=["TH"])
    response = client.post(url, {"action": "list", "codes": f"{hoa.code} {stranger.code}"})
    assert response.status_code == 400
    assert "HN0000001" in response.content.decode()
    assert not Invitation.objects.exists()


def test_officer_invites_one_member_from_their_account_page(login, unit_officer, lan):
    client = login(unit_officer)
    url = reverse("accounts:member_account", args=[lan.code])
    assert client.get(url).status_code == 200
    response = client.post(url, {"action": "invite"})
    assert response.status_code == 200 and "invite-card" in response.content.decode()
    assert Invitation.objects.get().member == lan


def test_officer_revokes_a_code(login, unit_officer, lan):
    issued = invite(lan)
    client = login(unit_officer)
    response = client.post(reverse("accounts:invitation_revoke", args=[issued.invitation.pk]))
    assert response.status_code == 302
    assert not Invitation.objects.usable().exists()


@pytest.mark.parametrize("persona", ["outsider", "reviewer", "support_team", "member"])
def test_invitation_pages_are_not_found_for_others(request, persona, lan):
    user = request.getfixturevalue(persona)
    from django.test import Client

    client = Client()
    client.force_login(user)
    issued = invite(lan)
    for url in (
        reverse("accounts:unit_invitations", args=["TH-KCN-001"]),
        reverse("accounts:member_account", args=[lan.code]),
    ):
        assert client.get(url).status_code == 404
        assert client.post(url, {"action": "all"}).status_code == 404
    revoke = reverse("accounts:invitation_revoke", args=[issued.invitation.pk])
    assert client.post(revoke).status_code == 404
    assert Invitation.objects.usable().count() == 1


def test_invitation_pages_need_login(client, lan):
    url = reverse("accounts:unit_invitations", args=["TH-KCN-001"])
    assert client.get(url)["Location"].startswith(reverse("accounts:login"))


# -- views: sign-up ------------------------------------------------------------------------


def test_sign_up_page_takes_the_code_from_the_link(client, hoa):
    issued = invite(hoa)
    body = client.get(issued.url.split("8000", 1)[-1]).content.decode()
    assert f'value="{issued.code}"' in body


def test_sign_up_logs_the_member_in_and_lands_on_the_home(client, hoa):
    issued = invite(hoa)
    response = client.post(SIGNUP, sign_up_data(issued.code))
    assert response.status_code == 302 and response["Location"] == "/"
    user = User.objects.get(username="hoa")
    assert client.session["_auth_user_id"] == str(user.pk)
    assert user.member == hoa and user.email == "hoa.nguyen@example.com"


def test_sign_up_errors_are_shown_and_nothing_is_made(client, hoa):
    issued = invite(hoa)
    response = client.post(SIGNUP, sign_up_data(issued.code, password2="khac"))
    assert response.status_code == 400
    assert response.context["form"].has_error("password2")
    response = client.post(SIGNUP, sign_up_data(issued.code, member_code="DV99"))
    assert response.status_code == 400
    assert response.context["form"].has_error("__all__", "mismatch")
    assert not User.objects.filter(username="hoa").exists()


def test_wrong_codes_are_rate_limited_like_logins(client, hoa):
    issued = invite(hoa)
    for _ in range(settings.LOGIN_MAX_FAILURES * 4):
        wrong = services.format_code("".join(services._readable_code(10)))
        assert client.post(SIGNUP, sign_up_data(wrong)).status_code == 400
    # Even the right code is refused from this address for the rest of the window.
    response = client.post(SIGNUP, sign_up_data(issued.code))
    assert response.status_code == 429
    assert not User.objects.filter(username="hoa").exists()


def test_wrong_facts_for_one_code_are_rate_limited(client, hoa):
    issued = invite(hoa)
    for _ in range(settings.LOGIN_MAX_FAILURES):
        response = client.post(SIGNUP, sign_up_data(issued.code, member_code="DV00000009"))
        assert response.status_code == 400
    assert client.post(SIGNUP, sign_up_data(issued.code)).status_code == 429


def test_a_signed_in_user_is_sent_home_from_sign_up(login, unit_officer):
    assert login(unit_officer).get(SIGNUP)["Location"] == "/"


def test_the_login_page_links_to_sign_up_and_reset(client, db):
    body = client.get(reverse("accounts:login")).content.decode()
    assert reverse("accounts:signup") in body and reverse("accounts:password_reset") in body


def test_an_officer_of_another_province_cannot_list_the_codes(login, outsider, hoa):
    invite(hoa)
    url = reverse("accounts:unit_invitations", args=["HN"])
    response = login(outsider).get(url)
    assert response.status_code == 200
    assert "DV00000001" not in response.content.decode()
