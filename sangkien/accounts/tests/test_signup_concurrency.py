"""Two people using one sign-up code at the same moment, each in their own thread with their
own database connection, committing for real: one account is made, the other is told."""

from __future__ import annotations

from typing import Any
from unittest import mock

import pytest
from django.core.exceptions import ValidationError

from sangkien.accounts import services
from sangkien.accounts.models import Invitation, User
from sangkien.initiatives.tests.test_concurrency import (  # noqa: F401 - the fixture
    own_connections,
    run_at_once,
    slowly,
)

pytestmark = pytest.mark.django_db(transaction=True)
PASSWORD = "hai-nguoi-cung-luc-2026"


def test_one_code_used_twice_at_once_makes_one_account(own_connections, member_record):  # noqa: F811
    code = services.invite_members([member_record], by=None)[0].code

    def sign_up(username: str):
        def job() -> Any:
            return services.sign_up(
                code=code,
                member_code=member_record.code,
                username=username,
                password=PASSWORD,
            )

        return job

    # The account is written slowly, so the second sign-up surely arrives while the first
    # transaction is still open.
    with mock.patch.object(services, "create_user", slowly(services.create_user)):
        results = run_at_once(own_connections, sign_up("hoa1"), sign_up("hoa2"))
    users = [r for r in results if isinstance(r, User)]
    refused = [r for r in results if isinstance(r, ValidationError)]
    assert len(users) == 1 and len(refused) == 1, results
    assert refused[0].error_dict["code"][0].code == "invalid_code"
    assert User.objects.filter(member=member_record).count() == 1
    invitation = Invitation.objects.get()
    assert invitation.used_by_id == users[0].pk
