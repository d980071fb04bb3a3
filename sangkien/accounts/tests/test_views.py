import pytest
from django.conf import settings
from django.urls import reverse

from conftest import PASSWORD, make_user
from sangkien.accounts.models import Role, RoleGrant, User

LOGIN = "/accounts/login/"


# -- login -----------------------------------------------------------------------------------


def test_login_page_has_the_fields_a_browser_test_uses(client, db):
    body = client.get(LOGIN).content.decode()
    assert 'name="identifier"' in body and 'name="password"' in body
    assert '<label for="id_identifier"' in body and '<label for="id_password"' in body


@pytest.mark.parametrize("identifier", ["officer", "OFFICER@example.com", "+84 987 654 321"])
def test_login_by_username_email_or_phone(client, unit_officer, identifier):
    response = client.post(LOGIN, {"identifier": identifier, "password": PASSWORD})
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(unit_officer.pk)


def test_login_wrong_password_shows_message(client, unit_officer):
    response = client.post(LOGIN, {"identifier": "officer", "password": "sai"})
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session
    assert response.context["form"].non_field_errors()


def test_login_rate_limit_answers_429_after_5_failures(client, unit_officer):
    for _ in range(settings.LOGIN_MAX_FAILURES):
        assert client.post(LOGIN, {"identifier": "officer", "password": "sai"}).status_code == 200
    response = client.post(LOGIN, {"identifier": "officer", "password": PASSWORD})
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_login_follows_safe_next_only(client, unit_officer):
    data = {"identifier": "officer", "password": PASSWORD}
    assert client.post(LOGIN, {**data, "next": "/units/TH/"})["Location"] == "/units/TH/"
    client.logout()
    assert "evil" not in client.post(LOGIN, {**data, "next": "https://evil.example/"})["Location"]


def test_logout(login, unit_officer):
    client = login(unit_officer)
    assert client.post(reverse("accounts:logout")).status_code == 302
    assert "_auth_user_id" not in client.session


# -- language --------------------------------------------------------------------------------


def test_vietnamese_is_the_default(client, db):
    assert '<html lang="vi">' in client.get(LOGIN).content.decode()


def test_language_switch_sets_english(client, db):
    response = client.post(reverse("set_language"), {"language": "en", "next": LOGIN})
    assert response.status_code == 302
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    assert '<html lang="en">' in client.get(LOGIN).content.decode()


# -- my account ------------------------------------------------------------------------------


def test_my_account_needs_login(client, db):
    response = client.get(reverse("accounts:me"))
    assert response.status_code == 302
    assert response["Location"].startswith(LOGIN)


def test_my_account_lists_roles_with_unit_links(login, unit_officer, tree):
    body = login(unit_officer).get(reverse("accounts:me")).content.decode()
    assert tree.province.name in body
    assert reverse("orgs:detail", args=["TH"]) in body


def test_my_account_saves_email_preference(login, unit_officer):
    client = login(unit_officer)
    assert client.post(reverse("accounts:me"), {}).status_code == 302
    assert User.objects.get(pk=unit_officer.pk).email_notifications is False
    client.post(reverse("accounts:me"), {"email_notifications": "on"})
    assert User.objects.get(pk=unit_officer.pk).email_notifications is True


def test_member_sees_link_to_own_record(login, member, member_record):
    body = login(member).get(reverse("accounts:me")).content.decode()
    assert reverse("orgs:member_detail", args=[member_record.code]) in body


# -- role grants on a unit -------------------------------------------------------------------


def test_outsider_gets_404_on_grants(login, outsider, tree):
    assert login(outsider).get(reverse("orgs:grants", args=["TH-KCN"])).status_code == 404


def test_reviewer_cannot_manage_grants(login, reviewer, tree):
    assert login(reviewer).get(reverse("orgs:grants", args=["TH-KCN"])).status_code == 403


