"""Files attached to a draft or a returned initiative."""

from __future__ import annotations

import secrets
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext as _

from sangkien.core import audit
from sangkien.core.errors import ValidationError
from sangkien.text import clean_line

from .. import files, phrases
from ..models import (
    Action,
    Attachment,
    AttachmentKind,
    Initiative,
    Status,
)
from .common import (
    ATTACHING_REFUSED,
    TransitionError,
    _history,
    _lock,
    _user,
)

# -- attachments ---------------------------------------------------------------------------


@transaction.atomic
def add_attachment(
    initiative: Initiative,
    *,
    by: Any,
    upload: UploadedFile,
    kind: str = AttachmentKind.DOCUMENT,
) -> Attachment:
    """Attach a file to a draft or a returned initiative. Its type is read from its bytes and
    must match its name; size and count are limited by the settings. The file is stored
    through Django's default storage under a name of the product's making."""
    initiative = _lock(initiative)
    if initiative.status not in (Status.DRAFT, Status.RETURNED):
        raise TransitionError(str(ATTACHING_REFUSED))
    if kind not in AttachmentKind.values:
        raise ValidationError({"kind": _("Choose what the file is.")})
    name = clean_line(upload.name or "")[:255] or "file"
    limit = settings.SANGKIEN_ATTACHMENT_MAX_BYTES
    if upload.size is not None and upload.size == 0:
        raise ValidationError({"file": _("%(name)s is empty.") % {"name": name}})
    if upload.size is None or upload.size > limit:
        raise ValidationError(
            {
                "file": _("%(name)s is larger than %(limit)s.")
                % {"name": name, "limit": filesizeformat(limit)}
            }
        )
    count = initiative.attachments.filter(removed_at__isnull=True).count()
    if count >= settings.SANGKIEN_ATTACHMENT_MAX_COUNT:
        raise ValidationError(
            {
                "file": _("An initiative carries at most %(n)s files; remove one first.")
                % {"n": settings.SANGKIEN_ATTACHMENT_MAX_COUNT}
            }
        )
    kind_of_file = files.sniff(name, upload)
    if kind_of_file is None:
        raise ValidationError(
            {
                "file": _(
                    "%(name)s is not an accepted file. Attach images (JPG, PNG, WebP), PDF or "
                    "office documents (Word, Excel, PowerPoint, OpenDocument)."
                )
                % {"name": name}
            }
        )
    attachment = Attachment(
        initiative=initiative,
        kind=kind,
        token=secrets.token_hex(16),
        extension=kind_of_file.extension,
        original_name=name,
        content_type=kind_of_file.content_type,
        size=upload.size,
        uploaded_by=_user(by),
    )
    attachment.file.save(name, upload, save=False)
    try:
        attachment.save()
        _history(
            initiative,
            Action.EDITED,
            by=by,
            from_status=initiative.status,
            changed=["attachments"],
            note=phrases.ATTACHED(name=name),
        )
        audit.record(
            actor=by,
            action="initiative.attach",
            obj=initiative,
            after={"attachment": attachment.pk, "name": name, "size": upload.size},
        )
    except Exception:
        # Nothing is half-written: the row failed, so the stored file goes too.
        attachment.file.delete(save=False)
        raise
    return attachment


@transaction.atomic
def remove_attachment(attachment: Attachment, *, by: Any) -> Attachment:
    """Take a file off a draft or returned initiative. The file itself is kept (nothing is
    lost); it no longer shows on the initiative."""
    initiative = _lock(attachment.initiative)
    if initiative.status not in (Status.DRAFT, Status.RETURNED):
        raise TransitionError(_("Files can be removed from a draft or a returned initiative only."))
    attachment = Attachment.objects.select_for_update().get(pk=attachment.pk)
    if attachment.removed_at is None:
        attachment.removed_at = timezone.now()
        attachment.save(update_fields=["removed_at"])
        _history(
            initiative,
            Action.EDITED,
            by=by,
            from_status=initiative.status,
            changed=["attachments"],
            note=phrases.REMOVED(name=attachment.original_name),
        )
        audit.record(
            actor=by,
            action="initiative.detach",
            obj=initiative,
            before={"attachment": attachment.pk, "name": attachment.original_name},
        )
    return attachment
