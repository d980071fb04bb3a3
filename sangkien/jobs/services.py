"""Starting background jobs, running them, and reporting their progress (decision 0014;
crashes: 0020).

An app offers a kind of job by registering a handler in its `jobs.py` module (found by
autodiscovery, as Django's admin finds `admin.py`):

    from sangkien.jobs.services import register, save_output

    @register("export")
    def export(job: Job, progress: Progress) -> dict:
        progress(0, total, _("Counting…"))
        ...
        save_output(job, "sang-kien.xlsx", path)
        return {"rows": rows}

and starts one from a view with `start("export", user=..., unit=..., label=..., params=...)`.
`start` creates the Job row and enqueues the django-tasks task `run_job(job_id)` once the
surrounding transaction commits (the worker must see the row). `run_job` marks the job
running, calls the handler in the language of whoever started it, stores what it returns in
`result` and marks it done; when the handler raises, the job is failed with a message people
can read (a `JobError`'s own, else a general one) and the traceback goes to the log.

Progress: `progress(done, total, message)` (total 0 while unknown) writes at most every
PROGRESS_INTERVAL seconds (and always the last call before the job ends). A handler may hold
a transaction open for minutes (an import is all or nothing), so progress never goes through
it, where it would stay invisible until the commit and vanish with a rollback:
- outside the handler's own transactions it is an UPDATE of the job row on the worker's
  connection, in autocommit: visible at once;
- inside one, on PostgreSQL (and any database where two connections write at once), an
  UPDATE through a second connection of the worker's, in autocommit;
- inside one, on SQLite, no other connection can write while the handler holds the write
  lock, so the progress goes to a small file next to the job's files
  (`MEDIA_ROOT/jobs/progress/<id>.json`, replaced atomically) that the status page reads
  while the job runs; the row gets the state again at the next write outside a transaction
  and at the end.
A handler never writes its own job row (on PostgreSQL the progress connection would then
wait for the handler's transaction, which waits for the progress: a deadlock); it hands
its file to `save_output` and returns its result.

Crashes (decision record 0020): while a job runs, a thread of the worker writes the row's
`heartbeat_at` every HEARTBEAT seconds. A running job whose heartbeat is older than STALE
seconds lost its worker (killed, machine restarted): `reap_stale_jobs` (run by every worker
every few seconds, and by the job's page) queues it again, up to MAX_ATTEMPTS starts in all,
and then fails it with a message saying so. A handler must therefore be safe to run again:
an export writes its file anew, an import finishes the batches it had not written. A
failed job can be started again by its owner (`retry_job`, "Run again" on its page).
A database busy for too long (a lock) is tried again a few times before the job fails
with a message that says so; the worker itself survives database errors (worker command).
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, Protocol

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.files.base import ContentFile
from django.db import DatabaseError, OperationalError, connection, connections, transaction
from django.db.models import F, Q
from django.utils import timezone, translation
from django.utils.module_loading import autodiscover_modules
from django.utils.translation import gettext as _
from django_tasks import task

from sangkien.core import locks, wording

from .models import FINISHED, Job, JobStatus

logger = logging.getLogger("sangkien.jobs")

# Seconds between two progress writes of one job.
PROGRESS_INTERVAL = 0.5
PROGRESS_DIR = "jobs/progress"
# Seconds between two heartbeats of a running job, and after how long without one its
# worker is taken for dead (settings SANGKIEN_JOB_HEARTBEAT_SECONDS, _STALE_SECONDS).
HEARTBEAT = float(getattr(settings, "SANGKIEN_JOB_HEARTBEAT_SECONDS", 5))
STALE = float(getattr(settings, "SANGKIEN_JOB_STALE_SECONDS", 45))
# Seconds between two looks of a worker for such jobs (SANGKIEN_JOB_REAP_SECONDS).
REAP = float(getattr(settings, "SANGKIEN_JOB_REAP_SECONDS", 5))
# Starts of one job (the first and those after a worker died) before it is failed.
MAX_ATTEMPTS = 3


class Progress(Protocol):
    def __call__(self, done: int, total: int, message: str = "") -> None: ...


Handler = Callable[[Job, Progress], dict[str, Any] | None]


class JobError(Exception):
    """A failure the user can act on (a bad file, a filter that matches nothing): its message,
    already in the job's language, is what the job page shows."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


