from __future__ import annotations

from typing import Any, cast

from django import forms
from django.conf import settings
from django.contrib.auth import authenticate
from django.contrib.auth import forms as auth_forms
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from sangkien.core.forms import DayField

from . import services, throttle
from .throttle import client_address


def throttled_error(refusal: throttle.Throttled) -> ValidationError:
    return ValidationError(refusal.message, code="throttled")


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
        data = super().clean() or {}
        identifier = data.get("identifier", "")
        password = data.get("password", "")
        if not identifier or not password:
            return data
        # The backend counts the attempt (throttle.py) and says when the limit refused it.
        user = authenticate(self.request, username=identifier, password=password)
        if user is None:
            refusal = throttle.refusal(self.request)
            if refusal is not None:
                raise throttled_error(refusal)
            raise forms.ValidationError(
                _("The login or the password is wrong. Check them and try again."),
                code="invalid_login",
            )
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
        cast(forms.ChoiceField, self.fields["role"]).choices = roles
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


# Each language named in itself, as language switches do.
LANGUAGE_NAMES = [("vi", "Tiếng Việt"), ("en", "English")]


class PreferencesForm(forms.Form):
    email_notifications = forms.BooleanField(
        label=_("Send me emails about my initiatives and my work"), required=False
    )
    language = forms.ChoiceField(
        label=_("My language"),
        choices=LANGUAGE_NAMES,
        required=False,
        help_text=_(
            "Emails and notifications are written in it, and the pages are shown in it when "
            "you log in. The language switch changes the pages on this browser."
        ),
    )


class TokenForm(forms.Form):
    """A personal API token the user makes for themselves."""

    name = forms.CharField(
        label=_("What it is for"),
        max_length=100,
        required=False,
        help_text=_("For example the program or computer that will use it."),
    )
    days = forms.IntegerField(label=_("Valid for (days)"), min_value=1)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        most = settings.SANGKIEN_TOKEN_MAX_DAYS
        days = self.fields["days"]
        days.initial = settings.SANGKIEN_TOKEN_DAYS
        days.validators.append(MaxValueValidator(most))
        days.widget.attrs.update({"min": 1, "max": most})


