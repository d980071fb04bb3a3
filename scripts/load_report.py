"""The table of a load test (scripts/load.sh): every kind of request with its count,
failures, p50, p95 and p99 in ms and requests a second, from locust's CSV; the failures
below it. Exits 1 when any request failed."""

from __future__ import annotations

import csv
import os
import sys


def main(stats_path: str, failures_path: str) -> int:
    with open(stats_path, encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    print("| request | count | failed | p50 ms | p95 ms | p99 ms | max ms | req/s |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    failed = 0
    for row in rows:
        name = "**all**" if row["Name"] == "Aggregated" else row["Name"]
        if row["Name"] == "Aggregated":
            failed = int(row["Failure Count"])
        print(
            f"| {name} | {int(row['Request Count']):,} | {int(row['Failure Count']):,} "
            f"| {row['50%']} | {row['95%']} | {row['99%']} "
            f"| {float(row['Max Response Time']):.0f} | {float(row['Requests/s']):.1f} |"
        )
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"\nLoad average after the run: {load} ({os.cpu_count()} cores).")
    if os.path.exists(failures_path):
        with open(failures_path, encoding="utf-8") as fh:
            failures = list(csv.DictReader(fh))
        if failures:
            print("\n| failed request | occurrences | error |")
            print("|---|---:|---|")
            for f in failures:
                error = f["Error"].replace("|", "/").replace("\n", " ")[:160]
                print(f"| {f['Name']} | {f['Occurrences']} | {error} |")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2]))
