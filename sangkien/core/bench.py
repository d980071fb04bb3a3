"""What every benchmark suite shares (`sangkien bench`, decision 0007): the result of one
case, its median and p95, and the Markdown table of a run. The suites live with what they
measure (stats, imports, exports); the command that runs them all is the seed app's."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any


@dataclass
class Result:
    case: str
    runs: int
    median_ms: float
    p95_ms: float
    naive_median_ms: float | None = None
    naive_p95_ms: float | None = None
    note: str = ""
    # Samples of the naive way when fewer than `runs` (the recount of a big subtree is slow).
    naive_runs: int | None = None
    # Figures that differ between the two ways (checked for every unit of the case).
    differences: int | None = None

    @property
    def ratio(self) -> float | None:
        if self.naive_median_ms is None or self.median_ms <= 0:
            return None
        return self.naive_median_ms / self.median_ms

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["ratio"] = round(self.ratio, 1) if self.ratio is not None else None
        return data


def p95(samples: list[float]) -> float:
    """The 95th percentile of `samples` (the nearest rank)."""
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(round(0.95 * (len(ordered) - 1))))]


def measure(fn: Callable[[Any], Any], args: list[Any]) -> tuple[float, float]:
    """Run fn once per argument (after one warm-up call); median and p95 in ms."""
    fn(args[0])
    samples = []
    for arg in args:
        start = time.perf_counter()
        fn(arg)
        samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples), p95(samples)


def markdown(results: list[Result], title: str) -> str:
    lines = [
        f"### {title}",
        "",
        "| case | runs | median ms | p95 ms | naive median ms | naive p95 ms | ratio | data |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        runs = f"{r.runs} / {r.naive_runs}" if r.naive_runs not in (None, r.runs) else r.runs
        naive_m = f"{r.naive_median_ms:.2f}" if r.naive_median_ms is not None else "–"
        naive_p = f"{r.naive_p95_ms:.2f}" if r.naive_p95_ms is not None else "–"
        ratio = f"{r.ratio:.1f}×" if r.ratio is not None else "–"
        lines.append(
            f"| {r.case} | {runs} | {r.median_ms:.2f} | {r.p95_ms:.2f} | {naive_m} | {naive_p} "
            f"| {ratio} | {r.note} |"
        )
    return "\n".join(lines) + "\n"
