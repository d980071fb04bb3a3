from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login as auth_login
from django.contrib.auth import logout as auth_logout
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render, resolve_url
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST

from sangkien.core.errors import ValidationError
from sangkien.core.templatetags.ui import person
from sangkien.orgs.forms import add_service_errors
from sangkien.orgs.permissions import get_unit_for_user
from sangkien.orgs.views import breadcrumbs_for, posted, visible

from . import services
from .forms import GrantForm, LoginForm, PreferencesForm
from .models import Role, RoleGrant
from .permissions import can_grant, can_manage_grants


@sensitive_post_parameters("password")
@csrf_protect
def login(request: HttpRequest) -> HttpResponse:
    next_url = request.POST.get("next") or request.GET.get("next") or ""
    if not url_has_allowed_host_and_scheme(next_url, {request.get_host()}):
        next_url = ""
    if request.method == "POST":
        form = LoginForm(request, request.POST)
        if form.is_valid():
            auth_login(request, form.user)
            return redirect(next_url or resolve_url("core:home"))
        status = 429 if form.has_error("__all__", "throttled") else 200
    else:
        form = LoginForm(request)
        status = 200
    return render(request, "accounts/login.html", {"form": form, "next": next_url}, status=status)


@require_POST
def logout(request: HttpRequest) -> HttpResponse:
    auth_logout(request)
    response = redirect("core:home")
    # Drafts typed on this browser (localStorage) go with the session: the next person at a
    # shared computer finds none of them, confidential part included.
    response["Clear-Site-Data"] = '"storage"'
    return response


@login_required
@require_http_methods(["GET", "POST"])
def me(request: HttpRequest) -> HttpResponse:
    """The signed-in user's account: roles (with their units) and preferences."""
    user = request.user
    form = PreferencesForm(
        posted(request), initial={"email_notifications": user.email_notifications}
    )
    if request.method == "POST" and form.is_valid():
        services.update_preferences(
            user, by=user, email_notifications=form.cleaned_data["email_notifications"]
        )
        messages.success(request, _("Your preferences were saved."))
        return redirect("accounts:me")
    grants = list(
        RoleGrant.objects.filter(user=user).select_related("unit").order_by("unit__path", "role")
    )
    context = {
        "form": form,
        "grants": grants,
        "languages": settings.LANGUAGES,
    }
    return render(request, "accounts/me.html", context)


def _roles_for(user, unit) -> list[tuple[str, str]]:
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
                services.grant_role(form.user, role=role, unit=unit, by=request.user)
            except ValidationError as exc:
                add_service_errors(form, exc, {"unit": "__all__"})
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
        "unit_visible": visible(request.user, unit),
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
    services.revoke_role(grant, by=request.user)
    messages.success(
        request,
        _("%(user)s no longer holds the role %(role)s on %(unit)s.")
        % {"user": person(grant.user), "role": grant.get_role_display(), "unit": unit.name},
    )
    return redirect("orgs:grants", code=unit.code)
