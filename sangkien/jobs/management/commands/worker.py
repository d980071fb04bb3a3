"""`sangkien worker`: run background jobs (django-tasks-db's worker, with the project's
defaults) and print one line per job on the terminal.

The worker survives the database: an error of the database while it looks for work or
records a task (SQLite busy past its timeout, PostgreSQL restarting) is logged, waited out
(1 s, doubling up to a minute) and the loop goes on. Beside the loop, a thread looks every
few seconds for running jobs whose worker died (no heartbeat) and queues them again or
fails them (`jobs.services.reap_stale_jobs`)."""

from __future__ import annotations

import logging
import threading
import time
from argparse import ArgumentParser
from typing import Any

from django.db import DatabaseError, connections
from django_tasks_db.management.commands import db_worker

from sangkien.jobs import services

logger = logging.getLogger("sangkien.jobs")

# Waits after a database error: the first, and the longest (doubling in between); a
# failure this long after the previous one starts from the first wait again.
FIRST_BACKOFF = 1.0
MAX_BACKOFF = 60.0
# Seconds between two looks for jobs whose worker died (SANGKIEN_JOB_REAP_SECONDS).
REAP_INTERVAL = services.REAP


class Worker(db_worker.Worker):
    """django-tasks-db's worker, whose loop a database error never ends."""

    def run(self) -> None:
        failures = 0
        last_failure = 0.0
        while self.running:
            try:
                super().run()
                return  # --batch or --max-tasks reached
            except DatabaseError as exc:
                now = time.monotonic()
                failures = 1 if now - last_failure > MAX_BACKOFF * 2 else failures + 1
                last_failure = now
                wait = min(MAX_BACKOFF, FIRST_BACKOFF * 2 ** (failures - 1))
                logger.warning(
                    "worker: the database failed (%s); trying again in %.0f s", exc, wait
                )
                connections.close_all()
                time.sleep(wait)


class Reaper(threading.Thread):
    """Every REAP_INTERVAL seconds, recover the running jobs whose worker died."""

    def __init__(self, interval: float = REAP_INTERVAL) -> None:
        super().__init__(name="job-reaper", daemon=True)
        self.interval = interval
        self.stopped = threading.Event()

    def run(self) -> None:
        # The first look after one interval: a job is stale only after STALE seconds anyway.
        while not self.stopped.wait(self.interval):
            try:
                services.reap_stale_jobs()
            except Exception:  # the reaper must outlive whatever happens to one look
                logger.exception("worker: looking for stopped jobs failed")
            finally:
                connections.close_all()


class Command(db_worker.Command):
    help = "Run background jobs (imports, exports, reports) from the database queue."

    def add_arguments(self, parser: ArgumentParser) -> None:
        super().add_arguments(parser)
        # Every queue, no autoreload (a reload would cut a running job short), and start at
        # once: one worker next to the server is the usual setup.
        parser.set_defaults(queue_name="*", reload=False, startup_delay=False)

    def configure_logging(self, verbosity: int) -> None:
        # One line per job from sangkien.jobs instead of django-tasks' two per task;
        # django-tasks still reports what goes wrong with the queue itself.
        super().configure_logging(verbosity)
        quiet = logging.CRITICAL if verbosity == 0 else logging.WARNING
        for name in ("django_tasks", "django_tasks_db"):
            logging.getLogger(name).setLevel(logging.DEBUG if verbosity > 1 else quiet)
        jobs = logging.getLogger("sangkien.jobs")
        jobs.setLevel(logging.CRITICAL if verbosity == 0 else logging.INFO)
        handler = logging.StreamHandler(self.stdout)
        handler.setFormatter(logging.Formatter("%(asctime)s %(message)s", "%H:%M:%S"))
        jobs.addHandler(handler)
        jobs.propagate = False

    def handle(self, *args: Any, **options: Any) -> None:
        verbosity = options.get("verbosity", 1)
        self.configure_logging(verbosity)
        if verbosity:
            self.stdout.write("Worker started: waiting for jobs (Ctrl+C stops it).")
        queue_names = options["queue_name"].split(",")
        excluded = options["exclude_queues"].split(",") if options["exclude_queues"] else []
        if excluded and "*" not in queue_names:
            raise db_worker.CommandError("--exclude-queues can only be used with --queue-name=*")
        worker = Worker(
            queue_names=queue_names,
            interval=options["interval"],
            batch=options["batch"],
            backend_name=options["backend_name"],
            startup_delay=options["startup_delay"],
            max_tasks=options["max_tasks"],
            worker_id=options["worker_id"],
            excluded_queue_names=excluded,
        )
        reaper = Reaper()
        reaper.start()
        try:
            worker.configure_signals()
            worker.run()
        finally:
            reaper.stopped.set()
            reaper.join(timeout=10)
