"""The background job of a big bulk decision (`sangkien.jobs`, kind "decisions"): the
selection the reviewer made, decided item by item as `bulk.decide_initiatives` does in the
request, as the user who started it, with progress. Run again after a crash, the items
already decided are listed as already decided and nothing is decided twice.

    {"ids": [12, 15], "decision": "returned", "reason": "…", "benefits": {"12": "1,8 triệu"},
     "versions": {"12": 3}}"""

from __future__ import annotations

from typing import Any

from django.utils.formats import number_format
from django.utils.translation import gettext as _

from sangkien.jobs.models import Job
from sangkien.jobs.services import JobError, Progress, register

from . import bulk

# How many refused items the job's page lists (the summary counts all of them).
MAX_PROBLEMS_SHOWN = 1_000


def _keyed(values: dict[str, Any] | None) -> dict[int, Any]:
    return {int(k): v for k, v in (values or {}).items() if str(k).isdigit()}


@register("decisions")
def decide_selection(job: Job, progress: Progress) -> dict[str, Any]:
    params = job.params or {}
    if job.user is None or not job.user.is_active:
        raise JobError(_("The user who asked for these decisions can no longer sign in."))
    ids = bulk.wanted_ids(params.get("ids") or [])

    def report(done: int, total: int) -> None:
        progress(done, total, _("%(done)s of %(total)s initiatives decided") % {
            "done": number_format(done, force_grouping=True),
            "total": number_format(total, force_grouping=True),
        })  # fmt: skip

    progress(0, len(ids), "")
    try:
        outcome = bulk.decide_initiatives(
            ids,
            by=job.user,
            decision=params.get("decision", ""),
            reason=params.get("reason", ""),
            benefits=_keyed(params.get("benefits")),
            versions=_keyed(params.get("versions")),
            progress=report,
        )
    except bulk.ValidationError as exc:
        raise JobError(" ".join(exc.messages)) from None
    text = bulk.summary(outcome)
    progress(len(outcome.items), len(outcome.items), text)
    return {
        "summary": text,
        "decided": len(outcome.done),
        "refused": len(outcome.refused),
        "problems": [
            f"{item.reference or '#' + str(item.id)}: {item.problem}"
            for item in outcome.refused[:MAX_PROBLEMS_SHOWN]
        ],
    }
