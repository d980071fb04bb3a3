"""Where the task backend finds the project's one task, `run_job` (defined beside the jobs
it runs, in services; queued tasks name it by this module's path)."""

from __future__ import annotations

from .services import run_job

__all__ = ["run_job"]
