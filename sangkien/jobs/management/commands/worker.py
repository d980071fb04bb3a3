"""`sangkien worker`: run background jobs (django-tasks-db's worker, with the project's
defaults) and print one line per job on the terminal."""

from __future__ import annotations

import logging
from argparse import ArgumentParser
from typing import Any

from django_tasks_db.management.commands import db_worker


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
        if options.get("verbosity", 1):
            self.stdout.write("Worker started: waiting for jobs (Ctrl+C stops it).")
        super().handle(*args, **options)
