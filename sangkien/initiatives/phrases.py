"""What the initiatives write for people to read later (notifications, history notes), as
phrases written out in the reader's language when shown (sangkien.core.wording)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from sangkien.core.wording import phrase

from .models import Status

REVIEW_NEW = phrase(
    "initiatives.review_new",
    gettext_lazy("New initiative to review: %(ref)s “%(title)s” (%(unit)s)."),
)
REVIEW_RESUBMITTED = phrase(
    "initiatives.review_resubmitted",
    gettext_lazy("%(ref)s “%(title)s” (%(unit)s) was resubmitted after changes."),
)


def _headline(p: Mapping[str, Any]) -> str:
    return _("Your initiative %(ref)s “%(title)s” is now: %(status)s.") % {
        "ref": p["ref"],
        "title": p["title"],
        "status": str(Status(p["status"]).label).lower(),
    }


def _decided(p: Mapping[str, Any]) -> str:
    # The in-app notification is all most members read: it carries the reason.
    if not p.get("reason"):
        return _headline(p)
    return f"{_headline(p)} {_('Reason: %(reason)s') % {'reason': p['reason']}}"


def _decided_body(p: Mapping[str, Any]) -> str:
    lines = [_headline(p)]
    if p.get("benefit") is not None:
        lines.append(
            _("Validated benefit: %(amount)s đồng (claimed: %(claimed)s đồng).")
            % {
                "amount": formats.number_format(p["benefit"], force_grouping=True),
                "claimed": formats.number_format(p.get("claimed") or 0, force_grouping=True),
            }
        )
    if p.get("reason"):
        lines.append(_("Reason: %(reason)s") % {"reason": p["reason"]})
    return "\n".join(lines)


DECIDED_HEADLINE = phrase("initiatives.decided_headline", _headline)
DECIDED = phrase("initiatives.decided", _decided)
DECIDED_BODY = phrase("initiatives.decided_body", _decided_body)

# History notes the product writes itself (a person's reason is stored as they typed it).
ATTACHED = phrase("initiatives.attached", gettext_lazy("Attached %(name)s"))
REMOVED = phrase("initiatives.removed", gettext_lazy("Removed %(name)s"))


def _imported(p: Mapping[str, Any]) -> str:
    note = _("Imported from %(file)s") % {"file": p["file"]}
    text = _("%(note)s, row %(n)s.") % {"note": note, "n": p["row"]}
    if p.get("note"):
        text += " " + _("Note in the file: %(note)s") % {"note": p["note"]}
    return text


IMPORTED = phrase("initiatives.imported", _imported)


BULK_DECISION_TITLE = phrase(
    "initiatives.bulk_decision",
    lambda p: _("Bulk decision on %(n)s initiatives") % {"n": formats.number_format(p["n"])},
)
