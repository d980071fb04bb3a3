import json

import pytest
from django.core.management import CommandError, call_command
from django.db.models import F, Sum

from sangkien.core.bench import markdown
from sangkien.initiatives.models import HistoryEntry, Initiative, Status
from sangkien.initiatives.tests.builders import make_campaign, make_initiative, today
from sangkien.orgs import services as orgs
from sangkien.orgs.models import Member
from sangkien.stats import bench, figures
from sangkien.stats.bench import (
    RECOUNTED,
    Disagreement,
    StatsDisagreement,
    compare_with_recount,
    recount_figures,
    run_queue_suite,
    run_stats_suite,
    run_submit_suite,
    run_tree_suite,
    stats_campaign,
)
from sangkien.stats.models import MemberSpan, TreeDay, TreeTotal


@pytest.mark.django_db
def test_bench_cases_agree_with_naive_way_and_report(monkeypatch):
    call_command("seed", scale="test", no_progress=True)
    results = {r.case: r for r in run_tree_suite(runs=5)}
    compared = ("tree.subtree_count", "tree.ancestors", "members.first_page", "members.deep_page")
    assert set(compared) <= set(results)
    table = markdown(list(results.values()), "test")
    for case in compared:
        r = results[case]
        assert r.median_ms > 0 and r.p95_ms >= r.median_ms
        # Both ways were timed and the report carries the naive way and the ratio.
        assert r.naive_median_ms is not None and r.naive_median_ms > 0
        assert r.ratio == r.naive_median_ms / r.median_ms
        row = next(line for line in table.splitlines() if line.startswith(f"| {case} |"))
        assert f"{r.naive_median_ms:.2f}" in row and f"{r.ratio:.1f}×" in row
    # The agreement is checked, not assumed: a naive way that answers otherwise voids the run.
    monkeypatch.setattr(bench, "_recursive_subtree_count", lambda unit: -1)
    with pytest.raises(Disagreement, match="tree.subtree_count"):
        run_tree_suite(runs=5)


@pytest.mark.django_db
def test_bench_command_writes_json_and_markdown(tmp_path):
    call_command("seed", scale="test", no_progress=True)
    # The import and export cases run child processes on the real database (and on
    # 100,000 / 1,000,000 rows): they are measured by hand, not in the test run.
    call_command(
        "bench", out=str(tmp_path), runs=3, scale="test", no_progress=True,
        only="tree,queue,stats,submit",
    )  # fmt: skip
    files = sorted(p.name for p in tmp_path.iterdir())
    assert any(f.endswith(".json") for f in files) and any(f.endswith(".md") for f in files)
    table = next(tmp_path.glob("*.md")).read_text(encoding="utf-8")
    assert "stats.api.root" in table and "submit.engine_on" in table


@pytest.mark.django_db
def test_queue_cases_agree_with_offset_pages_at_every_level():
    call_command("seed", scale="test", no_progress=True)
    results = {r.case: r for r in run_queue_suite(runs=4)}
    for level in ("national", "province", "upper", "grassroots"):
        assert f"queue.{level}.first" in results
        assert f"queue.{level}.pending.first" in results
        assert f"queue.{level}.counts" in results
    assert "queue.national.deep" in results and "queue.province.deep" in results
    for r in results.values():
        assert r.median_ms > 0
        if r.case.endswith((".first", ".deep")):
            assert r.naive_median_ms is not None


@pytest.mark.django_db
def test_stats_cases_run_at_every_level_with_zero_difference_from_the_recount():
    call_command("seed", scale="test", no_progress=True)
    results = {r.case: r for r in run_stats_suite(runs=3, recount_runs=(2, 2))}
    for level in ("root", "level1.largest", "upper", "grassroots"):
        for case in (f"stats.api.{level}", f"stats.api.{level}.phase"):
            assert results[case].differences == 0
            assert results[case].naive_median_ms is not None and results[case].naive_runs == 2
        assert f"stats.api.{level}.as_of" in results
        assert f"stats.report.{level}" in results
        assert f"stats.api.{level}.cold" in results
        assert results[f"stats.dashboard.{level}"].median_ms > 0
    assert results["stats.api.root"].runs == 3


def _served(unit, campaign, phase=None):
    return figures.report(unit, campaign, phase=phase).as_dict()


def _paths(unit):
    return {c.code: c.path for c in figures.children_of(unit)}