# -- the registry ----------------------------------------------------------------------------

_handlers: dict[str, Handler] = {}
_discovered = False


def register(kind: str) -> Callable[[Handler], Handler]:
    """Register the handler of a kind of job: `handler(job, progress) -> dict | None`."""

    def decorator(handler: Handler) -> Handler:
        existing = _handlers.get(kind)
        if existing is not None and existing is not handler:
            name = f"{existing.__module__}.{existing.__qualname__}"
            raise ValueError(f"the job kind {kind!r} is already handled by {name}")
        _handlers[kind] = handler
        return handler

    return decorator


def _discover() -> None:
    global _discovered
    if not _discovered:
        autodiscover_modules("jobs")
        _discovered = True


def handler_for(kind: str) -> Handler:
    _discover()
    try:
        return _handlers[kind]
    except KeyError:
        raise LookupError(f"no handler is registered for the job kind {kind!r}") from None


def kinds() -> list[str]:
    _discover()
    return sorted(_handlers)


# -- starting --------------------------------------------------------------------------------


def start(
    kind: str,
    *,
    user: Any,
    unit: Any = None,
    label: str | wording.Wording,
    params: dict[str, Any] | None = None,
    input_file: File | None = None,
) -> Job:
    """Create a job and have the worker run it once the current transaction commits.

    `params` must be JSON (codes and ids, not objects); `input_file` (an upload or any
    Django File) is stored under MEDIA_ROOT/jobs/in/ and its name kept in `input_name`."""
    handler_for(kind)  # an unknown kind is a programming error: fail before writing
    label_code, label_params = wording.as_stored(label)
    job = Job(
        kind=kind,
        label=str(label)[: Job._meta.get_field("label").max_length],
        label_code=label_code,
        label_params=label_params,
        user=user,
        unit=unit,
        params=params or {},
        language=translation.get_language() or settings.LANGUAGE_CODE,
    )
    with transaction.atomic():
        job.save()
        if input_file is not None:
            name = Path(getattr(input_file, "name", "") or "").name
            job.input_name = name[:255]
            job.input_file.save(name or "input", input_file, save=False)
            job.save(update_fields=["input_file", "input_name"])
        job_id = job.pk
        transaction.on_commit(lambda: enqueue(job_id))
    return job


@task()
def run_job(job_id: int) -> str:
    """The one django-tasks task of the project: run the background job `job_id`."""
    return run(job_id)


def enqueue(job_id: int) -> None:
    """Hand the job to the task backend (called once the job row is committed)."""
    try:
        result = run_job.enqueue(job_id)
    except Exception:
        logger.exception("job %s could not be queued", job_id)
        _finish(job_id, JobStatus.FAILED, message=_failure_text(job_id))
        return
    Job.objects.filter(pk=job_id).update(task_id=str(result.id)[:64])


# -- running ---------------------------------------------------------------------------------


