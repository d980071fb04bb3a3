"""The campaign progress report (báo cáo kết quả thực hiện phong trào) of a unit, as data.

`progress_report` reads one `figures.report` (the unit, its ranks and its children with
theirs: the same definitions as the dashboard) and lays it out as an administrative report
in the style of Decree 30/2020/NĐ-CP: the issuing body and the national motto side by side,
the title, the unit's figures, its ranks, the table of the units directly below it ranked by
valid initiatives, the recipients and the signature. The renderers in `xlsx` and `pdf` turn
it into files; neither reads the database.

Labels are in the active language. The national motto and the place-and-date line stay
Vietnamese in every language: they are part of the form of the document, not labels."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from sangkien.campaigns.models import Campaign, Phase
from sangkien.orgs.models import Unit, UnitKind
from sangkien.stats import figures
from sangkien.text import clean_line

from . import formatting

MOTTO = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
MOTTO_SUB = "Độc lập - Tự do - Hạnh phúc"
# The kinds of value a cell holds; renderers format each kind their own way.
INT, MONEY, PERCENT, TEXT = "int", "money", "percent", "text"
# Where national bodies (and sectoral unions, whose offices are in the capital) date
# their documents when no province can be read off the unit's level-1 ancestor.
CAPITAL = "Hà Nội"
# The part of a level-1 unit's name before the province's own name.
PROVINCE_PREFIX = re.compile(
    r"^(?:liên đoàn lao động|lđlđ)\s+(?:tỉnh|thành phố|tp\.?)?\s*", re.IGNORECASE
)
# The issuing body's abbreviation in the document number ("Số: 15/BC-LĐLĐ"), by kind.
SYMBOLS: dict[str, str] = {
    UnitKind.NATIONAL: "TLĐ",
    UnitKind.PROVINCIAL: "LĐLĐ",
    UnitKind.SECTORAL: "CĐN",
    UnitKind.UPPER: "CĐ",
    UnitKind.GRASSROOTS: "CĐCS",
    UnitKind.GROUP: "CĐ",
}
BLANK_NUMBER = "……"
# Emulation clusters a unit's ranks are given in (a unit is in one or two, as a rule).
MAX_CLUSTERS = 4


@dataclass
class Letterhead:
    """What the user types: the issuing body's two lines, the number, the place, the
    signature and the recipients. Empty values stay empty (a blank to fill by hand)."""

    governing: str = ""
    issuing: str = ""
    number: str = ""
    place: str = ""
    on_behalf: str = ""
    signer_title: str = ""
    signer_name: str = ""
    recipients: list[str] = field(default_factory=list)


def province_name(unit: Unit) -> str | None:
    """ "Thanh Hóa" from "Liên đoàn Lao động tỉnh Thanh Hóa" (or its short name)."""
    for name in (unit.name, unit.short_name):
        if name and PROVINCE_PREFIX.match(name):
            rest = PROVINCE_PREFIX.sub("", clean_line(name))
            if rest:
                return rest
    return None


def default_place(unit: Unit) -> str:
    """The province of the unit's level-1 ancestor (one query below level 1)."""
    if unit.depth == 0:
        return CAPITAL
    top = unit if unit.depth == 1 else Unit.objects.filter(pk=unit.ancestor_ids[1]).first()
    return (province_name(top) if top is not None else None) or CAPITAL


def default_letterhead(unit: Unit, *, parent: Unit | None = None) -> Letterhead:
    """An upper-level body reports through its standing committee under its own name; a
    grassroots union under its upper-level union's name, signed for its executive committee."""
    if unit.kind == UnitKind.GRASSROOTS:
        governing = parent.name if parent is not None else ""
        issuing = unit.name
        on_behalf = _("ON BEHALF OF THE EXECUTIVE COMMITTEE")
    else:
        governing = unit.name
        issuing = _("STANDING COMMITTEE")
        on_behalf = _("ON BEHALF OF THE STANDING COMMITTEE")
    above, archived = _("As above;"), _("Archived: Office.")
    return Letterhead(
        governing=upper(governing),
        issuing=upper(issuing),
        number="",
        place=default_place(unit),
        on_behalf=on_behalf,
        signer_title=_("PRESIDENT"),
        signer_name="",
        recipients=[f"- {above}", f"- {archived}"],
    )


def upper(text: str) -> str:
    return clean_line(text).upper()


def recipient_lines(text: str) -> list[str]:
    """One recipient a line, each shown as "- …" whether or not the user typed the dash."""
    out = []
    for line in text.splitlines():
        line = clean_line(line).lstrip("-–•+ ").strip()
        if line:
            out.append(f"- {line}")
    return out


