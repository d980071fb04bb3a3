"""The load test's accounts (`sangkien load_users`): refused on a database the seed did not
make; every account gets in as the scenario (loadtest/locustfile.py) does."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client

from sangkien.accounts.models import User


@pytest.fixture(autouse=True)
def fast_hasher(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def seeded_clients(tmp_path: Path, **counts: int) -> dict:
    call_command("seed", scale="test", no_progress=True, stdout=io.StringIO())
    out = tmp_path / "clients.json"
    call_command("load_users", str(out), stdout=io.StringIO(), stderr=io.StringIO(), **counts)
    return json.loads(out.read_text(encoding="utf-8"))


@pytest.mark.django_db
def test_accounts_are_refused_on_a_database_the_seed_did_not_make(tmp_path):
    with pytest.raises(CommandError, match="sangkien seed"):
        call_command("load_users", str(tmp_path / "c.json"), stdout=io.StringIO())
    assert not User.objects.exists()


@pytest.mark.django_db
def test_every_account_gets_in_as_the_scenario_does(tmp_path):
    data = seeded_clients(tmp_path, members=4, support=2, officers=3)
    kinds = [c["kind"] for c in data["clients"]]
    assert kinds.count("member") == 4 and kinds.count("support") == 2
    assert kinds.count("officer") == 3
    assert sum(1 for c in data["clients"] if c.get("session")) == 2  # one in five logs in
    for client in data["clients"]:
        answer = Client().get(
            "/api/v1/initiatives?mine=true", headers={"authorization": f"Bearer {client['token']}"}
        )
        assert answer.status_code == 200, client
        if client["kind"] == "member":
            assert User.objects.get(username=client["username"]).member.code == client["member"]
        if client.get("session"):  # signed in already
            browser = Client()
            browser.cookies["sessionid"] = client["session"]
            assert browser.get(f"/stats/{client['unit']}/").status_code == 200
        elif client["kind"] == "officer":
            browser = Client()
            response = browser.post(
                "/accounts/login/",
                {"identifier": client["username"], "password": client["password"]},
            )
            assert response.status_code == 302, client
            assert browser.get(f"/stats/{client['unit']}/").status_code == 200
    # Asked again, the same accounts are found (and given new tokens), none made twice.
    again = seeded_clients_again(tmp_path)
    assert [c["username"] for c in again["clients"]] == [c["username"] for c in data["clients"]]


def seeded_clients_again(tmp_path: Path) -> dict:
    out = tmp_path / "again.json"
    call_command(
        "load_users", str(out), members=4, support=2, officers=3,
        stdout=io.StringIO(), stderr=io.StringIO(),
    )  # fmt: skip
    return json.loads(out.read_text(encoding="utf-8"))
