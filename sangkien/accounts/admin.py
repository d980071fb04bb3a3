from typing import Any

from django.contrib import admin
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse

from . import throttle
from .models import ApiToken, RoleGrant, User


class AdminLoginForm(AdminAuthenticationForm):
    """The Django admin's login, under the same limit as the site's: the password goes
    through the same backend, and a refusal by the limit says so."""

    def clean(self) -> Any:
        try:
            return super().clean()
        except ValidationError:
            refusal = throttle.refusal(self.request)
            if refusal is not None:
                raise ValidationError(refusal.message, code="throttled") from None
            raise


admin.site.login_form = AdminLoginForm
_admin_login = admin.site.login


def _limited_admin_login(request: HttpRequest, extra_context: Any = None) -> HttpResponse:
    """The admin's login page; a refusal by the login limit answers 429, as the site's does."""
    response = _admin_login(request, extra_context)
    form = getattr(response, "context_data", None) or {}
    form = form.get("form")
    if form is not None and form.is_bound and form.has_error("__all__", "throttled"):
        response.status_code = 429
    return response


admin.site.login = _limited_admin_login  # type: ignore[method-assign]


class RoleGrantInline(admin.TabularInline):
    model = RoleGrant
    fk_name = "user"
    raw_id_fields = ["unit", "granted_by"]
    extra = 0


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    fieldsets = (
        *(BaseUserAdmin.fieldsets or ()),
        ("Sáng kiến", {"fields": ("phone", "member", "email_notifications")}),
    )
    raw_id_fields = ["member"]
    inlines = [RoleGrantInline]


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = [
        "prefix",
        "user",
        "name",
        "created_at",
        "last_used_at",
        "expires_at",
        "revoked_at",
    ]
    readonly_fields = ["prefix", "key_hash", "created_at", "last_used_at"]
