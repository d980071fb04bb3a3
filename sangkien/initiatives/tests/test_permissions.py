from __future__ import annotations

from types import SimpleNamespace

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404
from django.utils import translation

from conftest import (
    build_tree,
    make_admin,
    make_member,
    make_member_record,
    make_support_team,
    make_unit_officer,
    make_user,
    shared_world,
)
from sangkien.core.pagination import keyset_page
from sangkien.initiatives import permissions as perms
from sangkien.initiatives import services
from sangkien.initiatives.models import Initiative, Status
from sangkien.orgs import services as orgs

from .builders import make_campaign, make_initiative

VERBS = {
    "view": perms.can_view_initiative,
    "edit": perms.can_edit_initiative,
    "submit": perms.can_submit_initiative,
    "withdraw": perms.can_withdraw_initiative,
    "decide": perms.can_decide_initiative,
    "reopen": perms.can_reopen_initiative,
}


def allowed(user, initiative: Initiative) -> set[str]:
    fresh = Initiative.objects.get(pk=initiative.pk)
    return {verb for verb, check in VERBS.items() if check(user, fresh)}


@pytest.fixture
def draft(tree, campaign, member):
    return make_initiative(campaign, tree.grassroots, by=member)


@pytest.fixture
def submitted(tree, campaign, member):
    return make_initiative(
        campaign, tree.grassroots, by=member, status=Status.SUBMITTED, title="Sáng kiến đã gửi"
    )


@pytest.fixture
def valid(tree, campaign, member, unit_officer):
    return make_initiative(
        campaign,
        tree.grassroots,
        by=member,
        status=Status.VALID,
        decider=unit_officer,
        title="Sáng kiến hợp lệ",
    )


def test_member_on_own_draft(member, draft):
    assert allowed(member, draft) == {"view", "edit", "submit", "withdraw"}
    assert perms.get_initiative_for_user(member, draft.pk) == draft


def test_member_on_own_initiative_under_review_and_decided(member, submitted, valid):
    assert allowed(member, submitted) == {"view", "withdraw"}
    assert allowed(member, valid) == {"view"}


def test_member_enters_for_own_unit_only(tree, member):
    assert perms.can_enter_for(member, tree.grassroots)
    assert not perms.can_enter_for(member, tree.grassroots2)
    assert not perms.can_enter_for(member, tree.upper)


def test_member_does_not_see_a_colleagues_initiative(tree, campaign, member, support_team):
    colleague = orgs.create_member(unit=tree.grassroots, full_name="Lê Văn Nam", by=None)
    theirs = make_initiative(
        campaign,
        tree.grassroots,
        by=support_team,
        status=Status.SUBMITTED,
        authors=[{"member": colleague.code, "share": 100}],
    )
    assert allowed(member, theirs) == set()
    with pytest.raises(Http404):
        perms.get_initiative_for_user(member, theirs.pk)


def test_co_author_sees_and_edits_what_the_support_team_entered(
    tree, campaign, member, member_record, support_team
):
    entered = make_initiative(
        campaign,
        tree.grassroots,
        by=support_team,
        authors=[{"member": member_record.code, "share": 100}],
    )
    assert allowed(member, entered) == {"view", "edit", "submit", "withdraw"}
    assert entered in perms.own_initiatives(member)


def test_support_team_enters_on_behalf_in_its_subtree(tree, campaign, support_team, member_record):
    assert perms.can_enter_for(support_team, tree.grassroots)
    assert perms.can_enter_for(support_team, tree.grassroots2)
    assert not perms.can_enter_for(support_team, tree.other_grassroots)
    entered = make_initiative(
        campaign,
        tree.grassroots,
        by=support_team,
        authors=[{"member": member_record.code, "share": 100}],
    )
    assert allowed(support_team, entered) == {"view", "edit", "submit", "withdraw"}
    assert list(perms.own_initiatives(support_team)) == [entered]


def test_support_team_sees_submitted_initiatives_but_does_not_decide(support_team, submitted):
    assert allowed(support_team, submitted) == {"view"}


def test_support_team_does_not_see_a_members_draft(support_team, draft):
    assert allowed(support_team, draft) == set()
    with pytest.raises(Http404):
        perms.get_initiative_for_user(support_team, draft.pk)


def test_officer_cannot_see_drafts(unit_officer, draft):
    assert allowed(unit_officer, draft) == set()
    with pytest.raises(Http404):
        perms.get_initiative_for_user(unit_officer, draft.pk)


