"""Web pages for the unit tree and the members.

Every page fetches through `get_unit_for_user` / `get_member_for_user`, so anything outside
the user's subtrees answers 404. A user who may see an object but not change it gets 403 on
the forms that change it. Every write goes through sangkien.orgs.services."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from sangkien.accounts import services as account_services
from sangkien.accounts.forms import GrantForm
from sangkien.accounts.models import Role, RoleGrant
from sangkien.accounts.permissions import (
    MANAGE_MEMBERS,
    REORGANISE,
    VIEW_MEMBERS,
    can_anonymise_member,
    can_grant,
    can_manage_grants,
    can_manage_members,
    can_manage_unit,
    can_reorganise,
    can_view_audit,
    can_view_members,
    can_view_personal_data,
    can_view_unit,
)
from sangkien.core import audit
from sangkien.core.errors import ConflictError, ValidationError
from sangkien.core.pages import form_page, is_htmx, posted
from sangkien.core.pagination import keyset_page
from sangkien.core.templatetags.ui import person
from sangkien.text import fold

from . import forms, services
from .models import Member, Unit, UnitEvent, UnitStatus
from .permissions import (
    breadcrumbs_for,
    get_member_for_user,
    get_unit_for_user,
    top_units_for,
    units_visible_to,
)

SEARCH_LIMIT = 20
CHILDREN_PAGE = 100
CLOSED_CHILDREN_LIMIT = 200
EVENTS_LIMIT = 50

GET_POST = require_http_methods(["GET", "POST"])


def unit_for(request: HttpRequest, code: str, check: Callable[[Any, Unit], bool]) -> Unit:
    """The unit for a page that changes it: 404 when not visible, 403 when not allowed."""
    unit = get_unit_for_user(request.user, code)
    if not check(request.user, unit):
        raise PermissionDenied
    return unit


def member_for(request: HttpRequest, code: str) -> Member:
    member = get_member_for_user(request.user, code)
    if not can_manage_members(request.user, member.unit):
        raise PermissionDenied
    return member


# -- browsing ----------------------------------------------------------------------------


@login_required
def unit_index(request: HttpRequest) -> HttpResponse:
    tops = list(top_units_for(request.user).in_order())
    return render(request, "orgs/unit_index.html", {"units": tops})


def search_units(user: Any, q: str, limit: int = SEARCH_LIMIT) -> list[Unit]:
    """Units in the user's scope whose code starts with `q` or whose folded name contains
    every word of `q`. Results come in tree order (the path index), so the scan stops at
    `limit` matches; a rare word reads the folded names once (no sort, no OFFSET)."""
    q = (q or "").strip()
    words = fold(q).split()
    if not words:
        return []
    scope = units_visible_to(user).select_related("parent")
    code = q.upper()
    by_code = list(scope.filter(code__gte=code, code__lt=code + "\uffff").order_by("code")[:5])
    by_name: list[Unit] = []
    if len(q) >= 2:
        cond = Q()
        for word in words:
            cond &= Q(name_folded__contains=word)
        by_name = list(scope.filter(cond).order_by("path")[: limit + 1])
    seen: set[int] = set()
    out: list[Unit] = []
    for unit in by_code + by_name:
        if unit.pk not in seen:
            seen.add(unit.pk)
            out.append(unit)
    return out[: limit + 1]


@login_required
def unit_search(request: HttpRequest) -> HttpResponse:
    q = request.GET.get("q")
    if q is None and request.GET.get("field"):
        # The code inputs of the forms ask with their own name; take the last code typed.
        q = (request.GET.get(request.GET["field"]) or "").replace(",", " ").split(" ")[-1]
    q = (q or "")[:100]
    results = search_units(request.user, q)
    more = len(results) > SEARCH_LIMIT
    context = {"q": q, "results": results[:SEARCH_LIMIT], "more": more}
    if request.GET.get("datalist"):
        return render(request, "orgs/_unit_options.html", context)
    if is_htmx(request):
        return render(request, "orgs/_unit_results.html", context)
    return render(request, "orgs/unit_search.html", context)


@login_required
def unit_detail(request: HttpRequest, code: str) -> HttpResponse:
    user = request.user
    unit = get_unit_for_user(user, code)
    children_qs = Unit.objects.filter(parent=unit, status=UnitStatus.ACTIVE)
    children = keyset_page(
        children_qs, order=("sort_key", "id"), cursor=request.GET.get("after"), size=CHILDREN_PAGE
    )
    closed_children = list(
        Unit.objects.filter(parent=unit)
        .exclude(status=UnitStatus.ACTIVE)
        .select_related("successor")
        .order_by("-closed_on", "sort_key")[:CLOSED_CHILDREN_LIMIT]
    )
    predecessors = list(Unit.objects.filter(successor=unit).order_by("-closed_on", "sort_key"))
    events = list(
        UnitEvent.objects.filter(units=unit)
        .select_related("actor")
        .order_by("-effective_on", "-id")[:EVENTS_LIMIT]
    )
    versions = list(unit.versions.select_related("parent").order_by("-valid_from", "-id"))
    answering = unit.answering_unit() if not unit.is_active else None
    context = {
        "unit": unit,
        "breadcrumbs": breadcrumbs_for(user, unit),
        "children": children,
        "closed_children": [(c, can_view_unit(user, c.successor)) for c in closed_children],
        "predecessors": [(p, can_view_unit(user, p)) for p in predecessors],
        "events": events,
        "versions": [(v, can_view_unit(user, v.parent)) for v in versions],
        "answering": answering,
        "answering_visible": can_view_unit(user, answering),
        "parent_visible": can_view_unit(user, unit.parent),
        "can_view_members": can_view_members(user, unit),
        "can_manage_unit": can_manage_unit(user, unit) and unit.is_active,
        "can_add_member": (
            can_manage_members(user, unit)
            and unit.is_active
            and unit.kind in services.MEMBER_UNIT_KINDS
        ),
        "can_manage_grants": can_manage_grants(user, unit),
        "can_view_audit": can_view_audit(user, unit),
        "can_reorganise": can_reorganise(user, unit) and unit.is_active and unit.parent_id,
    }
    return render(request, "orgs/unit_detail.html", context)


# -- members -----------------------------------------------------------------------------


@login_required
def member_list(request: HttpRequest, code: str) -> HttpResponse:
    unit = get_unit_for_user(request.user, code, VIEW_MEMBERS)
    q = (request.GET.get("q") or "")[:100]
    former = request.GET.get("former") == "1"
    page = keyset_page(
        Member.objects.listed(unit, q=q, former=former),
        order=("sort_key", "id"),
        cursor=request.GET.get("cursor"),
        size=settings.PAGE_SIZE,
    )
    context = {
        "unit": unit,
        "breadcrumbs": breadcrumbs_for(request.user, unit),
        "page": page,
        "q": q,
        "former": former,
        "show_unit": unit.kind not in services.MEMBER_UNIT_KINDS or unit.members_total == 0,
        "can_add_member": (
            can_manage_members(request.user, unit)
            and unit.is_active
            and unit.kind in services.MEMBER_UNIT_KINDS
        ),
    }
    if is_htmx(request):
        return render(request, "orgs/_member_rows.html", context)
    return render(request, "orgs/member_list.html", context)


@login_required
def member_detail(request: HttpRequest, code: str) -> HttpResponse:
    user = request.user
    member = get_member_for_user(user, code)
    memberships = list(member.memberships.select_related("unit").order_by("-started_on", "-id"))
    context = {
        "member": member,
        "unit": member.unit,
        "breadcrumbs": breadcrumbs_for(user, member.unit),
        "unit_visible": can_view_unit(user, member.unit),
        "memberships": [(m, can_view_unit(user, m.unit)) for m in memberships],
        "show_personal": can_view_personal_data(user, member),
        "can_manage": can_manage_members(user, member.unit),
        "can_anonymise": can_anonymise_member(user, member),
        "can_view_audit": can_view_audit(user, member.unit),
    }
    if context["show_personal"]:
        audit.record_personal_data_read(reader=user, obj=member, through=audit.THROUGH_PAGE)
    return render(request, "orgs/member_detail.html", context)


@login_required
@GET_POST
def member_create(request: HttpRequest, code: str) -> HttpResponse:
    unit = unit_for(request, code, can_manage_members)
    form = forms.MemberCreateForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            member = services.create_member(
                unit=unit, by=request.user, code=form.cleaned_data["code"], **form.service_kwargs()
            )
        except ValidationError as exc:
            forms.add_service_errors(form, exc)
        else:
            messages.success(
                request, _("%(name)s was added as a member.") % {"name": member.full_name}
            )
            return redirect("orgs:member_detail", code=member.code)
    return form_page(
        request,
        form,
        title=_("Add a member to %(unit)s") % {"unit": unit.name},
        submit_label=_("Add member"),
        cancel_url=reverse("orgs:members", args=[unit.code]),
        unit=unit,
        breadcrumbs=breadcrumbs_for(request.user, unit),
    )


@login_required
@GET_POST
def member_edit(request: HttpRequest, code: str) -> HttpResponse:
    member = member_for(request, code)
    initial = {name: getattr(member, name) for name in forms.MemberForm.SERVICE_FIELDS}
    initial["version"] = member.version
    form = forms.MemberEditForm(posted(request), initial=initial)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            services.update_member(
                member,
                by=request.user,
                expected_version=form.cleaned_data["version"],
                **form.service_kwargs(),
            )
        except ConflictError as exc:
            form.add_error(None, exc.message)
            status = 409
        except ValidationError as exc:
            forms.add_service_errors(form, exc)
        else:
            messages.success(request, _("The member's details were saved."))
            return redirect("orgs:member_detail", code=member.code)
    return form_page(
        request,
        form,
        title=_("Edit %(name)s") % {"name": member.full_name},
        submit_label=_("Save"),
        cancel_url=reverse("orgs:member_detail", args=[member.code]),
        unit=member.unit,
        breadcrumbs=breadcrumbs_for(request.user, member.unit),
        status=status,
    )


@login_required
@GET_POST
def member_move(request: HttpRequest, code: str) -> HttpResponse:
    member = member_for(request, code)
    scope = units_visible_to(request.user, MANAGE_MEMBERS)
    form = forms.MemberMoveForm(posted(request), scope=scope)
    if request.method == "POST" and form.is_valid():
        try:
            services.move_member(
                member,
                to=form.cleaned_data["unit"],
                by=request.user,
                on=form.cleaned_data["on"],
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as exc:
            forms.add_service_errors(form, exc, {"member": "__all__"})
        else:
            messages.success(
                request,
                _("%(name)s now belongs to %(unit)s.")
                % {"name": member.full_name, "unit": form.cleaned_data["unit"].name},
            )
            return redirect("orgs:member_detail", code=member.code)
    return form_page(
        request,
        form,
        title=_("Move %(name)s to another unit") % {"name": member.full_name},
        intro=_("The membership in %(unit)s ends on the date given and stays in the history.")
        % {"unit": member.unit.name},
        submit_label=_("Move member"),
        cancel_url=reverse("orgs:member_detail", args=[member.code]),
        unit=member.unit,
        breadcrumbs=breadcrumbs_for(request.user, member.unit),
        datalist=True,
    )


@login_required
@GET_POST
def member_end(request: HttpRequest, code: str) -> HttpResponse:
    member = member_for(request, code)
    form = forms.MemberEndForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.end_membership(
                member,
                by=request.user,
                on=form.cleaned_data["on"],
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as exc:
            forms.add_service_errors(form, exc)
        else:
            messages.success(
                request, _("The membership of %(name)s has ended.") % {"name": member.full_name}
            )
            return redirect("orgs:member_detail", code=member.code)
    return form_page(
        request,
        form,
        title=_("End the membership of %(name)s") % {"name": member.full_name},
        intro=_("The member's record and history are kept."),
        submit_label=_("End membership"),
        cancel_url=reverse("orgs:member_detail", args=[member.code]),
        unit=member.unit,
        breadcrumbs=breadcrumbs_for(request.user, member.unit),
    )


# -- units -------------------------------------------------------------------------------


@login_required
@GET_POST
def unit_create(request: HttpRequest, code: str) -> HttpResponse:
    parent = unit_for(request, code, can_manage_unit)
    if not parent.is_active:
        raise PermissionDenied
    form = forms.UnitCreateForm(posted(request), parent=parent)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            unit = services.create_unit(
                code=data["code"],
                name=data["name"],
                short_name=data["short_name"],
                kind=data["kind"],
                address=data["address"],
                founded_on=data["founded_on"],
                parent=parent,
                by=request.user,
            )
        except ValidationError as exc:
            forms.add_service_errors(form, exc, {"parent": "__all__"})
        else:
            messages.success(request, _("The unit %(name)s was created.") % {"name": unit.name})
            return redirect("orgs:detail", code=unit.code)
    return form_page(
        request,
        form,
        title=_("New unit under %(unit)s") % {"unit": parent.name},
        submit_label=_("Create unit"),
        cancel_url=reverse("orgs:detail", args=[parent.code]),
        unit=parent,
        breadcrumbs=breadcrumbs_for(request.user, parent),
    )


@login_required
@GET_POST
def unit_edit(request: HttpRequest, code: str) -> HttpResponse:
    unit = unit_for(request, code, can_manage_unit)
    if not unit.is_active:
        raise PermissionDenied
    initial = {
        "name": unit.name,
        "short_name": unit.short_name,
        "address": unit.address,
        "version": unit.version,
    }
    form = forms.UnitEditForm(posted(request), initial=initial)
    status = 200
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.update_unit(
                unit,
                by=request.user,
                name=data["name"],
                short_name=data["short_name"],
                address=data["address"],
                on=data["on"],
                expected_version=data["version"],
            )
        except ConflictError as exc:
            form.add_error(None, exc.message)
            status = 409
        except ValidationError as exc:
            forms.add_service_errors(form, exc, {"effective_on": "on"})
        else:
            messages.success(request, _("The unit was saved."))
            return redirect("orgs:detail", code=unit.code)
    return form_page(
        request,
        form,
        title=_("Edit %(unit)s") % {"unit": unit.name},
        intro=_("A new name is recorded with its date; the old name stays in the history."),
        submit_label=_("Save"),
        cancel_url=reverse("orgs:detail", args=[unit.code]),
        unit=unit,
        breadcrumbs=breadcrumbs_for(request.user, unit),
        status=status,
    )


def _reorganisation_unit(request: HttpRequest, code: str) -> Unit:
    unit = unit_for(request, code, can_reorganise)
    if not unit.is_active or unit.parent_id is None:
        raise PermissionDenied
    return unit


@login_required
@GET_POST
def unit_move(request: HttpRequest, code: str) -> HttpResponse:
    unit = _reorganisation_unit(request, code)
    form = forms.UnitMoveForm(posted(request), scope=units_visible_to(request.user, REORGANISE))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.move_unit(
                unit, new_parent=data["parent"], by=request.user, on=data["on"], note=data["note"]
            )
        except ValidationError as exc:
            forms.add_service_errors(form, exc, {"unit": "__all__", "effective_on": "on"})
        else:
            messages.success(
                request,
                _("%(unit)s now stands under %(parent)s.")
                % {"unit": unit.name, "parent": data["parent"].name},
            )
            return redirect("orgs:detail", code=unit.code)
    return form_page(
        request,
        form,
        title=_("Move %(unit)s") % {"unit": unit.name},
        intro=_(
            "The whole unit moves with its units and members; the old place stays in the history."
        ),  # fmt: skip
        submit_label=_("Move unit"),
        cancel_url=reverse("orgs:detail", args=[unit.code]),
        unit=unit,
        breadcrumbs=breadcrumbs_for(request.user, unit),
        datalist=True,
    )


@login_required
@GET_POST
def unit_merge(request: HttpRequest, code: str) -> HttpResponse:
    unit = _reorganisation_unit(request, code)
    scope = units_visible_to(request.user, REORGANISE)
    form = forms.UnitMergeForm(posted(request), scope=scope)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        sources = [unit, *[u for u in data["others"] if u.pk != unit.pk]]
        refused = [u.code for u in sources if not can_reorganise(request.user, u)]
        if refused:
            form.add_error(
                "others",
                _("You cannot reorganise %(codes)s.") % {"codes": ", ".join(refused)},
            )
        else:
            kwargs: dict[str, Any] = {}
            if data["target"] == form.TARGET_EXISTING:
                kwargs["into"] = data["into"]
            else:
                kwargs["new_unit"] = {
                    "code": data["new_code"],
                    "name": data["new_name"],
                    "short_name": data["new_short_name"],
                    "kind": unit.kind,
                }
            try:
                target = services.merge_units(
                    sources, by=request.user, on=data["on"], note=data["note"], **kwargs
                )
            except ValidationError as exc:
                rename = {"sources": "others", "code": "new_code", "name": "new_name"}
                rename["target"] = "into" if "into" in kwargs else "__all__"
                forms.add_service_errors(form, exc, rename)
            else:
                messages.success(
                    request,
                    _("The units were merged into %(unit)s.") % {"unit": target.name},
                )
                return redirect("orgs:detail", code=target.code)
    return form_page(
        request,
        form,
        title=_("Merge %(unit)s") % {"unit": unit.name},
        intro=_(
            "The merged units close; their units, members and records go to the unit "
            "they are merged into."
        ),  # fmt: skip
        submit_label=_("Merge units"),
        cancel_url=reverse("orgs:detail", args=[unit.code]),
        unit=unit,
        breadcrumbs=breadcrumbs_for(request.user, unit),
        datalist=True,
    )


@login_required
@GET_POST
def unit_split(request: HttpRequest, code: str) -> HttpResponse:
    unit = _reorganisation_unit(request, code)
    form = forms.UnitSplitForm(posted(request))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        first, second = data["first_code"].upper(), data["second_code"].upper()
        main, other = (
            (first, second) if data["records_to"] == form.RECORDS_FIRST else (second, first)
        )
        wanted = data["to_other"]
        child_codes = set(
            Unit.objects.filter(parent=unit, code__in=wanted).values_list("code", flat=True)
        )
        member_codes = set(
            Member.objects.filter(unit=unit, code__in=wanted).values_list("code", flat=True)
        )
        unknown = [c for c in wanted if c not in child_codes and c not in member_codes]
        if unknown:
            form.add_error(
                "to_other",
                _("Neither a member nor a unit directly under this unit: %(codes)s")
                % {"codes": ", ".join(unknown)},
            )
        else:
            try:
                services.split_unit(
                    unit,
                    by=request.user,
                    into=[
                        {"code": first, "name": data["first_name"]},
                        {"code": second, "name": data["second_name"]},
                    ],
                    records_to=main,
                    children=dict.fromkeys(child_codes, other),
                    members=dict.fromkeys(member_codes, other),
                    on=data["on"],
                    note=data["note"],
                )
            except ValidationError as exc:
                forms.add_service_errors(
                    form, exc, {"members": "to_other", "into": "__all__", "unit": "__all__"}
                )
            else:
                messages.success(
                    request,
                    _("%(unit)s was split into %(first)s and %(second)s.")
                    % {
                        "unit": unit.name,
                        "first": data["first_name"],
                        "second": data["second_name"],
                    },
                )
                return redirect("orgs:detail", code=main)
    return form_page(
        request,
        form,
        title=_("Split %(unit)s") % {"unit": unit.name},
        intro=_(
            "Two new units take the place of this one, under the same parent unit. "
            "This unit closes and its records answer to the unit you choose."
        ),  # fmt: skip
        submit_label=_("Split unit"),
        cancel_url=reverse("orgs:detail", args=[unit.code]),
        unit=unit,
        breadcrumbs=breadcrumbs_for(request.user, unit),
    )


@login_required
@GET_POST
def unit_dissolve(request: HttpRequest, code: str) -> HttpResponse:
    unit = _reorganisation_unit(request, code)
    scope = units_visible_to(request.user, REORGANISE)
    form = forms.UnitDissolveForm(posted(request), scope=scope)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.dissolve_unit(
                unit,
                by=request.user,
                transfer_to=data["transfer_to"],
                on=data["on"],
                note=data["note"],
            )
        except ValidationError as exc:
            forms.add_service_errors(form, exc, {"unit": "__all__"})
        else:
            messages.success(request, _("%(unit)s was dissolved.") % {"unit": unit.name})
            return redirect("orgs:detail", code=unit.code)
    return form_page(
        request,
        form,
        title=_("Dissolve %(unit)s") % {"unit": unit.name},
        intro=_("The unit closes. Nothing is deleted: its history stays reachable."),
        submit_label=_("Dissolve unit"),
        cancel_url=reverse("orgs:detail", args=[unit.code]),
        unit=unit,
        breadcrumbs=breadcrumbs_for(request.user, unit),
        datalist=True,
    )


# -- roles held on the unit -----------------------------------------------------------------


def _roles_for(user: Any, unit: Unit) -> list[tuple[str, str | Promise]]:
    return [(value, label) for value, label in Role.choices if can_grant(user, value, unit)]


@login_required
@require_http_methods(["GET", "POST"])
def grant_list(request: HttpRequest, code: str) -> HttpResponse:
    """The roles held on a unit, a form to grant one, and a button to revoke each."""
    unit = get_unit_for_user(request.user, code)
    if not can_manage_grants(request.user, unit):
        raise PermissionDenied
    form = GrantForm(posted(request), roles=_roles_for(request.user, unit))
    status = 200
    if request.method == "POST":
        if form.is_valid():
            role = form.cleaned_data["role"]
            try:
                account_services.grant_role(form.user, role=role, unit=unit, by=request.user)
            except ValidationError as exc:
                forms.add_service_errors(form, exc, {"unit": "__all__"})
            else:
                messages.success(
                    request,
                    _("%(user)s now holds the role %(role)s on %(unit)s.")
                    % {"user": person(form.user), "role": Role(role).label, "unit": unit.name},
                )
                return redirect("orgs:grants", code=unit.code)
        status = 400
    grants = list(
        RoleGrant.objects.filter(unit=unit)
        .select_related("user", "granted_by")
        .order_by("role", "user__username")
    )
    context = {
        "unit": unit,
        "breadcrumbs": breadcrumbs_for(request.user, unit),
        "form": form,
        "grants": [(g, can_grant(request.user, g.role, unit)) for g in grants],
        "unit_visible": can_view_unit(request.user, unit),
    }
    return render(request, "accounts/grant_list.html", context, status=status)


@login_required
@require_POST
def grant_revoke(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    unit = get_unit_for_user(request.user, code)
    if not can_manage_grants(request.user, unit):
        raise PermissionDenied
    grant = get_object_or_404(RoleGrant.objects.select_related("user", "unit"), pk=pk, unit=unit)
    if not can_grant(request.user, grant.role, unit):
        raise PermissionDenied
    account_services.revoke_role(grant, by=request.user)
    messages.success(
        request,
        _("%(user)s no longer holds the role %(role)s on %(unit)s.")
        % {"user": person(grant.user), "role": grant.get_role_display(), "unit": unit.name},
    )
    return redirect("orgs:grants", code=unit.code)
