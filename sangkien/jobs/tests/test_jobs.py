"""Background jobs: the registry, running a job (done, failed), progress while it runs, and
the pages (only the job's user sees it)."""

from __future__ import annotations

import datetime as dt
import json
import logging
import signal
import time
from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.db import OperationalError, connection, connections, transaction
from django.urls import reverse
from django.utils import timezone, translation

from conftest import make_user
from sangkien.jobs import services
from sangkien.jobs.models import Job, JobStatus
from sangkien.jobs.services import JobError, register, save_output, start
from sangkien.jobs.testing import jobs_run_immediately

seen: dict[str, Any] = {}


@register("test.echo")
def echo(job, progress):
    progress(1, 2, "Half way")
    seen["row_while_running"] = Job.objects.values_list("status", "done", "total").get(pk=job.pk)
    progress(2, 2, "All done")
    if job.params.get("file"):
        save_output(job, "ket-qua.txt", job.params["file"].encode())
    return {"summary": "2 rows", "rows": 2, "language": translation.get_language()}


@register("test.crash")
def crash(job, progress):
    progress(3, 10, "Working")
    raise RuntimeError("secret internals")


@register("test.refuse")
def refuse(job, progress):
    raise JobError("Tệp không có dòng nào.")


@register("test.in_transaction")
def in_transaction(job, progress):
    progress(0, 4, "Reading")
    with transaction.atomic():
        Job.objects.filter(pk=job.pk).values("id").first()
        progress(2, 4, "Saving")
        seen["live"] = services.with_live_progress(
            Job.objects.get(pk=job.pk) if connection.vendor == "sqlite" else _fresh(job.pk)
        )
        seen["other_connection"] = _read_elsewhere(job.pk)
        if job.params.get("fail"):
            raise RuntimeError("rolled back")
    progress(4, 4, "Saved")
    return {}


def _fresh(pk: int) -> Job:
    return Job.objects.get(pk=pk)


def _read_elsewhere(pk: int):
    """The row as another connection sees it (what the status page of the server reads)."""
    if connection.vendor == "sqlite":
        return None
    other = connections.create_connection("default")
    try:
        with other.cursor() as cursor:
            cursor.execute("SELECT done, total, message FROM jobs_job WHERE id = %s", [pk])
            return cursor.fetchone()
    finally:
        other.close()


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _no_throttle(monkeypatch):
    monkeypatch.setattr(services, "PROGRESS_INTERVAL", 0)
    seen.clear()


@pytest.fixture
def owner(tree):
    return make_user("owner")


def run(kind: str, user, **kwargs) -> Job:
    with jobs_run_immediately():
        job = start(kind, user=user, label="Thử", **kwargs)
    job.refresh_from_db()
    return job


# -- the registry and starting ---------------------------------------------------------------


def test_start_runs_the_handler_once_committed_and_keeps_its_result(owner, tree):
    with jobs_run_immediately():
        job = start("test.echo", user=owner, unit=tree.province, label="Xuất", params={"a": 1})
        assert Job.objects.get(pk=job.pk).status == JobStatus.QUEUED  # not before the commit
    job.refresh_from_db()
    assert job.status == JobStatus.DONE
    assert job.result == {"summary": "2 rows", "rows": 2, "language": "vi"}
    assert (job.done, job.total, job.message) == (2, 2, "All done")
    assert job.started_at and job.finished_at and job.finished_at >= job.started_at
    assert job.task_id
    assert job.unit == tree.province and job.params == {"a": 1}
    assert job.percent == 100


def test_the_handler_runs_in_the_language_of_whoever_started_it(owner):
    with translation.override("en"):
        job = run("test.echo", owner)
    assert job.language == "en" and job.result["language"] == "en"


def test_an_unknown_kind_is_refused_before_anything_is_written(owner):
    with pytest.raises(LookupError):
        start("test.nope", user=owner, label="x")
    assert not Job.objects.exists()


def test_a_kind_is_registered_once():
    with pytest.raises(ValueError, match="already handled"):
        register("test.echo")(lambda job, progress: {})
    assert register("test.echo")(echo) is echo  # the same handler again is harmless


def test_handlers_of_the_apps_are_found_by_autodiscovery():
    assert {"test.echo", "export"} <= set(services.kinds())


def test_without_the_immediate_backend_the_job_waits_for_the_worker(owner, settings):
    job = start("test.echo", user=owner, label="x")
    assert Job.objects.get(pk=job.pk).status == JobStatus.QUEUED