def run(job_id: int) -> str:
    """Run one job (the body of the `run_job` task): the final status."""
    now = timezone.now()
    claimed = locks.retry_on_lock(
        lambda: Job.objects.filter(pk=job_id, status=JobStatus.QUEUED).update(
            status=JobStatus.RUNNING,
            started_at=now,
            heartbeat_at=now,
            attempts=F("attempts") + 1,
            finished_at=None,
        ),
        what=f"job {job_id}",
    )
    job = Job.objects.select_related("user", "unit").filter(pk=job_id).first()
    if job is None:
        logger.warning("job %s: no such job", job_id)
        return "missing"
    if not claimed:
        logger.warning("job %s: already %s, not run again", job_id, job.status)
        return job.status
    started = time.monotonic()
    reporter = Reporter(job)
    # Inside a transaction (tests) nobody else could read the heartbeat anyway.
    heartbeat = None if connection.in_atomic_block else Heartbeat(job.pk)
    with translation.override(job.language or settings.LANGUAGE_CODE):
        try:
            result = _call_handler(job, reporter)
        except JobError as exc:
            status, message, result = JobStatus.FAILED, exc.message, None
        except ValidationError as exc:
            status, message, result = JobStatus.FAILED, " ".join(exc.messages), None
        except locks.DatabaseBusy as exc:
            logger.warning("job %s (%s): the database stayed busy", job.pk, job.kind)
            status, message, result = JobStatus.FAILED, _busy_text(), None
            del exc
        except Exception as exc:
            if locks.is_lock_error(exc):
                logger.warning("job %s (%s): the database stayed busy", job.pk, job.kind)
                status, message, result = JobStatus.FAILED, _busy_text(), None
            else:
                logger.exception("job %s (%s) failed", job.pk, job.kind)
                status, message, result = JobStatus.FAILED, _failure_text(job.pk), None
        else:
            status, message = JobStatus.DONE, reporter.message
        finally:
            if heartbeat is not None:
                heartbeat.stop()
            reporter.close()
    output: dict[str, Any] = {}
    if status == JobStatus.DONE and job.output_file:
        output = {"output_file": job.output_file.name, "output_name": job.output_name}
    elif job.output_file:
        job.output_file.delete(save=False)  # half a file is worse than none
    locks.retry_on_lock(
        lambda: _finish(
            job.pk,
            status,
            message=message,
            result=result if isinstance(result, dict) else {},
            done=reporter.done,
            total=reporter.total,
            **output,
        ),
        what=f"job {job.pk}",
    )
    seconds = time.monotonic() - started
    logger.info(
        "job %s %s %s in %.1f s: %s", job.pk, job.kind, status, seconds, message or job.label
    )
    return status


def _call_handler(job: Job, reporter: Reporter) -> dict[str, Any] | None:
    """The handler, run again (a bounded number of times) when it met a busy database:
    what it wrote in the failed try was rolled back, and handlers are safe to run again."""
    handler = handler_for(job.kind)
    for attempt in range(1, locks.ATTEMPTS + 1):
        try:
            return handler(job, reporter)
        except OperationalError as exc:
            # Still inside a transaction of the handler's: it cannot be tried again here.
            if not locks.is_lock_error(exc) or len(connection.atomic_blocks) > reporter.base_depth:
                raise
            if attempt == locks.ATTEMPTS:
                raise locks.DatabaseBusy() from exc
            logger.warning("job %s: the database is busy, trying again (%s)", job.pk, attempt)
            time.sleep(locks.FIRST_WAIT * 2 ** (attempt - 1))
    raise AssertionError("unreachable")  # pragma: no cover


def _busy_text() -> str:
    return _(
        "The database stayed busy with other work while this job ran. Nothing was lost: "
        "run it again in a moment."
    )


def _failure_text(job_id: int) -> str:
    return _(
        "The job could not be finished. Nothing was lost: try again, and if it fails again, "
        "give an administrator the job number %(id)s."
    ) % {"id": job_id}


def _finish(
    job_id: int,
    status: str,
    *,
    message: str = "",
    result: dict[str, Any] | None = None,
    done: int | None = None,
    total: int | None = None,
    **output: str,
) -> None:
    assert status in FINISHED
    changes: dict[str, Any] = {"status": status, "message": message, "finished_at": timezone.now()}
    changes.update(output)
    if result is not None:
        changes["result"] = result
    if status == JobStatus.DONE and total:
        changes["done"], changes["total"] = max(done or 0, total), total
    elif done is not None:
        changes["done"], changes["total"] = done, total or 0
    Job.objects.filter(pk=job_id).update(**changes)
    _progress_file(job_id).unlink(missing_ok=True)


