"""Users, role grants, API tokens, passwords and sign-up codes (the login limit is in
throttle.py)."""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from sangkien.core import audit
from sangkien.core.errors import ValidationError
from sangkien.text import clean_line, fold, nfc, normalise_phone

from .models import ApiToken, Invitation, Role, RoleGrant, User, hash_token
from .permissions import forget_grants
from .validators import username_errors

if TYPE_CHECKING:  # types only: the unit tree sits above the accounts
    from sangkien.orgs.models import Member, Unit

TOKEN_PREFIX = "sk_"


@transaction.atomic
def create_user(
    *,
    username: str,
    password: str | None,
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
    elif problems := username_errors(username):
        errors["username"] = problems
    elif User.objects.filter(username__iexact=username).exists():
        errors["username"] = _("The username %(name)s is taken.") % {"name": username}
    if email and User.objects.filter(email__iexact=email).exists():
        errors["email"] = _("Another account uses this email address.")
    if phone and User.objects.filter(phone=phone).exists():
        errors["phone"] = _("Another account uses this phone number.")
    if member is not None and User.objects.filter(member=member).exists():
        errors["member"] = _("Member %(code)s already has an account.") % {"code": member.code}
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
    if check_password and password is not None:
        try:
            # Against the new account: a password like its username or email is refused.
            validate_password(password, user)
        except ValidationError as exc:
            errors["password"] = exc.messages
    if errors:
        raise ValidationError(errors)
    if password is None:  # no login with a password (yet): a token, an invitation, a reset
        user.set_unusable_password()
    else:
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


def token_days_error(days: int) -> str | None:
    """Why a token cannot last `days` days, or None."""
    if not 1 <= days <= settings.SANGKIEN_TOKEN_MAX_DAYS:
        return _("A token lasts from 1 to %(most)d days.") % {
            "most": settings.SANGKIEN_TOKEN_MAX_DAYS
        }
    return None


@transaction.atomic
def create_token(user: User, *, name: str = "", days: int | None = None, by: Any = None) -> str:
    """Make a personal API token that lasts `days` days (default SANGKIEN_TOKEN_DAYS) and
    return it; only its hash is kept. Refused for an account that cannot log in."""
    if not user.is_active:
        raise ValidationError(
            {"user": _("The account %(name)s is deactivated.") % {"name": user.username}}
        )
    days = settings.SANGKIEN_TOKEN_DAYS if days is None else days
    if problem := token_days_error(days):
        raise ValidationError({"days": problem})
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user,
        name=clean_line(name)[:100],
        prefix=raw[:10],
        key_hash=hash_token(raw),
        expires_at=timezone.now() + dt.timedelta(days=days),
    )
    audit.record(
        actor=by or user,
        action="token.create",
        obj=token,
        after={"user": user.username, "name": token.name, "expires_at": token.expires_at},
    )
    return raw


def tokens_of(user: User) -> list[ApiToken]:
    """The user's tokens, newest first, revoked and expired ones included."""
    return list(ApiToken.objects.filter(user=user).order_by("-created_at", "-id"))


@transaction.atomic
def revoke_token(token: ApiToken, *, by: Any) -> ApiToken:
    """Stop the token answering from now on; revoking it again changes nothing."""
    token = ApiToken.objects.select_for_update().get(pk=token.pk)
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit.record(
            actor=by,
            action="token.revoke",
            obj=token,
            before={"user": token.user.username, "name": token.name, "prefix": token.prefix},
        )
    return token


def user_for_token(raw: str) -> User | None:
    """The active user whose token this is, if it is neither revoked nor expired."""
    if not raw or not raw.startswith(TOKEN_PREFIX):
        return None
    now = timezone.now()
    token = (
        ApiToken.objects.select_related("user")
        .filter(key_hash=hash_token(raw), revoked_at__isnull=True, expires_at__gt=now)
        .first()
    )
    if token is None or not token.user.is_active:
        return None
    if token.last_used_at is None or now - token.last_used_at > dt.timedelta(minutes=5):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user


@transaction.atomic
def update_preferences(
    user: User, *, by: Any, email_notifications: bool, language: str | None = None
) -> User:
    """The user's own settings: whether to send them emails, and the language the product
    writes to them in (None leaves it as it is)."""
    if language is not None and language not in dict(settings.LANGUAGES):
        raise ValidationError({"language": _("Choose one of the languages offered.")})
    before = {"email_notifications": user.email_notifications, "language": user.language}
    user.email_notifications = email_notifications
    if language is not None:
        user.language = language
    user.save(update_fields=["email_notifications", "language"])
    audit.record(
        actor=by,
        action="user.preferences",
        obj=user,
        before=before,
        after={"email_notifications": email_notifications, "language": user.language},
    )
    return user


# -- passwords ---------------------------------------------------------------------------


@transaction.atomic
def change_password(user: User, *, password: str, by: Any, check_password: bool = True) -> User:
    """Set the user's password to one they chose (after the Django validators); clears the
    "must change password" mark. `by` is the user, or None for a reset by email link."""
    if check_password:
        try:
            validate_password(password, user)
        except ValidationError as exc:
            raise ValidationError({"password": exc.messages}) from None
    user.set_password(password)
    user.must_change_password = False
    user.save(update_fields=["password", "must_change_password"])
    audit.record(actor=by or user, action="user.password", obj=user, note="changed")
    return user


def _readable_code(length: int) -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(length))


@transaction.atomic
def set_temporary_password(user: User, *, by: Any) -> str:
    """An officer's reset: a new random password, returned once for the officer to hand
    over; the user must choose their own at the next login."""
    raw = "-".join(_readable_code(4) for _ in range(3))
    user.set_password(raw)
    user.must_change_password = True
    user.save(update_fields=["password", "must_change_password"])
    audit.record(actor=by, action="user.password", obj=user, note="temporary password set")
    return raw


