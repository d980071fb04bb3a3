"""Members: matched within their unit, written in bulk with their memberships."""

from __future__ import annotations

import secrets
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from sangkien import values
from sangkien.core.models import AuditEntry
from sangkien.formats import short_date
from sangkien.orgs import services as orgs
from sangkien.orgs.models import Member, Membership, Unit, UnitStatus
from sangkien.text import clean_line, fold, person_sort_key

from ..matching import UnitMatcher
from ..reading import Row
from .base import (
    Importer,
    Problems,
    _notes,
)
from .common import (
    BATCH,
    EMAIL_RE,
    IMPORTED,
    REJECTED,
    SKIPPED,
    UPDATED,
    Outcome,
    Progress,
    _day,
    _iso,
)
from .units import (
    _name_key,
    _with_suggestions,
)

# -- members -------------------------------------------------------------------------------


@dataclass(slots=True)
class _NewMember:
    number: int
    code: str
    unit_id: int
    unit_path: str
    fields: dict[str, Any]
    note: str = ""


class MemberImporter(Importer):
    kind = "members"

    def run(self, progress: Progress | None) -> None:
        units = list(
            self.scoped_units()
            .filter(kind__in=orgs.MEMBER_UNIT_KINDS)
            .only("pk", "code", "name", "short_name", "kind", "path", "status", "successor_id")
        )
        matcher = UnitMatcher(units)
        unit_by_id = {u.pk: u for u in units}
        in_file: dict[tuple[int, str, Any], int] = {}
        codes_in_file: dict[str, int] = {}
        pending: list[tuple[Row, _NewMember]] = []
        for row in self.rows(progress):
            problems = self.problems()
            self.require(row, problems)
            full_name = clean_line(self.text(row, "full_name", problems))
            if not full_name and "full_name" not in " ".join(problems.items):
                problems.missing("full_name")
            unit = self._unit(row, problems, matcher, unit_by_id)
            code_text = self.text(row, "code", problems, limit=32)
            code = orgs.normalise_code(code_text) if code_text else ""
            if code and not orgs.CODE_RE.match(code):
                problems.add(
                    "code",
                    _("“%(code)s” is not a member code: up to 32 letters, digits, . _ or -.")
                    % {"code": code},
                )
            born, precision = self.date(row, "birth_date", problems)
            note = ""
            if born is not None:
                if born > self.today or born.year < 1900:
                    problems.add("birth_date", _("not a real date of birth."))
                elif precision != "day":
                    note = _("only the year or month of birth was given: kept as %(day)s.") % {
                        "day": short_date(born)
                    }
            gender = ""
            if self.raw(row, "gender") is not None:
                try:
                    gender = values.gender(self.raw(row, "gender"))
                except values.ValueProblem as exc:
                    problems.add("gender", str(exc))
            phone = ""
            if self.raw(row, "phone") is not None:
                try:
                    phone = values.phone(self.raw(row, "phone"))
                except values.ValueProblem as exc:
                    problems.add("phone", str(exc))
                if phone and not orgs.PHONE_RE.match(phone):
                    problems.add("phone", _("enter a phone number of 8 to 20 digits."))
            email = self.text(row, "email", problems).lower()
            if email and not EMAIL_RE.match(email):
                problems.add("email", _("“%(email)s” is not an email address.") % {"email": email})
            position = self.text(row, "position", problems)
            joined_on, _p = self.date(row, "joined_on", problems)
            if joined_on and joined_on > self.today:
                problems.add("joined_on", _("the date is later than today."))
            if code and code in codes_in_file:
                problems.add("code", _("the code repeats row %(n)s.") % {"n": codes_in_file[code]})
            if problems or unit is None:
                self.reject(row, problems, full_name)
                continue
            fields = {
                "full_name": full_name,
                "birth_date": born,
                "gender": gender,
                "position": position,
                "phone": phone,
                "email": email,
                "joined_on": joined_on,
            }
            key = (unit.pk, _name_key(full_name), born)
            if key in in_file:
                problems.add(None, _("the same member as row %(n)s.") % {"n": in_file[key]})
                self.reject(row, problems, full_name)
                continue
            in_file[key] = row.number
            if code:
                codes_in_file[code] = row.number
            note = _notes(self.unit_note, note)
            pending.append((row, _NewMember(row.number, code, unit.pk, unit.path, fields, note)))
            if len(pending) >= BATCH:
                self._flush(pending)
                pending = []
        self._flush(pending)

    def _unit(
        self, row: Row, problems: Problems, matcher: UnitMatcher, units: dict[int, Unit]
    ) -> Unit | None:
        self.unit_note = ""
        text = self.text(row, "unit", problems)
        if not text:
            problems.missing("unit")
            return None
        match = matcher.match(text, text)
        self.unit_note = match.note
        if match.unit_id is None:
            problems.add("unit", _with_suggestions(match.problem, match.suggestions))
            return None
        unit = units[match.unit_id]
        if unit.status != UnitStatus.ACTIVE:
            problems.add("unit", _("%(name)s is no longer active.") % {"name": unit.name})
            return None
        return unit

    def _flush(self, pending: list[tuple[Row, _NewMember]]) -> None:
        if not pending:
            return
        codes = [m.code for _r, m in pending if m.code]
        by_code = {
            m.code: m
            for start in range(0, len(codes), 900)
            for m in Member.objects.filter(code__in=codes[start : start + 900])
        }
        unit_ids = sorted({m.unit_id for _r, m in pending})
        names = sorted({fold(m.fields["full_name"])[:255] for _r, m in pending})
        by_name: dict[tuple[int, str, Any], list[Member]] = defaultdict(list)
        for u in range(0, len(unit_ids), 400):
            for n in range(0, len(names), 400):
                for member in Member.objects.filter(
                    unit_id__in=unit_ids[u : u + 400],
                    name_folded__in=names[n : n + 400],
                    left_on__isnull=True,
                ):
                    by_name[(member.unit_id, member.name_folded, member.birth_date)].append(member)
                    if member.birth_date is not None:  # else the line above is this key
                        by_name[(member.unit_id, member.name_folded, None)].append(member)
        staged: list[dict[str, Any]] = []
        for row, item in pending:
            existing: Member | None = None
            if item.code:
                existing = by_code.get(item.code)
            else:
                found = by_name.get(
                    (item.unit_id, fold(item.fields["full_name"])[:255], item.fields["birth_date"])
                )
                if found and len(found) == 1:
                    existing = found[0]
            if existing is None:
                position = self.provisional(
                    Outcome(row.number, IMPORTED, item.note, label=item.fields["full_name"])
                )
                staged.append(
                    {
                        "o": position,
                        "op": "new",
                        "n": item.number,
                        "code": item.code,
                        "unit": item.unit_id,
                        "path": item.unit_path,
                        "fields": _member_fields_json(item.fields),
                        "note": item.note,
                    }
                )
                continue
            update = self._existing(row, item, existing)
            if update is not None:
                staged.append(update)
        self.stage(staged)

    def _existing(self, row: Row, item: _NewMember, member: Member) -> dict[str, Any] | None:
        """A row naming a member already there: rejected, skipped, or an update to write
        (checked now by the rules `orgs.update_member` applies, written with the batch)."""
        label = item.fields["full_name"]
        if member.unit_id != item.unit_id:
            problems = self.problems()
            problems.add(
                "unit",
                _("%(code)s is a member of %(unit)s; move a member on their page, not by import.")
                % {"code": member.code, "unit": member.unit.name},
            )
            self.reject(row, problems, label)
            return None
        changes = {
            k: v
            for k, v in item.fields.items()
            if k != "joined_on" and v not in (None, "") and v != getattr(member, k)
        }
        if not changes:
            self.summary.outcomes.append(
                Outcome(row.number, SKIPPED, _("already there"), label=label, ref=member.code)
            )
            return None
        _cleaned, errors = orgs._clean_member_fields(changes)
        if errors:
            problems = self.problems()
            for key, message in errors.items():
                problems.add(key if key in self.table.columns else None, str(message))
            self.reject(row, problems, label)
            return None
        position = self.provisional(
            Outcome(row.number, UPDATED, _changed(changes), label=label, ref=member.code)
        )
        return {
            "o": position,
            "op": "update",
            "n": row.number,
            "member": member.pk,
            "changes": _member_fields_json(changes),
            "label": label,
            "ref": member.code,
        }

    def apply(self, items: list[dict[str, Any]]) -> list[tuple[int, Outcome]]:
        finals: list[tuple[int, Outcome]] = []
        new: list[tuple[int, _NewMember]] = []
        for p in items:
            if p["op"] == "update":
                finals.append((p["o"], self._apply_update(p)))
            else:
                fields = _member_fields(p["fields"])
                member = _NewMember(p["n"], p["code"], p["unit"], p["path"], fields, p["note"])
                new.append((p["o"], member))
        finals.extend(self._create(new))
        return finals

    def _apply_update(self, p: dict[str, Any]) -> Outcome:
        changes = _member_fields(p["changes"])
        label, ref = p["label"], p["ref"]
        problems = self.problems()
        member = Member.objects.filter(pk=p["member"]).first()
        if member is None:
            problems.add(None, _("the member %(code)s no longer exists.") % {"code": ref})
            return Outcome(p["n"], REJECTED, problems.text(), label=label, ref=ref)
        try:
            with transaction.atomic():
                orgs.update_member(member, by=self.user, **changes)
        except ValidationError as exc:
            found = exc.message_dict if hasattr(exc, "error_dict") else {"": exc.messages}
            for key, messages in found.items():
                problems.add(key if key in self.table.columns else None, " ".join(messages))
            return Outcome(p["n"], REJECTED, problems.text(), label=label, ref=ref)
        return Outcome(p["n"], UPDATED, _changed(changes), label=label, ref=ref)

    def _create(self, new: list[tuple[int, _NewMember]]) -> list[tuple[int, Outcome]]:
        if not new:
            return []
        taken = {
            c
            for start in range(0, len(new), 900)
            for c in Member.objects.filter(
                code__in=[m.code for _r, m in new[start : start + 900] if m.code]
            ).values_list("code", flat=True)
        }
        members: list[Member] = []
        for _row, item in new:
            code = item.code or _new_code(taken)
            taken.add(code)
            fields = item.fields
            member = Member(
                code=code,
                unit_id=item.unit_id,
                full_name=fields["full_name"],
                birth_date=fields["birth_date"],
                gender=fields["gender"],
                position=fields["position"],
                phone=fields["phone"],
                email=fields["email"],
                joined_on=fields["joined_on"] or self.today,
                name_folded=fold(fields["full_name"])[:255],
                sort_key=person_sort_key(fields["full_name"]),
            )
            members.append(member)
        Member.objects.bulk_create(members, batch_size=500)
        Membership.objects.bulk_create(
            [
                Membership(member=m, unit_id=m.unit_id, started_on=m.joined_on or self.today)
                for m in members
            ],
            batch_size=500,
        )
        per_path: dict[str, int] = defaultdict(int)
        for _row, item in new:
            per_path[item.unit_path] += 1
        for path, count in per_path.items():
            orgs._shift_totals(None, path, count)
        AuditEntry.objects.bulk_create(
            [
                AuditEntry(
                    actor=self.user,
                    action="member.import",
                    object_type="orgs.member",
                    object_id=str(m.pk),
                    unit_id=m.unit_id,
                    after={
                        "code": m.code,
                        "full_name": m.full_name,
                        "unit": m.unit_id,
                        "file": self.summary.filename,
                    },
                )
                for m in members
            ],
            batch_size=500,
        )
        return [
            (position, Outcome(item.number, IMPORTED, item.note, label=m.full_name, ref=m.code))
            for (position, item), m in zip(new, members, strict=True)
        ]


def _changed(changes: dict[str, Any]) -> str:
    return _("changed: %(fields)s") % {"fields": ", ".join(sorted(changes))}


_MEMBER_DATES = ("birth_date", "joined_on")


def _member_fields_json(fields: dict[str, Any]) -> dict[str, Any]:
    return {k: _iso(v) if k in _MEMBER_DATES else v for k, v in fields.items()}


def _member_fields(data: dict[str, Any]) -> dict[str, Any]:
    return {k: _day(v) if k in _MEMBER_DATES else v for k, v in data.items()}


_CODE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def _new_code(taken: set[str]) -> str:
    while True:
        code = "DV" + "".join(secrets.choice(_CODE_ALPHABET) for _ in range(8))
        if code not in taken and not Member.objects.filter(code=code).exists():
            return code
