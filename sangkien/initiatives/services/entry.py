"""Entry and edits: cleaning what people type into an initiative and its authors, a new
draft, changes to a draft or a returned initiative."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from sangkien import values
from sangkien.campaigns.models import ApplicationField, Campaign
from sangkien.core import audit, locks
from sangkien.core.errors import ValidationError
from sangkien.orgs.models import Member, Unit
from sangkien.text import clean_line, fold

from .. import rules
from ..models import (
    Action,
    Author,
    Initiative,
    Status,
)
from ..permissions import forget_authors
from .common import (
    _TWO_DECIMALS,
    AUDIT_FIELDS,
    EDITABLE_FIELDS,
    LINE_FIELDS,
    TEXT_FIELDS,
    TransitionError,
    _check_unit,
    _check_version,
    _history,
    _lock,
    _text,
    _to_date,
    _to_int,
    _user,
    refusal_message,
)

# -- cleaning input ------------------------------------------------------------------------


def _clean_fields(
    data: dict[str, Any], campaign: Campaign
) -> tuple[dict[str, Any], dict[str, str]]:
    """The given fields made clean (NFC, trimmed, typed) and the problems found in them."""
    out: dict[str, Any] = {}
    errors: dict[str, str] = {}
    unknown = set(data) - EDITABLE_FIELDS
    for name in sorted(unknown):
        errors[name] = _("This field cannot be set here.")
    today = timezone.localdate()

    def check(name: str, rule: Any, *args: Any) -> None:
        try:
            out[name] = rule(data[name], *args)
        except (rules.RuleProblem, values.ValueProblem) as exc:
            errors[name] = exc.message

    if "title" in data:
        check("title", rules.title)
        out.setdefault("title", clean_line(_text(data["title"])))
    for name in TEXT_FIELDS:
        if name in data:
            check(name, rules.long_text)
    for name, limit in LINE_FIELDS.items():
        if name in data:
            check(name, rules.line, limit)
    if "field" in data:
        value = data["field"]
        if value in (None, ""):
            out["field"] = None
        elif isinstance(value, ApplicationField):
            if value.campaign_id != campaign.pk:
                errors["field"] = _("Choose a field of application of this campaign.")
            out["field"] = value
        else:
            found = campaign.fields.filter(code=str(value).strip().upper()).first()
            if found is None:
                codes = ", ".join(campaign.fields.values_list("code", flat=True))
                errors["field"] = _(
                    "No field of application has the code %(code)s in this campaign; use one "
                    "of: %(codes)s."
                ) % {"code": value, "codes": codes}
            out["field"] = found
    if "first_applied_on" in data:
        check(
            "first_applied_on",
            lambda v: rules.first_applied_on(_to_date(v), campaign, today),
        )
    if "recognition_date" in data:
        check("recognition_date", lambda v: rules.recognition_date(_to_date(v), today))
    if "benefit_claimed_vnd" in data:
        check("benefit_claimed_vnd", lambda v: rules.benefit(_to_int(v)))
    return out, errors


def _clean_share(value: Any) -> Decimal | None:
    """A % contribution (`rules.share`); None when it is not one."""
    try:
        return rules.share(value)
    except rules.RuleProblem:
        return None


_member_problem = rules.member_problem


def _clean_authors(
    authors: list[dict[str, Any]], campaign: Campaign
) -> tuple[list[Author], dict[str, str]]:
    """Author rows (unsaved) from dicts with `member` (a Member or a code) or `name`, and
    `share` (% contribution). The shares must add up to exactly 100. Errors are keyed
    `authors.N.member`, `authors.N.share`, … (N counts from 0) and `authors` for the sum."""
    errors: dict[str, str] = {}
    rows: list[Author] = []
    try:
        rules.authors_count(len(authors))
    except rules.RuleProblem as exc:
        return [], {"authors": exc.message}
    codes = [
        str(a["member"]).strip().upper()
        for a in authors
        if a.get("member") not in (None, "") and not isinstance(a.get("member"), Member)
    ]
    members = {m.code: m for m in Member.objects.select_related("unit").filter(code__in=codes)}
    seen: set[int] = set()
    shares: list[Decimal] = []
    for i, data in enumerate(authors):
        where = f"authors.{i}"
        value = data.get("member")
        member: Member | None = None
        if isinstance(value, Member):
            member = value
        elif value not in (None, ""):
            member = members.get(str(value).strip().upper())
            if member is None:
                errors[f"{where}.member"] = _("No member has the code %(code)s.") % {"code": value}
        if member is not None:
            problem = _member_problem(member, campaign)
            if problem:
                errors[f"{where}.member"] = problem
            elif member.pk in seen:
                errors[f"{where}.member"] = rules.listed_twice(member.full_name)
            seen.add(member.pk)
            name = member.full_name
        else:
            name = clean_line(_text(data.get("name")))
            if not name and f"{where}.member" not in errors:
                errors[f"{where}.name"] = _("Give the author's full name or member code.")
            else:
                try:
                    rules.line(name, rules.MAX_NAME)
                except rules.RuleProblem as exc:
                    errors[f"{where}.name"] = exc.message
        share: Decimal | None = None
        try:
            share = rules.share(data.get("share"))
        except rules.RuleProblem as exc:
            errors[f"{where}.share"] = exc.message
        else:
            shares.append(share)
        try:
            birth_date = rules.birth_date(_to_date(data.get("birth_date")), timezone.localdate())
        except (values.ValueProblem, rules.RuleProblem) as exc:
            errors[f"{where}.birth_date"] = exc.message
            birth_date = None
        rows.append(
            Author(
                member=member,
                name=name[:255],
                share=share or Decimal(0),
                birth_date=birth_date,
                workplace=clean_line(_text(data.get("workplace")))[:255],
                position=clean_line(_text(data.get("position")))[:255],
                qualification=clean_line(_text(data.get("qualification")))[:255],
                position_in_list=i,
            )
        )
    if not errors and rows:
        try:
            rules.shares_total(shares)
        except rules.RuleProblem as exc:
            errors["authors"] = exc.message
    return rows, errors


def _author_values(author: Author) -> list[Any]:
    return [
        author.member_id,
        author.name,
        str(Decimal(author.share).quantize(_TWO_DECIMALS)),
        author.birth_date.isoformat() if author.birth_date else None,
        author.workplace,
        author.position,
        author.qualification,
    ]


def _authors_snapshot(initiative: Initiative) -> list[list[Any]]:
    return [_author_values(a) for a in initiative.authors.all()]


def _save_authors(initiative: Initiative, rows: list[Author]) -> None:
    initiative.authors.all().delete()
    for row in rows:
        row.initiative = initiative
    Author.objects.bulk_create(rows)
    forget_authors(initiative)
    if hasattr(initiative, "_prefetched_objects_cache"):
        initiative._prefetched_objects_cache.pop("authors", None)


def _on_behalf(by: Any, rows: list[Author]) -> bool:
    """Entered by someone who is not one of the authors (or by the system)."""
    member_id = getattr(by, "member_id", None)
    return member_id is None or all(r.member_id != member_id for r in rows)


# -- entry ---------------------------------------------------------------------------------


@transaction.atomic
def create_initiative(
    *,
    campaign: Campaign,
    unit: Unit,
    by: Any,
    authors: list[dict[str, Any]] | None = None,
    **fields: Any,
) -> Initiative:
    """A new draft. Whatever is given must be valid (a draft may still be incomplete, but it
    has a title); when no authors are given and the user is a member, the user is the sole
    author."""
    locks.hold_tree()  # the unit read next is not being reorganised
    unit = Unit.objects.get(pk=unit.pk)
    cleaned, errors = _clean_fields(fields, campaign)
    if "title" not in fields:
        errors["title"] = _("Enter a title that says what the initiative is.")
    errors.update(_check_unit(unit, campaign))
    if authors is None:
        member = getattr(by, "member", None) if getattr(by, "member_id", None) else None
        authors = [{"member": member, "share": 100}] if member is not None else []
    rows, author_errors = _clean_authors(authors, campaign)
    errors.update(author_errors)
    if errors:
        raise ValidationError(errors)
    initiative = Initiative(campaign=campaign, unit=unit, status=Status.DRAFT, **cleaned)
    initiative.title_folded = fold(initiative.title)[:500]
    initiative.entered_by = _user(by)
    initiative.on_behalf = _on_behalf(by, rows)
    initiative.save()
    _save_authors(initiative, rows)
    _history(initiative, Action.CREATED, by=by, from_status="")
    audit.record(
        actor=by,
        action="initiative.create",
        obj=initiative,
        after={
            **audit.snapshot(initiative, AUDIT_FIELDS),
            "authors": _authors_snapshot(initiative),
        },
    )
    return initiative


@transaction.atomic
def update_initiative(
    initiative: Initiative,
    *,
    by: Any,
    expected_version: int | None = None,
    authors: list[dict[str, Any]] | None = None,
    **changes: Any,
) -> Initiative:
    """Edit a draft or a returned initiative. Only the given fields change; `authors`, when
    given, replaces the whole list. Nothing changed, nothing written."""
    initiative = _lock(initiative)
    if initiative.status not in (Status.DRAFT, Status.RETURNED):
        raise TransitionError(refusal_message(initiative, Action.EDITED))
    _check_version(initiative, expected_version)
    cleaned, errors = _clean_fields(changes, initiative.campaign)
    rows: list[Author] | None = None
    if authors is not None:
        rows, author_errors = _clean_authors(authors, initiative.campaign)
        errors.update(author_errors)
    if errors:
        raise ValidationError(errors)
    before = {**audit.snapshot(initiative, AUDIT_FIELDS), "authors": _authors_snapshot(initiative)}
    changed = [k for k, v in cleaned.items() if getattr(initiative, k) != v]
    if rows is not None and [_author_values(r) for r in rows] != before["authors"]:
        changed.append("authors")
    if not changed:
        return initiative
    for key, value in cleaned.items():
        setattr(initiative, key, value)
    if rows is not None and "authors" in changed:
        _save_authors(initiative, rows)
        initiative.on_behalf = _on_behalf(initiative.entered_by, rows)
    initiative.title_folded = fold(initiative.title)[:500]
    initiative.version += 1
    initiative.save()
    _history(
        initiative, Action.EDITED, by=by, from_status=initiative.status, changed=sorted(changed)
    )
    audit.record(
        actor=by,
        action="initiative.update",
        obj=initiative,
        before=before,
        after={
            **audit.snapshot(initiative, AUDIT_FIELDS),
            "authors": _authors_snapshot(initiative),
        },
    )
    return initiative
