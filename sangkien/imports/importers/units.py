"""Units: created and updated through the unit services, row by row."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from sangkien.orgs import services as orgs
from sangkien.orgs.models import Unit, UnitKind, UnitStatus
from sangkien.text import fold

from ..matching import UnitMatcher
from ..reading import Row
from .base import (
    Importer,
    Problems,
)
from .common import (
    IMPORTED,
    Outcome,
    Progress,
)

# -- units ---------------------------------------------------------------------------------

KIND_WORDS: list[tuple[tuple[str, ...], str]] = [
    (("to cong doan", "to cd", "group", "union group"), UnitKind.GROUP),
    (("cdcs", "co so", "cong doan co so", "grassroots"), UnitKind.GRASSROOTS),
    (("cap tren", "cap tren co so", "upper", "upper level", "cd cap tren"), UnitKind.UPPER),
    (("nganh", "cong doan nganh", "sectoral"), UnitKind.SECTORAL),
    (("tinh", "thanh pho", "ldld", "lien doan lao dong", "provincial"), UnitKind.PROVINCIAL),
]


def unit_kind(value: str) -> str | None:
    folded = fold(value).strip()
    if folded in UnitKind.values:
        return folded
    for words, kind in KIND_WORDS:
        if any(folded == w or folded.startswith(w + " ") or w in folded for w in words):
            return kind
    return None


class UnitImporter(Importer):
    kind = "units"

    def run(self, progress: Progress | None) -> None:
        known = list(self.scoped_units().filter(status=UnitStatus.ACTIVE))
        matcher = UnitMatcher(known)
        by_code = {u.code: u for u in known}
        by_parent_name: dict[tuple[int, str], Unit] = {}
        for unit in known:
            if unit.parent_id is not None:
                by_parent_name[(unit.parent_id, _name_key(unit.name))] = unit
        made_in_file: dict[str, Unit] = {}  # folded name or code -> unit created above
        for row in self.rows(progress):
            problems = self.problems()
            self.require(row, problems)
            name = self.text(row, "name", problems)
            code_text = self.text(row, "code", problems, limit=32)
            code = orgs.normalise_code(code_text) if code_text else ""
            if not name:
                problems.missing("name")
            if code and not orgs.CODE_RE.match(code):
                problems.add(
                    "code",
                    _("“%(code)s” is not a code: 1 to 32 capital letters, digits, dots, dashes.")
                    % {"code": code_text},
                )
            parent = self._parent(row, problems, matcher, made_in_file)
            kind_text = self.text(row, "kind", problems)
            kind = unit_kind(kind_text) if kind_text else None
            if kind_text and kind is None:
                problems.add("kind", _("“%(kind)s” is not a kind of unit.") % {"kind": kind_text})
            short_name = self.text(row, "short_name", problems, limit=100)
            address = self.text(row, "address", problems)
            founded_on, _precision = self.date(row, "founded_on", problems)
            if founded_on and founded_on > self.today:
                problems.add("founded_on", _("the date is later than today."))
            if problems or parent is None:
                self.reject(row, problems, name)
                continue
            if kind is None:
                kind = _default_child_kind(parent)
            existing = (
                by_code.get(code) if code else by_parent_name.get((parent.pk, _name_key(name)))
            )
            if existing is not None:
                self._existing(row, existing, parent, name, short_name, address, problems)
                continue
            if not code:
                code = _free_code(parent.code, by_code)
            try:
                with transaction.atomic():
                    unit = orgs.create_unit(
                        code=code,
                        name=name,
                        kind=kind,
                        parent=parent,
                        by=self.user,
                        short_name=short_name,
                        address=address,
                        founded_on=founded_on,
                    )
            except ValidationError as exc:
                for key, messages in exc.message_dict.items():
                    problems.add(key if key in self.table.columns else None, " ".join(messages))
                self.reject(row, problems, name)
                continue
            by_code[unit.code] = unit
            by_parent_name[(parent.pk, _name_key(unit.name))] = unit
            made_in_file[unit.code] = unit
            made_in_file.setdefault(_name_key(unit.name), unit)
            self.summary.outcomes.append(Outcome(row.number, IMPORTED, label=name, ref=unit.code))

    def _parent(
        self, row: Row, problems: Problems, matcher: UnitMatcher, made: dict[str, Unit]
    ) -> Unit | None:
        text = self.text(row, "parent", problems)
        if not text:
            problems.missing("parent")
            return None
        found = made.get(orgs.normalise_code(text)) or made.get(_name_key(text))
        if found is not None:
            return found
        match = matcher.match(text, text)
        if match.unit_id is None:
            problems.add("parent", _with_suggestions(match.problem, match.suggestions))
            return None
        parent = Unit.objects.get(pk=match.unit_id)
        if not self.in_scope(parent):
            problems.add("parent", _("you do not manage %(name)s.") % {"name": parent.name})
            return None
        return parent

    def _existing(
        self,
        row: Row,
        unit: Unit,
        parent: Unit,
        name: str,
        short_name: str,
        address: str,
        problems: Problems,
    ) -> None:
        if unit.parent_id != parent.pk:
            problems.add(
                "parent",
                _(
                    "%(code)s already exists under %(parent)s; move a unit on its page, not "
                    "by import."
                )
                % {"code": unit.code, "parent": unit.parent.name if unit.parent else "—"},
            )
            self.reject(row, problems, name)
            return
        changes: dict[str, Any] = {
            k: v
            for k, v in (("name", name), ("short_name", short_name), ("address", address))
            if v and v != getattr(unit, k)
        }
        self.update(
            row, name, unit.code, changes, lambda: orgs.update_unit(unit, by=self.user, **changes)
        )


def _name_key(name: str) -> str:
    return " ".join(fold(name).split())


def _default_child_kind(parent: Unit) -> str:
    if parent.kind in (UnitKind.GRASSROOTS, UnitKind.GROUP):
        return UnitKind.GROUP
    return UnitKind.GRASSROOTS


def _free_code(prefix: str, taken: dict[str, Any]) -> str:
    n = 1
    while True:
        code = f"{prefix}-{n:03d}"[:32]
        if code not in taken and not Unit.objects.filter(code=code).exists():
            return code
        n += 1


def _with_suggestions(problem: str, suggestions: list[str]) -> str:
    if not suggestions:
        return problem
    return _("%(problem)s Did you mean: %(names)s?") % {
        "problem": problem.rstrip("."),
        "names": "; ".join(suggestions),
    }
