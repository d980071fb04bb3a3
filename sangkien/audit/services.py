"""Personal data on request (Decree 13/2023 on personal data protection): a member's own
copy of what the site keeps about them, and an administrator's anonymisation of a member.

Anonymising keeps every row that counts (the member, their membership, their authorship of
initiatives) and their ids, so every figure stays exactly what it was; only what names or
reaches the person is replaced or cleared, and the login is closed."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from sangkien.accounts.models import ApiToken, Invitation, RoleGrant
from sangkien.core import audit
from sangkien.core.models import AuditEntry
from sangkien.initiatives.models import Author, Initiative
from sangkien.orgs.models import Member, Membership
from sangkien.text import fold, person_sort_key

from .permissions import PERSONAL_KEYS

# The name an anonymised member gets, kept in the data (Vietnamese, as the records are).
ANONYMOUS_NAME = "Đoàn viên đã ẩn danh #{pk}"
ANONYMISE = "member.anonymise"
REASON_MAX = 1000
OWN_ACTIONS = 1000
# Recorded values that name the person, besides the personal keys.
NAME_KEYS = frozenset({"full_name", "name", "first_name", "last_name", "username"})


def anonymous_name(member: Member) -> str:
    return ANONYMOUS_NAME.format(pk=member.pk)


def is_anonymised(member: Member) -> bool:
    return member.full_name == anonymous_name(member)


def _scrub(state: Any, placeholder: str) -> Any:
    if isinstance(state, dict):
        out: dict[str, Any] = {}
        for key, value in state.items():
            if key in PERSONAL_KEYS:
                out[key] = None
            elif key in NAME_KEYS and isinstance(value, str) and value:
                out[key] = placeholder
            else:
                out[key] = _scrub(value, placeholder)
        return out
    if isinstance(state, list):
        return [_scrub(v, placeholder) for v in state]
    return state


@transaction.atomic
def anonymise_member(member: Member, *, by: Any, reason: str) -> Member:
    """Replace the member's name with a placeholder, clear their date of birth, gender,
    position, phone and email (here, as an author of initiatives, and in the audit log's
    recorded states of the member and their account), close their account (deactivated,
    no password, tokens revoked, names and contact cleared) and revoke their sign-up codes.
    The member, their membership and authorship stay, so the figures do not change. The
    anonymisation is audited with its reason."""
    reason = " ".join((reason or "").split())
    if not reason:
        raise ValidationError({"reason": _("Say why the member is anonymised (the request).")})
    if len(reason) > REASON_MAX:
        raise ValidationError(
            {"reason": _("Keep the reason under %(n)s characters.") % {"n": REASON_MAX}}
        )
    member = Member.objects.select_for_update().select_related("unit").get(pk=member.pk)
    if is_anonymised(member):
        raise ValidationError({"reason": _("This member is already anonymised.")})
    placeholder = anonymous_name(member)
    now = timezone.now()
    member.full_name = placeholder
    member.name_folded = fold(placeholder)[:255]
    member.sort_key = person_sort_key(placeholder)
    member.birth_date = None
    member.gender = ""
    member.position = ""
    member.phone = ""
    member.email = ""
    member.version += 1
    member.save()
    authors = Author.objects.filter(member=member).update(
        name=placeholder, birth_date=None, workplace="", position="", qualification=""
    )
    user = get_user_model().objects.filter(member=member).first()
    if user is not None:
        user.username = f"an-danh-{user.pk}"
        user.first_name = user.last_name = user.email = ""
        user.phone = None
        user.is_active = False
        user.set_unusable_password()
        user.save()
        ApiToken.objects.filter(user=user, revoked_at__isnull=True).update(revoked_at=now)
    Invitation.objects.filter(member=member, used_at__isnull=True, revoked_at__isnull=True).update(
        revoked_at=now
    )
    about = Q(object_type="orgs.member", object_id=str(member.pk))
    if user is not None:
        about |= Q(object_type="accounts.user", object_id=str(user.pk))
    changed = []
    for entry in AuditEntry.objects.filter(about).exclude(action=audit.PERSONAL_DATA_READ):
        entry.before = _scrub(entry.before, placeholder)
        entry.after = _scrub(entry.after, placeholder)
        changed.append(entry)
    AuditEntry.objects.bulk_update(changed, ["before", "after"], batch_size=500)
    audit.record(
        actor=by,
        action=ANONYMISE,
        obj=member,
        after={
            "full_name": placeholder,
            "cleared": ["full_name", "birth_date", "gender", "position", "phone", "email"],
            "authorships": authors,
            "account_closed": user is not None,
        },
        note=reason,
    )
    return member


# -- a member's own data -------------------------------------------------------------------


def _day(value: dt.date | None) -> str | None:
    return value.isoformat() if value else None


def _time(value: dt.datetime | None) -> str | None:
    return timezone.localtime(value).isoformat() if value else None


def own_data(user: Any) -> dict[str, Any]:
    """Everything the site keeps about the signed-in user, as JSON-ready values: their
    account, member record and membership history, the initiatives they are an author of
    or entered, their roles, their API tokens (not the secrets), the audit entries about
    them (who changed or read their data) and their own latest OWN_ACTIONS changes. Logins
    are not kept one by one; the last one is in the account."""
    member = user.member
    data: dict[str, Any] = {
        "generated_at": _time(timezone.now()),
        "account": {
            "username": user.username,
            "first_name": user.first_name,
            "last_name": user.last_name,
            "email": user.email,
            "phone": user.phone,
            "date_joined": _time(user.date_joined),
            "last_login": _time(user.last_login),
            "email_notifications": user.email_notifications,
        },
        "member": None,
        "memberships": [],
        "initiatives": [],
        "roles": [
            {
                "role": g.role,
                "unit": g.unit.code,
                "unit_name": g.unit.name,
                "granted_at": _time(g.granted_at),
            }
            for g in RoleGrant.objects.filter(user=user).select_related("unit").order_by("id")
        ],  # fmt: skip
        "api_tokens": [
            {
                "name": t.name,
                "prefix": t.prefix,
                "created_at": _time(t.created_at),
                "last_used_at": _time(t.last_used_at),
                "expires_at": _time(t.expires_at),
                "revoked_at": _time(t.revoked_at),
            }
            for t in ApiToken.objects.filter(user=user).order_by("id")
        ],  # fmt: skip
    }
    about = Q(object_type="accounts.user", object_id=str(user.pk))
    initiatives = Initiative.objects.filter(entered_by=user)
    if member is not None:
        data["member"] = {
            "code": member.code,
            "full_name": member.full_name,
            "birth_date": _day(member.birth_date),
            "gender": member.gender,
            "position": member.position,
            "phone": member.phone,
            "email": member.email,
            "unit": member.unit.code,
            "unit_name": member.unit.name,
            "joined_on": _day(member.joined_on),
            "left_on": _day(member.left_on),
        }
        data["memberships"] = [
            {"unit": m.unit.code, "unit_name": m.unit.name, "from": _day(m.started_on),
             "until": _day(m.ended_on), "reason": m.reason}
            for m in Membership.objects.filter(member=member).select_related("unit")
            .order_by("started_on", "id")
        ]  # fmt: skip
        about |= Q(object_type="orgs.member", object_id=str(member.pk))
        initiatives = initiatives | Initiative.objects.filter(authors__member=member)
    shares = {a.initiative_id: a for a in Author.objects.filter(member=member)} if member else {}
    for i in initiatives.distinct().select_related("campaign", "unit").order_by("id"):
        author = shares.get(i.pk)
        data["initiatives"].append(
            {
                "number": i.pk,
                "title": i.title,
                "campaign": i.campaign.code,
                "unit": i.unit.code,
                "status": i.status,
                "submitted_at": _time(i.submitted_at),
                "benefit_claimed_vnd": i.benefit_claimed_vnd,
                "benefit_valid_vnd": i.benefit_valid_vnd,
                "my_share": str(author.share) if author else None,
                "entered_by_me": i.entered_by_id == user.pk,
            }
        )

    def entry(e: AuditEntry) -> dict[str, Any]:
        return {"at": _time(e.at), "action": e.action, "object_type": e.object_type,
                "object_id": e.object_id, "before": e.before, "after": e.after,
                "note": e.note}  # fmt: skip

    data["audit_about_me"] = [
        entry(e) for e in AuditEntry.objects.filter(about).order_by("-at", "-id")
    ]
    data["audit_by_me"] = [
        entry(e) for e in AuditEntry.objects.filter(actor=user).order_by("-at", "-id")[:OWN_ACTIONS]
    ]
    return data
