"""Initiatives: checked by the same rules as the form and the API, entered as submitted
on behalf of their authors, written in bulk with their history and the figures."""

from __future__ import annotations

import datetime as dt
import difflib
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from sangkien import values
from sangkien.core.models import AuditEntry
from sangkien.formats import short_date
from sangkien.initiatives import rules
from sangkien.initiatives.models import (
    Action,
    ApplicationField,
    Author,
    HistoryEntry,
    Initiative,
    Status,
)
from sangkien.initiatives.phrases import IMPORTED as IMPORTED_NOTE
from sangkien.initiatives.rules import ENTRY_UNIT_KINDS, MAX_TEXT
from sangkien.orgs.models import Member, Unit
from sangkien.stats import engine as stats_engine
from sangkien.text import fold

from .. import bulk
from ..matching import MemberMatcher, UnitMatcher
from ..reading import Row
from .base import (
    Importer,
    Problems,
    _notes,
)
from .common import (
    BATCH,
    IMPORTED,
    REJECTED,
    SKIPPED,
    ImportRefused,
    Outcome,
    Progress,
    _day,
    _iso,
)
from .units import (
    _name_key,
    _with_suggestions,
)

# Initiative rows per batch (tests make it small to cut an import short between batches).
INITIATIVE_BATCH = BATCH


# -- initiatives ---------------------------------------------------------------------------


@dataclass(slots=True)
class _NewInitiative:
    number: int
    unit_id: int
    title: str
    title_folded: str
    field_id: int | None
    description: str
    first_applied_on: dt.date | None
    benefit: int
    authors: list[tuple[str, int | None, Decimal]]  # name, member id, share
    note: str
    recognition: dict[str, Any]
    outcome_note: str


def _initiative_json(item: _NewInitiative, position: int) -> dict[str, Any]:
    recognition = dict(item.recognition)
    recognition["recognition_date"] = _iso(recognition.get("recognition_date"))
    return {
        "o": position,
        "n": item.number,
        "unit": item.unit_id,
        "title": item.title,
        "title_folded": item.title_folded,
        "field": item.field_id,
        "description": item.description,
        "applied_on": _iso(item.first_applied_on),
        "benefit": item.benefit,
        "authors": [[name, member, str(share)] for name, member, share in item.authors],
        "note": item.note,
        "recognition": recognition,
        "outcome_note": item.outcome_note,
    }


def _initiative_of(p: dict[str, Any]) -> _NewInitiative:
    recognition = dict(p["recognition"])
    recognition["recognition_date"] = _day(recognition.get("recognition_date"))
    return _NewInitiative(
        number=p["n"],
        unit_id=p["unit"],
        title=p["title"],
        title_folded=p["title_folded"],
        field_id=p["field"],
        description=p["description"],
        first_applied_on=_day(p["applied_on"]),
        benefit=p["benefit"],
        authors=[(name, member, Decimal(share)) for name, member, share in p["authors"]],
        note=p["note"],
        recognition=recognition,
        outcome_note=p["outcome_note"],
    )


