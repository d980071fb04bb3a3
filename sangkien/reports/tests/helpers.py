"""What the reports' tests share: the expected figures of the world in conftest, and readers."""

from __future__ import annotations

import datetime as dt
import io
import unicodedata
from typing import Any

from django.utils import translation
from django.utils.translation import gettext
from pypdf import PdfReader

from sangkien.orgs import services as orgs


def new_grassroots(parent, code: str, name: str):
    return orgs.create_unit(
        code=code,
        name=name,
        kind="grassroots",
        parent=parent,
        by=None,
        founded_on=dt.date(2000, 1, 1),
    )


# The children of TH-KCN as the table lists them: by rank, ties in the tree's order.
CHILDREN: list[tuple[Any, ...]] = [
    # STT, name, quota, submitted, valid, % of quota, members, validated benefit, rank
    (1, "Công đoàn Công ty CP Giày Sao Vàng", 4, 4, 3, "75.0", 1, 175_000_000, 1),
    (2, "Công đoàn Công ty TNHH Dệt Đông Sơn", 10, 2, 1, "10.0", 1, 1_234_567, 2),
    (3, "Công đoàn Công ty TNHH Điện tử Bỉm Sơn", None, 1, 1, None, 1, 40_000_000, 2),
    (4, "Công đoàn Công ty TNHH Thương mại Nguyễn Hưởng", None, 0, 0, None, 0, 0, 4),
]
# The total row: TH-KCN's own figures against the 14 it gave out.
TOTAL = (14, 7, 5, "35.7", 3, 216_234_567)
# TH-KCN's figures.
FIGURES: dict[str, Any] = {
    "initiatives_submitted": 7,
    "initiatives_valid": 5,
    "initiatives_pending": 1,
    "initiatives_invalid": 1,
    "participating_members": 3,
    "participating_units": 3,
    "benefit_claimed_vnd": 516_234_567,
    "benefit_valid_vnd": 216_234_567,
    "quota": 20,
    "quota_percent": "25.0",
}


def vi(msgid: str) -> str:
    """A string of the report as Vietnamese users read it (from the catalogue)."""
    with translation.override("vi"):
        return gettext(msgid)


def vi_number(n: int) -> str:
    return f"{n:,}".replace(",", ".")


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def pdf_text(data: bytes) -> str:
    reader = PdfReader(io.BytesIO(data))
    return nfc("\n".join(page.extract_text() for page in reader.pages))


def pdf_pages(data: bytes) -> list[str]:
    reader = PdfReader(io.BytesIO(data))
    return [nfc(page.extract_text()) for page in reader.pages]
