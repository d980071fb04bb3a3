"""Finding the unit and the members a row names, among candidates read once per import.

`UnitMatcher(units)` takes the units an import may use (model instances, dicts or anything
with the attributes id/pk, code, name, short_name, kind, path, status, successor_id) and
answers `match(code, name)` with a `UnitMatch`:
- a code matches exactly, case and surrounding spaces ignored (`orgs.services.normalise_code`);
  a value of the name column that is a known code matches too (the importers pass the same
  text as both);
- otherwise the name matches, compared folded (no diacritics, đ as d, case, punctuation) and
  then without the words every union name starts with ("Công đoàn cơ sở", "CĐCS", "Công ty
  cổ phần", "Cty TNHH", "Chi nhánh", "Trường", "LĐLĐ tỉnh", … on both sides), against the
  name and the short name: "CĐCS Công ty CP Giày Sao Vàng" is "Công đoàn Công ty Cổ phần Giày
  Sao Vàng";
- when several units share the name, active units come first: one active unit matches;
  several are ambiguous (the problem says how many, the suggestions list them);
- a unit that was merged, split or dissolved matches its successor (followed to the end,
  among the candidates), and `note` says so; without a successor among the candidates, the
  problem says the unit is closed;
- no unit: the problem says so, with up to three suggestions, the closest first: close codes
  for a text that looks like a code, else close names (difflib's ratio on the shortened
  names, among those sharing a word with it so it stays fast with thousands of units);
- a code and a name that name two different units: the problem says so;
- a unit found by a name with a word that matches the unit's only once tone marks and đ
  are ignored ("Thuận Đinh" for "Thuận Định"; not a word typed without any) matches, and
  `note` says what the name was read as.
Every answer is cached per (code, name): a file naming 3,000 units in 100,000 rows is
matched 3,000 times. The indexes are dicts built once; no query runs per row.

`MemberMatcher(members)` takes members as (id, code, full_name, birth_date, unit_id) tuples
(a `values_list` in that order), dicts or instances, and `match(name, unit_id, birth_year)`
answers `MemberMatch(member_id, problem, suggestions)`, a 3-tuple:
- a member code (exact, case ignored) matches that member wherever its unit;
- else the folded full name within the unit: one member matches, unless its year of birth
  is known and differs from `birth_year`; several are narrowed by `birth_year`;
- several left: `problem` says the name is ambiguous, `suggestions` lists them with their
  dates of birth and codes;
- none: member_id None and an empty `problem` (the caller decides whether a non-member may
  stand there), with suggestions: close names in the unit, then members of that name in
  other units.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from sangkien.formats import input_date
from sangkien.text import fold, nfc

ACTIVE = "active"
MAX_SUGGESTIONS = 3
_NOT_WORD = re.compile(r"[^0-9a-z]+")
_CODE_LIKE = re.compile(r"[A-Z0-9][A-Z0-9._\-/]*")  # one word: a code rather than a name
# Words that open union and company names, folded; removed (repeatedly) from the start.
_PREFIXES = sorted(
    {
        "cong doan co so", "cdcs", "cong doan", "cd", "cong doan nganh", "cong doan cac",
        "cong ty co phan", "cong ty cp", "cty cp", "ctcp", "cong ty tnhh", "cty tnhh", "tnhh",
        "cong ty trach nhiem huu han", "mot thanh vien", "mtv", "hai thanh vien",
        "cong ty", "cty", "co phan", "cp", "chi nhanh", "cn", "xi nghiep", "xn", "nha may",
        "truong", "lien doan lao dong", "ldld", "tinh", "thanh pho", "tp", "cac", "tong cong ty",
        "tct", "tap doan", "doanh nghiep", "dntn", "hop tac xa", "htx",
    },
    key=lambda p: (-len(p), p),
)  # fmt: skip
_PREFIX_RE = re.compile(r"^(?:(?:" + "|".join(re.escape(p) for p in _PREFIXES) + r")(?: |$))+")


def name_key(value: str) -> str:
    """A unit name folded, punctuation as spaces."""
    return _NOT_WORD.sub(" ", fold(value)).strip()


def short_key(value: str) -> str:
    """A unit name folded and without the words union and company names open with; the
    folded name itself when nothing else is left."""
    full = name_key(value)
    stripped = _PREFIX_RE.sub("", full).strip()
    return stripped or full


def _code(value: str) -> str:
    return nfc(value).upper()


def _get(item: Any, *names: str) -> Any:
    for name in names:
        if isinstance(item, dict):
            if name in item:
                return item[name]
        elif hasattr(item, name):
            return getattr(item, name)
    return None


@dataclass(frozen=True)
class UnitMatch:
    unit_id: int | None
    problem: str = ""  # translated; empty when matched
    suggestions: list[str] = field(default_factory=list)  # "CODE – Name"
    note: str = ""  # translated; e.g. the unit named was merged into this one
    code: str = ""  # the matched unit's code


@dataclass(frozen=True, slots=True)
class _Unit:
    id: int
    code: str
    name: str
    kind: str
    path: str
    status: str
    successor_id: int | None
    short_name: str = ""

    @property
    def label(self) -> str:
        return f"{self.code} – {self.name}"


class UnitMatcher:
    """Units found by code or name among the candidates given once."""

    def __init__(self, units: Iterable[Any]) -> None:
        self.units: dict[int, _Unit] = {}
        self.by_code: dict[str, int] = {}
        self.by_name: dict[str, list[int]] = defaultdict(list)
        self.by_short: dict[str, list[int]] = defaultdict(list)
        self.by_word: dict[str, set[str]] = defaultdict(set)
        for item in units:
            pk = _get(item, "id", "pk")
            unit = _Unit(
                id=pk,
                code=_code(_get(item, "code") or ""),
                name=_get(item, "name") or "",
                kind=_get(item, "kind") or "",
                path=_get(item, "path") or "",
                status=str(_get(item, "status") or ACTIVE),
                successor_id=_get(item, "successor_id"),
                short_name=_get(item, "short_name") or "",
            )
            self.units[pk] = unit
            if unit.code:
                self.by_code[unit.code] = pk
            names = {unit.name, _get(item, "short_name") or ""} - {""}
            for name in names:
                full, short = name_key(name), short_key(name)
                if pk not in self.by_name[full]:
                    self.by_name[full].append(pk)
                if pk not in self.by_short[short]:
                    self.by_short[short].append(pk)
                for word in short.split(" "):
                    self.by_word[word].add(short)
        self._cache: dict[tuple[str, str], UnitMatch] = {}

    def match(self, code: str | None, name: str | None) -> UnitMatch:
        code = nfc(code or "")
        name = nfc(name or "")
        key = (code, name)
        found = self._cache.get(key)
        if found is None:
            found = self._match(code, name)
            self._cache[key] = found
        return found

    # -- the rules -----------------------------------------------------------------------------

    def _match(self, code: str, name: str) -> UnitMatch:
        if code:
            pk = self.by_code.get(_code(code))
            if pk is not None:
                conflict = self._conflict(pk, code, name)
                return conflict or self._resolve(self.units[pk], code)
            same = not name or _code(name) == _code(code)
            if same and _CODE_LIKE.fullmatch(_code(code)) and not self._names_match(code):
                return UnitMatch(
                    None,
                    _("No unit has the code %(code)s.") % {"code": code},
                    self._suggest(code),
                )
        if not name:
            return UnitMatch(None, _("Enter the unit's code or name."))
        pk = self.by_code.get(_code(name))
        if pk is not None:
            return self._resolve(self.units[pk], name)
        ids = self.by_name.get(name_key(name)) or self.by_short.get(short_key(name)) or []
        if not ids:
            return UnitMatch(
                None,
                _("No unit is named “%(name)s”.") % {"name": name},
                self._suggest(name),
            )
        return self._as_written(self._choose([self.units[i] for i in ids], name), name)

    def _as_written(self, found: UnitMatch, written: str) -> UnitMatch:
        """A unit found by a name that is not its own as written (tone marks, đ, words such
        as "CĐCS" or "Công ty CP" aside: "Thuận Đinh" for "Thuận Định") is kept, with a
        note saying what the name was read as."""
        if found.unit_id is None or found.note:
            return found
        unit = self.units[found.unit_id]
        own = set(_as_typed(f"{unit.name} {unit.short_name}").split())
        folded = {fold(w) for w in own}
        # Words written with tone marks (or đ) that match only once those are ignored; a
        # name typed without any is simply read that way.
        words = _as_typed(written).split()
        if not any(w not in own and w != fold(w) and fold(w) in folded for w in words):
            return found
        note = _("“%(written)s” was read as %(unit)s.") % {"written": written, "unit": unit.label}
        return UnitMatch(found.unit_id, found.problem, found.suggestions, note, found.code)

    def _names_match(self, name: str) -> bool:
        return bool(self.by_name.get(name_key(name)) or self.by_short.get(short_key(name)))

    def _conflict(self, pk: int, code: str, name: str) -> UnitMatch | None:
        """A problem when `name` clearly names another unit than the code does."""
        if not name or _code(name) == _code(code):
            return None
        unit = self.units[pk]
        if short_key(name) == short_key(unit.name) or name_key(name) == name_key(unit.name):
            return None
        others = self.by_name.get(name_key(name)) or self.by_short.get(short_key(name)) or []
        if others and pk not in others:
            other = self.units[others[0]]
            return UnitMatch(
                None,
                _("The code %(code)s is %(unit)s, but the name says %(other)s.")
                % {"code": unit.code, "unit": unit.name, "other": other.name},
                [unit.label, other.label],
            )
        return None

    def _choose(self, units: list[_Unit], name: str) -> UnitMatch:
        active = [u for u in units if u.status == ACTIVE]
        if len(active) == 1:
            return self._resolve(active[0], name)
        if len(active) > 1:
            return self._ambiguous(active, name)
        # Only closed units bear the name: their successors, when they agree.
        resolved = {self._successor(u) for u in units}
        if len(resolved) == 1:
            return self._resolve(units[0], name)
        return self._ambiguous(units, name)

    def _ambiguous(self, units: list[_Unit], name: str) -> UnitMatch:
        units = sorted(units, key=lambda u: u.code)
        return UnitMatch(
            None,
            ngettext(
                "Ambiguous: %(n)s unit is named “%(name)s”; give its code.",
                "Ambiguous: %(n)s units are named “%(name)s”; give the code.",
                len(units),
            )
            % {"n": len(units), "name": name},
            [u.label for u in units[:MAX_SUGGESTIONS]],
        )

    def _successor(self, unit: _Unit) -> int | None:
        """The active unit that answers for `unit` among the candidates, or None."""
        seen = {unit.id}
        current = unit
        while current.status != ACTIVE:
            nxt = current.successor_id
            if nxt is None or nxt in seen or nxt not in self.units:
                return None
            seen.add(nxt)
            current = self.units[nxt]
        return current.id

    def _resolve(self, unit: _Unit, written: str) -> UnitMatch:
        if unit.status == ACTIVE:
            return UnitMatch(unit.id, code=unit.code)
        successor_id = self._successor(unit)
        if successor_id is None:
            return UnitMatch(
                None,
                _("%(unit)s is closed and no unit you may use answers for it.")
                % {"unit": unit.label},
            )
        successor = self.units[successor_id]
        return UnitMatch(
            successor.id,
            note=_("%(unit)s is closed; %(successor)s answers for it now.")
            % {"unit": unit.label, "successor": successor.label},
            code=successor.code,
        )

    def _suggest(self, written: str) -> list[str]:
        """Up to three units whose code (for a text that looks like one) or shortened name
        is close to `written`, the closest first."""
        ids: list[int] = []
        if _CODE_LIKE.fullmatch(_code(written)):
            for found in _closest(_code(written), self.by_code, cutoff=0.7):
                ids.append(self.by_code[found])
        if not ids:
            key = short_key(written)
            pool: set[str] = set()
            for word in key.split(" "):
                pool |= self.by_word.get(word, set())
            if not pool or len(pool) > 5_000:
                pool = set(self.by_short)
            for found in _closest(key, pool, cutoff=0.6):
                ids.extend(pk for pk in self.by_short[found] if pk not in ids)
        ordered = sorted(ids, key=lambda pk: self.units[pk].status != ACTIVE)
        return [self.units[pk].label for pk in ordered[:MAX_SUGGESTIONS]]


def _as_typed(value: str) -> str:
    """A name as written, only case and spaces aside."""
    return " ".join(value.split()).casefold()


def _closest(word: str, pool: Iterable[str], *, cutoff: float) -> list[str]:
    """Up to three strings of `pool` most like `word` (difflib's ratio), ties in order."""
    matcher = difflib.SequenceMatcher(b=word)
    scored: list[tuple[float, str]] = []
    for candidate in pool:
        matcher.set_seq1(candidate)
        if matcher.real_quick_ratio() >= cutoff and matcher.quick_ratio() >= cutoff:
            ratio = matcher.ratio()
            if ratio >= cutoff:
                scored.append((-ratio, candidate))
    return [candidate for _ratio, candidate in sorted(scored)[:MAX_SUGGESTIONS]]


# -- members ---------------------------------------------------------------------------------


class MemberMatch(NamedTuple):
    member_id: int | None
    problem: str  # translated; empty when matched, and when no member has the name
    suggestions: list[str]


@dataclass(frozen=True, slots=True)
class _Member:
    id: int
    code: str
    full_name: str
    birth_date: dt.date | None
    unit_id: int

    @property
    def label(self) -> str:
        born = input_date(self.birth_date) if self.birth_date else ""
        parts = [self.full_name, born, self.code]
        return " – ".join(p for p in parts if p)


class MemberMatcher:
    """Members found by name within a unit (or by code) among the candidates given once."""

    def __init__(self, members: Iterable[Any]) -> None:
        self.members: dict[int, _Member] = {}
        self.by_code: dict[str, int] = {}
        self.by_name: dict[tuple[int, str], list[int]] = defaultdict(list)
        self.names_in_unit: dict[int, set[str]] = defaultdict(set)
        self.units_of_name: dict[str, list[int]] = defaultdict(list)
        for item in members:
            if isinstance(item, tuple | list):
                pk, code, full_name, birth_date, unit_id = item[:5]
            else:
                pk = _get(item, "id", "pk")
                code = _get(item, "code")
                full_name = _get(item, "full_name")
                birth_date = _get(item, "birth_date")
                unit_id = _get(item, "unit_id", "unit")
            member = _Member(pk, _code(code or ""), full_name or "", birth_date, unit_id)
            self.members[pk] = member
            if member.code:
                self.by_code[member.code] = pk
            folded = fold(member.full_name)
            self.by_name[(unit_id, folded)].append(pk)
            self.names_in_unit[unit_id].add(folded)
            self.units_of_name[folded].append(pk)

    def match(self, name: str, unit_id: int | None, birth_year: int | None = None) -> MemberMatch:
        written = nfc(name or "")
        if not written:
            return MemberMatch(None, _("Enter the member's name."), [])
        pk = self.by_code.get(_code(written))
        if pk is not None:
            return MemberMatch(pk, "", [])
        folded = fold(written)
        ids = self.by_name.get((unit_id, folded), []) if unit_id is not None else []
        if not ids:
            return MemberMatch(None, "", self._suggest(folded, unit_id))
        candidates = [self.members[i] for i in ids]
        if birth_year is not None:
            narrowed = [
                m for m in candidates if m.birth_date is None or m.birth_date.year == birth_year
            ]
            if not narrowed:
                return MemberMatch(
                    None,
                    _("No member named %(name)s of this union was born in %(year)s.")
                    % {"name": written, "year": birth_year},
                    [m.label for m in candidates[:MAX_SUGGESTIONS]],
                )
            exact = [m for m in narrowed if m.birth_date is not None]
            candidates = exact if len(exact) == 1 else narrowed
        if len(candidates) == 1:
            return MemberMatch(candidates[0].id, "", [])
        return MemberMatch(
            None,
            _(
                "Ambiguous: %(n)s members of this union are named %(name)s; give the year of "
                "birth or the member code."
            )
            % {"n": len(candidates), "name": written},
            [m.label for m in candidates[:MAX_SUGGESTIONS]],
        )

    def _suggest(self, folded: str, unit_id: int | None) -> list[str]:
        out: list[str] = []
        if unit_id is not None:
            for found in _closest(folded, self.names_in_unit.get(unit_id, ()), cutoff=0.8):
                out.extend(self.members[pk].label for pk in self.by_name[(unit_id, found)])
        for pk in self.units_of_name.get(folded, []):
            member = self.members[pk]
            if member.unit_id != unit_id:
                out.append(member.label)
        return out[:MAX_SUGGESTIONS]
