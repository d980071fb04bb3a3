"""What every import shares: the kinds, the outcome of a row, the summary of a run, a row's
cells kept as JSON, the file's digest and the audit entry of an applied import."""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sangkien.campaigns.models import Campaign
from sangkien.core.models import AuditEntry

KINDS = ("units", "members", "initiatives")
IMPORTED, UPDATED, SKIPPED, REJECTED = "imported", "updated", "skipped", "rejected"
# Rows per batch: checked against the database together, kept together, written in one
# short transaction (with the figures moved once for every unit the batch touches).
BATCH = 2_000

logger = logging.getLogger("sangkien.imports")
EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


class ImportRefused(Exception):
    """The import as a whole cannot run (a closed campaign, a kind the user may not import);
    nothing was read or written."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class _Rollback(Exception):
    """Leaves the import's transaction without writing anything."""


@dataclass(slots=True)
class Outcome:
    number: int  # the sheet's own row number
    status: str
    message: str = ""
    label: str = ""  # what the row is about: a title, a name
    ref: str = ""  # the code or reference of what the row made or found
    cells: list[Any] | None = None  # kept for rejected rows (the errors file)


@dataclass
class Summary:
    kind: str
    filename: str
    sheet: str | None = None
    headers: list[str] = field(default_factory=list)
    outcomes: list[Outcome] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # of the file as a whole (hidden columns)
    dry_run: bool = False
    accept_valid: bool = False
    applied: bool = False
    encoding: str | None = None
    # The write transactions of the run: how many, their total and the longest (seconds),
    # what other writers may have waited for.
    writes: int = 0
    write_seconds: float = 0.0
    longest_write: float = 0.0

    def count(self, status: str) -> int:
        return sum(1 for o in self.outcomes if o.status == status)

    def as_json(self) -> dict[str, Any]:
        """The one-line summary of DESIGN.md: the rows and what each did (or, when nothing
        was written, would do), and whether it was written."""
        return {
            "rows": len(self.outcomes),
            "imported": self.count(IMPORTED),
            "updated": self.count(UPDATED),
            "rejected": self.count(REJECTED),
            "skipped": self.count(SKIPPED),
            "applied": self.applied,
        }

    @property
    def rejected(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.status == REJECTED]


Progress = Callable[[int, int, str], None]


def _cell_json(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, dt.datetime):
        return {"dt": value.isoformat()}
    if isinstance(value, dt.date):
        return {"d": value.isoformat()}
    return str(value)


def _cell_value(value: Any) -> Any:
    if isinstance(value, dict):
        if "dt" in value:
            return dt.datetime.fromisoformat(value["dt"])
        if "d" in value:
            return dt.date.fromisoformat(value["d"])
    return value


def outcome_json(o: Outcome) -> list[Any]:
    cells = [_cell_json(c) for c in o.cells] if o.cells is not None else None
    return [o.number, o.status, o.message, o.label, o.ref, cells]


def outcome_of(data: list[Any]) -> Outcome:
    number, status, message, label, ref, cells = data
    if cells is not None:
        cells = [_cell_value(c) for c in cells]
    return Outcome(number, status, message, label=label, ref=ref, cells=cells)


def _day(value: str | None) -> dt.date | None:
    return dt.date.fromisoformat(value) if value else None


def _iso(value: dt.date | None) -> str | None:
    return value.isoformat() if value else None


def source_digest(source: Any) -> str:
    digest = hashlib.sha256()
    if isinstance(source, bytes | bytearray):
        digest.update(source)
    elif hasattr(source, "read"):
        position = source.tell() if hasattr(source, "tell") else None
        if position is not None:
            source.seek(0)
            for chunk in iter(lambda: source.read(1 << 20), b""):
                digest.update(chunk)
            source.seek(position)
    else:
        with open(source, "rb") as fh:
            for chunk in iter(lambda: fh.read(1 << 20), b""):
                digest.update(chunk)
    return digest.hexdigest()


class ImportRecord:
    """One audit entry per applied import: who, which file, what it did."""

    def __init__(self, summary: Summary, user: Any, campaign: Campaign | None, digest: str):
        self.summary, self.user, self.campaign, self.digest = summary, user, campaign, digest

    def save(self) -> None:
        actor = self.user if getattr(self.user, "is_authenticated", False) else None
        AuditEntry.objects.create(
            actor=actor,
            action=f"import.{self.summary.kind}",
            object_type="imports.file",
            object_id=self.digest[:64],
            after={
                **self.summary.as_json(),
                "file": self.summary.filename,
                "sheet": self.summary.sheet,
                "campaign": self.campaign.code if self.campaign else None,
            },
        )
