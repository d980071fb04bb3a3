"""A worker killed (SIGKILL) in the middle of an import, then a new worker: the job is found
dead by its missing heartbeat, started again and finished where it stopped, with every row
written once and every figure equal to the recount. Real processes on a file SQLite
database: `sangkien migrate`, the world made by `worker_world build`, the worker command
twice (`worker_world worker`: `sangkien worker` with batches of 500 rows, the first one
made to hang while checking the file, or inside the transaction of its second batch, so
that it is killed exactly there). The reaper's timing is
shortened through the environment (SANGKIEN_JOB_*_SECONDS)."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROWS = 3000
STALE = 3.0


def _env(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SANGKIEN_")}
    env.update(
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
        SANGKIEN_VAR_DIR=str(tmp_path),
        SANGKIEN_MEDIA_ROOT=str(tmp_path / "media"),
        SANGKIEN_TASKS="database",
        SANGKIEN_JOB_HEARTBEAT_SECONDS="0.5",
        SANGKIEN_JOB_STALE_SECONDS=str(STALE),
        SANGKIEN_JOB_REAP_SECONDS="0.5",
    )
    return env


def _run(args: list[str], env: dict[str, str]) -> str:
    done = subprocess.run(  # noqa: S603 - our own interpreter and commands
        args, env=env, capture_output=True, text=True, timeout=180, check=False
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


def _worker(env: dict[str, str], log: Path, stall: str) -> subprocess.Popen:
    command = [sys.executable, "-m", "sangkien.imports.tests.worker_world", "worker", "500", stall]
    return subprocess.Popen(  # noqa: S603 - our own command
        [*command, "--interval", "0.2"],
        env=env,
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def _job(db: Path, media: Path, job_id: int) -> dict:
    """The job's row (and its live progress, kept beside the row while a transaction of the
    handler is open), read straight from the file."""
    with sqlite3.connect(db, timeout=20) as conn:
        status, done, attempts = conn.execute(
            "SELECT status, done, attempts FROM jobs_job WHERE id = ?", [job_id]
        ).fetchone()
        (written,) = conn.execute(
            "SELECT COUNT(*) FROM imports_importbatch WHERE applied_at IS NOT NULL"
        ).fetchone()
    progress = media / "jobs" / "progress" / f"{job_id}.json"
    if status == "running" and progress.exists():
        with contextlib.suppress(ValueError):  # being written
            done = max(done, int(json.loads(progress.read_text()).get("done") or 0))
    return {"status": status, "done": done, "attempts": attempts, "written": written}


def _wait(what, timeout: float, log: Path, worker: subprocess.Popen) -> dict:
    end = time.monotonic() + timeout
    while time.monotonic() < end and worker.poll() is None:
        found = what()
        if found:
            return found
        time.sleep(0.1)
    raise AssertionError(f"gave up waiting; the worker said:\n{log.read_text()[-3000:]}")


def _stop(worker: subprocess.Popen) -> None:
    if worker.poll() is None:
        os.killpg(worker.pid, signal.SIGTERM)
        try:
            worker.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(worker.pid, signal.SIGKILL)
            worker.wait()


KILL_WHEN = {
    # Its progress says rows were checked: killed while checking the file (nothing written).
    "checking": lambda job: job["done"] >= 1000 and job["written"] == 0,
    # A batch of its rows is written, the next one under way: killed in the middle of a
    # batch's transaction, part of the file in.
    "writing": lambda job: job["written"] > 0,
}


@pytest.mark.parametrize("moment", list(KILL_WHEN))
def test_a_worker_killed_mid_import_is_replaced_and_the_import_finished(tmp_path, moment):
    env = _env(tmp_path)
    db, media = tmp_path / "db.sqlite3", tmp_path / "media"
    sangkien = str(Path(sys.executable).parent / "sangkien")
    world = [sys.executable, "-m", "sangkien.imports.tests.worker_world"]
    _run([sangkien, "migrate", "-v", "0"], env)
    job_id = int(_run([*world, "build", str(ROWS)], env).strip())

    first_log, second_log = tmp_path / "worker1.log", tmp_path / "worker2.log"
    first = _worker(env, first_log, moment)
    try:
        started = _wait(
            lambda: (
                (j := _job(db, media, job_id))["status"] == "running" and KILL_WHEN[moment](j) and j
            ),
            90,
            first_log,
            first,
        )
        os.killpg(first.pid, signal.SIGKILL)
        first.wait(timeout=20)
    finally:
        _stop(first)
    assert started["attempts"] == 1
    killed = json.loads(_run([*world, "state", str(job_id)], env))
    # Killed mid-import: the job still says running, with part of the file done.
    assert killed["status"] == "running", killed
    if moment == "checking":
        assert started["done"] >= 1000 and killed["initiatives"] == 0, (started, killed)
    else:  # the first batch in, the second rolled back with the process
        assert killed["initiatives"] == 500 and killed["batches_written"] == 1, killed

    second = _worker(env, second_log, "none")
    try:
        seen = time.monotonic()
        finished = _wait(
            lambda: (j := _job(db, media, job_id))["status"] in ("done", "failed") and j,
            120,
            second_log,
            second,
        )
        took = time.monotonic() - seen
    finally:
        _stop(second)
    final = json.loads(_run([*world, "state", str(job_id), "check"], env))
    assert finished["status"] == "done", (final, second_log.read_text()[-3000:])
    # Found dead by its heartbeat, started a second time, finished with nothing twice.
    assert final["attempts"] == 2
    assert final["initiatives"] == ROWS
    assert final["runs"] == 0
    assert final["replay"] == []
    assert final["check_stats"] == []
    assert took < STALE + 60
