from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login as auth_login
from django.contrib.auth import logout as auth_logout
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render, resolve_url
from django.urls import reverse_lazy
from django.utils import timezone, translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST

from sangkien.core.errors import ValidationError
from sangkien.core.pages import SignedInRequest, posted
from sangkien.core.qr import qr_svg
from sangkien.core.templatetags.ui import person
from sangkien.orgs.forms import add_service_errors
from sangkien.orgs.models import Member
from sangkien.orgs.permissions import breadcrumbs_for, get_member_for_user, get_unit_for_user

from . import forms as account_forms
from . import services
from .forms import (
    InviteMembersForm,
    LoginForm,
    PreferencesForm,
    SignUpForm,
    TemporaryPasswordForm,
    TokenForm,
)
from .middleware import remember_language
from .models import ApiToken, Invitation, RoleGrant, User
from .permissions import (
    INVITE_MEMBERS,
    can_invite,
    can_reset_password,
)


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
def me(request: SignedInRequest) -> HttpResponse:
    """The signed-in user's account: roles (with their units), API tokens and preferences."""
    user = request.user
    form = PreferencesForm(
        posted(request),
        initial={
            "email_notifications": user.email_notifications,
            "language": user.language or translation.get_language(),
        },
    )
    if request.method == "POST" and form.is_valid():
        language = form.cleaned_data["language"] or None  # not given: left as it is
        services.update_preferences(
            user,
            by=user,
            email_notifications=form.cleaned_data["email_notifications"],
            language=language,
        )
        # The pages follow the new choice at once.
        with translation.override(language or translation.get_language()):
            messages.success(request, _("Your preferences were saved."))
        response = redirect("accounts:me")
        if language:
            remember_language(response, language)
        return response
    return _me_page(request, form=form, token_form=TokenForm())


def _me_page(
    request: SignedInRequest,
    *,
    form: PreferencesForm,
    token_form: TokenForm,
    new_token: str = "",
    status: int = 200,
) -> HttpResponse:
    user = request.user
    grants = list(
        RoleGrant.objects.filter(user=user).select_related("unit").order_by("unit__path", "role")
    )
    context = {
        "form": form,
        "grants": grants,
        "languages": settings.LANGUAGES,
        "tokens": services.tokens_of(user),
        "token_form": token_form,
        "new_token": new_token,
        "now": timezone.now(),
    }
    return render(request, "accounts/me.html", context, status=status)


@login_required
@never_cache
@require_POST
def token_create(request: SignedInRequest) -> HttpResponse:
    """A new personal API token, shown on the answer only this once (never stored in a
    message or the session)."""
    user = request.user
    preferences = PreferencesForm(initial={"email_notifications": user.email_notifications})
    token_form = TokenForm(request.POST)
    if not token_form.is_valid():
        return _me_page(request, form=preferences, token_form=token_form, status=400)
    try:
        raw = services.create_token(
            user,
            name=token_form.cleaned_data["name"],
            days=token_form.cleaned_data["days"],
            by=user,
        )
    except ValidationError as exc:
        add_service_errors(token_form, exc)
        return _me_page(request, form=preferences, token_form=token_form, status=400)
    return _me_page(request, form=preferences, token_form=TokenForm(), new_token=raw)


@login_required
@require_POST
def token_revoke(request: SignedInRequest, pk: int) -> HttpResponse:
    """Revoke one of the user's own tokens; anyone else's token is not found."""
    token = get_object_or_404(ApiToken, pk=pk, user=request.user)
    services.revoke_token(token, by=request.user)
    messages.success(request, _("The token %(prefix)s… was revoked.") % {"prefix": token.prefix})
    return redirect("accounts:me")


# -- sign-up with a one-time code ----------------------------------------------------------


@sensitive_post_parameters("password1", "password2", "code")
@csrf_protect
@never_cache
@require_http_methods(["GET", "POST"])
def signup(request: HttpRequest) -> HttpResponse:
    """A member makes their own account with the code their union printed or sent."""
    if request.user.is_authenticated:
        return redirect("core:home")
    status = 200
    if request.method == "POST":
        form = SignUpForm(request, request.POST)
        if form.is_valid() and form.user is not None:
            auth_login(request, form.user, backend="sangkien.accounts.backends.LoginBackend")
            messages.success(
                request,
                _("Welcome, %(name)s. Your account is ready.") % {"name": person(form.user)},
            )
            return redirect("core:home")
        status = 429 if form.has_error("__all__", "throttled") else 400
    else:
        form = SignUpForm(request, initial={"code": request.GET.get("code", "")[:32]})
    return render(request, "accounts/signup.html", {"form": form}, status=status)


# -- invitations (officers) ----------------------------------------------------------------


