"""Units and members found by code or name, the way offices write them."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import translation

from sangkien.imports.matching import MemberMatch, MemberMatcher, UnitMatch, UnitMatcher, short_key
from sangkien.orgs import services as orgs
from sangkien.orgs.models import Member, Unit


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def matcher(tree) -> UnitMatcher:
    return UnitMatcher(Unit.objects.all())


def test_short_key_drops_the_words_names_open_with():
    assert short_key("Công đoàn Công ty CP Giày Sao Vàng") == "giay sao vang"
    assert short_key("CĐCS Công ty Cổ phần Giày Sao Vàng") == "giay sao vang"
    assert short_key("Công đoàn cơ sở Cty TNHH MTV Dệt Đông Sơn") == "det dong son"
    assert short_key("Liên đoàn Lao động tỉnh Thanh Hóa") == "thanh hoa"
    assert short_key("LĐLĐ Thanh Hóa") == "thanh hoa"
    assert short_key("Công đoàn Trường THPT Chu Văn An") == "thpt chu van an"
    assert short_key("Công đoàn") == "cong doan"  # nothing else left: the name itself


@pytest.mark.parametrize(
    ("code", "name", "expected"),
    [
        ("TH-KCN-001", None, "TH-KCN-001"),
        (" th-kcn-001 ", "", "TH-KCN-001"),
        ("TH-KCN-001", "TH-KCN-001", "TH-KCN-001"),  # the same text in both, as importers pass
        (None, "th-kcn-002", "TH-KCN-002"),  # a code in the name column
        (None, "Công đoàn Công ty CP Giày Sao Vàng", "TH-KCN-001"),
        (None, "CĐCS Công ty Cổ phần Giày Sao Vàng", "TH-KCN-001"),
        ("CĐCS Công ty CP Giày Sao Vàng", "CĐCS Công ty CP Giày Sao Vàng", "TH-KCN-001"),
        (None, "cong doan cong ty tnhh det dong son", "TH-KCN-002"),
        (None, "Cty TNHH Dệt Đông Sơn", "TH-KCN-002"),
        (None, "Dệt Đông Sơn", "TH-KCN-002"),
        (None, "LĐLĐ Thanh Hóa", "TH"),  # the short name
        (None, "Liên đoàn Lao động tỉnh Thanh Hóa", "TH"),
        ("TH-KCN-001", "Giày Sao Vàng", "TH-KCN-001"),  # code and name agree
    ],
)
def test_unit_found(matcher, code, name, expected):
    found = matcher.match(code, name)
    unit = Unit.objects.get(code=expected)
    assert found == UnitMatch(unit.pk, code=expected)


def test_unknown_name_with_suggestions(matcher, tree):
    found = matcher.match(None, "Công đoàn Công ty Dệt Đông Sơng")
    assert found.unit_id is None
    assert found.problem == "No unit is named “Công đoàn Công ty Dệt Đông Sơng”."
    assert found.suggestions == ["TH-KCN-002 – Công đoàn Công ty TNHH Dệt Đông Sơn"]
    nothing = matcher.match("Công ty May Xuân Thành", "Công ty May Xuân Thành")
    assert nothing == UnitMatch(None, "No unit is named “Công ty May Xuân Thành”.", [])


def test_unknown_code(matcher):
    found = matcher.match("TH-KCN-009", "TH-KCN-009")
    assert found.unit_id is None and found.problem == "No unit has the code TH-KCN-009."
    assert found.suggestions[:2] == [
        "TH-KCN-001 – Công đoàn Công ty CP Giày Sao Vàng",
        "TH-KCN-002 – Công đoàn Công ty TNHH Dệt Đông Sơn",
    ]
    assert matcher.match("XX-1", None).problem == "No unit has the code XX-1."
    assert matcher.match(None, None).problem == "Enter the unit's code or name."


def test_code_and_name_of_two_different_units(matcher):
    found = matcher.match("TH-KCN-001", "Công đoàn Công ty TNHH Dệt Đông Sơn")
    assert found.unit_id is None
    assert found.problem == (
        "The code TH-KCN-001 is Công đoàn Công ty CP Giày Sao Vàng, but the name says "
        "Công đoàn Công ty TNHH Dệt Đông Sơn."
    )
    assert found.suggestions == [
        "TH-KCN-001 – Công đoàn Công ty CP Giày Sao Vàng",
        "TH-KCN-002 – Công đoàn Công ty TNHH Dệt Đông Sơn",
    ]


def test_ambiguous_names_and_the_scope_that_removes_the_ambiguity(tree):
    orgs.create_unit(
        code="HN-002", name="Công đoàn Công ty Cổ phần Giày Sao Vàng", kind="grassroots",
        parent=tree.other_province, by=None,
    )  # fmt: skip
    everywhere = UnitMatcher(Unit.objects.all())
    found = everywhere.match(None, "CĐCS Giày Sao Vàng")
    assert found.unit_id is None
    assert found.problem == "Ambiguous: 2 units are named “CĐCS Giày Sao Vàng”; give the code."
    assert found.suggestions == [
        "HN-002 – Công đoàn Công ty Cổ phần Giày Sao Vàng",
        "TH-KCN-001 – Công đoàn Công ty CP Giày Sao Vàng",
    ]
    in_thanh_hoa = UnitMatcher(Unit.objects.in_subtree(tree.province))
    assert in_thanh_hoa.match(None, "CĐCS Giày Sao Vàng").unit_id == tree.grassroots.pk


def test_merged_unit_answers_with_its_successor(tree):
    orgs.merge_units([tree.grassroots2], into=tree.grassroots, by=None, on=dt.date(2025, 7, 1))
    matcher = UnitMatcher(Unit.objects.all())
    for code, name in (("TH-KCN-002", None), (None, "Công đoàn Công ty TNHH Dệt Đông Sơn")):
        found = matcher.match(code, name)
        assert found.unit_id == tree.grassroots.pk and found.problem == ""
        assert found.note == (
            "TH-KCN-002 – Công đoàn Công ty TNHH Dệt Đông Sơn is closed; "
            "TH-KCN-001 – Công đoàn Công ty CP Giày Sao Vàng answers for it now."
        )
    # Without the successor among the candidates: closed, and said so.
    alone = UnitMatcher(Unit.objects.filter(code="TH-KCN-002"))
    assert alone.match("TH-KCN-002", None) == UnitMatch(
        None,
        "TH-KCN-002 – Công đoàn Công ty TNHH Dệt Đông Sơn is closed and no unit you may use "
        "answers for it.",
    )


def test_active_unit_first_when_a_closed_one_has_the_same_name():
    units = [
        {"id": 1, "code": "A-1", "name": "Công đoàn Xí nghiệp Gạch", "status": "merged",
         "successor_id": 3},
        {"id": 2, "code": "A-2", "name": "Công đoàn Xí nghiệp Gạch", "status": "active"},
        {"id": 3, "code": "A-3", "name": "Công đoàn Gốm sứ", "status": "active"},
    ]  # fmt: skip
    matcher = UnitMatcher(units)
    assert matcher.match(None, "Xí nghiệp Gạch").unit_id == 2
    assert matcher.match("A-1", None).unit_id == 3


def test_answers_are_cached_per_text(matcher):
    first = matcher.match(None, "Giày Sao Vàng")
    assert matcher.match(None, "Giày Sao Vàng") is first


def test_many_rows_against_thousands_of_units_stay_fast():
    import time

    units = [
        {"id": i, "code": f"U-{i:05d}", "name": f"Công đoàn Công ty CP Sản xuất số {i}"}
        for i in range(1, 3001)
    ]
    matcher = UnitMatcher(units)
    started = time.perf_counter()
    for row in range(100_000):
        i = row % 3000 + 1
        assert matcher.match(None, f"CĐCS Công ty Cổ phần Sản xuất số {i}").unit_id == i
    assert time.perf_counter() - started < 5
    unknown = matcher.match(None, "Công ty Sản xuất số 99999")
    assert unknown.unit_id is None and len(unknown.suggestions) == 3


# -- members -------------------------------------------------------------------------------------


@pytest.fixture
def members(tree) -> dict[str, Member]:
    g1, g2 = tree.grassroots, tree.grassroots2
    return {
        "an": orgs.create_member(unit=g1, full_name="Nguyễn Văn An", by=None, code="DV001"),
        "hoa1": orgs.create_member(
            unit=g2, full_name="Lê Thị Hoa", by=None, code="DV002", birth_date=dt.date(1980, 5, 1)
        ),
        "hoa2": orgs.create_member(
            unit=g2, full_name="Lê Thị Hoa", by=None, code="DV003", birth_date=dt.date(1992, 7, 9)
        ),
        "hoa3": orgs.create_member(unit=g2, full_name="Lê Thị Hoa", by=None, code="DV004"),
        "binh": orgs.create_member(unit=g2, full_name="Lê Thị Bình", by=None, code="DV005"),
    }


@pytest.fixture
def member_matcher(members) -> MemberMatcher:
    return MemberMatcher(
        Member.objects.values_list("pk", "code", "full_name", "birth_date", "unit_id")
    )


def test_member_found_by_folded_name_in_the_unit(member_matcher, members, tree):
    an = members["an"]
    assert member_matcher.match("NGUYEN VAN AN", tree.grassroots.pk) == (an.pk, "", [])
    assert member_matcher.match("Nguyễn Văn Ân", tree.grassroots.pk).member_id == an.pk
    member_id, problem, suggestions = member_matcher.match("Nguyễn Văn An", tree.grassroots.pk)
    assert (member_id, problem, suggestions) == (an.pk, "", [])
    assert member_matcher.match("dv001", None) == MemberMatch(an.pk, "", [])  # by code


def test_member_narrowed_by_year_of_birth(member_matcher, members, tree):
    g2 = tree.grassroots2.pk
    assert member_matcher.match("Lê Thị Hoa", g2, 1992).member_id == members["hoa2"].pk
    assert member_matcher.match("Lê Thị Hoa", g2, 1980).member_id == members["hoa1"].pk
    # 1975: only the one with no date of birth is left.
    assert member_matcher.match("Lê Thị Hoa", g2, 1975).member_id == members["hoa3"].pk
    assert member_matcher.match("Lê Thị Bình", g2, 1975).member_id == members["binh"].pk


def test_member_ambiguous(member_matcher, tree):
    found = member_matcher.match("Lê Thị Hoa", tree.grassroots2.pk)
    assert found.member_id is None
    assert found.problem == (
        "Ambiguous: 3 members of this union are named Lê Thị Hoa; give the year of birth or "
        "the member code."
    )
    assert found.suggestions == [
        "Lê Thị Hoa – 01/05/1980 – DV002",
        "Lê Thị Hoa – 09/07/1992 – DV003",
        "Lê Thị Hoa – DV004",
    ]


def test_member_born_another_year(tree):
    matcher = MemberMatcher([(7, "DV7", "Trần Văn Nam", dt.date(1985, 1, 1), tree.grassroots.pk)])
    found = matcher.match("Trần Văn Nam", tree.grassroots.pk, 1990)
    assert found == MemberMatch(
        None,
        "No member named Trần Văn Nam of this union was born in 1990.",
        ["Trần Văn Nam – 01/01/1985 – DV7"],
    )


def test_member_unknown_with_suggestions(member_matcher, tree):
    typo = member_matcher.match("Nguyễn Văn Anh", tree.grassroots.pk)
    assert typo == MemberMatch(None, "", ["Nguyễn Văn An – DV001"])
    elsewhere = member_matcher.match("Lê Thị Bình", tree.grassroots.pk)
    assert elsewhere == MemberMatch(None, "", ["Lê Thị Bình – DV005"])
