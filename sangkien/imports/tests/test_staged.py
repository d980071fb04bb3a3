"""Imports never hold the database while they check, write in short batches, and an import
cut short while writing is finished by running it again, with nothing written twice."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.db import connection
from django.utils import timezone, translation

from sangkien import values
from sangkien.core.models import AuditEntry
from sangkien.imports import importers
from sangkien.imports.importers import IMPORTED, REJECTED, SKIPPED, run_import
from sangkien.imports.models import ImportBatch, ImportRun, RunState
from sangkien.initiatives.models import Author, HistoryEntry, Initiative
from sangkien.initiatives.tests.builders import make_campaign
from sangkien.jobs.models import Job
from sangkien.orgs import services as orgs
from sangkien.orgs.models import Member
from sangkien.stats import figures, recount

pytestmark = pytest.mark.django_db

HEADERS = ["STT", "Tên sáng kiến", "Tác giả", "Đơn vị", "Lĩnh vực", "Nội dung tóm tắt",
           "Thời gian áp dụng", "Giá trị làm lợi (đồng)"]  # fmt: skip


@pytest.fixture(autouse=True)
def _vietnamese():
    with translation.override("vi"):
        yield


@pytest.fixture
def authors(tree):
    return [
        orgs.create_member(unit=tree.grassroots, full_name="Nguyễn Văn An", by=None),
        orgs.create_member(unit=tree.grassroots, full_name="Lê Thị Bình", by=None),
        orgs.create_member(unit=tree.grassroots2, full_name="Phạm Văn Đức", by=None),
    ]


@pytest.fixture
def campaign(tree):
    return make_campaign(tree.root, requires_recognition=False)


def initiatives_csv(n: int, *, bad: int | None = None) -> bytes:
    """`n` initiatives of three authors in two units; row `bad` (1-based) has no title."""
    day = timezone.localdate() - dt.timedelta(days=5)
    lines = [",".join(HEADERS)]
    for i in range(1, n + 1):
        unit, author = ("TH-KCN-001", "Nguyễn Văn An; Lê Thị Bình") if i % 2 else (
            "TH-KCN-002", "Phạm Văn Đức")  # fmt: skip
        title = "" if i == bad else f"Sáng kiến số {i}"
        lines.append(
            f"{i},{title},{author},{unit},KT,Mô tả {i},{day.day}/{day.month}/{day.year},{i * 1000}"
        )
    return "\n".join(lines).encode("utf-8")


def written() -> tuple[int, int, int]:
    return Initiative.objects.count(), Author.objects.count(), HistoryEntry.objects.count()


def test_rows_are_checked_outside_any_transaction(tree, authors, campaign, monkeypatch):
    base = len(connection.atomic_blocks)
    depths: list[int] = []
    original = values.money

    def money(*args, **kwargs):
        depths.append(len(connection.atomic_blocks) - base)
        return original(*args, **kwargs)

    monkeypatch.setattr(values, "money", money)
    summary = run_import("initiatives", initiatives_csv(30), "ds.csv", campaign=campaign)
    assert summary.applied and summary.count(IMPORTED) == 30
    assert len(depths) == 30 and set(depths) == {0}  # no write transaction open while checking


def test_a_file_is_written_in_short_batches_and_keeps_nothing_after(
    tree, authors, campaign, monkeypatch
):
    monkeypatch.setattr(importers.initiatives, "INITIATIVE_BATCH", 7)
    summary = run_import("initiatives", initiatives_csv(40), "ds.csv", campaign=campaign)
    assert summary.applied and summary.count(IMPORTED) == 40
    # 6 batches kept, 1 state change, 6 batches written, 1 last commit (and the run row).
    assert summary.writes >= 14
    assert all(o.ref.startswith("SK-") for o in summary.outcomes if o.status == IMPORTED)
    assert written() == (40, 60, 40)
    assert not ImportRun.objects.exists() and not ImportBatch.objects.exists()
    assert AuditEntry.objects.filter(action="import.initiatives").count() == 1
    assert recount.check() == []
    assert figures.report(tree.province, campaign).unit.initiatives_submitted == 40


def test_a_dry_run_and_a_refused_file_keep_nothing(tree, authors, campaign, monkeypatch):
    monkeypatch.setattr(importers.initiatives, "INITIATIVE_BATCH", 7)
    dry = run_import("initiatives", initiatives_csv(20), "ds.csv", campaign=campaign, dry_run=True)
    assert dry.count(IMPORTED) == 20 and not dry.applied
    refused = run_import("initiatives", initiatives_csv(20, bad=15), "ds.csv", campaign=campaign)
    assert refused.count(REJECTED) == 1 and not refused.applied
    assert written() == (0, 0, 0)
    assert not ImportRun.objects.exists() and not ImportBatch.objects.exists()


class Crash(Exception):
    pass


def crash_after(monkeypatch, importer_class, batches: int) -> None:
    """The process dies while writing: the batch after `batches` written ones fails."""
    original = importer_class.apply
    calls = {"n": 0}

    def apply(self, items):
        calls["n"] += 1
        if calls["n"] > batches:
            raise Crash
        return original(self, items)

    monkeypatch.setattr(importer_class, "apply", apply)


def test_an_import_cut_short_while_writing_is_finished_by_running_it_again(
    tree, authors, campaign, unit_officer, monkeypatch
):
    monkeypatch.setattr(importers.initiatives, "INITIATIVE_BATCH", 10)
    job = Job.objects.create(kind="import", label="Nhập", user=unit_officer)
    data = initiatives_csv(45)
    options = {"user": unit_officer, "scope": [tree.province.path], "campaign": campaign}
    with monkeypatch.context() as m:
        crash_after(m, importers.InitiativeImporter, 2)
        with pytest.raises(Crash):
            run_import("initiatives", data, "ds.csv", job=job, **options)
    # Two whole batches are there, the third rolled back; the run knows where it stopped.
    assert Initiative.objects.count() == 20
    run = ImportRun.objects.get(job=job)
    assert run.state == RunState.APPLYING
    assert run.batches.filter(applied_at__isnull=False).count() == 2
    assert recount.check() == []
    # Run again (what the job does when it is started again): the rest, nothing twice.
    summary = run_import("initiatives", data, "ds.csv", job=job, **options)
    assert summary.applied and summary.count(IMPORTED) == 45 and summary.count(SKIPPED) == 0
    assert sorted(o.number for o in summary.outcomes) == list(range(2, 47))
    refs = [o.ref for o in summary.outcomes]
    assert len(set(refs)) == 45 and all(r.startswith("SK-") for r in refs)
    assert written() == (45, 68, 45)
    assert sorted(Initiative.objects.values_list("title", flat=True)) == sorted(
        f"Sáng kiến số {i}" for i in range(1, 46)
    )
    assert AuditEntry.objects.filter(action="import.initiatives").count() == 1
    assert AuditEntry.objects.filter(action="initiative.import").count() == 45
    assert not ImportRun.objects.exists()
    assert recount.check() == []
    assert figures.report(tree.province, campaign).unit.initiatives_submitted == 45


def test_a_run_cut_short_while_checking_starts_again_from_the_file(
    tree, authors, campaign, unit_officer, monkeypatch
):
    monkeypatch.setattr(importers.initiatives, "INITIATIVE_BATCH", 10)
    job = Job.objects.create(kind="import", label="Nhập", user=unit_officer)
    run = ImportRun.objects.create(
        kind="initiatives", filename="ds.csv", job=job, started_at=timezone.now()
    )
    ImportBatch.objects.create(run=run, number=1, items=[{"o": 0}], outcomes=[[2, IMPORTED]])
    summary = run_import("initiatives", initiatives_csv(15), "ds.csv", campaign=campaign, job=job)
    assert summary.count(IMPORTED) == 15 and Initiative.objects.count() == 15
    assert not ImportRun.objects.exists()


def members_xlsx(n: int) -> bytes:
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Họ và tên", "Ngày sinh", "CĐCS", "Chức vụ"])
    sheet.append(["Nguyễn Văn An", None, "TH-KCN-001", "Tổ trưởng"])  # an update
    for i in range(n):
        sheet.append([f"Đoàn Viên Số {i}", f"1/1/{1970 + i % 30}", "TH-KCN-002", "Công nhân"])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_a_members_import_cut_short_is_finished_with_the_totals_right(
    tree, authors, unit_officer, monkeypatch
):
    monkeypatch.setattr(importers.members, "BATCH", 5)
    job = Job.objects.create(kind="import", label="Nhập", user=unit_officer)
    data = members_xlsx(17)
    with monkeypatch.context() as m:
        crash_after(m, importers.MemberImporter, 1)
        with pytest.raises(Crash):
            run_import("members", data, "dv.xlsx", user=unit_officer, job=job)
    assert Member.objects.count() == 3 + 4  # the first batch: An's update and 4 members
    summary = run_import("members", data, "dv.xlsx", user=unit_officer, job=job)
    assert summary.applied and summary.count(IMPORTED) == 17 and summary.count("updated") == 1
    assert Member.objects.count() == 3 + 17
    assert Member.objects.get(full_name="Nguyễn Văn An").position == "Tổ trưởng"
    tree.grassroots2.refresh_from_db()
    tree.province.refresh_from_db()
    assert tree.grassroots2.members_total == 18
    assert tree.province.members_total == Member.objects.filter(left_on__isnull=True).count()
    assert not ImportRun.objects.exists()