def test_officer_lists_and_grants_role_by_email(login, unit_officer, tree):
    person = make_user("thu", email="thu@example.com")
    client = login(unit_officer)
    url = reverse("orgs:grants", args=["TH-KCN"])
    response = client.post(url, {"identifier": "THU@example.com", "role": Role.REVIEWER})
    assert response.status_code == 302
    assert RoleGrant.objects.filter(user=person, role=Role.REVIEWER, unit=tree.upper).exists()
    assert "thu" in client.get(url).content.decode()


def test_grant_by_phone(login, unit_officer, tree):
    person = make_user("lan", phone="0901234567")
    response = login(unit_officer).post(
        reverse("orgs:grants", args=["TH-KCN-001"]),
        {"identifier": "090 123 4567", "role": Role.SUPPORT},
    )
    assert response.status_code == 302
    assert RoleGrant.objects.filter(user=person, role=Role.SUPPORT).exists()


def test_grant_to_unknown_person_shows_field_error(login, unit_officer, tree):
    response = login(unit_officer).post(
        reverse("orgs:grants", args=["TH-KCN"]), {"identifier": "nobody", "role": Role.SUPPORT}
    )
    assert response.status_code == 400
    assert "identifier" in response.context["form"].errors


def test_officer_cannot_grant_admin(login, unit_officer, tree):
    person = make_user("thu")
    client = login(unit_officer)
    url = reverse("orgs:grants", args=["TH-KCN"])
    roles = [value for value, _label in client.get(url).context["form"].fields["role"].choices]
    assert Role.ADMIN not in roles
    response = client.post(url, {"identifier": "thu", "role": Role.ADMIN})
    assert response.status_code == 400
    assert not RoleGrant.objects.filter(user=person, role=Role.ADMIN).exists()


def test_admin_can_grant_admin(login, admin, tree):
    person = make_user("thu")
    response = login(admin).post(
        reverse("orgs:grants", args=["TH"]), {"identifier": "thu", "role": Role.ADMIN}
    )
    assert response.status_code == 302
    assert RoleGrant.objects.filter(user=person, role=Role.ADMIN, unit=tree.province).exists()


def test_officer_revokes_grant(login, unit_officer, support_team, tree):
    grant = support_team.grants.get()
    url = reverse("orgs:grant_revoke", args=["TH-KCN", grant.pk])
    assert login(unit_officer).post(url).status_code == 302
    assert not RoleGrant.objects.filter(pk=grant.pk).exists()


def test_officer_cannot_revoke_admin_grant(login, unit_officer, tree):
    boss = make_user("boss", role=Role.ADMIN, unit=tree.upper)
    grant = boss.grants.get()
    url = reverse("orgs:grant_revoke", args=["TH-KCN", grant.pk])
    assert login(unit_officer).post(url).status_code == 403
    assert RoleGrant.objects.filter(pk=grant.pk).exists()


def test_revoke_needs_post(login, unit_officer, support_team, tree):
    grant = support_team.grants.get()
    url = reverse("orgs:grant_revoke", args=["TH-KCN", grant.pk])
    assert login(unit_officer).get(url).status_code == 405


def test_revoke_grant_of_another_unit_is_404(login, unit_officer, support_team, tree):
    grant = support_team.grants.get()  # held on TH-KCN
    url = reverse("orgs:grant_revoke", args=["TH-KCN-001", grant.pk])
    assert login(unit_officer).post(url).status_code == 404


# -- layout ----------------------------------------------------------------------------------


def test_layout_has_landmarks_skip_link_and_user_name(login, unit_officer):
    unit_officer.first_name, unit_officer.last_name = "Minh", "Trần Văn"
    unit_officer.save()
    body = login(unit_officer).get(reverse("accounts:me")).content.decode()
    assert 'class="skip" href="#main"' in body
    assert "<main" in body and "<nav" in body and "<header" in body
    assert "Trần Văn Minh" in body


def test_navigation_follows_roles(login, member, unit_officer, tree):
    officer_page = login(unit_officer).get(reverse("accounts:me")).content.decode()
    assert reverse("orgs:members", args=["TH"]) in officer_page
    member_page = login(member).get(reverse("accounts:me")).content.decode()
    assert "/members/" not in member_page.replace("/units/members/DV00000001/", "")
