"""Pages for teams: a unit's teams, a team with its members and the units it serves, and
the forms that change them. Units and teams are fetched through the scoping helpers, so an
outsider gets 404; a viewer who may not change a team gets 403 on the forms."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from sangkien.accounts.models import User
from sangkien.core.errors import ConflictError, ValidationError
from sangkien.core.pages import SignedInRequest, form_page
from sangkien.core.templatetags.ui import person as person_name
from sangkien.orgs.forms import add_service_errors
from sangkien.orgs.models import Unit
from sangkien.orgs.permissions import breadcrumbs_for, get_unit_for_user

from . import forms, services
from .models import ServedUnit, Team, TeamMember
from .permissions import can_manage_teams, get_team_for_user

GET_POST = require_http_methods(["GET", "POST"])


@login_required
def team_list(request: HttpRequest, code: str) -> HttpResponse:
    user = request.user
    unit = get_unit_for_user(user, code)
    teams = list(Team.objects.of_unit(unit).order_by("kind", "name", "id"))
    counts = _member_counts(teams)
    context = {
        "unit": unit,
        "breadcrumbs": breadcrumbs_for(user, unit),
        "teams": [(t, counts.get(t.pk, 0)) for t in teams],
        "can_manage": can_manage_teams(user, unit) and unit.is_active,
    }
    return render(request, "teams/team_list.html", context)


def _member_counts(teams: list[Team]) -> dict[int, int]:
    from django.db.models import Count

    rows = (
        TeamMember.objects.filter(team__in=teams)
        .values("team_id")
        .annotate(n=Count("id"))
        .values_list("team_id", "n")
    )
    return dict(rows)


@login_required
@GET_POST
def team_create(request: HttpRequest, code: str) -> HttpResponse:
    user = request.user
    unit = get_unit_for_user(user, code)
    if not can_manage_teams(user, unit):
        raise PermissionDenied
    form = forms.TeamForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            team = services.create_team(
                unit=unit,
                kind=form.cleaned_data["kind"],
                name=form.cleaned_data["name"],
                description=form.cleaned_data["description"],
                by=user,
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The team %(name)s was created.") % {"name": team.name})
            return redirect("teams:detail", pk=team.pk)
    return form_page(
        request,
        form,
        title=_("New team of %(unit)s") % {"unit": unit.name},
        submit_label=_("Create team"),
        cancel_url=reverse("teams:unit", args=[unit.code]),
        unit=unit,
        breadcrumbs=breadcrumbs_for(request.user, unit),
    )


@login_required
@GET_POST
def team_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    team = get_team_for_user(user, pk, manage=True)
    initial = {"name": team.name, "description": team.description, "version": team.version}
    if request.method == "POST":
        form = forms.TeamForm(request.POST, editing=True)
    else:
        form = forms.TeamForm(initial=initial, editing=True)
    status = 200
    if request.method == "POST" and form.is_valid():
        version = form.cleaned_data.get("version")
        try:
            services.update_team(
                team,
                by=user,
                name=form.cleaned_data["name"],
                description=form.cleaned_data["description"],
                expected_version=version if version is not None else team.version,
            )
        except ConflictError as exc:
            form.add_error(None, exc.message)
            status = 409
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Your changes were saved."))
            return redirect("teams:detail", pk=team.pk)
    return form_page(
        request,
        form,
        title=_("Edit %(name)s") % {"name": team.name},
        submit_label=_("Save changes"),
        cancel_url=reverse("teams:detail", args=[team.pk]),
        unit=team.unit,
        breadcrumbs=breadcrumbs_for(request.user, team.unit),
        status=status,
    )


def _detail(
    request: HttpRequest,
    team: Team,
    *,
    member_form: forms.AddMemberForm | None = None,
    served_form: forms.ServedUnitForm | None = None,
    status: int = 200,
) -> HttpResponse:
    user = request.user
    can_manage = can_manage_teams(user, team.unit)
    query = (request.GET.get("q") or "").strip() if can_manage else ""
    context = {
        "team": team,
        "unit": team.unit,
        "breadcrumbs": breadcrumbs_for(user, team.unit),
        "members": list(
            TeamMember.objects.filter(team=team)
            .select_related("user", "user__member", "user__member__unit")
            .order_by("id")
        ),
        "served": list(
            ServedUnit.objects.filter(team=team).select_related("unit").order_by("unit__code")
        ),
        "can_manage": can_manage,
        "member_form": member_form or (forms.AddMemberForm() if can_manage else None),
        "served_form": served_form or (forms.ServedUnitForm() if can_manage else None),
        "query": query,
        "found": services.search_users(team.unit, query) if query else [],
        "title_suggestions": forms.TITLE_SUGGESTIONS,
    }
    return render(request, "teams/team_detail.html", context, status=status)


@login_required
def team_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail(request, get_team_for_user(request.user, pk))


@login_required
@require_POST
def member_add(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    team = get_team_for_user(user, pk, manage=True)
    form = forms.AddMemberForm(request.POST)
    if form.is_valid():
        try:
            services.add_member(team, user=form.user, title=form.cleaned_data["title"], by=user)
        except ValidationError as exc:
            add_service_errors(form, exc, rename={"user": "identifier"})
        else:
            messages.success(
                request, _("%(name)s was added to the team.") % {"name": person_name(form.user)}
            )
            return redirect(reverse("teams:detail", args=[team.pk]) + "#members")
    return _detail(request, team, member_form=form, status=400)


@login_required
@require_POST
def member_remove(request: HttpRequest, pk: int, user_id: int) -> HttpResponse:
    user = request.user
    team = get_team_for_user(user, pk, manage=True)
    person = User.objects.filter(pk=user_id).first()
    if person is None:
        raise Http404
    try:
        services.remove_member(team, user=person, by=user)
    except ValidationError:
        raise Http404 from None
    messages.success(
        request, _("%(name)s was removed from the team.") % {"name": person_name(person)}
    )
    return redirect(reverse("teams:detail", args=[team.pk]) + "#members")


@login_required
@require_POST
def served_add(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    team = get_team_for_user(user, pk, manage=True)
    form = forms.ServedUnitForm(request.POST)
    if form.is_valid():
        code = form.cleaned_data["code"].strip().upper()
        unit = Unit.objects.in_subtree(team.unit).filter(code=code).first()
        if unit is None:
            form.add_error(
                "code",
                _("There is no unit with the code %(code)s inside %(unit)s.")
                % {"code": code, "unit": team.unit.name},
            )
        else:
            try:
                services.add_served_unit(team, unit=unit, by=user)
            except ValidationError as exc:
                add_service_errors(form, exc, rename={"unit": "code"})
            else:
                messages.success(request, _("The team now serves %(name)s.") % {"name": unit.name})
                return redirect(reverse("teams:detail", args=[team.pk]) + "#served")
    return _detail(request, team, served_form=form, status=400)


@login_required
@require_POST
def served_remove(request: HttpRequest, pk: int, unit_id: int) -> HttpResponse:
    user = request.user
    team = get_team_for_user(user, pk, manage=True)
    unit = Unit.objects.filter(pk=unit_id).first()
    if unit is None:
        raise Http404
    try:
        services.remove_served_unit(team, unit=unit, by=user)
    except ValidationError:
        raise Http404 from None
    messages.success(request, _("The team no longer serves %(name)s.") % {"name": unit.name})
    return redirect(reverse("teams:detail", args=[team.pk]) + "#served")


@login_required
def my_teams(request: SignedInRequest) -> HttpResponse:
    """The teams the user belongs to, and for support teams the units served, each with the
    link that opens the entry form for it."""
    memberships = list(
        TeamMember.objects.filter(user_id=request.user.pk)
        .select_related("team", "team__unit")
        .order_by("team__name", "team_id")
    )
    served: dict[int, list[Any]] = {}
    for row in (
        ServedUnit.objects.filter(team_id__in=[m.team_id for m in memberships])
        .select_related("unit")
        .order_by("unit__code")
    ):
        served.setdefault(row.team_id, []).append(row.unit)
    context = {"memberships": [(m, served.get(m.team_id, [])) for m in memberships]}
    return render(request, "teams/my_teams.html", context)
