"""The limit on guessing: every way in that checks a password (the site's login, the Django
admin's login, anything else calling Django's `authenticate`) and the sign-up codes.

Attempts are counted in `LoginAttempts` rows, one per counter, each in its own window
(`LOGIN_FAILURE_WINDOW` seconds from its first attempt):

- per account, whatever the spelling of the identifier: username, email address and every
  way of writing the phone number resolve to the account first (an identifier that is no
  account is counted in its normalised form). `LOGIN_MAX_FAILURES` attempts in the window,
  then the account answers "too many attempts" to everybody until the window ends;
- per address, with a much higher limit (`LOGIN_MAX_FAILURES_PER_ADDRESS`): it slows one
  machine trying one password on many accounts, while an office whose hundred people sit
  behind one NAT address is not locked out by a few of them mistyping.

An attempt is reserved before the password is checked, atomically (the rows are locked,
`SELECT … FOR UPDATE` on PostgreSQL, SQLite's single writer), so parallel attempts cannot
check more passwords than the limit; a successful login clears the account's counter and
gives the address its attempt back.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import ngettext

from sangkien.text import nfc, normalise_phone

from .models import LoginAttempts, User


class Throttled(Exception):
    """Too many attempts; `seconds` until the first counter that is full opens again."""

    def __init__(self, seconds: float) -> None:
        super().__init__(seconds)
        self.seconds = seconds

    @property
    def minutes(self) -> int:
        return max(1, math.ceil(self.seconds / 60))

    @property
    def message(self) -> str:
        return ngettext(
            "Too many failed attempts. Wait %(minutes)d minute and try again.",
            "Too many failed attempts. Wait %(minutes)d minutes and try again.",
            self.minutes,
        ) % {"minutes": self.minutes}


@dataclass(frozen=True)
class Ticket:
    """The attempt reserved on each counter: `account` is the key cleared on success."""

    account: str
    others: tuple[str, ...] = ()


def _window() -> dt.timedelta:
    return dt.timedelta(seconds=settings.LOGIN_FAILURE_WINDOW)


def reserve(counters: Sequence[tuple[str, int]]) -> Ticket:
    """One attempt on every (key, limit) counter, or Throttled (and none is counted) when
    any of them is full. The first counter is the account's."""
    now = timezone.now()
    window = _window()
    keys = sorted({key[:300] for key, _limit in counters})
    with transaction.atomic():
        LoginAttempts.objects.bulk_create(
            [LoginAttempts(key=key, count=0, window_start=now) for key in keys],
            ignore_conflicts=True,
        )
        rows = {
            row.key: row
            for row in LoginAttempts.objects.select_for_update()
            .filter(key__in=keys)
            .order_by("key")
        }
        wait = 0.0
        for key, limit in counters:
            row = rows[key[:300]]
            if now - row.window_start >= window:
                row.count, row.window_start = 0, now
            if row.count >= limit:
                wait = max(wait, (row.window_start + window - now).total_seconds())
        if wait:
            raise Throttled(wait)
        for row in rows.values():
            row.count += 1
            row.save(update_fields=["count", "window_start"])
    first = counters[0][0][:300]
    return Ticket(account=first, others=tuple(k for k in keys if k != first))


def release(ticket: Ticket) -> None:
    """Give the attempt back on every counter (it was no guess: the form was refused for
    another reason)."""
    LoginAttempts.objects.filter(key__in=[ticket.account, *ticket.others], count__gt=0).update(
        count=F("count") - 1
    )


def succeeded(ticket: Ticket) -> None:
    """The right password: the account's counter starts again from zero, the other counters
    get this attempt back (a known account must not reset an address's count)."""
    LoginAttempts.objects.filter(key=ticket.account).delete()
    LoginAttempts.objects.filter(key__in=ticket.others, count__gt=0).update(count=F("count") - 1)
    _forget_old()


def _forget_old() -> None:
    """Drop counters whose window ended long ago (rows another login holds are skipped)."""
    cutoff = timezone.now() - 2 * _window()
    with transaction.atomic():
        stale = list(
            LoginAttempts.objects.select_for_update(skip_locked=True)
            .filter(window_start__lt=cutoff)
            .values_list("pk", flat=True)[:500]
        )
        if stale:
            LoginAttempts.objects.filter(pk__in=stale).delete()


# -- logins ---------------------------------------------------------------------------------


def identifier_key(identifier: str, user: User | None) -> str:
    """The account's counter, or the normalised identifier's when it is no account."""
    if user is not None:
        return f"login:user:{user.pk}"
    text = nfc(identifier or "").lower()
    if "@" not in text:
        phones = phone_forms(text)
        if phones:
            return f"login:phone:{phones[0]}"
    return f"login:name:{text}"


def phone_forms(identifier: str) -> list[str]:
    """The ways the phone number in `identifier` may be stored (0… first), or [] when it is
    no phone number: 0900000003, +84900000003, 84900000003 and 0900 000 003 are one."""
    if not identifier or any(ch.isalpha() for ch in identifier):
        return []
    phone = normalise_phone(identifier)
    if len(phone) < 8:
        return []
    forms = [phone]
    if phone.startswith("84") and len(phone) == 11:
        forms.insert(0, "0" + phone[2:])
    return forms


def client_address(request: Any) -> str:
    if request is None:
        return ""
    return request.META.get("REMOTE_ADDR", "") or "unknown"


def reserve_login(identifier: str, user: User | None, request: Any) -> Ticket:
    counters = [(identifier_key(identifier, user), settings.LOGIN_MAX_FAILURES)]
    address = client_address(request)
    if address:
        counters.append((f"login:addr:{address}", settings.LOGIN_MAX_FAILURES_PER_ADDRESS))
    return reserve(counters)


# The backend leaves the refusal on the request for the form that asked (the site's login
# page, the admin's) to say so instead of "wrong password".
REQUEST_MARK = "_sangkien_login_throttled"


def refusal(request: Any) -> Throttled | None:
    return getattr(request, REQUEST_MARK, None)