class Reporter:
    """The `progress` callable handed to a handler (see the module's docstring)."""

    def __init__(self, job: Job, *, interval: float | None = None) -> None:
        self.job_id = job.pk
        self.interval = PROGRESS_INTERVAL if interval is None else interval
        # The worker's own transactions (none in the worker; the test's in tests) are not
        # the handler's: below this depth the row can be written directly.
        self.base_depth = len(connection.atomic_blocks)
        self.done, self.total, self.message = job.done, job.total, job.message
        self.written_at = float("-inf")
        self.unwritten = False
        self.in_file = False
        self._other: Any = None

    def __call__(self, done: int, total: int, message: str = "") -> None:
        self.done, self.total = max(0, int(done)), max(0, int(total))
        if message:
            self.message = str(message)
        self.unwritten = True
        if time.monotonic() - self.written_at >= self.interval:
            self.flush()

    def flush(self) -> None:
        if not self.unwritten:
            return
        values = {"done": self.done, "total": self.total, "message": self.message}
        if len(connection.atomic_blocks) <= self.base_depth:
            try:
                Job.objects.filter(pk=self.job_id).update(**values, heartbeat_at=timezone.now())
            except OperationalError as exc:
                if not locks.is_lock_error(exc):
                    raise
                return  # the database is busy: the next progress writes it

            if self.in_file:
                _progress_file(self.job_id).unlink(missing_ok=True)
                self.in_file = False
        elif connection.vendor == "sqlite":
            _write_progress_file(self.job_id, values)
            self.in_file = True
        else:
            self._update_elsewhere(values)
        self.unwritten = False
        self.written_at = time.monotonic()

    def _update_elsewhere(self, values: dict[str, Any]) -> None:
        """UPDATE the row through a second connection, in autocommit (outside the handler's
        transaction)."""
        if self._other is None:
            self._other = connections.create_connection(connection.alias)
        quote = self._other.ops.quote_name
        columns = ", ".join(f"{quote(c)} = %s" for c in ("done", "total", "message"))
        # Names quoted from the model; values are parameters.
        sql = f"UPDATE {quote(Job._meta.db_table)} SET {columns} WHERE {quote('id')} = %s"  # noqa: S608
        with self._other.cursor() as cursor:
            cursor.execute(sql, [values["done"], values["total"], values["message"], self.job_id])

    def close(self) -> None:
        if self._other is not None:
            self._other.close()
            self._other = None


# -- crashes -----------------------------------------------------------------------------------


class Heartbeat:
    """A thread writing the running job's `heartbeat_at` every HEARTBEAT seconds, on a
    connection of its own, in autocommit; a database error skips one beat, never the job."""

    def __init__(self, job_id: int, interval: float | None = None) -> None:
        self.job_id = job_id
        self.interval = HEARTBEAT if interval is None else interval
        self._stop = threading.Event()
        self._thread = threading.Thread(
            target=self._beat, name=f"job-{job_id}-heartbeat", daemon=True
        )
        self._thread.start()

    def _beat(self) -> None:
        try:
            while not self._stop.wait(self.interval):
                try:
                    Job.objects.filter(pk=self.job_id, status=JobStatus.RUNNING).update(
                        heartbeat_at=timezone.now()
                    )
                except DatabaseError as exc:
                    logger.warning("job %s: heartbeat not written (%s)", self.job_id, exc)
        finally:
            connections.close_all()  # this thread's own connections

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=30)


def stale_jobs(now: dt.datetime | None = None) -> Any:
    """Running jobs whose worker gave no sign of life for STALE seconds."""
    cutoff = (now or timezone.now()) - dt.timedelta(seconds=STALE)
    return Job.objects.filter(status=JobStatus.RUNNING).filter(
        Q(heartbeat_at__lt=cutoff) | Q(heartbeat_at__isnull=True, started_at__lt=cutoff)
    )


def reap_stale_jobs(now: dt.datetime | None = None, *, only: int | None = None) -> list[int]:
    """Queue again (or, after MAX_ATTEMPTS starts, fail) every running job whose worker
    died; the ids handled. Several workers may call it at once: each job is taken by one."""
    stale = stale_jobs(now)
    if only is not None:
        stale = stale.filter(pk=only)
    handled = []
    for job in stale.only("pk", "attempts", "heartbeat_at", "language"):
        if _recover(job):
            handled.append(job.pk)
    return handled