class SignUpForm(forms.Form):
    """A member's own sign-up: the one-time code, facts that identify them (the member code,
    or the full name with the date of birth), and the login they choose."""

    code = forms.CharField(
        label=_("Sign-up code"),
        max_length=32,
        help_text=_("The code your union gave you, for example ABCDE-23456."),
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "autocapitalize": "characters"}
        ),
    )
    member_code = forms.CharField(
        label=_("Member code"),
        max_length=32,
        required=False,
        help_text=_(
            "Printed next to your code. If you do not have it, give your full name and "
            "date of birth instead."
        ),
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters"}),
    )
    full_name = forms.CharField(
        label=_("Full name"),
        max_length=255,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    birth_date = DayField(
        label=_("Date of birth"),
        required=False,
        widget=forms.TextInput(
            attrs={"placeholder": _("dd/mm/yyyy"), "inputmode": "numeric", "autocomplete": "bday"}
        ),
    )
    username = forms.CharField(
        label=_("Username"),
        max_length=150,
        help_text=_("You will log in with it (or with your email address)."),
        widget=forms.TextInput(attrs={"autocomplete": "username", "autocapitalize": "none"}),
    )
    email = forms.EmailField(
        label=_("Email"),
        required=False,
        help_text=_("Optional; needed to reset a forgotten password by email."),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    password1 = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    password2 = forms.CharField(
        label=_("Password again"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def __init__(self, request: HttpRequest, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.request = request
        self.user: Any = None

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.errors:
            return data
        if data["password1"] != data["password2"]:
            self.add_error("password2", _("The two passwords differ."))
            return data
        code = data["code"]
        limit = settings.LOGIN_MAX_FAILURES
        counters = [
            ("invitation:" + (services.normalise_code(code) or code.strip().upper()), limit),
            ("invitation-address:" + client_address(self.request), limit * 4),
        ]
        try:
            ticket = throttle.reserve(counters)
        except throttle.Throttled as exc:
            raise throttled_error(exc) from None
        try:
            self.user = services.sign_up(
                code=code,
                username=data["username"],
                password=data["password1"],
                email=data.get("email") or "",
                member_code=data.get("member_code") or "",
                full_name=data.get("full_name") or "",
                birth_date=data.get("birth_date"),
            )
        except ValidationError as exc:
            codes = {e.code for errors in exc.error_dict.values() for e in errors}
            if not codes & {"invalid_code", "mismatch"}:
                throttle.release(ticket)  # no guess: the username or password was refused
            for name, errors in exc.error_dict.items():
                field = {"password": "password1", "member": "__all__"}.get(name, name)
                self.add_error(None if field == "__all__" else field, errors)
        else:
            throttle.succeeded(ticket)
        return data


class TemporaryPasswordForm(forms.Form):
    """An officer confirms giving a member a temporary password."""

    confirm = forms.BooleanField(
        label=_("I will hand the temporary password to the member myself"), required=True
    )


class InviteMembersForm(forms.Form):
    """Sign-up codes for a list of members of the unit's subtree, by member code."""

    codes = forms.CharField(
        label=_("Member codes"),
        help_text=_("One or more member codes, separated by spaces, commas or new lines."),
        widget=forms.Textarea(attrs={"rows": 3, "autocapitalize": "characters"}),
        max_length=20000,
    )

    def __init__(self, *args: Any, unit: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.unit = unit
        self.members: list[Any] = []

    def clean_codes(self) -> str:
        import re

        from sangkien.orgs.models import Member

        raw = self.cleaned_data["codes"]
        codes = list(dict.fromkeys(c.upper() for c in re.split(r"[\s,;]+", raw) if c))
        if len(codes) > MAX_INVITATIONS:
            raise forms.ValidationError(
                _("At most %(n)d members at a time.") % {"n": MAX_INVITATIONS}, code="too_many"
            )
        found = {
            m.code: m
            for m in Member.objects.in_subtree(self.unit)
            .filter(code__in=codes)
            .select_related("unit")
        }
        unknown = [c for c in codes if c not in found]
        if unknown:
            raise forms.ValidationError(
                _("No member of this unit has the code: %(codes)s.")
                % {"codes": ", ".join(unknown)},
                code="unknown",
            )
        self.members = [found[c] for c in codes]
        return raw


# A sheet of sign-up codes prints at most this many cards at once.
MAX_INVITATIONS = 1000


def language_of(user: Any) -> str:
    """The language to write to `user` in: their own choice when they made one, else the
    language of the page they are on."""
    from django.conf import settings
    from django.utils import translation

    chosen = getattr(user, "language", "") or ""
    if chosen in dict(settings.LANGUAGES):
        return chosen
    return translation.get_language() or settings.LANGUAGE_CODE


class PasswordResetForm(auth_forms.PasswordResetForm):
    """Django's reset by email; the email is written in the account holder's language."""

    def send_mail(self, *args: Any, **kwargs: Any) -> None:
        from django.utils import translation

        context = args[2] if len(args) > 2 else kwargs["context"]
        with translation.override(language_of(context["user"])):
            super().send_mail(*args, **kwargs)


class SetPasswordForm(auth_forms.SetPasswordForm):
    """The new password chosen from an emailed link, saved through the service (which
    clears "must change password" and writes the audit entry)."""

    def save(self, commit: bool = True) -> Any:
        return services.change_password(
            self.user, password=self.cleaned_data["new_password1"], by=None, check_password=False
        )


class PasswordChangeForm(auth_forms.PasswordChangeForm):
    def save(self, commit: bool = True) -> Any:
        return services.change_password(
            self.user,
            password=self.cleaned_data["new_password1"],
            by=self.user,
            check_password=False,
        )