def number_line(unit: Unit, number: str) -> str:
    """ "Số: 15/BC-LĐLĐ"; a number typed with its own symbol ("15/BC-CĐKCN") is kept whole;
    no number leaves a dotted blank to fill by hand."""
    number = clean_line(number)
    if "/" in number:
        return _("No.: %(number)s") % {"number": number}
    return _("No.: %(number)s/BC-%(symbol)s") % {
        "number": number or BLANK_NUMBER,
        "symbol": SYMBOLS.get(unit.kind, "CĐ"),
    }


# -- the report --------------------------------------------------------------------------------


@dataclass
class Line:
    """One figure of the unit: label, value, kind."""

    key: str
    label: str
    value: Any
    kind: str


@dataclass
class Column:
    key: str
    label: str
    kind: str


@dataclass
class ProgressReport:
    unit: Unit
    campaign: Campaign
    phase: Phase | None
    as_of: dt.date
    issued_on: dt.date
    tree: str
    letterhead: Letterhead
    number_line: str
    date_line: str
    title: str
    subtitle: str
    as_of_line: str
    notes: list[str]
    figures_heading: str
    lines: list[Line]
    ranks_heading: str
    measure_label: str
    rank_columns: list[str]
    rank_rows: list[tuple[str, list[int | None]]]
    children_heading: str
    columns: list[Column]
    rows: list[list[Any]]
    total: list[Any] | None
    table_notes: list[str]
    empty_text: str
    recipients_label: str
    motto: str = MOTTO
    motto_sub: str = MOTTO_SUB

    @property
    def filename_stem(self) -> str:
        """ "bao-cao-TH-1TRIEU-2022-03-31": codes and the as-of date, safe in any file system."""
        parts = [_safe(self.unit.code), _safe(self.campaign.code)]
        if self.phase is not None:
            parts.append(f"dot{self.phase.number}")
        return "-".join(["bao-cao", *parts, self.as_of.isoformat()])


def _safe(code: str) -> str:
    return re.sub(r"[^A-Za-z0-9_-]+", "-", code).strip("-") or "x"


def columns() -> list[Column]:
    return [
        Column("number", _("No."), INT),
        Column("name", _("Unit name"), TEXT),
        Column("quota", _("Quota"), INT),
        Column("initiatives_submitted", _("Submitted initiatives"), INT),
        Column("initiatives_valid", _("Valid initiatives"), INT),
        # xgettext:no-python-format
        Column("quota_percent", _("% of quota"), PERCENT),
        Column("participating_members", _("Members taking part"), INT),
        Column("benefit_valid_vnd", _("Validated benefit (VND)"), MONEY),
        Column("rank", _("Rank"), INT),
    ]


def figure_lines(me: figures.Figures) -> list[Line]:
    """The unit's figures, every one of the statistics contract, then plans and own target."""
    lines = [
        Line("initiatives_submitted", _("Submitted initiatives"), me.initiatives_submitted, INT),
        Line("initiatives_valid", _("Valid initiatives"), me.initiatives_valid, INT),
        Line("initiatives_pending", _("Pending"), me.initiatives_pending, INT),
        Line("initiatives_invalid", _("Invalid"), me.initiatives_invalid, INT),
        Line("participating_members", _("Participating members"), me.participating_members, INT),
        Line(
            "participating_units",
            _("Participating grassroots unions"),
            me.participating_units,
            INT,
        ),
        Line("benefit_claimed_vnd", _("Benefit claimed (VND)"), me.benefit_claimed_vnd, MONEY),
        Line("benefit_valid_vnd", _("Validated benefit (VND)"), me.benefit_valid_vnd, MONEY),
    ]
    if me.quota is None:
        lines.append(Line("quota", _("Quota"), _("no quota assigned"), TEXT))
    else:
        lines.append(Line("quota", _("Quota"), me.quota, INT))
        lines.append(Line("quota_percent", _("Completion rate (%)"), me.quota_percent, PERCENT))
    if me.target is not None:
        lines.append(Line("target", _("Own target"), me.target, INT))
        lines.append(
            Line(
                "target_percent",
                _("Progress towards the own target (%)"),
                figures.percent(me.initiatives_valid, me.target),
                PERCENT,
            )
        )
    if me.grassroots_active:
        lines.append(
            Line(
                "grassroots_with_plan",
                _("Grassroots unions with an implementation plan"),
                me.grassroots_with_plan,
                INT,
            )
        )
        lines.append(
            Line("grassroots_active", _("Active grassroots unions"), me.grassroots_active, INT)
        )
        lines.append(
            Line("plan_percent", _("Implementation plan coverage (%)"), me.plan_percent, PERCENT)
        )
    return lines


