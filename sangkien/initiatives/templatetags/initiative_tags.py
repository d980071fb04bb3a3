"""Template helpers for pages of other apps that link to initiative pages."""

from __future__ import annotations

from typing import Any

from django import template

from sangkien.initiatives.permissions import can_print_poster as _can_print_poster

register = template.Library()


@register.filter
def can_print_poster(user: Any, unit: Any) -> bool:
    """`{% if user|can_print_poster:unit %}`: may the user open the unit's QR poster?"""
    return _can_print_poster(user, unit)