def test_officer_decides_and_reopens_in_the_subtree(unit_officer, submitted, valid):
    assert allowed(unit_officer, submitted) == {"view", "decide"}
    assert allowed(unit_officer, valid) == {"view", "reopen"}
    assert perms.get_initiative_for_user(unit_officer, str(submitted.pk)) == submitted


def test_officer_may_fix_a_returned_initiative_on_behalf(tree, campaign, member, unit_officer):
    returned = make_initiative(
        campaign, tree.grassroots, by=member, status=Status.RETURNED, decider=unit_officer
    )
    assert allowed(unit_officer, returned) == {"view", "edit", "submit", "reopen"}


def test_reviewer_decides_but_cannot_reopen(reviewer, submitted, valid):
    assert allowed(reviewer, submitted) == {"view", "decide"}
    assert allowed(reviewer, valid) == {"view"}


def test_editor_has_no_part_in_initiatives(editor, submitted):
    assert allowed(editor, submitted) == set()


def test_officer_who_is_an_author_does_not_decide(tree, campaign):
    record = orgs.create_member(unit=tree.grassroots, full_name="Đỗ Minh Tuấn", by=None)
    officer = make_user("officer.cs", role="officer", unit=tree.grassroots, member=record)
    own = make_initiative(campaign, tree.grassroots, by=officer, status=Status.SUBMITTED)
    assert allowed(officer, own) == {"view", "withdraw"}


@pytest.mark.parametrize("which", ["draft", "submitted", "valid"])
def test_outsider_gets_nothing_and_404(request, outsider, which):
    initiative = request.getfixturevalue(which)
    assert allowed(outsider, initiative) == set()
    assert not perms.can_enter_for(outsider, initiative.unit)
    assert not perms.can_review_unit(outsider, initiative.unit)
    with pytest.raises(Http404):
        perms.get_initiative_for_user(outsider, initiative.pk)


@pytest.mark.parametrize("which", ["draft", "submitted"])
def test_anonymous_gets_404(request, which):
    initiative = request.getfixturevalue(which)
    assert allowed(AnonymousUser(), initiative) == set()
    with pytest.raises(Http404):
        perms.get_initiative_for_user(AnonymousUser(), initiative.pk)


def test_inactive_author_loses_access(member, draft):
    member.is_active = False
    member.save()
    assert allowed(member, draft) == set()


@pytest.mark.parametrize("pk", ["abc", None, "999999", -1])
def test_unknown_or_malformed_id_is_404(admin, pk):
    with pytest.raises(Http404):
        perms.get_initiative_for_user(admin, pk)


def test_admin_can_do_everything(tree, campaign, admin, member, draft, submitted, valid):
    assert perms.can_enter_for(admin, tree.other_grassroots)
    assert perms.can_review_unit(admin, tree.other_grassroots)
    assert allowed(admin, draft) == {"view"}  # a draft is its writer's to change
    assert allowed(admin, submitted) == {"view", "decide"}
    assert allowed(admin, valid) == {"view", "reopen"}
    assert perms.get_initiative_for_user(admin, draft.pk) == draft


def test_provincial_admin_sees_only_its_province(tree, draft, submitted):
    hanoi_admin = make_user("admin.hn", role="admin", unit=tree.other_province)
    assert allowed(hanoi_admin, draft) == set()
    assert allowed(hanoi_admin, submitted) == set()


# -- queues --------------------------------------------------------------------------------


@pytest.fixture
def spread(tree, campaign, member, support_team, admin):
    """A draft and a submitted initiative under each grassroots unit of both provinces."""
    made = {}
    for unit, by in [
        (tree.grassroots, member),
        (tree.grassroots2, support_team),
        (tree.other_grassroots, admin),
    ]:
        authors = None if by is member else [{"name": "Lê Văn Nam", "share": 100}]
        made[unit.code, "draft"] = make_initiative(
            campaign, unit, by=by, authors=authors, title=f"Nháp {unit.code}"
        )
        made[unit.code, "submitted"] = make_initiative(
            campaign,
            unit,
            by=by,
            authors=authors,
            status=Status.SUBMITTED,
            title=f"Đã gửi {unit.code}",
        )
    return made


def queue_codes(qs) -> set[tuple[str, str]]:
    return set(qs.values_list("unit__code", "status"))


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("unit_officer", {("TH-KCN-001", "submitted"), ("TH-KCN-002", "submitted")}),
        ("reviewer", {("TH-KCN-001", "submitted"), ("TH-KCN-002", "submitted")}),
        ("support_team", {("TH-KCN-001", "submitted"), ("TH-KCN-002", "submitted")}),
        ("outsider", {("HN-001", "submitted")}),
        (
            "admin",
            {("TH-KCN-001", "submitted"), ("TH-KCN-002", "submitted"), ("HN-001", "submitted")},
        ),
        ("member", set()),
        ("editor", set()),
    ],
)
def test_queue_for_each_persona_is_its_subtree_without_drafts(request, spread, persona, expected):
    user = request.getfixturevalue(persona)
    assert queue_codes(perms.queue_for(user)) == expected


