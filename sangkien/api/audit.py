"""GET /api/v1/audit: the audit log of the caller's subtrees (or of one unit's), newest
first, a page at a time, with the page's filters and the page's rule for personal data."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema
from pydantic import Field

from sangkien.audit import queries
from sangkien.audit.forms import AuditFilterForm
from sangkien.audit.permissions import entries_visible_to, get_audit_unit_for_user, reads_audit
from sangkien.core.errors import ValidationError
from sangkien.core.pagination import decode_cursor, keyset_page

from . import schemas
from .errors import bad_parameter
from .filters import IsoDayField, form_errors

router = Router(tags=["audit"])
ERRORS = schemas.READ_ERRORS


class AuditEntry(Schema):
    id: int
    at: dt.datetime = Field(description="When it happened.")
    by: str | None = Field(description="Username of who did it; null for the system.")
    by_name: str | None = Field(description="Their full name, when known.")
    action: str = Field(description="What was done, e.g. `initiative.valid`, `member.update`.")
    kind: str = Field(description="The kind of object (the `kind` filter's values).")
    object_type: str
    object_id: str = Field(description="The object's number (an initiative's, a member's …).")
    unit: str | None = Field(description="Code of the unit the entry belongs to.")
    before: Any = Field(description="The recorded state before (null for a creation).")
    after: Any = Field(description="The recorded state after (null for a deletion).")
    note: str
    personal_data_visible: bool = Field(
        description="False when dates of birth, phones, emails and ID numbers in `before` and "
        "`after` are hidden (`***`) because the caller may not see the members' personal data."
    )


class AuditPage(schemas.Page):
    items: list[AuditEntry]


def _check_cursor(cursor: str | None) -> None:
    if not cursor:
        return
    values = decode_cursor(cursor)
    if (
        values is None
        or len(values) != 2
        or not isinstance(values[0], str)
        or not isinstance(values[1], int)
        or isinstance(values[1], bool)
    ):
        raise bad_parameter("cursor", _("Use the next_cursor of a previous page."))
    try:
        dt.datetime.fromisoformat(values[0])
    except ValueError:
        raise bad_parameter("cursor", _("Use the next_cursor of a previous page.")) from None


class AuditListForm(AuditFilterForm):
    """The audit page's filters (`AuditFilterForm`, its rules and messages), dates written
    as the API writes them (YYYY-MM-DD)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields.update(
            {"date_from": IsoDayField(required=False), "date_to": IsoDayField(required=False)}
        )


@router.get("", response={200: AuditPage, **ERRORS})
def list_audit(
    request: HttpRequest,
    unit: str | None = Query(None, max_length=32, description="Only this unit's subtree."),
    kind: str | None = Query(None, description="One of: " + ", ".join(queries.KINDS) + "."),
    object: str | None = Query(None, max_length=64, description="Only this object's number."),
    who: str | None = Query(
        None, max_length=150, description="Only by this person: username, email or part of a name."
    ),
    date_from: str | None = Query(None, description="YYYY-MM-DD."),
    date_to: str | None = Query(None, description="YYYY-MM-DD."),
    cursor: str | None = Query(None, max_length=200),
    limit: int = Query(50, ge=1, le=200),
):
    """Changes and readings of personal data in the caller's subtrees, newest first. Needs
    an officer's or administrator's role; a unit outside the caller's scope answers 404, as
    does the whole list for a caller with no such role. Filters (read by the audit page's
    form, with its rules; a bad one is a 422 naming it): `kind` (the kind of object),
    `object` (its number), `who`, and `date_from` / `date_to` (local days, both included,
    the end not before the start)."""
    if not reads_audit(request.user):
        raise Http404
    scope = get_audit_unit_for_user(request.user, unit) if unit else None
    form = AuditListForm(request.GET)
    if not form.is_valid():
        raise ValidationError(form_errors(form))
    _check_cursor(cursor)
    filters = form.audit_filter()
    qs = filters.apply(entries_visible_to(request.user, scope))
    page = keyset_page(queries.newest_first(qs), order=queries.ORDER, cursor=cursor, size=limit)
    items = []
    for item in queries.shown(request.user, page.items):
        e = item.entry
        items.append(
            AuditEntry(
                id=e.pk,
                at=e.at,
                by=e.actor.username if e.actor else None,
                by_name=(e.actor.get_full_name() or None) if e.actor else None,
                action=e.action,
                kind=item.kind,
                object_type=e.object_type,
                object_id=e.object_id,
                unit=e.unit.code if e.unit else None,
                before=item.before,
                after=item.after,
                note=e.note,
                personal_data_visible=item.personal_visible,
            )
        )
    return AuditPage(items=items, next_cursor=page.next_cursor)
