"""The child process of the import benchmark (see `bench`): imports the file given into a
campaign made for the run, times the naive way on a sample, rolls everything back and
prints one JSON line with the wall time and the peak resident memory."""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import resource
import sys
import time
from collections.abc import Iterator

import django


class _Rollback(Exception):
    pass


@contextlib.contextmanager
def _nothing() -> Iterator[None]:
    yield


def main(path: str, naive_sample: int, commit: bool) -> None:
    """`commit`: the database is a copy made for the run (SQLite, where a transaction that
    rolls back holds every changed page in memory): commit, and let the caller drop it."""
    django.setup()
    from django.db import transaction
    from django.utils import timezone

    from sangkien.campaigns import services as campaigns
    from sangkien.imports.importers import run_import
    from sangkien.initiatives import services
    from sangkien.initiatives.models import ApplicationField
    from sangkien.orgs.models import Member, Unit

    out: dict = {}
    today = timezone.localdate()
    try:
        with transaction.atomic() if not commit else _nothing():
            root = Unit.objects.get(parent__isnull=True)
            campaign = campaigns.create_campaign(
                code="BENCH-IMPORT",
                name="Bench import",
                owner=root,
                starts_on=today - dt.timedelta(days=300),
                ends_on=today + dt.timedelta(days=60),
                by=None,
                phases=[],
                fields=[("KT", "Kỹ thuật, công nghệ"), ("QL", "Quản lý, điều hành")],
                requires_recognition=False,
            )
            started = time.perf_counter()
            # accept_valid: the few rows the file gets rejected do not stop the others being
            # written, so the time is that of checking and writing.
            summary = run_import(
                "initiatives", path, "sang-kien.xlsx", campaign=campaign, accept_valid=True
            )
            out["seconds"] = round(time.perf_counter() - started, 2)
            out["peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
            out["summary"] = summary.as_json()
            out["writes"] = summary.writes
            out["longest_write"] = round(summary.longest_write, 3)
            field = ApplicationField.objects.get(campaign=campaign, code="KT")
            members = list(
                Member.objects.filter(left_on__isnull=True)
                .select_related("unit")
                .order_by("pk")[:naive_sample]
            )
            started = time.perf_counter()
            for i, member in enumerate(members):
                initiative = services.create_initiative(
                    campaign=campaign,
                    unit=member.unit,
                    by=None,
                    authors=[{"member": member, "share": 100}],
                    title=f"Sáng kiến thử {i}",
                    field=field,
                    problem="Vấn đề",
                    description="Mô tả",
                    first_applied_on=today - dt.timedelta(days=10),
                    benefit_claimed_vnd=1_000_000,
                )
                services.submit_initiative(initiative, by=None)
            out["naive_seconds"] = round(time.perf_counter() - started, 3)
            out["naive_rows"] = len(members)
            if not commit:
                raise _Rollback
    except _Rollback:
        pass
    print(json.dumps(out))


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]), sys.argv[3:] == ["--commit"])