def test_the_input_file_is_stored_under_its_own_name(owner, settings):
    upload = ContentFile(b"ma,ten\n", name="../danh sach.csv")
    job = run("test.echo", owner, input_file=upload)
    assert job.input_name == "danh sach.csv"
    assert str(job.input_file.name).startswith("jobs/in/")
    assert str(job.input_file.name).endswith(".csv")
    assert job.input_file.read() == b"ma,ten\n"


# -- failure -----------------------------------------------------------------------------------


def test_a_crash_fails_the_job_with_a_message_and_logs_the_traceback(owner, caplog):
    with caplog.at_level(logging.ERROR, logger="sangkien.jobs"):
        job = run("test.crash", owner)
    assert job.status == JobStatus.FAILED
    assert "secret" not in job.message
    assert str(job.pk) in job.message
    assert (job.done, job.total) == (3, 10)
    assert any("secret internals" in (r.exc_text or "") for r in caplog.records)


def test_a_job_error_is_shown_as_it_is(owner):
    job = run("test.refuse", owner)
    assert job.status == JobStatus.FAILED
    assert job.message == "Tệp không có dòng nào."


def test_a_job_already_run_is_not_run_again(owner):
    job = run("test.echo", owner)
    seen.clear()
    assert services.run(job.pk) == JobStatus.DONE
    assert "row_while_running" not in seen


# -- progress ----------------------------------------------------------------------------------


def test_progress_is_on_the_row_while_the_handler_runs(owner):
    run("test.echo", owner)
    assert seen["row_while_running"] == (JobStatus.RUNNING, 1, 2)


def test_progress_is_written_at_most_every_interval(owner, monkeypatch):
    monkeypatch.setattr(services, "PROGRESS_INTERVAL", 3600)
    job = Job.objects.create(kind="test.echo", label="x", user=owner)
    reporter = services.Reporter(job)
    reporter(1, 100, "first")
    reporter(50, 100, "second")
    assert Job.objects.values_list("done", "message").get(pk=job.pk) == (1, "first")
    reporter.flush()
    assert Job.objects.values_list("done", "message").get(pk=job.pk) == (50, "second")


@pytest.mark.skipif("connection.vendor != 'sqlite'")
def test_on_sqlite_progress_inside_the_handlers_transaction_goes_beside_the_row(owner):
    job = run("test.in_transaction", owner)
    live = seen["live"]
    assert (live.done, live.total, live.message) == (2, 4, "Saving")
    assert job.status == JobStatus.DONE and (job.done, job.message) == (4, "Saved")
    assert not services._progress_file(job.pk).exists()


@pytest.mark.skipif("connection.vendor != 'sqlite'")
def test_the_status_page_reads_the_progress_beside_the_row(owner, login):
    job = Job.objects.create(kind="test.echo", label="x", user=owner, status=JobStatus.RUNNING)
    services._write_progress_file(job.pk, {"done": 7, "total": 9, "message": "Đang ghi"})
    html = login(owner).get(reverse("jobs:progress", args=[job.pk]), HTTP_HX_REQUEST="true")
    assert "<span data-percent>77%</span>" in html.content.decode()
    assert "Đang ghi" in html.content.decode()


@pytest.mark.skipif("connection.vendor == 'sqlite'")
@pytest.mark.django_db(transaction=True)
def test_elsewhere_progress_inside_the_handlers_transaction_is_seen_at_once_and_kept(tree):
    owner = make_user("owner")
    job = run("test.in_transaction", owner, params={"fail": True})
    assert seen["other_connection"] == (2, 4, "Saving")
    assert job.status == JobStatus.FAILED
    assert (job.done, job.total) == (2, 4)  # not rolled back with the handler's work


# -- files -------------------------------------------------------------------------------------


def test_save_output_stores_the_file_for_download(owner):
    job = run("test.echo", owner, params={"file": "xin chào"})
    assert job.has_output and job.output_name == "ket-qua.txt"
    assert str(job.output_file.name).startswith("jobs/out/")
    assert job.output_file.read() == "xin chào".encode()


def test_save_output_copies_a_file_from_a_path(owner, tmp_path):
    source = tmp_path / "out.bin"
    source.write_bytes(b"\x00\x01")
    job = Job.objects.create(kind="test.echo", label="x", user=owner)
    save_output(job, "du-lieu.xlsx", source)
    assert job.output_name == "du-lieu.xlsx" and job.output_file.read() == b"\x00\x01"


# -- pages -------------------------------------------------------------------------------------


@pytest.fixture
def finished(owner):
    return run("test.echo", owner, params={"file": "nội dung"})


@pytest.mark.parametrize("name", ["jobs:detail", "jobs:progress", "jobs:download"])
def test_job_pages_answer_404_to_another_user(finished, outsider, login, name):
    assert login(outsider).get(reverse(name, args=[finished.pk])).status_code == 404


