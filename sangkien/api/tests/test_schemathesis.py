"""Schemathesis over /api/v1 (decision 0030): requests generated from the OpenAPI schema for
every operation, valid and invalid ones, sent in-process with an administrator's token and
with a grassroots officer's, on the tiny seeded tree. Every answer must be no server error,
with a status, content type, headers and body that the schema documents for the operation.

Generated ids and codes rarely name anything, so besides the freely generated requests each
operation is also tried with its path naming real things: initiatives, units, members and
campaigns inside the caller's scope and outside it.

Bounded by SANGKIEN_SCHEMATHESIS_EXAMPLES generated cases per operation, per kind (valid,
invalid) and per token (default 10: about 500 requests a token).

Schemathesis' own pytest plugin does not run under the pytest this project pins (it reads a
private attribute pytest 9.2 no longer has), so each operation's strategy is run with
Hypothesis directly; the failures of every operation are gathered and reported together."""

from __future__ import annotations

import io
import os
from typing import Any

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.management import call_command
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import load_all_checks

from conftest import make_user
from sangkien.accounts import services as accounts
from sangkien.accounts.models import ApiToken, Role
from sangkien.campaigns.models import Campaign
from sangkien.initiatives.models import Initiative
from sangkien.orgs.models import Member, Unit

load_all_checks()
from schemathesis.specs.openapi import checks as openapi_checks  # noqa: E402

EXAMPLES = int(os.environ.get("SANGKIEN_SCHEMATHESIS_EXAMPLES", "10"))
CHECKS = [
    schemathesis.checks.not_a_server_error,
    openapi_checks.status_code_conformance,
    openapi_checks.content_type_conformance,
    openapi_checks.response_schema_conformance,
    openapi_checks.response_headers_conformance,
]
SETTINGS = hypothesis_settings(
    max_examples=EXAMPLES,
    deadline=None,
    database=None,
    derandomize=True,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
    print_blob=False,
)


@pytest.fixture
def seeded(db, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    call_command("seed", scale="test", no_progress=True, stdout=io.StringIO())
    # Requests go straight to the WSGI handler, which closes the database connection at the
    # start and end of each request; the test's connection holds the test's transaction, so
    # (as Django's test client does) it is kept open.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def real_paths(unit: Unit, spare_token: int) -> dict[str, list[Any]]:
    """Path values that name something: inside `unit`'s subtree and outside it."""
    inside = Initiative.objects.in_subtree(unit)
    outside = Initiative.objects.exclude(pk__in=inside.values("pk"))
    initiatives = [
        *_one_per_status(inside),
        *outside.order_by("id").values_list("id", flat=True)[:1],
    ]
    units = [
        unit.code,
        *Unit.objects.exclude(pk=unit.pk).order_by("-path").values_list("code", flat=True)[:1],
    ]
    members = [
        *Member.objects.in_subtree(unit).order_by("id").values_list("code", flat=True)[:1],
        *Member.objects.exclude(unit__path__startswith=unit.path)
        .order_by("id")
        .values_list("code", flat=True)[:1],
    ]
    campaigns = list(Campaign.objects.order_by("id").values_list("code", flat=True)[:2])
    return {
        "initiative_id": initiatives,
        "token_id": [spare_token],
        "/units/": units,
        "/quotas/": units,
        "grassroots": list(
            Unit.objects.in_subtree(unit)
            .filter(kind="grassroots")
            .order_by("code")
            .values_list("code", flat=True)[:1]
        ),
        "/members/": members,
        "/campaigns/": campaigns,
    }


def _one_per_status(qs: Any) -> list[int]:
    seen: dict[str, int] = {}
    for pk, status in qs.order_by("id").values_list("id", "status"):
        seen.setdefault(status, pk)
    return list(seen.values())


def _strategies(operation: Any, mode: GenerationMode, paths: dict[str, list[Any]]) -> Any:
    names = [p.name for p in operation.path_parameters]
    pinned: list[dict[str, Any]] = []
    if "initiative_id" in names:
        pinned = [{"initiative_id": v} for v in paths["initiative_id"]]
    elif "token_id" in names:
        pinned = [{"token_id": v} for v in paths["token_id"]]
    elif sorted(names) == ["campaign", "code"]:
        pinned = [
            {"campaign": campaign, "code": code}
            for campaign in paths["/campaigns/"][:1]
            for code in [*paths["/units/"], *paths["grassroots"]]
        ]
    elif names == ["code"]:
        for prefix in ("/units/", "/members/", "/campaigns/", "/quotas/"):
            if prefix in operation.path:
                pinned = [{"code": v} for v in paths[prefix]]
    strategies = [operation.as_strategy(generation_mode=mode)]
    strategies += [
        operation.as_strategy(generation_mode=mode, path_parameters=values) for values in pinned
    ]
    return st.one_of(strategies)


def run_schema(token: str, paths: dict[str, list[Any]]) -> int:
    """Every operation with both kinds of generated requests; fails listing each operation
    whose answers broke a check (with the request that did). Returns the cases sent."""
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", WSGIHandler())
    headers = {"Authorization": f"Bearer {token}"}
    failures: list[str] = []
    sent = 0
    for result in schema.get_all_operations():
        operation = result.ok()
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):

            @SETTINGS
            @given(case=_strategies(operation, mode, paths))
            def check(case: Any) -> None:
                nonlocal sent
                sent += 1
                case.call_and_validate(headers=headers, checks=CHECKS)

            try:
                check()
            except (Exception, BaseExceptionGroup) as exc:  # every operation's failure is reported
                failures.append(f"{operation.label} ({mode.value}): {exc}")
    assert not failures, "\n\n".join(failures)
    return sent


def _caller(username: str, role: str, unit: Unit) -> tuple[str, dict[str, list[Any]]]:
    user = make_user(username, role=role, unit=unit)
    token = accounts.create_token(user)
    accounts.create_token(user, name="spare")
    spare = ApiToken.objects.get(user=user, name="spare").pk
    return token, real_paths(unit, spare)


@pytest.mark.long
def test_the_api_answers_an_administrator_as_its_schema_says(seeded):
    token, paths = _caller("st-admin", Role.ADMIN, Unit.objects.get(code="VN"))
    # Outside the root there is nothing: the admin's "outside" values are those of a unit.
    assert run_schema(token, paths) >= 25 * 2 * EXAMPLES


@pytest.mark.long
def test_the_api_answers_an_officer_as_its_schema_says(seeded):
    unit = Unit.objects.filter(kind="grassroots", status="active").order_by("code")[0]
    token, paths = _caller("st-officer", Role.OFFICER, unit)
    assert run_schema(token, paths) >= 25 * 2 * EXAMPLES
