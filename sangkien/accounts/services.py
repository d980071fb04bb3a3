"""Users, role grants, API tokens and the login rate limit."""

from __future__ import annotations

import datetime as dt
import secrets
from typing import Any

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from sangkien.core import audit
from sangkien.core.errors import ValidationError
from sangkien.orgs.models import Member, Unit
from sangkien.orgs.services import normalise_phone
from sangkien.text import clean_line, nfc

from .models import ApiToken, LoginFailure, Role, RoleGrant, User, hash_token
from .permissions import forget_grants

TOKEN_PREFIX = "sk_"


@transaction.atomic
def create_user(
    *,
    username: str,
    password: str,
    by: Any,
    email: str = "",
    phone: str = "",
    full_name: str = "",
    member: Member | None = None,
    check_password: bool = True,
) -> User:
    username = nfc(username)
    email = nfc(email).lower()
    phone = normalise_phone(phone) if phone else ""
    errors: dict[str, Any] = {}
    if not username:
        errors["username"] = _("Enter a username.")
    elif User.objects.filter(username__iexact=username).exists():
        errors["username"] = _("The username %(name)s is taken.") % {"name": username}
    if email and User.objects.filter(email__iexact=email).exists():
        errors["email"] = _("Another account uses this email address.")
    if phone and User.objects.filter(phone=phone).exists():
        errors["phone"] = _("Another account uses this phone number.")
    if member is not None and User.objects.filter(member=member).exists():
        errors["member"] = _("Member %(code)s already has an account.") % {"code": member.code}
    if check_password:
        try:
            validate_password(password)
        except ValidationError as exc:
            errors["password"] = exc.messages
    if errors:
        raise ValidationError(errors)
    name = clean_line(full_name or (member.full_name if member else ""))
    first, _sep, last = name.rpartition(" ")
    user = User(
        username=username,
        email=email,
        phone=phone or None,
        member=member,
        last_name=first,  # Vietnamese: family and middle names
        first_name=last,  # the given name
    )
    user.set_password(password)
    user.save()
    if member is not None:
        RoleGrant.objects.create(user=user, role=Role.MEMBER, unit=member.unit, granted_by=None)
    audit.record(
        actor=by,
        action="user.create",
        obj=user,
        after={"username": username, "email": email, "member": member.code if member else None},
    )
    return user


@transaction.atomic
def grant_role(user: User, *, role: str, unit: Unit, by: Any) -> RoleGrant:
    if role not in Role.values:
        raise ValidationError({"role": _("Unknown role %(role)s.") % {"role": role}})
    if not unit.is_active:
        raise ValidationError(
            {"unit": _("Unit %(code)s is no longer active.") % {"code": unit.code}}
        )
    grant, created = RoleGrant.objects.get_or_create(
        user=user,
        role=role,
        unit=unit,
        defaults={"granted_by": by if getattr(by, "is_authenticated", False) else None},
    )
    if created:
        audit.record(
            actor=by,
            action="grant.create",
            obj=grant,
            after={"user": user.username, "role": role, "unit": unit.code},
        )
    forget_grants(user)
    return grant


@transaction.atomic
def revoke_role(grant: RoleGrant, *, by: Any) -> None:
    audit.record(
        actor=by,
        action="grant.delete",
        obj=grant,
        before={"user": grant.user.username, "role": grant.role, "unit": grant.unit.code},
    )
    grant.delete()
    forget_grants(grant.user)


def create_token(user: User, *, name: str = "", by: Any = None) -> str:
    """Make a personal API token and return it; only its hash is kept."""
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user, name=clean_line(name), prefix=raw[:10], key_hash=hash_token(raw)
    )
    audit.record(actor=by or user, action="token.create", obj=token, after={"user": user.username})
    return raw


def user_for_token(raw: str) -> User | None:
    if not raw or not raw.startswith(TOKEN_PREFIX):
        return None
    token = (
        ApiToken.objects.select_related("user")
        .filter(key_hash=hash_token(raw), revoked_at__isnull=True)
        .first()
    )
    if token is None or not token.user.is_active:
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > dt.timedelta(minutes=5):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user


# -- login rate limit --------------------------------------------------------------------


def _window_start() -> dt.datetime:
    return timezone.now() - dt.timedelta(seconds=settings.LOGIN_FAILURE_WINDOW)


def login_blocked(identifier: str, address: str) -> bool:
    """Too many failures for this identifier, or from this address (×4), in the window."""
    since = _window_start()
    recent = LoginFailure.objects.filter(at__gte=since)
    limit = settings.LOGIN_MAX_FAILURES
    if recent.filter(identifier=nfc(identifier).lower()).count() >= limit:
        return True
    return recent.filter(address=address).count() >= limit * 4


def record_login_failure(identifier: str, address: str) -> None:
    LoginFailure.objects.filter(at__lt=_window_start()).delete()
    LoginFailure.objects.create(identifier=nfc(identifier).lower()[:255], address=address[:64])


def clear_login_failures(identifier: str) -> None:
    LoginFailure.objects.filter(identifier=nfc(identifier).lower()).delete()


@transaction.atomic
def update_preferences(user: User, *, by: Any, email_notifications: bool) -> User:
    """The user's own settings (today: whether to send them emails)."""
    before = {"email_notifications": user.email_notifications}
    user.email_notifications = email_notifications
    user.save(update_fields=["email_notifications"])
    audit.record(
        actor=by,
        action="user.preferences",
        obj=user,
        before=before,
        after={"email_notifications": email_notifications},
    )
    return user
