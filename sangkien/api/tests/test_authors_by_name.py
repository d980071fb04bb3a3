"""A co-author given by name through the API, as on the page: a name that a member of the
union has is never stored as "outside the system" silently; it is refused with the members'
codes (to link by `member`) unless the row says `outside`; a name no member has is kept
outside and the response says so."""

from __future__ import annotations

import datetime as dt

import pytest

from sangkien.api.tests import test_initiatives as base
from sangkien.initiatives.models import Author
from sangkien.orgs import services as orgs

# The fixtures and helpers of the initiatives API's tests.
api = base.api
draft, entry, invalid, ok, url = base.draft, base.entry, base.invalid, base.ok, base.url


@pytest.fixture
def campaign(tree):
    """The initiatives API tests' campaign (test_initiatives keeps its own in a kept world)."""
    return base.make_api_campaign(tree)


@pytest.fixture
def english(api):
    """The API as an English-speaking client calls it."""

    def call(*args, **kwargs):
        return api(*args, headers={"Accept-Language": "en"}, **kwargs)

    return call


@pytest.fixture
def dinh(tree):
    return orgs.create_member(
        unit=tree.grassroots, full_name="Đinh Văn Định", by=None, code="DV00000077",
        birth_date=dt.date(1988, 4, 2),
    )  # fmt: skip


def with_coauthor(name, **extra):
    return entry(
        authors=[{"member": "DV00000001", "share": 50}, {"name": name, "share": 50, **extra}]
    )


def test_a_name_a_member_has_is_refused_with_their_code_and_nothing_is_stored(
    api, member, campaign, dinh
):
    before = Author.objects.count()
    body = invalid(
        api("post", "/api/v1/initiatives", member, with_coauthor("dinh van dinh")), "authors.1.name"
    )
    [message] = body["errors"]["authors.1.name"]
    assert "DV00000077" in message and '"outside": true' in message
    assert Author.objects.count() == before


def test_two_members_of_that_name_are_both_offered(english, tree, member, campaign, dinh):
    orgs.create_member(unit=tree.grassroots, full_name="Đinh Văn Định", by=None, code="DV00000078")
    body = invalid(
        english("post", "/api/v1/initiatives", member, with_coauthor("Đinh Văn Định")),
        "authors.1.name",
    )
    [message] = body["errors"]["authors.1.name"]
    assert (
        message.startswith("2 members of") and "DV00000077" in message and "DV00000078" in message
    )


def test_the_member_code_links_the_coauthor(api, member, campaign, dinh):
    body = ok(
        api(
            "post",
            "/api/v1/initiatives",
            member,
            entry(
                authors=[
                    {"member": "DV00000001", "share": 50},
                    {"member": "DV00000077", "share": 50},
                ]
            ),
        ),
        201,
    )
    assert [a["member"] for a in body["authors"]] == ["DV00000001", "DV00000077"]
    assert body["notes"] == []


def test_outside_keeps_the_name_as_the_author_said(api, member, campaign, dinh):
    body = ok(
        api("post", "/api/v1/initiatives", member, with_coauthor("Đinh Văn Định", outside=True)),
        201,
    )
    assert [(a["member"], a["name"]) for a in body["authors"]][1] == (None, "Đinh Văn Định")
    assert body["notes"] == []


def test_a_name_no_member_has_is_kept_outside_with_a_note(english, member, campaign, dinh):
    body = ok(english("post", "/api/v1/initiatives", member, with_coauthor("Hồ Văn Nam")), 201)
    assert body["authors"][1]["member"] is None
    [note] = body["notes"]
    assert "No member of" in note and "Hồ Văn Nam" in note and "outside the system" in note


def test_patch_refuses_a_members_name_too_and_changes_nothing(api, member, campaign, dinh):
    initiative = draft(member, campaign)
    authors = [{"member": "DV00000001", "share": 80}, {"name": "Dinh Van Dinh", "share": 20}]
    invalid(api("patch", url(initiative), member, {"authors": authors}), "authors.1.name")
    assert list(initiative.authors.values_list("member__code", flat=True)) == ["DV00000001"]
    authors[1]["member"], authors[1]["name"] = "DV00000077", None
    body = ok(api("patch", url(initiative), member, {"authors": authors}))
    assert [a["member"] for a in body["authors"]] == ["DV00000001", "DV00000077"]


def test_the_proposal_speaks_vietnamese(api, member, campaign, dinh):
    response = api(
        "post",
        "/api/v1/initiatives",
        member,
        with_coauthor("Đinh Văn Định"),
        headers={"Accept-Language": "vi"},
    )
    [message] = invalid(response, "authors.1.name")["errors"]["authors.1.name"]
    assert "DV00000077" in message and "là tên của một đoàn viên" in message