@pytest.mark.django_db
def test_recount_agrees_with_the_aggregates_after_workflow_and_merge(tree, member_record):
    campaign = make_campaign(tree.root)
    colleague = orgs.create_member(unit=tree.grassroots2, full_name="Lê Văn Nam", by=None)
    stranger = orgs.create_member(unit=tree.other_grassroots, full_name="Phạm Thu", by=None)
    both = [{"member": member_record, "share": 60}, {"member": colleague, "share": 40}]
    make_initiative(campaign, tree.grassroots, by=None, authors=both, status=Status.VALID)
    make_initiative(
        campaign, tree.grassroots, by=None, authors=both, status=Status.INVALID, title="Hai"
    )
    make_initiative(
        campaign,
        tree.grassroots2,
        by=None,
        authors=[{"member": colleague, "share": 100}],
        status=Status.RETURNED,
        title="Ba",
        benefit_claimed_vnd=7_000_000,
    )
    make_initiative(
        campaign,
        tree.other_grassroots,
        by=None,
        authors=[{"member": stranger, "share": 100}],
        status=Status.SUBMITTED,
        title="Bốn",
    )
    for status, title in ((Status.DRAFT, "Nháp"), (Status.WITHDRAWN, "Rút")):
        make_initiative(
            campaign,
            tree.grassroots2,
            by=None,
            authors=[{"member": colleague, "share": 100}],
            status=status,
            title=title,
        )
    phase = campaign.phases.order_by("number").last()
    for unit in (tree.root, tree.province, tree.upper, tree.grassroots2):
        for p in (None, phase):
            recounted = recount_figures(unit, campaign.pk, p.pk if p else None)
            assert compare_with_recount(_served(unit, campaign, p), recounted, _paths(unit)) == []
    whole = recount_figures(tree.root, campaign.pk)[""]
    assert whole["initiatives_submitted"] == 4
    assert whole["initiatives_pending"] == 2
    assert whole["participating_members"] == 3
    assert whole["participating_units"] == 3
    # After a merge the closed unit's initiatives count for its successor.
    orgs.merge_units([tree.grassroots2], into=tree.grassroots, by=None, on=today())
    tree.grassroots.refresh_from_db()
    recounted = recount_figures(tree.grassroots, campaign.pk)
    assert recounted[""]["initiatives_submitted"] == 3
    assert recounted[""]["participating_units"] == 1
    for unit in (tree.root, tree.upper, tree.grassroots):
        unit.refresh_from_db()
        recounted = recount_figures(unit, campaign.pk)
        assert compare_with_recount(_served(unit, campaign), recounted, _paths(unit)) == []


@pytest.mark.django_db
def test_a_wrong_aggregate_fails_the_stats_suite_and_the_command(tmp_path):
    call_command("seed", scale="test", no_progress=True)
    row = TreeTotal.objects.filter(
        campaign=stats_campaign(), phase_key=0, submitted__gt=0, unit__parent=None
    ).first()
    TreeTotal.objects.filter(pk=row.pk).update(valid=F("valid") + 1)
    with pytest.raises(StatsDisagreement) as caught:
        run_stats_suite(runs=2, recount_runs=(1, 1), dashboard=False)
    assert any("initiatives_valid" in d for d in caught.value.differences)
    with pytest.raises(CommandError, match="differ from the recount"):
        call_command("bench", out=str(tmp_path), runs=2, only="stats", no_progress=True)
    written = json.loads(next(tmp_path.glob("*.json")).read_text(encoding="utf-8"))
    assert written["meta"]["stats_differences"] == len(written["differences"]) >= 1
    assert any("initiatives_valid" in d for d in written["differences"])


def _state():
    return (
        Initiative.objects.count(),
        Initiative.objects.filter(status=Status.SUBMITTED).count(),
        HistoryEntry.objects.count(),
        MemberSpan.objects.count(),
        TreeDay.objects.count(),
        TreeTotal.objects.aggregate(*(Sum(c) for c in ("submitted", "members", "units"))),
        Member.objects.count(),
    )


@pytest.mark.django_db
def test_submit_cases_time_both_ways_and_leave_the_data_unchanged():
    call_command("seed", scale="test", no_progress=True)
    before = _state()
    results = {r.case: r for r in run_submit_suite(runs=3)}
    assert _state() == before
    assert set(results) == {"submit.engine_on", "submit.engine_off"}
    assert all(r.runs == 3 and r.median_ms > 0 for r in results.values())


def test_every_recounted_figure_is_one_the_api_serves():
    assert set(RECOUNTED) <= set(figures.FIGURES)
