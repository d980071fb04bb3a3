"""Arithmetic the figures share: percentages to one decimal, rounded half up (a figure is
never a float)."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal


def percent(part: int, whole: int | None) -> Decimal | None:
    """part / whole × 100 with one decimal (half up); None without a whole."""
    if not whole:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"), ROUND_HALF_UP)