# -- invitations: one-time sign-up codes -------------------------------------------------

# Capital letters and digits without the ones people confuse (I, L, O, 0, 1).
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 10


def normalise_code(raw: str) -> str:
    """A code as typed (any case, with spaces or dashes) in its stored form, or "" when it
    cannot be a code."""
    code = "".join(ch for ch in nfc(raw or "").upper() if ch not in " -.\t")
    if len(code) != CODE_LENGTH or any(ch not in CODE_ALPHABET for ch in code):
        return ""
    return code


def format_code(code: str) -> str:
    return f"{code[:5]}-{code[5:]}"


def signup_url(code: str = "") -> str:
    """The address printed on an invitation: the sign-up page with the code filled in."""
    url = settings.SITE_URL.rstrip("/") + reverse("accounts:signup")
    return f"{url}?code={format_code(code)}" if code else url


@dataclass
class IssuedInvitation:
    invitation: Invitation
    code: str  # as printed, XXXXX-XXXXX

    @property
    def member(self) -> Member:
        return self.invitation.member

    @property
    def url(self) -> str:
        return signup_url(self.code.replace("-", ""))


def invitation_errors(member: Member) -> str:
    """Why `member` cannot be invited ("" when they can)."""
    if member.left_on is not None:
        return _("Member %(code)s has left the union.") % {"code": member.code}
    if User.objects.filter(member=member).exists():
        return _("Member %(code)s already has an account.") % {"code": member.code}
    return ""


@transaction.atomic
def invite_members(
    members: Iterable[Member], *, by: Any, valid_days: int | None = None
) -> list[IssuedInvitation]:
    """A new one-time code for each member (current members without an account); an
    earlier code of theirs that is still usable is revoked. The codes are returned once."""
    members = list(members)
    errors = [e for e in (invitation_errors(m) for m in members) if e]
    if errors:
        raise ValidationError({"members": errors})
    now = timezone.now()
    days = valid_days if valid_days is not None else settings.SANGKIEN_INVITATION_DAYS
    if days < 1:
        raise ValidationError({"valid_days": _("An invitation is valid for at least one day.")})
    expires = now + dt.timedelta(days=days)
    Invitation.objects.filter(member__in=[m.pk for m in members]).usable(now).update(revoked_at=now)
    issued = []
    for member in members:
        code = _readable_code(CODE_LENGTH)
        invitation = Invitation.objects.create(
            member=member,
            code_hash=hash_token(code),
            hint=code[:3],
            created_by=by if getattr(by, "is_authenticated", False) else None,
            expires_at=expires,
        )
        audit.record(
            actor=by,
            action="invitation.create",
            obj=invitation,
            after={"member": member.code, "expires_at": expires},
        )
        issued.append(IssuedInvitation(invitation, format_code(code)))
    return issued


@transaction.atomic
def revoke_invitation(invitation: Invitation, *, by: Any) -> Invitation:
    now = timezone.now()
    if Invitation.objects.filter(pk=invitation.pk).usable(now).update(revoked_at=now):
        invitation.revoked_at = now
        audit.record(
            actor=by,
            action="invitation.revoke",
            obj=invitation,
            before={"member": invitation.member.code},
        )
    return invitation


def find_invitation(raw_code: str) -> Invitation | None:
    code = normalise_code(raw_code)
    if not code:
        return None
    return (
        Invitation.objects.select_related("member__unit").filter(code_hash=hash_token(code)).first()
    )


def facts_match(
    member: Member, *, member_code: str = "", full_name: str = "", birth_date: Any = None
) -> bool:
    """The member code, or the full name together with the date of birth, are the member's
    (a name alone never is enough)."""
    if member_code.strip():
        return nfc(member_code).upper() == member.code.upper()
    if full_name.strip() and birth_date is not None and member.birth_date is not None:
        return fold(full_name) == member.name_folded and birth_date == member.birth_date
    return False


def _bad_code() -> ValidationError:
    return ValidationError(
        {
            "code": ValidationError(
                _("This code is not valid: it is mistyped, already used, revoked or expired."),
                code="invalid_code",
            )
        }
    )


def sign_up(
    *,
    code: str,
    username: str,
    password: str,
    email: str = "",
    member_code: str = "",
    full_name: str = "",
    birth_date: Any = None,
) -> User:
    """A member makes their own account with a one-time code and facts that only the member
    and their union know; the account is linked to the member record and the code is used up.
    Two people using one code at the same moment: one gets the account, the other is told
    the code is used."""
    invitation = find_invitation(code)
    now = timezone.now()
    if invitation is None or not Invitation.objects.filter(pk=invitation.pk).usable(now).exists():
        raise _bad_code()
    member = invitation.member
    if not facts_match(member, member_code=member_code, full_name=full_name, birth_date=birth_date):
        raise ValidationError(
            {
                "__all__": ValidationError(
                    _(
                        "These details do not match the member this code was made for. "
                        "Check the member code, or your full name and date of birth."
                    ),
                    code="mismatch",
                )
            }
        )
    with transaction.atomic():
        # The conditional update is the claim: of two concurrent sign-ups one updates the
        # row, the other finds it used (and everything it wrote is rolled back).
        if not Invitation.objects.filter(pk=invitation.pk).usable(now).update(used_at=now):
            raise _bad_code()
        user = create_user(
            username=username, password=password, email=email, member=member, by=None
        )
        Invitation.objects.filter(pk=invitation.pk).update(used_by=user)
        Invitation.objects.filter(member=member).usable(now).update(revoked_at=now)
        audit.record(
            actor=user,
            action="invitation.use",
            obj=invitation,
            after={"member": member.code, "user": user.username},
        )
    return user