def test_queue_for_a_unit_is_that_subtree(tree, spread, unit_officer):
    assert perms.can_review_unit(unit_officer, tree.grassroots2)
    assert queue_codes(perms.queue_for(unit_officer, tree.grassroots2)) == {
        ("TH-KCN-002", "submitted")
    }


def test_queue_keeps_decided_and_withdrawn_initiatives(tree, spread, member, unit_officer):
    services.decide_initiative(
        spread["TH-KCN-001", "submitted"], by=unit_officer, decision="invalid", reason="Trùng lặp"
    )
    second = make_initiative(
        spread["TH-KCN-001", "draft"].campaign,
        tree.grassroots,
        by=member,
        status=Status.SUBMITTED,
        title="Sáng kiến rút lại sau khi gửi",
    )
    services.withdraw_initiative(second, by=member)
    assert queue_codes(perms.queue_for(unit_officer, tree.grassroots)) == {
        ("TH-KCN-001", "invalid"),
        ("TH-KCN-001", "withdrawn"),
    }


def test_a_draft_withdrawn_before_submission_stays_private(tree, spread, member, unit_officer):
    draft = services.withdraw_initiative(spread["TH-KCN-001", "draft"], by=member)
    assert draft.status == Status.WITHDRAWN
    assert draft not in perms.queue_for(unit_officer)
    assert allowed(unit_officer, draft) == set()
    assert allowed(member, draft) == {"view"}


def test_anonymous_has_no_queue_and_no_own_initiatives(spread):
    assert not perms.queue_for(AnonymousUser()).exists()
    assert not perms.own_initiatives(AnonymousUser()).exists()


def test_own_initiatives_are_every_status_of_the_member(spread, member):
    assert queue_codes(perms.own_initiatives(member)) == {
        ("TH-KCN-001", "draft"),
        ("TH-KCN-001", "submitted"),
    }


# -- the rules the pages and the API share --------------------------------------------------

PERSONAS = ["member", "support_team", "unit_officer", "reviewer", "editor", "outsider", "admin"]


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("member", True),  # the author
        ("support_team", False),  # sees it, but not its confidential part
        ("unit_officer", True),
        ("reviewer", True),
        ("editor", False),
        ("outsider", False),
        ("admin", True),
    ],
)
def test_who_sees_the_confidential_part(request, submitted, persona, expected):
    user = request.getfixturevalue(persona)
    assert perms.can_view_confidential(user, Initiative.objects.get(pk=submitted.pk)) is expected


def test_whoever_entered_it_sees_the_confidential_part(tree, campaign, support_team, member_record):
    entered = make_initiative(
        campaign,
        tree.grassroots,
        by=support_team,
        status=Status.SUBMITTED,
        authors=[{"member": member_record.code, "share": 100}],
    )
    assert perms.can_view_confidential(support_team, entered)
    assert not perms.can_view_confidential(AnonymousUser(), entered)


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("member", False),
        ("support_team", True),
        ("unit_officer", True),
        ("reviewer", False),
        ("editor", False),
        ("outsider", False),
        ("admin", True),
    ],
)
def test_who_prints_a_units_poster(request, tree, persona, expected):
    user = request.getfixturevalue(persona)
    assert perms.can_print_poster(user, tree.grassroots) is expected
    assert not perms.can_print_poster(AnonymousUser(), tree.grassroots)


@pytest.fixture
def stranger(tree):
    """A member of the second grassroots union, known to nobody at the first."""
    return orgs.create_member(unit=tree.grassroots2, full_name="Phạm Văn Lâm", by=None)


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("member", False),
        ("support_team", True),
        ("unit_officer", True),
        ("reviewer", True),
        ("editor", False),
        ("outsider", False),
        ("admin", True),
    ],
)
def test_who_may_name_a_member_of_another_unit_as_author(
    request, tree, stranger, persona, expected
):
    user = request.getfixturevalue(persona)
    assert perms.may_name_as_author(user, stranger, tree.grassroots, set()) is expected
    # A member of the initiative's unit, and a current author, anyone may name.
    assert perms.may_name_as_author(user, stranger, tree.grassroots2, set())
    assert perms.may_name_as_author(user, stranger, tree.grassroots, {stranger.pk})


def test_a_member_may_name_themselves_anywhere(tree, member, member_record):
    assert perms.may_name_as_author(member, member_record, tree.grassroots2, set())