def _sheet(
    request: HttpRequest, unit: Any, issued: list[services.IssuedInvitation]
) -> HttpResponse:
    """The printable sheet of freshly made codes: the only time the codes are shown."""
    cards = [
        {
            "member": item.member,
            "code": item.code,
            "url": item.url,
            "qr": mark_safe(qr_svg(item.url)),  # noqa: S308 - made by segno from our own URL
            "expires_at": item.invitation.expires_at,
        }
        for item in issued
    ]
    context = {
        "unit": unit,
        "cards": cards,
        "signup_url": services.signup_url(),
    }
    response = render(request, "accounts/invitation_sheet.html", context)
    response["Cache-Control"] = "no-store"
    return response


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def unit_invitations(request: HttpRequest, code: str) -> HttpResponse:
    """Sign-up codes of a union's members: make them for every member without an account,
    or for a list of members; see the ones still valid and revoke them."""
    unit = get_unit_for_user(request.user, code, INVITE_MEMBERS)
    without_account = Member.objects.filter(unit=unit, left_on__isnull=True, user__isnull=True)
    list_form = InviteMembersForm(
        request.POST if request.POST.get("action") == "list" else None, unit=unit
    )
    status = 200
    if request.method == "POST":
        action = request.POST.get("action")
        members: list[Any] | None = None
        if action == "all":
            members = list(without_account.select_related("unit").order_by("sort_key", "id"))
            if not members:
                messages.info(request, _("Every current member of this unit has an account."))
                return redirect("accounts:unit_invitations", code=unit.code)
            members = members[: account_forms.MAX_INVITATIONS]
        elif action == "list" and list_form.is_valid():
            members = list_form.members
        if members is not None:
            try:
                issued = services.invite_members(members, by=request.user)
            except ValidationError as exc:
                add_service_errors(list_form, exc, {"members": "codes"})
            else:
                return _sheet(request, unit, issued)
        status = 400
    now = timezone.now()
    pending = list(
        Invitation.objects.filter(member__in=Member.objects.in_subtree(unit))
        .usable(now)
        .select_related("member", "member__unit", "created_by")
        .order_by("-created_at", "-id")[:200]
    )
    context = {
        "unit": unit,
        "breadcrumbs": breadcrumbs_for(request.user, unit),
        "without_account": without_account.count(),
        "list_form": list_form,
        "pending": pending,
        "days": settings.SANGKIEN_INVITATION_DAYS,
        "max_cards": account_forms.MAX_INVITATIONS,
    }
    return render(request, "accounts/invitation_list.html", context, status=status)


@login_required
@require_POST
def invitation_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    invitation = get_object_or_404(Invitation.objects.select_related("member__unit"), pk=pk)
    if not can_invite(request.user, invitation.member.unit):
        raise Http404
    services.revoke_invitation(invitation, by=request.user)
    messages.success(
        request,
        _("The sign-up code of %(name)s was revoked.") % {"name": invitation.member.full_name},
    )
    back = request.POST.get("back") or ""
    if back == "member":
        return redirect("accounts:member_account", code=invitation.member.code)
    return redirect("accounts:unit_invitations", code=invitation.member.unit.code)


def _member_to_manage(request: HttpRequest, code: str) -> Member:
    member = get_member_for_user(request.user, code)
    if not can_invite(request.user, member.unit):
        raise Http404
    return member


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def member_account(request: HttpRequest, code: str) -> HttpResponse:
    """A member's account as an officer sees it: make a sign-up code when they have none,
    or give them a temporary password when they forgot theirs."""
    member = _member_to_manage(request, code)
    account = User.objects.filter(member=member).first()
    may_reset = account is not None and can_reset_password(request.user, account)
    reset_form = TemporaryPasswordForm(
        request.POST if request.POST.get("action") == "reset" else None
    )
    status = 200
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "invite" and account is None:
            try:
                issued = services.invite_members([member], by=request.user)
            except ValidationError as exc:
                messages.error(request, " ".join(exc.messages))
                return redirect("accounts:member_account", code=member.code)
            return _sheet(request, member.unit, issued)
        if action == "reset" and account is not None:
            if not may_reset:
                raise Http404
            if reset_form.is_valid():
                password = services.set_temporary_password(account, by=request.user)
                context = {"member": member, "account": account, "password": password}
                response = render(request, "accounts/temporary_password.html", context)
                response["Cache-Control"] = "no-store"
                return response
        status = 400
    invitations = list(
        Invitation.objects.filter(member=member).usable().order_by("-created_at")[:5]
    )
    context = {
        "member": member,
        "unit": member.unit,
        "breadcrumbs": breadcrumbs_for(request.user, member.unit),
        "account": account,
        "may_reset": may_reset,
        "reset_form": reset_form,
        "invitations": invitations,
    }
    return render(request, "accounts/member_account.html", context, status=status)


# -- passwords -----------------------------------------------------------------------------


@sensitive_post_parameters("old_password", "new_password1", "new_password2")
@login_required
@csrf_protect
@never_cache
@require_http_methods(["GET", "POST"])
def password_change(request: SignedInRequest) -> HttpResponse:
    """Choose a new password; the only page open to someone who must change theirs."""
    form = account_forms.PasswordChangeForm(request.user, posted(request))
    if request.method == "POST" and form.is_valid():
        user = form.save()
        update_session_auth_hash(request, user)
        messages.success(request, _("Your password was changed."))
        next_url = request.POST.get("next") or ""
        if not url_has_allowed_host_and_scheme(next_url, {request.get_host()}):
            next_url = ""
        return redirect(next_url or resolve_url("core:home"))
    context = {
        "form": form,
        "forced": request.user.must_change_password,
        "next": request.GET.get("next") or request.POST.get("next") or "",
    }
    return render(
        request,
        "accounts/password_change.html",
        context,
        status=400 if form.is_bound else 200,
    )


password_reset = auth_views.PasswordResetView.as_view(
    form_class=account_forms.PasswordResetForm,
    template_name="accounts/password_reset.html",
    email_template_name="accounts/email/password_reset.txt",
    subject_template_name="accounts/email/password_reset_subject.txt",
    success_url=reverse_lazy("accounts:password_reset_done"),
    extra_email_context={"site_url": settings.SITE_URL.rstrip("/")},
)
password_reset_done = auth_views.PasswordResetDoneView.as_view(
    template_name="accounts/password_reset_done.html"
)
password_reset_confirm = auth_views.PasswordResetConfirmView.as_view(
    form_class=account_forms.SetPasswordForm,
    template_name="accounts/password_reset_confirm.html",
    success_url=reverse_lazy("accounts:password_reset_complete"),
)
password_reset_complete = auth_views.PasswordResetCompleteView.as_view(
    template_name="accounts/password_reset_complete.html"
)
