"""What each export holds: its columns and its rows, read in batches.

A `Table` is columns, a count and a row generator; `xlsx.write_table` renders it. Builders
take querysets their caller has already scoped (the web views through the user's roles,
the command line over everything) and never load model objects: rows come from
`values_list` in keyset batches (BATCH rows a query, in the order of the list page), and
what a row needs from other tables (authors, unit names, campaign names) is read once per
batch, never once per row."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import connections
from django.db.models import Q, QuerySet
from django.utils import formats, timezone
from django.utils.formats import number_format
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from sangkien.campaigns.models import ApplicationField, Campaign, Phase
from sangkien.initiatives.models import Author, Initiative, Status
from sangkien.orgs.models import Gender, Member, Unit, UnitKind, UnitStatus, decode_path
from sangkien.stats import figures as stats_figures
from sangkien.stats.forms import SORT_LABELS
from sangkien.stats.services import kind_of

from .xlsx import DATE, INT, MONEY, PERCENT, TEXT, Column

BATCH = 2000
# How the path of a unit's ancestors is written in one cell.
PATH_SEPARATOR = " › "


@dataclass
class Table:
    kind: str
    columns: list[Column]
    count: Callable[[], int]
    rows: Callable[[], Iterator[Sequence[Any]]]
    sheet_name: str = ""
    file_stem: str = "export"
    unit: Unit | None = None  # the unit whose subtree it covers, if one
    personal: bool = False  # holds members' personal data (its reading is audited)
    caption: str = ""  # what it covers (campaign, date), printed atop every page


def keyset_batches(
    qs: QuerySet[Any], order: tuple[str, ...], fields: tuple[str, ...], size: int = 0
) -> Iterator[list[tuple[Any, ...]]]:
    """`qs` as lists of value tuples (the `order` fields first, then `fields`), `size` at a
    time, each batch found from the last row of the one before (never OFFSET). The last
    order field must be unique and no order field null; a leading "-" sorts descending.

    The values come straight from the database driver, without Django's per-value
    converters, which cost more than the query itself at a million rows (68,000 against
    156,000 rows/s on SQLite): dates are dates on both databases, but a moment is an aware
    datetime on PostgreSQL and a naive one in UTC on SQLite (`local_dates` takes both), and a
    boolean may be 0/1."""
    size = size or BATCH
    names = [f.lstrip("-") for f in order]
    qs = qs.order_by(*order)
    after: tuple[Any, ...] | None = None
    while True:
        page = qs
        if after is not None:
            cond = Q()
            for i, name in enumerate(names):
                op = "lt" if order[i].startswith("-") else "gt"
                step = Q(**{f"{name}__{op}": after[i]})
                for j in range(i):
                    step &= Q(**{names[j]: after[j]})
                cond |= step
            first_op = "lte" if order[0].startswith("-") else "gte"
            page = qs.filter(Q(**{f"{names[0]}__{first_op}": after[0]}) & cond)
        rows = fetch(page.values_list(*names, *fields)[:size])
        if not rows:
            return
        yield rows
        if len(rows) < size:
            return
        after = rows[-1][: len(names)]


def fetch(qs: QuerySet[Any]) -> list[tuple[Any, ...]]:
    """The rows of a `values_list` query as the database driver gives them (see
    `keyset_batches`)."""
    sql, params = qs.query.sql_with_params()
    with connections[qs.db].cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def local_dates() -> Callable[[dt.datetime | None], dt.date | None]:
    """The local date of a moment, with the time zone looked up once (it runs per row)."""
    zone = timezone.get_current_timezone()
    utc = dt.UTC

    def convert(value: dt.datetime | None) -> dt.date | None:
        if value is None:
            return None
        if value.tzinfo is None:  # SQLite: stored in UTC (see keyset_batches)
            value = value.replace(tzinfo=utc)
        return value.astimezone(zone).date()

    return convert


def share_text(share: Decimal | float | None) -> str:
    """A contribution as people write it: 60, 33,33 (in the active language's separator)."""
    if share is None:
        return ""
    value = (share if isinstance(share, Decimal) else Decimal(str(share))).normalize()
    exponent = value.as_tuple().exponent  # an int for a finite number
    places = max(0, -exponent) if isinstance(exponent, int) else 0
    return number_format(value, decimal_pos=places, use_l10n=True)


class Shares(dict[Any, str]):
    """`share_text` remembered per value (a few dozen distinct shares in a whole export)."""

    def __missing__(self, share: Any) -> str:
        text = self[share] = share_text(share)
        return text


class UnitNames:
    """Codes, names and ancestors of units, read for the ones a batch needs (one or two
    queries per batch while new units turn up, none once they are all known)."""

    def __init__(self) -> None:
        self.units: dict[int, tuple[str, str, str]] = {}  # id → (code, name, path)
        self.cells: dict[int, tuple[str, str, str, str]] = {}

    def need(self, ids: set[int]) -> None:
        missing = ids - self.units.keys()
        if missing:
            self._load(missing)
        ancestors = {a for pk in ids for a in decode_path(self.units[pk][2])[:-1]}
        missing = ancestors - self.units.keys()
        if missing:
            self._load(missing)

    def _load(self, ids: set[int]) -> None:
        for pk, code, name, path in Unit.objects.filter(pk__in=ids).values_list(
            "pk", "code", "name", "path"
        ):
            self.units[pk] = (code, name, path)

    def code(self, pk: int) -> str:
        return self.units[pk][0]

    def name(self, pk: int) -> str:
        return self.units[pk][1]

    def level1(self, pk: int) -> str:
        """The name of the unit's level-1 ancestor (its province or sector), or its own."""
        chain = decode_path(self.units[pk][2])
        if len(chain) < 2:
            return ""
        return self.units[chain[1]][1]

    def above(self, pk: int) -> str:
        """The names of the units between level 1 and the unit (excluded), top down."""
        chain = decode_path(self.units[pk][2])[2:-1]
        return PATH_SEPARATOR.join(self.units[a][1] for a in chain)

    def row_cells(self, pk: int) -> tuple[str, str, str, str]:
        """Code, name, level-1 name and the names above, worked out once per unit."""
        cells = self.cells.get(pk)
        if cells is None:
            cells = self.cells[pk] = (self.code(pk), self.name(pk), self.level1(pk), self.above(pk))
        return cells


def _labels(choices: Any) -> dict[str, str]:
    return {value: str(label) for value, label in choices}


# -- initiatives ------------------------------------------------------------------------------

INITIATIVE_FIELDS = (
    "title",
    "campaign_id",
    "phase_id",
    "unit_id",
    "field_id",
    "status",
    "submitted_at",
    "decided_at",
    "benefit_claimed_vnd",
    "benefit_valid_vnd",
    "first_applied_on",
)


def initiative_columns() -> list[Column]:
    def field(name: str) -> Any:
        return Initiative._meta.get_field(name)

    return [
        Column(_("Reference"), TEXT, 11),
        Column(_("Title"), TEXT, 60),
        Column(_("Campaign"), TEXT, 28),
        Column(_("Phase"), TEXT, 12),
        Column(_("Unit code"), TEXT, 16),
        Column(_("Unit name"), TEXT, 40),
        Column(_("Province or sector"), TEXT, 32),
        Column(_("Units above"), TEXT, 40),
        Column(_("Field of application"), TEXT, 24),
        Column(_("Authors (contribution)"), TEXT, 44),
        Column(_("Status"), TEXT, 14),
        Column(_("Submitted"), DATE, 12),
        Column(_("Decided"), DATE, 12),
        Column(capfirst(field("benefit_claimed_vnd").verbose_name), MONEY, 18),
        Column(capfirst(field("benefit_valid_vnd").verbose_name), MONEY, 18),
        Column(_("First applied on"), DATE, 14),
    ]


def batch_authors(ids: list[int], shares: Shares) -> dict[int, str]:
    """ "Name (60%); Name (40%)" for each initiative of a batch, in one query: over the range
    of the batch's ids when they lie close together (an index range scan; authors of
    initiatives the export leaves out are skipped), else over the list of ids."""
    if not ids:
        return {}
    low, high = min(ids), max(ids)
    qs = Author.objects.order_by()
    if high - low < 4 * len(ids):
        qs = qs.filter(initiative_id__gte=low, initiative_id__lte=high)
    else:
        qs = qs.filter(initiative_id__in=ids)
    wanted = set(ids)
    found: dict[int, list[tuple[int, int, str, Any]]] = {}
    for initiative_id, position, pk, name, share in fetch(
        qs.values_list("initiative_id", "position_in_list", "id", "name", "share")
    ):
        if initiative_id in wanted:
            found.setdefault(initiative_id, []).append((position, pk, name, share))
    return {
        pk: "; ".join(f"{name} ({shares[share]}%)" for _p, _i, name, share in sorted(entries))
        for pk, entries in found.items()
    }


def initiative_table(qs: QuerySet[Initiative], *, order: tuple[str, ...] = ("-id",)) -> Table:
    """One row per initiative of `qs`, in `order` (the list's: newest first)."""

    def rows() -> Iterator[Sequence[Any]]:
        statuses = _labels(Status.choices)
        campaigns = dict(Campaign.objects.values_list("pk", "name"))
        phases = dict(Phase.objects.values_list("pk", "name"))
        fields = dict(ApplicationField.objects.values_list("pk", "name"))
        units = UnitNames()
        shares = Shares()
        day = local_dates()
        for batch in keyset_batches(qs, order, INITIATIVE_FIELDS):
            authors = batch_authors([r[0] for r in batch], shares)
            units.need({r[4] for r in batch})
            for (
                pk,
                title,
                campaign_id,
                phase_id,
                unit_id,
                field_id,
                status,
                submitted_at,
                decided_at,
                claimed,
                valid,
                first_applied_on,
            ) in batch:
                yield (
                    f"SK-{pk:06d}",
                    title,
                    campaigns.get(campaign_id, ""),
                    phases.get(phase_id, "") if phase_id else "",
                    *units.row_cells(unit_id),
                    fields.get(field_id, "") if field_id else "",
                    authors.get(pk, ""),
                    statuses.get(status, status),
                    day(submitted_at),
                    day(decided_at),
                    claimed,
                    valid,
                    first_applied_on,
                )

    return Table(
        kind="initiatives",
        columns=initiative_columns(),
        count=qs.count,
        rows=rows,
        sheet_name=_("Initiatives"),
        file_stem="sang-kien",
    )


# -- members ----------------------------------------------------------------------------------


def member_table(qs: QuerySet[Member], *, personal: bool) -> Table:
    """One row per member of `qs`, in name order (the list's). Date of birth and phone only
    with `personal` (officers of the unit: the member detail page's rule)."""
    columns = [
        Column(_("Member code"), TEXT, 14),
        Column(_("Full name"), TEXT, 28),
        *([Column(_("Date of birth"), DATE, 12)] if personal else []),
        Column(_("Gender"), TEXT, 9),
        Column(_("Position / job"), TEXT, 28),
        *([Column(_("Phone"), TEXT, 14)] if personal else []),
        Column(_("Unit code"), TEXT, 16),
        Column(_("Unit name"), TEXT, 40),
        Column(_("Member since"), DATE, 14),
        Column(_("Left on"), DATE, 12),
    ]
    fields = (
        "code",
        "full_name",
        "birth_date",
        "gender",
        "position",
        "phone",
        "unit_id",
        "joined_on",
        "left_on",
    )

    def rows() -> Iterator[Sequence[Any]]:
        genders = _labels(Gender.choices)
        units = UnitNames()
        for batch in keyset_batches(qs, ("sort_key", "id"), fields):
            units.need({r[8] for r in batch})
            for (
                _key,
                _pk,
                code,
                name,
                born,
                gender,
                position,
                phone,
                unit_id,
                joined,
                left,
            ) in batch:
                row: list[Any] = [code, name]
                if personal:
                    row.append(born)
                row += [genders.get(gender, gender), position]
                if personal:
                    row.append(phone)
                row += [units.code(unit_id), units.name(unit_id), joined, left]
                yield row

    return Table(
        kind="members",
        columns=columns,
        count=qs.count,
        rows=rows,
        sheet_name=_("Members"),
        file_stem="doan-vien",
        personal=personal,
    )


# -- units ------------------------------------------------------------------------------------


def unit_table(qs: QuerySet[Unit]) -> Table:
    """One row per unit of `qs`, in tree order (each unit right after its parent)."""
    columns = [
        Column(_("Unit code"), TEXT, 16),
        Column(_("Unit name"), TEXT, 44),
        Column(_("Kind"), TEXT, 24),
        Column(_("Parent unit code"), TEXT, 16),
        Column(_("Level"), INT, 7),
        Column(_("Status"), TEXT, 12),
        Column(_("Members"), INT, 11),
        Column(_("Founded on"), DATE, 13),
    ]
    fields = (
        "code",
        "name",
        "kind",
        "parent__code",
        "depth",
        "status",
        "members_total",
        "founded_on",
    )

    def rows() -> Iterator[Sequence[Any]]:
        kinds = _labels(UnitKind.choices)
        statuses = _labels(UnitStatus.choices)
        for batch in keyset_batches(qs, ("path",), fields):
            for _path, code, name, kind, parent, depth, status, members, founded in batch:
                yield (
                    code,
                    name,
                    kinds.get(kind, kind),
                    parent or "",
                    depth,
                    statuses.get(status, status),
                    members,
                    founded,
                )

    return Table(
        kind="units",
        columns=columns,
        count=qs.count,
        rows=rows,
        sheet_name=_("Units"),
        file_stem="don-vi",
    )


# -- figures ----------------------------------------------------------------------------------

FIGURE_KINDS = {"money": MONEY, "percent": PERCENT, "count": INT}
RANK_SIBLINGS = gettext_lazy("Rank among siblings: %(measure)s")
RANK_LEVEL = gettext_lazy("Rank at its level: %(measure)s")


def figure_table(report: stats_figures.Report) -> Table:
    """The unit of `report` and each of its children: every figure of the dashboard (the
    same `figures.report`) and the ranks by each measure, among siblings and at the level
    (the latter on the current tree only)."""
    measures = stats_figures.RANK_MEASURES
    columns = [
        Column(_("Unit code"), TEXT, 16),
        Column(_("Unit name"), TEXT, 40),
        Column(_("Level"), INT, 7),
        *[
            Column(SORT_LABELS[f], FIGURE_KINDS[kind_of(f)], 14)
            for f in (*stats_figures.FIGURES, "target")
        ],
        *[Column(RANK_SIBLINGS % {"measure": SORT_LABELS[m]}, INT, 14) for m in measures],
        *[Column(RANK_LEVEL % {"measure": SORT_LABELS[m]}, INT, 14) for m in measures],
    ]
    everyone = [report.unit, *report.children]

    def rows() -> Iterator[Sequence[Any]]:
        for f in everyone:
            ranks = f.ranks or {}
            siblings = ranks.get("siblings") or {}
            level = ranks.get("level") or {}
            yield (
                f.unit.code,
                f.unit.name,
                f.unit.depth,
                *[getattr(f, name) for name in stats_figures.FIGURES],
                f.target,
                *[siblings.get(m) for m in measures],
                *[level.get(m) for m in measures],
            )

    return Table(
        kind="figures",
        columns=columns,
        count=lambda: len(everyone),
        rows=rows,
        sheet_name=_("Figures"),
        file_stem=f"so-lieu-{report.campaign.code}",
        caption=_figures_caption(report),
    )


def _figures_caption(report: stats_figures.Report) -> str:
    values = {
        "campaign": report.campaign.name,
        "unit": report.unit.unit.name,
        "date": formats.date_format(report.as_of, "SHORT_DATE_FORMAT"),
    }
    if report.phase is not None:
        values["phase"] = report.phase.name
        return _("%(unit)s · %(campaign)s, %(phase)s · figures as of %(date)s") % values
    return _("%(unit)s · %(campaign)s · figures as of %(date)s") % values