class InitiativeImporter(Importer):
    """Rows become initiatives submitted today for review, entered on behalf of their
    authors by the user who imports (as a support team does), each with its history entry,
    its audit entry and its place in the figures."""

    kind = "initiatives"

    def run(self, progress: Progress | None) -> None:
        campaign = self.campaign
        assert campaign is not None
        if not campaign.is_open_on(self.today):
            raise ImportRefused(
                _("The campaign %(name)s accepts initiatives from %(start)s to %(end)s.")
                % {
                    "name": campaign.name,
                    "start": short_date(campaign.starts_on),
                    "end": short_date(campaign.ends_on),
                }
            )
        self.phase = campaign.phase_on(self.today)
        self.phase_id = self.phase.pk if self.phase else None
        units = [
            u
            for u in self.scoped_units()
            .filter(kind__in=ENTRY_UNIT_KINDS)
            .only("pk", "code", "name", "short_name", "kind", "path", "status", "successor_id")
            if campaign.covers(u)
        ]
        self.unit_by_id = {u.pk: u for u in units}
        self.unit_matcher = UnitMatcher(units)
        self.fields = list(ApplicationField.objects.filter(campaign=campaign))
        self.member_matchers: dict[int, _UnitMembers] = {}
        self.in_file: dict[tuple[int, str], int] = {}
        pending: list[tuple[Row, _NewInitiative]] = []
        for row in self.rows(progress):
            item = self._check(row)
            if item is None:
                continue
            pending.append((row, item))
            if len(pending) >= INITIATIVE_BATCH:
                self._flush(pending)
                pending = []
        self._flush(pending)

    # checking one row ---------------------------------------------------------------------

    def _check(self, row: Row) -> _NewInitiative | None:
        problems = self.problems()
        self.require(row, problems, fields=self._field_names())
        title = self.text(row, "title", problems, limit=MAX_TEXT)
        if title:
            title = self.rule(problems, "title", rules.title, title) or ""
        elif not problems:
            problems.missing("title")
        unit = self._unit(row, problems)
        field_id = self._field(row, problems)
        description = self._long_text(row, "summary", problems)
        if not description:
            problems.missing("summary")
        applied_on = self._applied_on(row, problems)
        benefit = 0
        raw_benefit = self.raw(row, "benefit")
        if raw_benefit is not None:
            try:
                amount = values.money(
                    raw_benefit, multiplier=self.table.multipliers.get("benefit", 1)
                )
            except values.ValueProblem as exc:
                problems.add("benefit", str(exc))
            else:
                benefit = self.rule(problems, "benefit", rules.benefit, amount) or 0
        note = self._long_text(row, "note", problems)
        recognition = self._recognition(row, problems)
        authors, author_note = self._authors(row, unit, problems)
        if unit is not None and title:
            key = (unit.pk, fold(title)[:500])
            if key in self.in_file:
                problems.add(
                    "title",
                    _("the same title under the same unit as row %(n)s.")
                    % {"n": self.in_file[key]},
                )
            else:
                self.in_file[key] = row.number
        if problems or unit is None:
            self.reject(row, problems, title)
            return None
        return _NewInitiative(
            number=row.number,
            unit_id=unit.pk,
            title=title,
            title_folded=fold(title)[:500],
            field_id=field_id,
            description=description,
            first_applied_on=applied_on,
            benefit=benefit,
            authors=authors,
            note=note,
            recognition=recognition,
            outcome_note=_notes(self.unit_note, author_note),
        )

    def _unit(self, row: Row, problems: Problems) -> Unit | None:
        self.unit_note = ""
        text = self.text(row, "unit", problems)
        if not text:
            problems.missing("unit")
            return None
        match = self.unit_matcher.match(text, text)
        self.unit_note = match.note
        if match.unit_id is None:
            problems.add("unit", _with_suggestions(match.problem, match.suggestions))
            return None
        unit = self.unit_by_id[match.unit_id]
        campaign = self.campaign
        assert campaign is not None
        problem = rules.unit_problem(unit, campaign)
        if problem:
            problems.add("unit", problem)
            return None
        return unit

    def _long_text(self, row: Row, key: str, problems: Problems) -> str:
        text = self.text(row, key, problems, limit=10 * MAX_TEXT, multiline=True)
        return self.rule(problems, key, rules.long_text, text) or ""

    def _field(self, row: Row, problems: Problems) -> int | None:
        text = self.text(row, "field", problems)
        if not text:
            problems.missing("field", fields=self._field_names())
            return None
        folded = _name_key(text)
        for f in self.fields:
            if text.strip().upper() == f.code or folded == _name_key(f.name):
                return f.pk
        for f in self.fields:  # "Kỹ thuật" for "Kỹ thuật, công nghệ"
            if _name_key(f.name).startswith(folded) and len(folded) >= 4:
                return f.pk
        problems.add(
            "field",
            _("“%(value)s” is not a field of this campaign; use one of %(fields)s.")
            % {"value": text, "fields": self._field_names()},
        )
        return None

    def _field_names(self) -> str:
        return "; ".join(f"{f.code} – {f.name}" for f in self.fields)

    def _applied_on(self, row: Row, problems: Problems) -> dt.date | None:
        day, precision = self.date(row, "applied_on", problems)
        if day is None:
            if self.raw(row, "applied_on") is None:
                problems.missing("applied_on")
            return None
        return self.rule(
            problems, "applied_on", rules.first_applied_on, day, self.campaign, self.today,
            precision,
        )  # fmt: skip

    def _recognition(self, row: Row, problems: Problems) -> dict[str, Any]:
        campaign = self.campaign
        assert campaign is not None
        found: dict[str, Any] = {}
        for key in ("recognition_body", "recognition_number"):
            text = self.text(row, key, problems, limit=MAX_TEXT)
            limit = rules.LINE_FIELDS[key]
            found[key] = self.rule(problems, key, rules.line, text, limit) or ""
        day, _p = self.date(row, "recognition_date", problems, month_ok=False)
        found["recognition_date"] = self.rule(
            problems, "recognition_date", rules.recognition_date, day, self.today
        )
        for key, message in rules.missing_recognition(campaign, found).items():
            if self.raw(row, key) is None:  # a value that is wrong was said so already
                problems.add(key, message)
        return found

    def _authors(
        self, row: Row, unit: Unit | None, problems: Problems
    ) -> tuple[list[tuple[str, int | None, Decimal]], str]:
        raw = self.raw(row, "authors")
        if raw is None:
            problems.missing("authors")
            return [], ""
        try:
            people = values.people_with_shares(raw)
        except values.ValueProblem as exc:
            problems.add("authors", str(exc))
            return [], ""
        if not people:
            problems.missing("authors")
            return [], ""
        try:
            rules.authors_count(len(people))
        except rules.RuleProblem as exc:
            problems.add("authors", exc.message)
            return [], ""
        given = [share for _name, share in people]
        shares: list[Decimal]
        if any(s is not None for s in given):
            shares = [s for s in given if s is not None]
            if len(shares) < len(given):
                problems.add("authors", _("give every author's share, or none."))
                return [], ""
            try:
                rules.shares_total(shares)
            except rules.RuleProblem as exc:
                problems.add("authors", exc.message)
                return [], ""
        else:
            shares = rules.equal_shares(len(people))
        if unit is None:
            return [], ""
        matcher = self._members(unit.pk)
        birth_year = None
        raw_year = self.raw(row, "birth_year")
        if raw_year is not None:
            try:
                birth_year = values.year(raw_year)
            except values.ValueProblem:
                birth_year = None
        out: list[tuple[str, int | None, Decimal]] = []
        outside: list[str] = []
        seen: set[int] = set()
        for i, ((name, _s), share) in enumerate(zip(people, shares, strict=True)):
            member_id, problem, suggestions = matcher.match(
                name, unit.pk, birth_year if i == 0 else None
            )
            if member_id is None:
                # A problem is an ambiguous name or a wrong year: never kept by name alone.
                if i == 0 or problem:
                    problems.add(
                        "authors",
                        _with_suggestions(
                            problem
                            or _("%(name)s is not a member of %(unit)s.")
                            % {"name": name, "unit": unit.name},
                            suggestions,
                        ),
                    )
                    continue
                outside.append(name)
            elif member_id in seen:
                problems.add("authors", rules.listed_twice(name))
                continue
            else:
                seen.add(member_id)
            out.append((name, member_id, share))
        note = ""
        if outside:
            note = _("not members of the union, kept by name: %(names)s") % {
                "names": ", ".join(outside)
            }
        return out, note

    def _members(self, unit_id: int) -> _UnitMembers:
        members = self.member_matchers.get(unit_id)
        if members is None:
            members = _UnitMembers(
                unit_id,
                Member.objects.filter(unit_id=unit_id, left_on__isnull=True).values_list(
                    "pk", "name_folded", "birth_date"
                ),
            )
            self.member_matchers[unit_id] = members
        return members

    # writing -----------------------------------------------------------------------------------

    def _flush(self, pending: list[tuple[Row, _NewInitiative]]) -> None:
        """Check a batch of rows against what the database holds, and keep the new ones."""
        if not pending:
            return
        existing = self._existing([item for _r, item in pending])
        near = self._near_titles(
            [item for _r, item in pending if (item.unit_id, item.title_folded) not in existing]
        )
        staged: list[dict[str, Any]] = []
        for row, item in pending:
            found = existing.get((item.unit_id, item.title_folded))
            similar = near.get(item.number) if found is None else None
            if similar is not None:
                problems = self.problems()
                pk, old_title = similar
                problems.add(
                    "title",
                    _(
                        "an initiative with nearly this title and the same first author was "
                        "already entered under this unit: SK-%(pk)06d “%(title)s”. If this "
                        "row corrects its title, change the title on its page; if it is "
                        "another initiative, give it a title that tells them apart."
                    )
                    % {"pk": pk, "title": old_title},
                )
                self.reject(row, problems, item.title)
                continue
            if found is None:
                position = self.provisional(
                    Outcome(row.number, IMPORTED, item.outcome_note, label=item.title)
                )
                staged.append(_initiative_json(item, position))
                continue
            outcome = self._duplicate(item, found)
            if outcome.status == REJECTED:
                outcome.cells = list(row.cells)
            self.summary.outcomes.append(outcome)
        self.stage(staged)

    def _near_titles(self, items: list[_NewInitiative]) -> dict[int, tuple[int, str]]:
        """For the rows (by number) whose title is not already there: an initiative of the
        same unit and campaign, entered (not a draft, not withdrawn), with the same first
        author and a title that differs only a little (a corrected typing slip: difflib's
        ratio on the folded titles at least 0.85), as (pk, its title). Titles are compared
        only within the same unit and first author, so a unit with thousands of
        initiatives costs no more than a few comparisons a row."""
        campaign = self.campaign
        assert campaign is not None
        if not items:
            return {}
        units = sorted({i.unit_id for i in items})
        known: dict[tuple[int, str], list[tuple[int, str, str]]] = defaultdict(list)
        for start in range(0, len(units), 500):
            for pk, unit_id, name, title, folded in (
                Author.objects.filter(
                    position_in_list=0,
                    initiative__campaign_id=campaign.pk,
                    initiative__unit_id__in=units[start : start + 500],
                )
                .exclude(initiative__status__in=[Status.DRAFT, Status.WITHDRAWN])
                .values_list(
                    "initiative_id", "initiative__unit_id", "name", "initiative__title",
                    "initiative__title_folded",
                )
            ):  # fmt: skip
                known[(unit_id, _name_key(name))].append((pk, title, folded))
        found: dict[int, tuple[int, str]] = {}
        for item in items:
            if not item.authors:
                continue
            same = known.get((item.unit_id, _name_key(item.authors[0][0])))
            if not same:
                continue
            matcher = difflib.SequenceMatcher(b=item.title_folded)
            for pk, title, folded in same:
                matcher.set_seq1(folded)
                if matcher.real_quick_ratio() >= 0.85 and matcher.ratio() >= 0.85:
                    found[item.number] = (pk, title)
                    break
        return found

    def _duplicate(self, item: _NewInitiative, found: tuple[int, int, list[str]]) -> Outcome:
        """The outcome of a row whose unit already has an initiative of this title."""
        pk, benefit, names = found
        ref = f"SK-{pk:06d}"
        if benefit == item.benefit and names == [_name_key(n) for n, _m, _s in item.authors]:
            return Outcome(item.number, SKIPPED, _("already there"), label=item.title, ref=ref)
        problems = self.problems()
        problems.add(
            "title",
            _(
                "an initiative with this title was already entered under this unit "
                "(%(ref)s) with other authors or benefit; change it on its page."
            )
            % {"ref": ref},
        )
        return Outcome(item.number, REJECTED, problems.text(), label=item.title)

    def apply(self, items: list[dict[str, Any]]) -> list[tuple[int, Outcome]]:
        """Write one batch (inside its transaction): the rows still new, each with its
        authors, history entry, audit entry and place in the figures."""
        campaign = self.campaign
        assert campaign is not None
        checked = [(p["o"], _initiative_of(p)) for p in items]
        # Checked again: another import may have entered the same rows since the check.
        existing = self._existing([item for _o, item in checked])
        finals: list[tuple[int, Outcome]] = []
        new: list[tuple[int, _NewInitiative]] = []
        for position, item in checked:
            found = existing.get((item.unit_id, item.title_folded))
            if found is None:
                new.append((position, item))
            else:
                finals.append((position, self._duplicate(item, found)))
        if not new:
            return finals
        user_id = self.user.pk if self.user is not None else None
        phase_id = self.phase_id
        ids = bulk.insert(
            Initiative,
            [
                {
                    "campaign_id": campaign.pk,
                    "unit_id": item.unit_id,
                    "phase_id": phase_id,
                    "title": item.title,
                    "title_folded": item.title_folded,
                    "field_id": item.field_id,
                    "description": item.description,
                    "first_applied_on": item.first_applied_on,
                    "benefit_claimed_vnd": item.benefit,
                    "status": Status.SUBMITTED,
                    "entered_by_id": user_id,
                    "on_behalf": True,
                    "submitted_at": self.now,
                    **item.recognition,
                }
                for _row, item in new
            ],
            returning=True,
        )
        bulk.insert(
            Author,
            [
                {
                    "initiative_id": pk,
                    "member_id": member_id,
                    "name": name[:255],
                    "share": share,
                    "position_in_list": i,
                }
                for pk, (_row, item) in zip(ids, new, strict=True)
                for i, (name, member_id, share) in enumerate(item.authors)
            ],
        )
        entries = []
        states = []
        for pk, (_position, item) in zip(ids, new, strict=True):
            members = sorted({m for _n, m, _s in item.authors if m is not None})
            row_note = IMPORTED_NOTE(file=self.summary.filename, row=item.number, note=item.note)
            entries.append(
                {
                    "initiative_id": pk,
                    "action": Action.SUBMITTED,
                    "from_status": Status.DRAFT,
                    "to_status": Status.SUBMITTED,
                    "actor_id": user_id,
                    "at": self.now,
                    "note": str(row_note),
                    "note_code": row_note.code,
                    "note_params": row_note.params,
                    "benefit_claimed_vnd": item.benefit,
                    "members": members,
                }
            )
            states.append(
                (
                    item.unit_id,
                    phase_id,
                    stats_engine.next_state(
                        stats_engine.NOTHING, Status.SUBMITTED, item.benefit, None, members
                    ),
                )
            )
        bulk.insert(HistoryEntry, entries)
        stats_engine.add_new(campaign.pk, stats_engine.local_day(self.now), states)
        bulk.insert(
            AuditEntry,
            [
                {
                    "at": self.now,
                    "actor_id": user_id,
                    "action": "initiative.import",
                    "object_type": "initiatives.initiative",
                    "object_id": str(pk),
                    "unit_id": item.unit_id,
                    "after": {
                        "title": item.title,
                        "unit": item.unit_id,
                        "status": Status.SUBMITTED,
                        "benefit_claimed_vnd": item.benefit,
                        "file": self.summary.filename,
                        "row": item.number,
                    },
                }
                for pk, (_position, item) in zip(ids, new, strict=True)
            ],
        )
        finals.extend(
            (position, Outcome(item.number, IMPORTED, item.outcome_note, label=item.title,
                               ref=f"SK-{pk:06d}"))
            for pk, (position, item) in zip(ids, new, strict=True)
        )  # fmt: skip
        return finals

    def _existing(
        self, items: list[_NewInitiative]
    ) -> dict[tuple[int, str], tuple[int, int, list[str]]]:
        """The initiatives already entered with these units and titles (not drafts, not
        withdrawn, as the duplicate check on submission): pk, claimed benefit, author names."""
        campaign = self.campaign
        assert campaign is not None
        titles = sorted({i.title_folded for i in items})
        units = sorted({i.unit_id for i in items})
        found: dict[tuple[int, str], tuple[int, int, list[str]]] = {}
        for start in range(0, len(titles), 500):
            query = (
                Initiative.objects.filter(
                    campaign_id=campaign.pk,
                    title_folded__in=titles[start : start + 500],
                )
                .exclude(status__in=[Status.DRAFT, Status.WITHDRAWN])
                .values_list("pk", "unit_id", "title_folded", "benefit_claimed_vnd")
            )
            if len(units) <= 500:
                query = query.filter(unit_id__in=units)
            for pk, unit_id, title_folded, benefit in query:
                found[(unit_id, title_folded)] = (pk, benefit, [])
        if found:
            by_pk = {v[0]: v[2] for v in found.values()}
            pks = sorted(by_pk)
            for start in range(0, len(pks), 900):
                for initiative_id, name in (
                    Author.objects.filter(initiative_id__in=pks[start : start + 900])
                    .order_by("initiative_id", "position_in_list", "pk")
                    .values_list("initiative_id", "name")
                ):
                    by_pk[initiative_id].append(_name_key(name))
        return found


