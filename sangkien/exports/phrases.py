"""The titles of export jobs, written out in the reader's language (sangkien.core.wording)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.utils.formats import number_format
from django.utils.translation import gettext as _

from sangkien.core.wording import phrase


def _export_title(p: Mapping[str, Any]) -> str:
    values = {
        "rows": number_format(p.get("rows") or 0, use_l10n=True, force_grouping=True),
        "unit": p.get("unit") or "",
    }
    kind = p.get("kind")
    if kind == "members":
        return _("Members of %(unit)s to Excel (%(rows)s rows)") % values
    if kind == "units":
        return _("Units of %(unit)s to Excel (%(rows)s rows)") % values
    if kind == "figures":
        return _("Figures of %(unit)s to Excel") % values
    if values["unit"]:
        return _("Initiatives of %(unit)s to Excel (%(rows)s rows)") % values
    return _("Initiatives to Excel (%(rows)s rows)") % values


EXPORT_TITLE = phrase("exports.title", _export_title)