def test_named_authors_resolve_codes_and_refuse_the_rest_in_the_same_words(
    tree, member, member_record, stranger
):
    rows = [
        {"member": member_record.code.lower(), "share": "50"},
        {"member": stranger.code, "share": "30"},
        {"member": "DV99999999", "share": "10"},
        {"name": "Lê Thị Mai", "share": "10"},
    ]
    with translation.override("en"):
        authors, errors = perms.named_authors(member, rows, unit=tree.grassroots)
    assert authors[0]["member"] == member_record
    assert authors[1] == {"member": None, "share": "30", "name": ""}  # handed on blank
    assert authors[2] == {"member": None, "share": "10", "name": ""}
    assert authors[3] == rows[3]
    assert errors == {
        "authors.1.member": f"No member has the code {stranger.code}.",
        "authors.2.member": "No member has the code DV99999999.",
    }
    authors, errors = perms.named_authors(
        member, rows[:2], unit=tree.grassroots, current_author_ids={stranger.pk}
    )
    assert errors == {}
    assert authors[1]["member"] == stranger


# Each case: (initiative fixture, action). Each outcome: "ok" (may now), "409" (the roles
# allow it, the status does not) or "403" (the roles never allow it, or the status does and
# the user still may not).
CASES = [
    ("draft", "edit"),
    ("submitted", "edit"),
    ("submitted", "decide"),
    ("valid", "decide"),
    ("submitted", "withdraw"),
    ("valid", "withdraw"),
    ("valid", "reopen"),
    ("submitted", "reopen"),
]
OUTCOMES = {
    "member": ["ok", "409", "403", "403", "ok", "409", "403", "403"],
    "support_team": ["403", "409", "403", "403", "403", "403", "403", "403"],
    "unit_officer": ["403", "409", "ok", "409", "403", "403", "ok", "409"],
    "reviewer": ["403", "403", "ok", "409", "403", "403", "403", "403"],
    "editor": ["403"] * len(CASES),
    "outsider": ["403"] * len(CASES),
    "admin": ["403", "409", "ok", "409", "403", "403", "ok", "409"],
}


def outcome(user, initiative: Initiative, action: str) -> str:
    try:
        return "ok" if perms.require_action(user, initiative, action, refused="Không") else "409"
    except PermissionDenied as exc:
        assert str(exc) == "Không"
        return "403"


@pytest.mark.parametrize("persona", PERSONAS)
def test_require_action_tells_403_from_409_for_each_persona(
    request, persona, draft, submitted, valid
):
    user = request.getfixturevalue(persona)
    got = [
        outcome(user, Initiative.objects.get(pk=request.getfixturevalue(which).pk), action)
        for which, action in CASES
    ]
    assert got == OUTCOMES[persona]


@pytest.mark.parametrize("persona", PERSONAS)
def test_role_and_status_split_agrees_with_can(request, persona, draft, submitted, valid):
    """Whoever may act now has the role and meets the status; a conflict is exactly "the
    role allows it, the status does not"."""
    user = request.getfixturevalue(persona)
    for initiative in (draft, submitted, valid):
        fresh = Initiative.objects.get(pk=initiative.pk)
        for action, rule in perms.ACTIONS.items():
            if rule.can(user, fresh):
                assert perms.role_allows(user, fresh, action)
                assert perms.status_allows(fresh, action)


def test_allowed_actions_list_what_the_user_may_do_now(member, unit_officer, draft, valid):
    assert perms.allowed_actions(member, draft) == ["edit", "attach", "submit", "withdraw"]
    assert perms.allowed_actions(unit_officer, Initiative.objects.get(pk=valid.pk)) == ["reopen"]
    assert perms.allowed_actions(AnonymousUser(), draft) == []


# -- own initiatives: the same rows as an OR across the authors join -----------------------


def own_the_slow_way(user) -> list[int]:
    """The definition: entered by the user, or with the user's member among the authors."""
    if not (user.is_authenticated and user.is_active):
        return []
    q = Q(entered_by=user)
    if user.member_id:
        q |= Q(authors__member_id=user.member_id)
    return list(
        Initiative.objects.filter(q).distinct().order_by("-id").values_list("id", flat=True)
    )


