"""Cursor pages for API lists, on top of the project's keyset pagination."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from sangkien.core.pagination import Page, decode_cursor, keyset_page

from .errors import bad_parameter

# Every list is ordered by a binary sort key (Vietnamese order) and the id.
ORDER = ("sort_key", "id")


def page_of(qs: QuerySet[Any], *, cursor: str | None, limit: int) -> Page:
    if cursor:
        values = decode_cursor(cursor)
        if (
            values is None
            or len(values) != len(ORDER)
            or not isinstance(values[0], str)
            or not isinstance(values[1], int)
            or isinstance(values[1], bool)
        ):
            raise bad_parameter("cursor", _("Use the next_cursor of a previous page."))
    return keyset_page(qs, order=ORDER, cursor=cursor, size=limit)
