"""Telling people what happened: an in-app notification always, an email too unless the
user turned emails off. Emails leave only after the transaction commits.

A notification is stored as a phrase (sangkien.core.wording): the page and the API write it
out in the reader's language when they show it, and each email is written at send time in
its recipient's language (`User.language`)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone, translation

from sangkien.core import wording
from sangkien.core.site import site_url

from .models import Notification

MAX_TEXT = 500


def language_of(user: Any) -> str:
    """The language the product writes to `user` in: their own setting, else the product's."""
    chosen = getattr(user, "language", "") or ""
    return chosen if chosen in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE


def notify(
    users: Iterable[Any], *, text: Any, url: str = "", subject: Any = None, body: Any = None
) -> list[Notification]:
    """`text`, `subject` and `body` are Wordings (written out in each recipient's language,
    and `text` again whenever it is shown), or plain text, lazy strings or callables taking
    no argument, rendered once per recipient's language and stored as they read then."""
    recipients = {u.pk: u for u in users if u is not None and u.is_active}
    if not recipients:
        return []
    code, params = wording.as_stored(text)
    made = Notification.objects.bulk_create(
        [
            Notification(
                user=u,
                text=_render(text, language_of(u))[:MAX_TEXT],
                code=code,
                params=params,
                url=url,
            )
            for u in recipients.values()
        ]
    )
    mailed = [u for u in recipients.values() if u.email and u.email_notifications]
    if mailed:
        link = f"\n\n{site_url()}{url}" if url else ""

        def _send() -> None:
            for user in mailed:
                language = language_of(user)
                message = _render(text, language)[:MAX_TEXT]
                mail_subject = _render(subject, language) if subject is not None else message
                mail_body = _render(body, language) if body is not None else message
                send_mail(mail_subject, mail_body + link, None, [user.email], fail_silently=True)

        transaction.on_commit(_send)
    return made


def _render(value: Any, language: str) -> str:
    with translation.override(language):
        return str(value() if callable(value) and not isinstance(value, wording.Wording) else value)


def mark_read(user: Any, ids: Iterable[int] | None = None) -> int:
    qs = Notification.objects.filter(user=user).unread()
    if ids is not None:
        qs = qs.filter(pk__in=list(ids))
    return qs.update(read_at=timezone.now())
