"""QR codes drawn as inline SVG (posters of units, sign-up cards of members)."""

from __future__ import annotations

from typing import Any

import segno

# Error correction M survives a crease or a smudge.
QR_ERROR = "m"
QR_SVG_OPTIONS: dict[str, Any] = {"scale": 1, "border": 4, "omitsize": True, "dark": "#000"}


def qr_svg(url: str) -> str:
    """The QR code of `url` as an inline <svg> element (sized by CSS)."""
    return segno.make(url, error=QR_ERROR, micro=False).svg_inline(**QR_SVG_OPTIONS)