@pytest.mark.parametrize("name", ["jobs:detail", "jobs:progress", "jobs:download"])
def test_job_pages_send_anonymous_visitors_to_log_in(finished, client, name):
    response = client.get(reverse(name, args=[finished.pk]))
    assert response.status_code == 302 and reverse("accounts:login") in response["Location"]


def test_a_superuser_may_look_at_any_job(finished, login):
    boss = make_user("boss")
    boss.is_superuser = True
    boss.save(update_fields=["is_superuser"])
    assert login(boss).get(reverse("jobs:detail", args=[finished.pk])).status_code == 200


def test_the_job_page_shows_the_result_and_the_download_link(finished, login):
    client = login(finished.user)
    html = client.get(reverse("jobs:detail", args=[finished.pk])).content.decode()
    assert "2 rows" in html
    assert reverse("jobs:download", args=[finished.pk]) in html
    assert 'value="100"' in html
    assert "hx-trigger" not in html  # finished: no more polling


def test_a_running_job_polls_its_progress_every_second(owner, login):
    job = Job.objects.create(
        kind="test.echo", label="x", user=owner, status=JobStatus.RUNNING, done=25, total=100
    )
    html = login(owner).get(reverse("jobs:detail", args=[job.pk])).content.decode()
    assert 'hx-get="{}"'.format(reverse("jobs:progress", args=[job.pk])) in html
    assert 'hx-trigger="every 1s"' in html
    assert 'value="25"' in html and "25%" in html
    partial = login(owner).get(reverse("jobs:progress", args=[job.pk]), HTTP_HX_REQUEST="true")
    assert partial.content.decode().lstrip().startswith("<section")
    # Never kept, and (an answer to a signed-in user) never by a shared cache.
    assert {d.strip() for d in partial["Cache-Control"].split(",")} == {"no-store", "private"}


def test_a_failed_job_shows_its_message(owner, login):
    job = run("test.refuse", owner)
    html = login(owner).get(reverse("jobs:detail", args=[job.pk])).content.decode()
    assert "Tệp không có dòng nào." in html and 'role="alert"' in html
    assert reverse("jobs:download", args=[job.pk]) not in html


def test_download_sends_the_file_as_an_attachment_named_as_asked(finished, login):
    response = login(finished.user).get(reverse("jobs:download", args=[finished.pk]))
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="ket-qua.txt"'
    assert b"".join(response.streaming_content) == "nội dung".encode()


def test_download_without_a_file_is_404(owner, login):
    job = run("test.echo", owner)
    assert login(owner).get(reverse("jobs:download", args=[job.pk])).status_code == 404


def test_my_jobs_lists_only_mine_newest_first(owner, outsider, login):
    first = run("test.echo", owner)
    second = run("test.refuse", owner)
    theirs = run("test.echo", outsider)
    html = login(owner).get(reverse("jobs:list")).content.decode()
    assert html.index(f'data-job="{second.pk}"') < html.index(f'data-job="{first.pk}"')
    assert f'data-job="{theirs.pk}"' not in html


# -- the worker --------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_the_worker_runs_queued_jobs_and_prints_one_line_each(tree, capsys):
    owner = make_user("owner")
    job = start("test.echo", user=owner, label="Xuất danh sách")  # committed: queued for real
    assert Job.objects.get(pk=job.pk).task_id
    handlers = {s: signal.getsignal(s) for s in (signal.SIGINT, signal.SIGTERM, signal.SIGQUIT)}
    try:
        call_command("worker", "--batch", "--interval", "0")
    finally:
        for s, h in handlers.items():
            signal.signal(s, h)
        logging.getLogger("sangkien.jobs").handlers.clear()
        logging.getLogger("sangkien.jobs").propagate = True
    job.refresh_from_db()
    assert job.status == JobStatus.DONE
    out = capsys.readouterr().out
    assert f"job {job.pk} test.echo done" in out
    assert json.loads(json.dumps(job.result))["rows"] == 2


# -- crashes -----------------------------------------------------------------------------------

calls: dict[str, int] = {}


@register("test.busy")
def busy(job, progress):
    calls["busy"] = calls.get("busy", 0) + 1
    if calls["busy"] <= job.params.get("busy_tries", 99):
        raise OperationalError("database is locked")
    return {"tries": calls["busy"]}


def stale(owner, *, attempts: int = 1, seconds: float = 600) -> Job:
    long_ago = timezone.now() - dt.timedelta(seconds=seconds)
    return Job.objects.create(
        kind="test.echo", label="Thử", user=owner, status=JobStatus.RUNNING,
        started_at=long_ago, heartbeat_at=long_ago, attempts=attempts, language="vi",
    )  # fmt: skip


