"""Exports as people ask for them: the same rows as the list page they come from, limited to
the user's scope (decision 0015).

`table_for(kind, user, code, query)` answers what a page's "Export to Excel" link asks for,
with that page's filters (the query string) and its access rule: anything outside the
user's scope is 404, exactly as the page. `write(table, target, progress)` renders it.
A small export (at most `inline_limit()` rows, counted first) is made inside the request;
a larger one becomes a background job of kind "export" (see `jobs.py`) whose parameters
are that same (kind, code, query), checked again when it runs.
The command line (`sangkien export`) builds its tables from `command_table` instead, over
everything: it is an administrator's tool."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator, Sequence
from typing import IO, Any

from django.conf import settings
from django.http import Http404, QueryDict
from django.utils import timezone
from django.utils.translation import gettext as _

from sangkien.accounts.permissions import VIEW_MEMBERS, can_view_personal_data_below
from sangkien.campaigns.models import Campaign
from sangkien.campaigns.permissions import campaigns_for
from sangkien.core import audit
from sangkien.core.errors import ValidationError
from sangkien.initiatives.models import Initiative
from sangkien.initiatives.queue import Queue
from sangkien.orgs.models import Member, Unit
from sangkien.orgs.permissions import get_unit_for_user
from sangkien.stats import figures
from sangkien.stats.choice import read_choice

from .tables import Table, figure_table, initiative_table, member_table, unit_table
from .xlsx import write_table

KINDS = ("initiatives", "members", "units", "figures")
# Exports of at most this many rows are made inside the request; larger ones in the worker.
INLINE_ROWS = 5000
# How often (rows) a long export reports its progress.
PROGRESS_EVERY = 5000
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

Progress = Callable[[int, int], None]


def inline_limit() -> int:
    return int(getattr(settings, "SANGKIEN_EXPORT_INLINE_ROWS", INLINE_ROWS))


# -- the web: the list pages' rows, in the user's scope ----------------------------------------


def table_for(kind: str, user: Any, code: str, query: QueryDict) -> Table:
    """The table of `kind` as the user's list page shows it (raises Http404 outside the
    user's scope, as the page does)."""
    if kind == "initiatives":
        queue = Queue(user, query)  # the review queue: its filters and its scope
        return named(initiative_table(queue.filtered(), order=queue.form.ordering), queue.unit)
    if kind == "members":
        unit = get_unit_for_user(user, code, VIEW_MEMBERS)
        qs = Member.objects.listed(
            unit, q=(query.get("q") or "")[:100], former=query.get("former") == "1"
        )
        return named(member_table(qs, personal=can_view_personal_data_below(user, unit)), unit)
    if kind == "units":
        unit = get_unit_for_user(user, code)
        return named(unit_table(Unit.objects.in_subtree(unit)), unit)
    if kind == "figures":
        unit = get_unit_for_user(user, code)
        choice = read_choice(query, unit, campaigns_for(user))
        if choice.campaign is None:
            raise Http404
        report = figures.report(
            unit, choice.campaign, phase=choice.phase, as_of=choice.as_of, tree=choice.tree
        )
        return named(figure_table(report), unit)
    raise Http404


def record_personal_read(table: Table, user: Any, rows: int) -> None:
    """An export holding members' personal data is a reading of it: in the audit log."""
    if table.personal and table.unit is not None:
        audit.record_personal_data_read(
            reader=user, obj=table.unit, through=audit.THROUGH_EXPORT, count=rows
        )


def named(table: Table, unit: Unit | None) -> Table:
    if unit is not None:
        table.file_stem = f"{table.file_stem}-{unit.code}"
        table.unit = unit
    return table


def file_name(table: Table, day: dt.date | None = None) -> str:
    day = day or timezone.localdate()
    return f"{table.file_stem}-{day:%d-%m-%Y}.xlsx"


# -- the command line: everything, by codes ------------------------------------------------------


def command_table(
    kind: str,
    *,
    unit: Unit | None = None,
    campaign: Campaign | None = None,
    as_of: dt.date | None = None,
) -> Table:
    """The table of `kind` over the whole database (or `unit`'s subtree, `campaign`)."""
    if kind == "initiatives":
        qs = Initiative.objects.in_subtree(unit) if unit else Initiative.objects.all()
        qs = qs.in_queue()
        if campaign is not None:
            qs = qs.filter(campaign=campaign)
        return named(initiative_table(qs), unit)
    if kind == "members":
        members = Member.objects.in_subtree(unit) if unit else Member.objects.all()
        return named(member_table(members.current(), personal=True), unit)
    if kind == "units":
        units = Unit.objects.in_subtree(unit) if unit else Unit.objects.all()
        return named(unit_table(units), unit)
    if kind == "figures":
        if unit is None or campaign is None:
            raise ValidationError(_("The figures need a unit and a campaign."))
        return named(figure_table(figures.report(unit, campaign, as_of=as_of)), unit)
    raise ValidationError(_("Unknown export: %(kind)s.") % {"kind": kind})


# -- writing -----------------------------------------------------------------------------------


def counted(
    rows: Iterator[Sequence[Any]], total: int, progress: Progress | None
) -> Iterator[Sequence[Any]]:
    """The rows, telling `progress(done, total)` every PROGRESS_EVERY rows and at the end."""
    if progress is None:
        yield from rows
        return
    done = 0
    progress(0, total)
    for row in rows:
        yield row
        done += 1
        if done % PROGRESS_EVERY == 0:
            progress(done, max(total, done))
    progress(done, max(total, done))


def write(
    table: Table,
    target: str | IO[bytes],
    *,
    total: int | None = None,
    progress: Progress | None = None,
    fast: bool = True,
) -> int:
    """Write `table` to `target` (a path or a binary file); the number of rows written."""
    if total is None and progress is not None:
        total = table.count()
    rows = counted(table.rows(), total or 0, progress)
    return write_table(
        target,
        table.columns,
        rows,
        sheet_name=table.sheet_name,
        fast=fast,
        caption=table.caption,
    )