def _recover(job: Job) -> bool:
    with translation.override(job.language or settings.LANGUAGE_CODE):
        same = Job.objects.filter(pk=job.pk, status=JobStatus.RUNNING)
        same = same.filter(heartbeat_at=job.heartbeat_at)  # nobody else took it meanwhile
        if job.attempts < MAX_ATTEMPTS:
            message = _(
                "The worker running this job stopped. The job starts again and goes on "
                "from where it was."
            )
            if not same.update(status=JobStatus.QUEUED, heartbeat_at=None, message=message):
                return False
            logger.warning("job %s: its worker stopped; queued again", job.pk)
            enqueue(job.pk)
            return True
        message = _(
            "The worker running this job stopped %(n)s times, so the job was stopped. "
            "Nothing half-written is left: press “Run again” to finish it."
        ) % {"n": job.attempts}
        if not same.update(
            status=JobStatus.FAILED, heartbeat_at=None, message=message, finished_at=timezone.now()
        ):
            return False
        logger.warning("job %s: its worker stopped %s times; failed", job.pk, job.attempts)
        _progress_file(job.pk).unlink(missing_ok=True)
        return True


def retry_job(job: Job, *, by: Any) -> Job:
    """Start a failed job again, as it was asked (its owner's "Run again")."""
    from .permissions import can_retry_job

    if not can_retry_job(by, job):
        raise ValidationError(_("Only a failed job can be run again."))
    with transaction.atomic():
        restarted = Job.objects.filter(pk=job.pk, status=JobStatus.FAILED).update(
            status=JobStatus.QUEUED,
            message="",
            done=0,
            total=0,
            attempts=0,
            heartbeat_at=None,
            finished_at=None,
        )
        if restarted:
            job_id = job.pk
            transaction.on_commit(lambda: enqueue(job_id))
    if not restarted:
        raise ValidationError(_("Only a failed job can be run again."))
    logger.info("job %s: run again by %s", job.pk, getattr(by, "pk", None))
    job.refresh_from_db()
    return job


# -- what a job page shows -------------------------------------------------------------------


def _progress_file(job_id: int) -> Path:
    return Path(settings.MEDIA_ROOT) / PROGRESS_DIR / f"{int(job_id)}.json"


def _write_progress_file(job_id: int, values: dict[str, Any]) -> None:
    path = _progress_file(job_id)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(f".{os.getpid()}.tmp")
    tmp.write_text(json.dumps(values, ensure_ascii=False), encoding="utf-8")
    os.replace(tmp, path)


def as_it_is_now(job: Job) -> Job:
    """The job for a page: one whose worker died is recovered first (queued again, or
    failed), so a page never shows a job running that nothing runs; with live progress."""
    if job.status == JobStatus.RUNNING and reap_stale_jobs(only=job.pk):
        job.refresh_from_db()
    return with_live_progress(job)


def with_live_progress(job: Job) -> Job:
    """The job with the latest progress of a running job (written outside the row while its
    handler holds a transaction on SQLite)."""
    if job.status != JobStatus.RUNNING:
        return job
    try:
        values = json.loads(_progress_file(job.pk).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return job
    job.done = int(values.get("done") or 0)
    job.total = int(values.get("total") or 0)
    job.message = str(values.get("message") or job.message)
    return job


# -- files -----------------------------------------------------------------------------------


def save_output(job: Job, name: str, content: bytes | str | os.PathLike[str]) -> None:
    """Store the job's result file (bytes, or the path of a file to copy) under
    MEDIA_ROOT/jobs/out/; `name` is what the download is called. The row records it when the
    job is done (a handler never writes its own job row: see the module's docstring)."""
    if job.output_file:
        job.output_file.delete(save=False)
    if isinstance(content, bytes):
        job.output_file.save(name, ContentFile(content), save=False)
    else:
        with open(content, "rb") as handle:
            job.output_file.save(name, File(handle), save=False)
    job.output_name = Path(name).name[:255]
