"""In-app notifications; the same event may also go out by email (see services)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from sangkien.core import wording


class NotificationQuerySet(models.QuerySet["Notification"]):
    def unread(self) -> NotificationQuerySet:
        return self.filter(read_at__isnull=True)


class Notification(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    # The message is written out when it is shown, in the reader's language, from its phrase
    # (`code`, `params`: sangkien.core.wording). `text` is the message as it read when it was
    # made, in the recipient's language: what rows made before phrases existed show.
    text = models.CharField(_("message"), max_length=500)
    code = models.CharField(max_length=64, blank=True, default="", db_default="")
    params = models.JSONField(default=dict, blank=True, db_default={})
    url = models.CharField(_("link"), max_length=255, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        indexes = [
            models.Index(fields=["user", "read_at", "id"], name="notification_user_unread"),
            models.Index(fields=["user", "-id"], name="notification_user_newest"),
        ]
        ordering = ["-id"]

    def __str__(self) -> str:
        return self.text

    @property
    def message(self) -> str:
        """The message in the active language."""
        return wording.render(self.code, self.params, fallback=self.text)
