"""Who may import what, where: units and members where the user manages them, initiatives
where they enter them on members' behalf (their roles, or the units their support teams
serve). An import job is seen only by its owner (anyone else, a superuser too, gets 404)."""

from __future__ import annotations

from typing import Any

from django.http import Http404

from sangkien.accounts.permissions import MANAGE_MEMBERS, MANAGE_UNITS, role_paths
from sangkien.core.paths import minimal_paths
from sangkien.initiatives.permissions import ENTER_ON_BEHALF
from sangkien.jobs.models import Job
from sangkien.teams.services import served_unit_ids, served_unit_paths

from .columns import KINDS

JOB_KIND = "import"


def _paths(user: Any, kind: str) -> list[str]:
    if kind == "units":
        return role_paths(user, MANAGE_UNITS)
    if kind == "members":
        return role_paths(user, MANAGE_MEMBERS)
    paths = role_paths(user, ENTER_ON_BEHALF)
    if paths == [""]:
        return paths
    return minimal_paths([*paths, *served_unit_paths(user)])


def importable_kinds(user: Any) -> list[str]:
    """The kinds the user may import: units and members where they manage them, initiatives
    where they enter them on members' behalf (their roles, or the units their support teams
    serve)."""
    return [kind for kind in KINDS if _paths(user, kind)]


def import_scope(user: Any, kind: str) -> list[str] | None:
    """The unit paths an import of `kind` may touch with their subtrees (None: everywhere);
    404 when the user may import nothing of the kind."""
    paths = _paths(user, kind)
    if not paths:
        raise Http404
    if paths == [""]:
        return None
    if kind == "initiatives":
        # A support team serves its units, not their subtrees: those go in `import_units`.
        return role_paths(user, ENTER_ON_BEHALF)
    return paths


def import_units(user: Any, kind: str) -> list[int]:
    """Single units an import of `kind` may touch besides the subtrees of `import_scope`:
    the units the user's support teams serve (initiatives only)."""
    return sorted(served_unit_ids(user)) if kind == "initiatives" else []


def get_import_for_user(user: Any, pk: Any) -> Job:
    """An import job of the user's own; anyone else's (or no such job) is 404."""
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        raise Http404 from None
    job = Job.objects.filter(pk=pk, kind=JOB_KIND, user_id=user.pk).first()
    if job is None:
        raise Http404
    return job
