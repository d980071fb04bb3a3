"""Telling people what happened: an in-app notification always, an email too unless the
user turned emails off. Emails leave only after the transaction commits."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone, translation

from sangkien.core.site import site_url

from .models import Notification


def notify(
    users: Iterable[Any], *, text: Any, url: str = "", subject: Any = None, body: Any = None
) -> list[Notification]:
    """`text`, `subject` and `body` are callables taking no argument (or lazy strings): they
    are rendered in Vietnamese, the product's language, whatever the sender's language is."""
    recipients = {u.pk: u for u in users if u is not None and u.is_active}
    if not recipients:
        return []
    with translation.override(settings.LANGUAGE_CODE):
        message = _render(text)[:500]
        mail_subject = _render(subject) if subject is not None else message
        mail_body = _render(body) if body is not None else message
    made = Notification.objects.bulk_create(
        [Notification(user=u, text=message, url=url) for u in recipients.values()]
    )
    addresses = [u.email for u in recipients.values() if u.email and u.email_notifications]
    if addresses:
        link = f"\n\n{site_url()}{url}" if url else ""

        def _send() -> None:
            for address in addresses:
                send_mail(mail_subject, mail_body + link, None, [address], fail_silently=True)

        transaction.on_commit(_send)
    return made


def _render(value: Any) -> str:
    return str(value() if callable(value) else value)


def mark_read(user: Any, ids: Iterable[int] | None = None) -> int:
    qs = Notification.objects.filter(user=user).unread()
    if ids is not None:
        qs = qs.filter(pk__in=list(ids))
    return qs.update(read_at=timezone.now())