def build_entangled(tree, campaign, member, member_record, support_team, unit_officer, admin):
    """Initiatives entered by one person for another, with shared authorship, in every
    combination; returns the colleague's user (a member who also enters)."""
    colleague_record = orgs.create_member(unit=tree.grassroots, full_name="Lê Văn Nam", by=None)
    colleague = make_user("colleague", member=colleague_record)
    me = {"member": member_record.code, "share": 100}
    both = [
        {"member": member_record.code, "share": 60},
        {"member": colleague_record.code, "share": 40},
    ]
    them = [{"member": colleague_record.code, "share": 100}]
    outside = [{"name": "Người ngoài", "share": 100}]
    for n, (by, authors, status) in enumerate(
        [
            (member, None, Status.DRAFT),
            (member, None, Status.SUBMITTED),
            (support_team, [me], Status.DRAFT),
            (support_team, [me], Status.SUBMITTED),
            (support_team, both, Status.SUBMITTED),
            (colleague, both, Status.DRAFT),
            (colleague, None, Status.SUBMITTED),
            (member, them, Status.SUBMITTED),  # entered for a colleague, not an author
            (support_team, outside, Status.SUBMITTED),
            (unit_officer, outside, Status.DRAFT),
            (member, None, Status.WITHDRAWN),
        ]
    ):
        make_initiative(
            campaign, tree.grassroots, by=by, authors=authors, status=status, title=f"SK {n}"
        )
    make_initiative(campaign, tree.other_grassroots, by=admin, authors=outside, title="SK HN")
    return colleague


def new_entangled() -> SimpleNamespace:
    w = SimpleNamespace(tree=build_tree())
    w.campaign = make_campaign(w.tree.root)
    w.member_record = make_member_record(w.tree)
    w.member = make_member(w.member_record)
    w.support_team = make_support_team(w.tree)
    w.unit_officer = make_unit_officer(w.tree)
    w.admin = make_admin(w.tree)
    w.colleague = build_entangled(
        w.tree, w.campaign, w.member, w.member_record, w.support_team, w.unit_officer, w.admin
    )
    return w


# `entangled` is built once for the module and each test that asks for it gets its own copy
# (conftest.shared_world); the other tests build their own tree and personas.
kept_world, shared = shared_world(new_entangled, "entangled")


@pytest.fixture
def tree(shared, db):
    return shared.tree if shared else build_tree()


@pytest.fixture
def campaign(shared, tree):
    return shared.campaign if shared else make_campaign(tree.root)


@pytest.fixture
def member_record(shared, tree):
    return shared.member_record if shared else make_member_record(tree)


@pytest.fixture
def member(shared, member_record):
    return shared.member if shared else make_member(member_record)


@pytest.fixture
def support_team(shared, tree):
    return shared.support_team if shared else make_support_team(tree)


@pytest.fixture
def unit_officer(shared, tree):
    return shared.unit_officer if shared else make_unit_officer(tree)


@pytest.fixture
def admin(shared, tree):
    return shared.admin if shared else make_admin(tree)


@pytest.fixture
def entangled(shared, db):
    return shared.colleague


@pytest.mark.parametrize("persona", [*PERSONAS, "colleague"])
def test_own_initiatives_are_the_rows_of_the_or_across_the_join(request, entangled, persona):
    user = entangled if persona == "colleague" else request.getfixturevalue(persona)
    own = perms.own_initiatives(user)
    expected = own_the_slow_way(user)
    assert list(own.order_by("-id").values_list("id", flat=True)) == expected
    assert own.count() == len(expected)  # an initiative entered and authored counts once


def test_own_initiatives_read_no_join_and_no_distinct(entangled, member):
    sql = str(perms.own_initiatives(member).query).upper()
    assert "JOIN" not in sql
    assert "DISTINCT" not in sql


def test_own_initiatives_of_someone_who_is_not_a_member(entangled, support_team):
    assert "UNION" not in str(perms.own_initiatives(support_team).query).upper()
    assert perms.own_initiatives(support_team).count() == 4


@pytest.mark.parametrize("persona", ["member", "support_team", "colleague"])
@pytest.mark.parametrize("order", [("-id",), ("id",)])
@pytest.mark.parametrize("status", [None, Status.SUBMITTED])
def test_own_initiatives_in_keyset_pages_match_the_definition(
    request, entangled, persona, order, status
):
    user = entangled if persona == "colleague" else request.getfixturevalue(persona)
    qs = perms.own_initiatives(user)
    slow = Initiative.objects.filter(pk__in=own_the_slow_way(user))
    if status:
        qs, slow = qs.filter(status=status), slow.filter(status=status)
    expected = list(slow.order_by(*order).values_list("id", flat=True))
    seen, cursor = [], None
    while True:
        page = keyset_page(qs, order=order, cursor=cursor, size=2)
        assert len(page.items) <= 2
        seen += [i.pk for i in page.items]
        if not page.has_next:
            break
        cursor = page.next_cursor
    assert seen == expected
    assert expected  # each persona has some
