from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from conftest import make_user
from sangkien.accounts.models import ApiToken, Role, RoleGrant, User


def run(*args: str) -> str:
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


# -- adduser -------------------------------------------------------------------------------


def test_adduser_creates_a_user_who_can_log_in(client, tree):
    output = run("adduser", "lan", "--password", "mat-khau-1")
    assert "lan" in output
    assert client.login(username="lan", password="mat-khau-1")


def test_adduser_with_email_logs_in_by_email(client, tree):
    run("adduser", "lan", "--password", "mat-khau-1", "--email", "Lan@Example.com")
    user = User.objects.get(username="lan")
    assert user.email == "lan@example.com"
    assert client.login(username="LAN@example.com", password="mat-khau-1")


def test_adduser_with_member_links_the_record_and_grants_the_member_role(tree, member_record):
    run("adduser", "hoa", "--password", "mat-khau-1", "--member", "dv00000001")
    user = User.objects.get(username="hoa")
    assert user.member == member_record
    assert (user.last_name, user.first_name) == ("Nguyễn Thị", "Hoa")
    assert RoleGrant.objects.filter(user=user, role=Role.MEMBER, unit=tree.grassroots).exists()


def test_adduser_normalises_the_username_to_nfc(tree):
    run("adduser", "nguye\u0302\u0303n", "--password", "mat-khau-1")
    assert User.objects.filter(username="nguyễn").exists()


def test_adduser_refuses_an_unknown_member(tree):
    with pytest.raises(CommandError, match="NO-SUCH|no-such"):
        run("adduser", "lan", "--password", "mat-khau-1", "--member", "no-such")
    assert not User.objects.filter(username="lan").exists()


def test_adduser_refuses_a_taken_username(tree, unit_officer):
    with pytest.raises(CommandError, match="username"):
        run("adduser", "OFFICER", "--password", "mat-khau-1")


def test_adduser_refuses_a_taken_email(tree, unit_officer):
    with pytest.raises(CommandError, match="email"):
        run("adduser", "lan", "--password", "mat-khau-1", "--email", "officer@example.com")
    assert not User.objects.filter(username="lan").exists()


def test_adduser_needs_a_password(tree):
    with pytest.raises(CommandError, match="password"):
        run("adduser", "lan")


# -- grant ---------------------------------------------------------------------------------


def test_grant_gives_a_role_on_a_unit(tree):
    user = make_user("lan")
    output = run("grant", "lan", "officer", "th-kcn")
    assert "TH-KCN" in output
    assert RoleGrant.objects.filter(user=user, role=Role.OFFICER, unit=tree.upper).exists()


def test_grant_twice_keeps_one_grant(tree):
    make_user("lan")
    run("grant", "lan", "reviewer", "TH")
    run("grant", "lan", "reviewer", "TH")
    assert RoleGrant.objects.filter(user__username="lan").count() == 1


def test_grant_refuses_an_unknown_role_and_names_the_valid_ones(tree):
    make_user("lan")
    with pytest.raises(CommandError) as caught:
        run("grant", "lan", "boss", "TH")
    message = str(caught.value)
    assert "boss" in message
    assert "officer" in message
    assert not RoleGrant.objects.filter(user__username="lan").exists()


def test_grant_refuses_an_unknown_unit(tree):
    make_user("lan")
    with pytest.raises(CommandError, match="NOWHERE|nowhere"):
        run("grant", "lan", "officer", "nowhere")


def test_grant_refuses_an_unknown_user(tree):
    with pytest.raises(CommandError, match="ghost"):
        run("grant", "ghost", "officer", "TH")


def test_grant_refuses_a_closed_unit(tree):
    from sangkien.orgs import services as orgs

    orgs.dissolve_unit(tree.grassroots2, by=None, transfer_to=tree.grassroots)
    make_user("lan")
    with pytest.raises(CommandError, match="TH-KCN-002"):
        run("grant", "lan", "officer", "TH-KCN-002")


# -- token ---------------------------------------------------------------------------------


def test_token_create_prints_a_token_that_authenticates(client, unit_officer):
    token = run("token", "create", "officer").strip()
    assert token
    assert "\n" not in token
    response = client.get("/api/v1/units", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200
    assert [u["code"] for u in response.json()["items"]] == ["TH"]


def test_token_is_stored_only_as_a_hash(unit_officer):
    token = run("token", "create", "officer").strip()
    stored = ApiToken.objects.get()
    assert token not in (stored.key_hash, stored.prefix)
    assert token.startswith(stored.prefix)


def test_each_token_create_makes_a_new_token(unit_officer):
    assert run("token", "create", "officer") != run("token", "create", "officer")
    assert ApiToken.objects.count() == 2


def test_token_create_refuses_an_unknown_user(tree):
    with pytest.raises(CommandError, match="ghost"):
        run("token", "create", "ghost")


def test_token_needs_an_action(unit_officer):
    with pytest.raises(CommandError):
        run("token", "officer")


def test_invite_prints_a_working_code_per_member_without_an_account(tree, member):
    import datetime as dt

    from sangkien.accounts import services
    from sangkien.orgs import services as orgs

    orgs.create_member(
        unit=tree.grassroots,
        full_name="Trần Thị Lan",
        by=None,
        code="DV00000002",
        birth_date=dt.date(1985, 1, 2),
    )
    out = StringIO()
    call_command("invite", "TH-KCN-001", "--days", "7", stdout=out)
    lines = out.getvalue().splitlines()
    assert len(lines) == 1  # the member persona already has an account
    member_code, code, name, url = lines[0].split("\t")
    assert (member_code, name) == ("DV00000002", "Trần Thị Lan")
    assert url.endswith("/accounts/signup/?code=" + code)
    user = services.sign_up(
        code=code, member_code=member_code, username="lan", password="lan-dang-ky-2026"
    )
    assert user.member.code == "DV00000002"