def rank_table(
    me: figures.Figures, tree: str
) -> tuple[list[str], list[tuple[str, list[int | None]]]]:
    """Columns (among siblings, at the level, each emulation cluster) and a row per measure."""
    from sangkien.stats.forms import SORT_LABELS

    ranks = me.ranks
    clusters = sorted((ranks.get("clusters") or {}).items())
    headers = [_("Among siblings")]
    scopes: list[dict[str, Any]] = [ranks.get("siblings") or {}]
    if tree != figures.DATED:
        headers.append(_("At the level"))
        scopes.append(ranks.get("level") or {})
    for name, by_measure in clusters[:MAX_CLUSTERS]:
        headers.append(_("Cluster “%(name)s”") % {"name": name})
        scopes.append(by_measure)
    rows = [
        (str(SORT_LABELS[m]), [scope.get(m) for scope in scopes]) for m in figures.RANK_MEASURES
    ]
    return headers, rows


def sibling_rank(f: figures.Figures) -> int | None:
    return ((f.ranks or {}).get("siblings") or {}).get("initiatives_valid")


def child_rows(children: list[figures.Figures]) -> list[list[Any]]:
    """Children by rank (valid initiatives among the children; ties in the tree's order)."""
    ordered = sorted(children, key=lambda f: (sibling_rank(f) is None, sibling_rank(f) or 0))
    return [
        [
            n,
            f.unit.name,
            f.quota,
            f.initiatives_submitted,
            f.initiatives_valid,
            f.quota_percent,
            f.participating_members,
            f.benefit_valid_vnd,
            sibling_rank(f),
        ]
        for n, f in enumerate(ordered, start=1)
    ]


def total_row(me: figures.Figures, children: list[figures.Figures]) -> list[Any]:
    """The unit's own figures (its subtree: what the children add up to), against the sum of
    the quotas it gave its children."""
    quotas = [c.quota for c in children if c.quota is not None]
    quota = sum(quotas) if quotas else None
    return [
        None,
        _("Total"),
        quota,
        me.initiatives_submitted,
        me.initiatives_valid,
        figures.percent(me.initiatives_valid, quota),
        me.participating_members,
        me.benefit_valid_vnd,
        None,
    ]


def progress_report(
    unit: Unit,
    campaign: Campaign,
    *,
    phase: Phase | None = None,
    as_of: dt.date | None = None,
    tree: str = figures.CURRENT,
    letterhead: Letterhead | None = None,
    issued_on: dt.date | None = None,
) -> ProgressReport:
    """The report of `unit` in `campaign` as of the date (today when None), issued today."""
    day = as_of or figures.today()
    issued = issued_on or figures.today()
    head = letterhead or default_letterhead(unit, parent=unit.parent if unit.parent_id else None)
    data = figures.report(unit, campaign, phase=phase, as_of=day, tree=tree)
    me, children = data.unit, data.children
    date = formatting.short_date(day)
    if phase is not None:
        as_of_line = _("(%(phase)s, as of %(date)s)") % {"phase": phase.name, "date": date}
    else:
        as_of_line = _("(as of %(date)s)") % {"date": date}
    notes = []
    if tree == figures.DATED:
        notes.append(_("Units are counted as they stood on %(date)s.") % {"date": date})
    rank_columns, rank_rows = rank_table(me, tree)
    table_notes = []
    if children and me.participating_members < sum(c.participating_members for c in children):
        table_notes.append(
            _("A member who took part in more than one of these units counts once in the total.")
        )
    return ProgressReport(
        unit=unit,
        campaign=campaign,
        phase=phase,
        as_of=day,
        issued_on=issued,
        tree=tree,
        letterhead=head,
        number_line=number_line(unit, head.number),
        date_line=formatting.place_and_date(clean_line(head.place) or CAPITAL, issued),
        title=_("REPORT"),
        subtitle=_("Progress of the campaign “%(name)s”") % {"name": campaign.name},
        as_of_line=as_of_line,
        notes=notes,
        figures_heading=_("I. FIGURES OF THE UNIT"),
        lines=figure_lines(me),
        ranks_heading=_("II. RANKS"),
        measure_label=_("Measure"),
        rank_columns=rank_columns,
        rank_rows=rank_rows,
        children_heading=_("III. UNITS DIRECTLY BELOW"),
        columns=columns(),
        rows=child_rows(children),
        total=total_row(me, children) if children else None,
        table_notes=table_notes,
        empty_text=_("The unit has no units directly below it."),
        recipients_label=_("Recipients:"),
    )


def as_text(value: Any, kind: str) -> str:
    """A value as the PDF prints it (and the xlsx when it is not a number)."""
    if value is None:
        return formatting.NONE
    if kind == PERCENT:
        return formatting.percent(Decimal(value))
    if kind in (INT, MONEY) and isinstance(value, int):
        return formatting.integer(value)
    return str(value)
