"""Users, the roles they hold on units, API tokens, and the login limit's counters."""

from __future__ import annotations

import hashlib
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

from .validators import USERNAME_VALIDATORS


class User(AbstractUser):
    # Django's field, with the username rules of validators.py (one alphabet only).
    username = models.CharField(
        _("username"),
        max_length=150,
        unique=True,
        help_text=_("150 characters or fewer: letters of one alphabet, digits and @ . + - _"),
        validators=USERNAME_VALIDATORS,
        error_messages={"unique": _("A user with that username already exists.")},
    )
    phone = models.CharField(_("phone"), max_length=20, null=True, blank=True, unique=True)
    member = models.OneToOneField(
        "orgs.Member",
        verbose_name=_("member record"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="user",
    )
    email_notifications = models.BooleanField(_("send me emails"), default=True)
    # The language the product writes to the user in: emails and notifications, and the
    # pages when they log in (the language switch still changes the pages after that).
    # Empty until they choose: the pages follow the switch, emails are in Vietnamese.
    language = models.CharField(
        _("language"),
        max_length=8,
        choices=settings.LANGUAGES,
        blank=True,
        default="",
        db_default="",
    )
    # Set when someone else chose the password (an officer's reset, a temporary password):
    # every page leads to the change-password page until the user picks their own.
    must_change_password = models.BooleanField(_("must change password"), default=False)

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            models.UniqueConstraint(
                Lower("email"), condition=~Q(email=""), name="user_email_unique_ci"
            )
        ]

    def __str__(self) -> str:
        return self.get_full_name() or self.username


class Role(models.TextChoices):
    MEMBER = "member", _("Member")
    SUPPORT = "support", _("Support team")
    OFFICER = "officer", _("Unit officer")
    REVIEWER = "reviewer", _("Reviewer")
    EDITOR = "editor", _("Editor")
    ADMIN = "admin", _("Administrator")


class RoleGrant(models.Model):
    """A role held on a unit; it covers the unit's whole subtree."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="grants"
    )
    role = models.CharField(_("role"), max_length=16, choices=Role.choices)
    unit = models.ForeignKey(
        "orgs.Unit", verbose_name=_("unit"), on_delete=models.PROTECT, related_name="grants"
    )
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    granted_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("role")
        verbose_name_plural = _("roles")
        constraints = [
            models.UniqueConstraint(fields=["user", "role", "unit"], name="grant_unique")
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()} · {self.unit.code}"


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


class ApiToken(models.Model):
    """A personal API token; only its hash is stored, the token is shown once. It answers
    until `expires_at`, or until it is revoked (by its owner, an administrator, or when the
    account is anonymised)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(_("name"), max_length=100, blank=True)
    prefix = models.CharField(max_length=12)
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(_("expires"))
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.user})"


class LoginAttempts(models.Model):
    """One counter of the login limit (an account, an address, a sign-up code): attempts
    since `window_start` (accounts/throttle.py)."""

    key = models.CharField(max_length=300, unique=True)
    count = models.PositiveIntegerField(default=0)
    window_start = models.DateTimeField(db_index=True)

    class Meta:
        verbose_name = _("login attempts")
        verbose_name_plural = _("login attempts")

    def __str__(self) -> str:
        return f"{self.key}: {self.count} since {self.window_start}"


class InvitationQuerySet(models.QuerySet["Invitation"]):
    def usable(self, now: Any = None) -> InvitationQuerySet:
        """Neither used nor revoked, and not expired at `now` (default: now)."""
        from django.utils import timezone

        return self.filter(
            used_at__isnull=True, revoked_at__isnull=True, expires_at__gt=now or timezone.now()
        )

    def for_unit(self, unit: Any) -> InvitationQuerySet:
        return self.filter(member__unit=unit)


class Invitation(models.Model):
    """A one-time sign-up code for one member, valid until `expires_at`; only its hash is
    stored (the code itself is shown once, on the printed sheet)."""

    member = models.ForeignKey(
        "orgs.Member",
        verbose_name=_("member"),
        on_delete=models.CASCADE,
        related_name="invitations",
    )
    code_hash = models.CharField(max_length=64, unique=True)
    # The first characters of the code, to tell invitations apart in lists.
    hint = models.CharField(_("code begins with"), max_length=8)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("invited by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    expires_at = models.DateTimeField(_("valid until"))
    used_at = models.DateTimeField(_("used"), null=True, blank=True)
    used_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("account created"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    objects = InvitationQuerySet.as_manager()

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        indexes = [models.Index(fields=["member", "expires_at"], name="invitation_member")]

    def __str__(self) -> str:
        return f"{self.hint}… ({self.member_id})"
