"""The titles of import jobs, written out in the reader's language (sangkien.core.wording)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.utils.translation import gettext as _

from sangkien.core.wording import phrase

from .forms import KIND_LABELS


def _kind(p: Mapping[str, Any]) -> str:
    return str(KIND_LABELS.get(p["kind"], p["kind"]))


CHECK_TITLE = phrase(
    "imports.check",
    lambda p: _("Check of %(file)s (%(kind)s)") % {"file": p["file"], "kind": _kind(p)},
)
IMPORT_TITLE = phrase(
    "imports.import",
    lambda p: _("Import of %(file)s (%(kind)s)") % {"file": p["file"], "kind": _kind(p)},
)