class _UnitMembers:
    """The members of one unit by folded name, kept lean (a province names hundreds of
    thousands): (id, year of birth) per name. A name that is not simply one member, a year
    that does not fit or a member code goes to `MemberMatcher`, built for the unit only then,
    for its message and suggestions."""

    __slots__ = ("unit_id", "names", "full")

    def __init__(self, unit_id: int, rows: Iterable[tuple[int, str, Any]]) -> None:
        self.unit_id = unit_id
        self.names: dict[str, Any] = {}
        self.full: MemberMatcher | None = None
        for pk, folded, born in rows:
            entry = (pk, born.year if born else None)
            found = self.names.get(folded)
            if found is None:
                self.names[folded] = entry
            elif isinstance(found, list):
                found.append(entry)
            else:
                self.names[folded] = [found, entry]

    def match(
        self, name: str, unit_id: int, birth_year: int | None = None
    ) -> tuple[int | None, str, list[str]]:
        found = self.names.get(fold(name)[:255])
        if isinstance(found, tuple):
            pk, year = found
            if birth_year is None or year is None or year == birth_year:
                return pk, "", []
        return self._full().match(name, unit_id, birth_year)

    def _full(self) -> MemberMatcher:
        if self.full is None:
            self.full = MemberMatcher(
                Member.objects.filter(unit_id=self.unit_id, left_on__isnull=True).values_list(
                    "pk", "code", "full_name", "birth_date", "unit_id"
                )
            )
        return self.full