def test_a_running_job_whose_worker_died_is_queued_again(owner):
    job = stale(owner)
    assert services.reap_stale_jobs() == [job.pk]
    job.refresh_from_db()
    assert job.status == JobStatus.QUEUED and job.task_id and job.heartbeat_at is None
    assert "tiếp tục" in job.message
    assert services.reap_stale_jobs() == []  # taken once


def test_a_job_with_a_fresh_heartbeat_is_left_alone(owner):
    job = stale(owner, seconds=1)
    assert services.reap_stale_jobs() == []
    assert Job.objects.get(pk=job.pk).status == JobStatus.RUNNING


def test_after_its_last_attempt_a_dead_job_fails_saying_so_and_can_run_again(owner, login):
    job = stale(owner, attempts=services.MAX_ATTEMPTS)
    client = login(owner)
    page = client.get(reverse("jobs:detail", args=[job.pk]))  # the page recovers it
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED and "Chạy lại" in job.message
    html = page.content.decode()
    assert job.message in html and reverse("jobs:retry", args=[job.pk]) in html
    with jobs_run_immediately():
        response = client.post(reverse("jobs:retry", args=[job.pk]), {"next": "/jobs/"})
    assert response.status_code == 302 and response["Location"] == "/jobs/"
    job.refresh_from_db()
    assert job.status == JobStatus.DONE and job.attempts == 1


def test_only_a_failed_job_runs_again_and_only_for_whoever_sees_it(owner, outsider, login):
    job = run("test.echo", owner)
    url = reverse("jobs:retry", args=[job.pk])
    assert login(outsider).post(url).status_code == 404
    assert login(owner).get(url).status_code == 405
    response = login(owner).post(url, {"next": "https://example.com/"})
    assert response["Location"] == reverse("jobs:detail", args=[job.pk])
    assert Job.objects.get(pk=job.pk).status == JobStatus.DONE  # not run again


def test_a_handler_meeting_a_busy_database_is_tried_again(owner, monkeypatch):
    from sangkien.core import locks

    monkeypatch.setattr(locks, "FIRST_WAIT", 0.001)
    calls.clear()
    job = run("test.busy", owner, params={"busy_tries": 2})
    assert job.status == JobStatus.DONE and job.result == {"tries": 3}


def test_a_database_that_stays_busy_fails_the_job_in_words(owner, monkeypatch):
    from sangkien.core import locks

    monkeypatch.setattr(locks, "FIRST_WAIT", 0.001)
    calls.clear()
    job = run("test.busy", owner)
    assert job.status == JobStatus.FAILED and calls["busy"] == locks.ATTEMPTS
    assert "database is locked" not in job.message and "bận" in job.message


@pytest.mark.django_db(transaction=True)
def test_the_heartbeat_is_written_while_the_job_runs(tree):
    owner = make_user("owner")
    job = stale(owner, seconds=600)
    before = job.heartbeat_at
    beat = services.Heartbeat(job.pk, interval=0.05)
    try:
        deadline = time.monotonic() + 5
        while Job.objects.get(pk=job.pk).heartbeat_at == before:
            assert time.monotonic() < deadline
            time.sleep(0.05)
    finally:
        beat.stop()
    assert services.reap_stale_jobs() == []


@pytest.mark.django_db(transaction=True)
def test_the_worker_survives_database_errors_and_goes_on(tree, capsys, monkeypatch):
    from django_tasks_db.management.commands import db_worker

    from sangkien.jobs.management.commands import worker

    owner = make_user("owner")
    job = start("test.echo", user=owner, label="Xuất danh sách")
    real = db_worker.close_old_connections
    failures = {"n": 0}

    def flaky() -> None:
        if failures["n"] < 2:
            failures["n"] += 1
            raise OperationalError("database is locked")
        real()

    monkeypatch.setattr(db_worker, "close_old_connections", flaky)
    monkeypatch.setattr(worker, "FIRST_BACKOFF", 0.01)
    handlers = {s: signal.getsignal(s) for s in (signal.SIGINT, signal.SIGTERM, signal.SIGQUIT)}
    try:
        call_command("worker", "--batch", "--interval", "0")
    finally:
        for s, h in handlers.items():
            signal.signal(s, h)
        logging.getLogger("sangkien.jobs").handlers.clear()
        logging.getLogger("sangkien.jobs").propagate = True
    assert failures["n"] == 2
    job.refresh_from_db()
    assert job.status == JobStatus.DONE
    out = capsys.readouterr().out
    assert out.count("the database failed") == 2 and f"job {job.pk} test.echo done" in out
