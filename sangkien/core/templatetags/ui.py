"""Small template helpers shared by every page: money, navigation, the current path."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.formats import number_format
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

register = template.Library()


@register.filter
def vnd(value: Any) -> str:
    """Money in whole dong: "1.500.000 ₫" in Vietnamese, "1,500,000 VND" in English."""
    if value is None or value == "":
        return ""
    try:
        amount = int(value)
    except (TypeError, ValueError):
        return str(value)
    text = number_format(amount, decimal_pos=0, use_l10n=True, force_grouping=True)
    if (get_language() or "vi").startswith("vi"):
        return f"{text}\u00a0₫"
    return f"{text}\u00a0VND"


@register.simple_tag(takes_context=True)
def current(context: Any, prefix: str) -> str:
    """`aria-current="page"` when the request path starts with `prefix`."""
    request = context.get("request")
    if request is not None and request.path.startswith(prefix):
        return mark_safe('aria-current="page"')  # noqa: S308 - a constant
    return ""


@register.filter
def person(user: Any) -> str:
    """A user's name in Vietnamese order (family, middle, given), else the username."""
    if user is None:
        return ""
    name = f"{user.last_name} {user.first_name}".strip()
    return name or user.username


PRODUCT = "Sáng kiến"


@register.filter(is_safe=True)
def page_title(value: Any) -> str:
    """The document title: "<page> · Sáng kiến", or the product's name alone when the page
    has no title of its own (or its title is the product's name)."""
    text = str(value or "").strip()
    if not text or text == PRODUCT:
        return PRODUCT
    return f"{text} · {PRODUCT}"


@register.filter
def has_required(form: Any) -> bool:
    """Does the form show a field with the required mark (*)? Then it explains the mark."""
    fields = getattr(form, "fields", {}) or {}
    return any(
        (f.required or getattr(f, "required_mark", False)) and not f.widget.is_hidden
        for f in fields.values()
    )
