from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import authenticate
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from . import services


def client_address(request: HttpRequest) -> str:
    return request.META.get("REMOTE_ADDR", "") or "unknown"


class LoginForm(forms.Form):
    identifier = forms.CharField(
        label=_("Username, email or phone number"),
        max_length=255,
        widget=forms.TextInput(attrs={"autocomplete": "username", "autofocus": True}),
    )
    password = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    def __init__(self, request: HttpRequest, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.request = request
        self.user: Any = None

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        identifier = data.get("identifier", "")
        password = data.get("password", "")
        if not identifier or not password:
            return data
        address = client_address(self.request)
        if services.login_blocked(identifier, address):
            raise forms.ValidationError(
                _("Too many failed attempts. Wait 15 minutes and try again."), code="throttled"
            )
        user = authenticate(self.request, username=identifier, password=password)
        if user is None:
            services.record_login_failure(identifier, address)
            raise forms.ValidationError(
                _("The login or the password is wrong. Check them and try again."),
                code="invalid_login",
            )
        services.clear_login_failures(identifier)
        self.user = user
        return data


class GrantForm(forms.Form):
    """Grant a role on a unit to an existing account, found by username, email or phone."""

    identifier = forms.CharField(
        label=_("Username, email or phone number of the person"),
        max_length=255,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    role = forms.ChoiceField(label=_("Role"))

    def __init__(self, *args: Any, roles: list[tuple[str, Any]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = roles
        self.user: Any = None

    def clean_identifier(self) -> str:
        from .backends import find_user

        identifier = self.cleaned_data["identifier"]
        self.user = find_user(identifier)
        if self.user is None or not self.user.is_active:
            raise forms.ValidationError(
                _("No account has this username, email or phone number."), code="unknown_user"
            )
        return identifier


class PreferencesForm(forms.Form):
    email_notifications = forms.BooleanField(
        label=_("Send me emails about my initiatives and my work"), required=False
    )
