"""The audit log of a subtree for its officers (a page and its .xlsx export), a member's own
data, and anonymising a member on request."""

from __future__ import annotations

import json
import tempfile
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from sangkien.accounts.permissions import can_anonymise_member
from sangkien.core.pagination import decode_cursor, keyset_page
from sangkien.exports.xlsx import TEXT, Column, write_table
from sangkien.orgs.models import Unit
from sangkien.orgs.permissions import breadcrumbs_for, get_member_for_user

from . import queries, services
from .forms import AnonymiseForm, AuditFilterForm
from .permissions import entries_visible_to, get_audit_unit_for_user, reads_audit

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
BATCH = 2000


def _scope(request: HttpRequest) -> tuple[AuditFilterForm, Unit | None]:
    """The filters and the unit of the request; 404 for a user who reads no audit log or a
    unit outside their scope."""
    if not reads_audit(request.user):
        raise Http404
    form = AuditFilterForm(request.GET)
    code = (request.GET.get("unit") or "").strip()
    unit = get_audit_unit_for_user(request.user, code) if code else None
    return form, unit


def _query_without_cursor(request: HttpRequest) -> str:
    query = request.GET.copy()
    query.pop("cursor", None)
    return query.urlencode()


@login_required
def entry_list(request: HttpRequest) -> HttpResponse:
    form, unit = _scope(request)
    page = None
    items: list[queries.ShownEntry] = []
    cursor = request.GET.get("cursor")
    if form.is_valid():
        qs = form.audit_filter().apply(entries_visible_to(request.user, unit))
        values = decode_cursor(cursor)
        if values is not None and not (len(values) == 2 and isinstance(values[1], int)):
            cursor = None
        page = keyset_page(
            queries.newest_first(qs), order=queries.ORDER, cursor=cursor, size=settings.PAGE_SIZE
        )
        items = queries.shown(request.user, page.items)
    context = {
        "form": form,
        "unit": unit,
        "breadcrumbs": breadcrumbs_for(request.user, unit) if unit else [],
        "page": page,
        "items": items,
        "query": _query_without_cursor(request),
        "through": queries.THROUGH,
    }
    return render(request, "audit/entry_list.html", context)


def export_columns() -> list[Column]:
    return [
        Column(gettext_lazy("Time"), TEXT, 18),
        Column(gettext_lazy("By"), TEXT, 28),
        Column(gettext_lazy("What"), TEXT, 18),
        Column(gettext_lazy("Object"), TEXT, 12),
        Column(gettext_lazy("Action"), TEXT, 22),
        Column(gettext_lazy("Unit code"), TEXT, 16),
        Column(gettext_lazy("Unit name"), TEXT, 36),
        Column(gettext_lazy("Changes"), TEXT, 60),
        Column(gettext_lazy("Note"), TEXT, 40),
    ]


def export_rows(user: Any, qs: Any) -> Any:
    """The rows of the export, newest first, read in keyset batches (bounded memory)."""
    cursor = None
    while True:
        page = keyset_page(queries.newest_first(qs), order=queries.ORDER, cursor=cursor, size=BATCH)
        for item in queries.shown(user, page.items):
            e = item.entry
            yield [
                timezone.localtime(e.at).strftime("%d/%m/%Y %H:%M:%S"),
                queries.who_label(e),
                item.kind_label,
                e.object_id,
                e.action,
                e.unit.code if e.unit else "",
                e.unit.name if e.unit else "",
                queries.changes_text(item),
                e.note,
            ]
        if not page.has_next:
            return
        cursor = page.next_cursor


@login_required
def entry_export(request: HttpRequest) -> HttpResponseBase:
    form, unit = _scope(request)
    if not form.is_valid():
        return entry_list(request)
    qs = form.audit_filter().apply(entries_visible_to(request.user, unit))
    out = tempfile.TemporaryFile()  # noqa: SIM115 (FileResponse closes it)
    write_table(out, export_columns(), export_rows(request.user, qs), sheet_name=_("Audit log"))
    out.seek(0)
    stem = f"nhat-ky-{unit.code}" if unit else "nhat-ky"
    name = f"{stem}-{timezone.localdate():%d-%m-%Y}.xlsx"
    response = FileResponse(out, as_attachment=True, filename=name)
    response["Content-Type"] = XLSX_TYPE
    return response


# -- personal data ---------------------------------------------------------------------------


@login_required
def my_data(request: HttpRequest) -> HttpResponse:
    """The signed-in user's own data, as a JSON file."""
    data = services.own_data(request.user)
    body = json.dumps(data, ensure_ascii=False, indent=2, default=str)
    response = HttpResponse(body, content_type="application/json; charset=utf-8")
    name = f"du-lieu-ca-nhan-{request.user.pk}-{timezone.localdate():%d-%m-%Y}.json"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@login_required
@require_http_methods(["GET", "POST"])
def anonymise(request: HttpRequest, code: str) -> HttpResponse:
    member = get_member_for_user(request.user, code)
    if not can_anonymise_member(request.user, member):
        raise Http404
    if services.is_anonymised(member):
        messages.info(request, _("This member is already anonymised."))
        return redirect("orgs:member_detail", member.code)
    form = AnonymiseForm(request.POST or None, member=member)
    if request.method == "POST" and form.is_valid():
        try:
            services.anonymise_member(member, by=request.user, reason=form.cleaned_data["reason"])
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(request, _("The member was anonymised and their account closed."))
            return redirect("orgs:member_detail", member.code)
    context = {
        "member": member,
        "unit": member.unit,
        "breadcrumbs": breadcrumbs_for(request.user, member.unit),
        "form": form,
        "placeholder": services.anonymous_name(member),
    }
    status = 422 if request.method == "POST" else 200
    return render(request, "audit/anonymise.html", context, status=status)
