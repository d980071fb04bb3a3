"""The other side of `test_worker_killed`: run as `python -m sangkien.imports.tests.worker_world
build ROWS`, `... state JOB_ID [check]` or `... worker BATCH STALL` against the file database the
test points DATABASE_URL at.

`build` makes a small tree, a campaign, three authors, an officer and an import job of ROWS
initiatives (queued for `sangkien worker`, as the import page queues a confirmed import) and
prints its id; `state` prints, as JSON, what the test asserts on: the job's status, progress,
starts and message, how many initiatives, import runs and batches there are, and the
differences the replay and `check-stats` find. `worker` is `sangkien worker` writing imports
in batches of BATCH rows, hanging at the moment STALL names (see `_stall`) so that a test
kills it there and not a moment later."""

from __future__ import annotations

import datetime as dt
import json
import os
import sys


def _setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sangkien.settings")
    import django

    django.setup()


def build(rows: int) -> int:
    from django.core.files.base import ContentFile
    from django.utils import timezone

    from sangkien.accounts import services as accounts
    from sangkien.accounts.models import Role
    from sangkien.imports.permissions import import_scope, import_units
    from sangkien.initiatives.tests.builders import make_campaign
    from sangkien.jobs import services as jobs
    from sangkien.orgs import services as orgs

    def unit(code: str, kind: str, parent):
        return orgs.create_unit(
            code=code, name=f"Công đoàn {code}", kind=kind, parent=parent, by=None,
            founded_on=dt.date(2000, 1, 1),
        )  # fmt: skip

    root = unit("VN", "national", None)
    province = unit("TH", "provincial", root)
    upper = unit("TH-KCN", "upper", province)
    first, second = unit("TH-KCN-001", "grassroots", upper), unit("TH-KCN-002", "grassroots", upper)
    for name, where in [("Nguyễn Văn An", first), ("Lê Thị Bình", first), ("Phạm Văn Đức", second)]:
        orgs.create_member(unit=where, full_name=name, by=None)
    campaign = make_campaign(root, requires_recognition=False)
    officer = accounts.create_user(
        username="officer", password="mat-khau-thu-nghiem-1", by=None, check_password=False
    )
    accounts.grant_role(officer, role=Role.OFFICER, unit=province, by=None)
    day = timezone.localdate() - dt.timedelta(days=5)
    lines = ["STT,Tên sáng kiến,Tác giả,Đơn vị,Lĩnh vực,Nội dung tóm tắt,Thời gian áp dụng,"
             "Giá trị làm lợi (đồng)"]  # fmt: skip
    for i in range(1, rows + 1):
        where, who = ("TH-KCN-001", "Nguyễn Văn An; Lê Thị Bình") if i % 2 else (
            "TH-KCN-002", "Phạm Văn Đức")  # fmt: skip
        lines.append(
            f"{i},Sáng kiến số {i},{who},{where},KT,Mô tả {i},"
            f"{day.day}/{day.month}/{day.year},{i * 1000}"
        )
    scope = import_scope(officer, "initiatives")
    job = jobs.start(
        "import",
        user=officer,
        label="Nhập ds.csv",
        params={
            "kind": "initiatives",
            "campaign": campaign.code,
            "dry_run": False,
            "accept_valid": False,
            "scope": scope,
            "units": import_units(officer, "initiatives") if scope is not None else [],
        },
        input_file=ContentFile("\n".join(lines).encode("utf-8"), name="ds.csv"),
    )
    return job.pk


def state(job_id: int) -> dict:
    from sangkien.imports.models import ImportBatch, ImportRun
    from sangkien.initiatives.models import Initiative
    from sangkien.jobs import services as jobs
    from sangkien.jobs.models import Job
    from sangkien.stats import check, recount

    job = jobs.with_live_progress(Job.objects.get(pk=job_id))
    out = {
        "status": job.status,
        "done": job.done,
        "total": job.total,
        "attempts": job.attempts,
        "message": job.message,
        "initiatives": Initiative.objects.count(),
        "runs": ImportRun.objects.count(),
        "batches_written": ImportBatch.objects.filter(applied_at__isnull=False).count(),
    }
    if len(sys.argv) > 3 and sys.argv[3] == "check":
        out["replay"] = [str(d) for d in recount.check()]
        out["check_stats"] = [str(d) for d in check.check()]
    return out


def _stall(moment: str) -> None:
    """Make the worker hang (until it is killed) at a known moment of an import: "checking",
    once 1,000 rows are checked (their progress on the job's row); "writing", inside the
    transaction of the second batch (the first one written); "none", never."""
    import time

    from sangkien.imports import importers
    from sangkien.jobs import services as jobs

    if moment == "checking":
        report = jobs.Reporter.__call__

        def checking(self, done: int, total: int, message: str = "") -> None:
            report(self, done, total, message)
            if done >= 1000 and total > 100:  # rows, not batches
                self.written_at = float("-inf")
                self.unwritten = True
                self.flush()
                time.sleep(600)

        jobs.Reporter.__call__ = checking  # type: ignore[method-assign]
    elif moment == "writing":
        apply = importers.InitiativeImporter.apply
        calls = {"n": 0}

        def writing(self, items):
            calls["n"] += 1
            out = apply(self, items)
            if calls["n"] == 2:
                time.sleep(600)
            return out

        importers.InitiativeImporter.apply = writing  # type: ignore[method-assign]


if __name__ == "__main__":
    _setup()
    if sys.argv[1] == "worker":
        from django.core.management import execute_from_command_line

        from sangkien.imports import importers

        importers.initiatives.INITIATIVE_BATCH = int(sys.argv[2])
        _stall(sys.argv[3])
        execute_from_command_line(["sangkien", "worker", *sys.argv[4:]])
        sys.exit(0)
    if sys.argv[1] == "build":
        print(build(int(sys.argv[2])))
    else:
        print(json.dumps(state(int(sys.argv[2]))))
