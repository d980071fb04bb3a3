"""The progress report as data: the same figures as the dashboard, children ranked with ties,
the total row, the letterhead's defaults, and a fixed number of queries."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import connection
from django.test.utils import CaptureQueriesContext

from sangkien.orgs.models import Unit
from sangkien.reports import formatting
from sangkien.reports.progress import (
    MOTTO,
    MOTTO_SUB,
    default_letterhead,
    default_place,
    number_line,
    progress_report,
    province_name,
    recipient_lines,
)
from sangkien.stats import figures

from .helpers import CHILDREN, FIGURES, TOTAL, new_grassroots, vi


def unit(code: str) -> Unit:
    return Unit.objects.select_related("parent").get(code=code)


def as_decimal(text: str | None) -> Decimal | None:
    return Decimal(text) if text is not None else None


def test_figures_are_those_of_the_dashboard(tree, world, vietnamese):
    report = progress_report(unit("TH-KCN"), world)
    lines = {line.key: line.value for line in report.lines}
    for key, value in FIGURES.items():
        expected = as_decimal(value) if key == "quota_percent" else value
        assert lines[key] == expected, key
    dashboard = figures.report(unit("TH-KCN"), world).unit
    for key in figures.FIGURES:
        assert lines[key] == getattr(dashboard, key), key


def test_children_ranked_by_valid_initiatives_with_ties(tree, world, vietnamese):
    report = progress_report(unit("TH-KCN"), world)
    expected = [
        [n, name, quota, sub, valid, as_decimal(pct), members, benefit, rank]
        for n, name, quota, sub, valid, pct, members, benefit, rank in CHILDREN
    ]
    assert report.rows == expected
    assert [r[-1] for r in report.rows] == [1, 2, 2, 4]


def test_total_row_is_the_units_figures_against_the_quotas_it_gave(tree, world, vietnamese):
    report = progress_report(unit("TH-KCN"), world)
    quota, submitted, valid, pct, members, benefit = TOTAL
    assert report.total == [
        None,
        vi("Total"),
        quota,
        submitted,
        valid,
        Decimal(pct),
        members,
        benefit,
        None,
    ]
    # Submitted, valid and benefit add up over the children.
    assert report.total is not None
    for col in (3, 4, 7):
        assert report.total[col] == sum(r[col] for r in report.rows)
    assert report.table_notes == []


def test_grassroots_union_has_no_children_table(tree, world, vietnamese):
    report = progress_report(unit("TH-KCN-001"), world)
    assert report.rows == []
    assert report.total is None
    assert report.empty_text == vi("The unit has no units directly below it.")
    lines = {line.key: line.value for line in report.lines}
    assert lines["initiatives_valid"] == 3
    assert lines["quota_percent"] == Decimal("75.0")


def test_unit_ranks_among_siblings_and_at_the_level(tree, world, vietnamese):
    report = progress_report(unit("TH-KCN-002"), world)
    assert report.rank_columns == [vi("Among siblings"), vi("At the level")]
    by_measure = dict(report.rank_rows)
    # 002 has 1 valid: 001 has 3, 003 has 1 too (tie), 004 none.
    assert by_measure[vi("Valid initiatives")] == [2, 2]
    # Completion rate: 001 75 %, 002 10 %; 003 and 004 have no quota, HN-001 is not grassroots
    # of the same parent but is at another depth.
    assert by_measure[vi("Completion rate")] == [2, 2]


def test_the_dated_tree_has_no_level_ranks(tree, world, vietnamese):
    report = progress_report(unit("TH-KCN"), world, tree=figures.DATED)
    assert report.rank_columns == [vi("Among siblings")]
    assert [r[-1] for r in report.rows] == [1, 2, 2, 4]
    assert report.notes


def test_letterhead_of_an_upper_level_union(tree, vietnamese):
    head = default_letterhead(unit("TH-KCN"), parent=tree.province)
    assert head.governing == "CÔNG ĐOÀN CÁC KHU CÔNG NGHIỆP THANH HÓA"
    assert head.issuing == vi("STANDING COMMITTEE")
    assert head.on_behalf == vi("ON BEHALF OF THE STANDING COMMITTEE")
    assert head.signer_title == vi("PRESIDENT")
    assert head.place == "Thanh Hóa"
    assert head.recipients == [f"- {vi('As above;')}", f"- {vi('Archived: Office.')}"]


def test_letterhead_of_a_grassroots_union(tree, vietnamese):
    head = default_letterhead(unit("TH-KCN-001"), parent=tree.upper)
    assert head.governing == "CÔNG ĐOÀN CÁC KHU CÔNG NGHIỆP THANH HÓA"
    assert head.issuing == "CÔNG ĐOÀN CÔNG TY CP GIÀY SAO VÀNG"
    assert head.on_behalf == vi("ON BEHALF OF THE EXECUTIVE COMMITTEE")


def test_place_is_the_province_of_the_level_one_unit(tree):
    assert default_place(unit("TH")) == "Thanh Hóa"
    assert default_place(unit("TH-KCN-001")) == "Thanh Hóa"
    assert default_place(unit("HN-001")) == "Hà Nội"
    assert default_place(unit("VN")) == "Hà Nội"
    assert province_name(Unit(name="Liên đoàn Lao động Thành phố Hồ Chí Minh")) == "Hồ Chí Minh"
    assert province_name(Unit(name="Công đoàn Ngành Giáo dục")) is None


def test_number_line(tree, vietnamese):
    th = unit("TH")
    blank = vi("No.: %(number)s/BC-%(symbol)s") % {"number": "……", "symbol": "LĐLĐ"}
    assert number_line(th, "") == blank
    assert number_line(th, " 15 ") == blank.replace("……", "15")
    assert number_line(th, "15/BC-CĐKCN") == vi("No.: %(number)s") % {"number": "15/BC-CĐKCN"}
    assert number_line(unit("TH-KCN-001"), "7").endswith("7/BC-CĐCS")


def test_place_and_date_line_follows_the_decree():
    assert formatting.place_and_date("Thanh Hóa", dt.date(2022, 3, 31)) == (
        "Thanh Hóa, ngày 31 tháng 3 năm 2022"
    )
    assert formatting.place_and_date("Hà Nội", dt.date(2022, 2, 5)) == (
        "Hà Nội, ngày 05 tháng 02 năm 2022"
    )
    assert formatting.place_and_date("Hà Nội", dt.date(2023, 12, 1)) == (
        "Hà Nội, ngày 01 tháng 12 năm 2023"
    )


def test_motto_and_date_line_stay_vietnamese_in_english(tree, world, english):
    report = progress_report(unit("TH-KCN"), world, issued_on=dt.date(2022, 6, 29))
    assert (report.motto, report.motto_sub) == (MOTTO, MOTTO_SUB)
    assert report.date_line == "Thanh Hóa, ngày 29 tháng 6 năm 2022"
    assert report.title == "REPORT"
    assert report.letterhead.issuing == "STANDING COMMITTEE"
    assert report.total is not None and report.total[1] == "Total"


def test_numbers_in_vietnamese_and_english():
    from django.utils import translation

    with translation.override("vi"):
        assert formatting.integer(216_234_567) == "216.234.567"
        assert formatting.percent(Decimal("351.4")) == "351,4"
        assert formatting.percent(Decimal("1234.5")) == "1.234,5"
    with translation.override("en"):
        assert formatting.integer(216_234_567) == "216,234,567"
        assert formatting.percent(Decimal("351.4")) == "351.4"
    assert formatting.integer(None) == formatting.percent(None) == "—"


def test_recipients_one_a_line_with_a_dash():
    assert recipient_lines("Như trên;\n  - Ban Tuyên giáo;\n\n– Lưu: VT.") == [
        "- Như trên;",
        "- Ban Tuyên giáo;",
        "- Lưu: VT.",
    ]


def test_file_name(tree, world):
    report = progress_report(unit("TH-KCN"), world, as_of=figures.today())
    assert report.filename_stem == f"bao-cao-TH-KCN-1TRIEU-{figures.today().isoformat()}"
    phase = world.phases.get(number=2)
    report = progress_report(unit("TH"), world, phase=phase)
    assert report.filename_stem == f"bao-cao-TH-1TRIEU-dot2-{figures.today().isoformat()}"


def count_queries(code: str, campaign) -> int:
    """Queries of one report, once the plans' coverage counts are up to date with the tree
    (they are recounted once after the tree changes, not per report)."""
    u = unit(code)
    head = default_letterhead(u, parent=u.parent)
    progress_report(u, campaign, letterhead=head)
    with CaptureQueriesContext(connection) as captured:
        progress_report(u, campaign, letterhead=head)
    return len(captured)


def test_queries_do_not_grow_with_the_children(tree, world, django_assert_max_num_queries):
    """One `figures.report`: the units, their counters and quotas, the level tables for the
    ranks (cached in production, not here), clusters and plans."""
    u = unit("TH-KCN")
    head = default_letterhead(u, parent=u.parent)
    progress_report(u, world, letterhead=head)
    with django_assert_max_num_queries(17):
        progress_report(u, world, letterhead=head)
    before = count_queries("TH-KCN", world)
    for n in range(5, 11):
        new_grassroots(tree.upper, f"TH-KCN-{n:03d}", f"Công đoàn Công ty số {n}")
    assert count_queries("TH-KCN", world) == before
