import pytest
from django.core.management import call_command

from sangkien.stats.bench import run_queue_suite, run_tree_suite


@pytest.mark.django_db
def test_bench_cases_agree_with_naive_way_and_report(tmp_path):
    call_command("seed", scale="test", no_progress=True)
    results = {r.case: r for r in run_tree_suite(runs=5)}
    assert {
        "tree.subtree_count",
        "tree.ancestors",
        "members.first_page",
        "members.deep_page",
    } <= set(results)
    for r in results.values():
        assert r.median_ms > 0 and r.p95_ms >= r.median_ms


@pytest.mark.django_db
def test_bench_command_writes_json_and_markdown(tmp_path):
    call_command("seed", scale="test", no_progress=True)
    call_command("bench", out=str(tmp_path), runs=3, scale="test")
    files = sorted(p.name for p in tmp_path.iterdir())
    assert any(f.endswith(".json") for f in files) and any(f.endswith(".md") for f in files)


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
