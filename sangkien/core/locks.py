"""A database busy with another writer: recognised, waited for a bounded number of times,
and otherwise told in words (never a raw "database is locked").

SQLite lets one writer at a time; the others wait up to the busy timeout (settings: 20 s)
and then fail with `OperationalError("database is locked")`. PostgreSQL reports a lock
that waited too long (`lock_timeout`) or a deadlock the same way. The work that met it was
rolled back (a transaction that fails is undone whole), so doing it again is safe for the
writes the project makes (services are atomic, import batches idempotent)."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import TypeVar

from django.db import OperationalError, connection
from django.utils.translation import gettext as _

logger = logging.getLogger("sangkien.locks")

T = TypeVar("T")

# How many times work that met a busy database is tried in all, and the first wait between
# two tries (doubled each time).
ATTEMPTS = 3
FIRST_WAIT = 0.5

_LOCK_WORDS = (
    "database is locked",
    "database table is locked",
    "database is busy",
    "lock timeout",
    "could not obtain lock",
    "deadlock detected",
    "could not serialize access",
)


def is_lock_error(exc: BaseException) -> bool:
    """Whether `exc` says the database was busy with another writer (not a broken query)."""
    if not isinstance(exc, OperationalError):
        return False
    text = " ".join(str(a) for a in exc.args).lower()
    return any(words in text for words in _LOCK_WORDS)


def busy_message() -> str:
    return _(
        "The database is busy with other work (a large import, perhaps). Nothing was saved: "
        "wait a moment and try again."
    )


class DatabaseBusy(Exception):
    """The database stayed busy through every try; `message` is the translated text."""

    def __init__(self, message: str | None = None) -> None:
        self.message = message or busy_message()
        super().__init__(self.message)


def retry_on_lock(
    work: Callable[[], T],
    *,
    attempts: int = ATTEMPTS,
    wait: float = FIRST_WAIT,
    what: str = "work",
) -> T:
    """Run `work()`; when it fails because the database is busy, wait and run it again, at
    most `attempts` times in all; then raise DatabaseBusy. Inside a transaction of the
    caller's nothing is retried (the caller's transaction is broken: it must be redone
    whole), the error goes up as it is."""
    for attempt in range(1, attempts + 1):
        try:
            return work()
        except OperationalError as exc:
            if not is_lock_error(exc) or connection.in_atomic_block:
                raise
            if attempt == attempts:
                logger.warning("%s: the database stayed busy after %s tries", what, attempts)
                raise DatabaseBusy() from exc
            logger.info("%s: the database is busy (try %s of %s)", what, attempt, attempts)
            time.sleep(wait * 2 ** (attempt - 1))
    raise AssertionError("unreachable")  # pragma: no cover


# -- the unit tree's lock ----------------------------------------------------------------------

# One advisory lock for the whole unit tree (PostgreSQL). A reorganisation (a move, merge,
# split or dissolution, a new unit, a rename) holds it alone; every writer of the figures or
# of the units' member counts (submissions, decisions, withdrawals, reopenings, new and
# edited initiatives, member changes, import batches) holds it shared. Each takes it first,
# before any row lock, so the two kinds queue at this one lock and never hold rows the other
# waits for: a reorganisation rewrites the paths of a subtree and the figures of its
# ancestors while no submission is half way through the same rows (which deadlocked). Shared
# holders do not wait for each other. On SQLite every transaction starts IMMEDIATE (settings),
# holding the one write lock from its first statement: writers are already serialised.
TREE_LOCK = 7_362_516_040_001


def hold_tree(*, exclusive: bool = False) -> None:
    """Take the unit tree's lock until the end of the current transaction: shared (writers of
    figures and member counts) or `exclusive` (reorganisations). Call it first in the
    transaction; taking it again is harmless. Outside a transaction it is an error."""
    if connection.vendor != "postgresql":
        return
    if not connection.in_atomic_block:
        raise RuntimeError("hold_tree() needs a transaction")
    function = "pg_advisory_xact_lock" if exclusive else "pg_advisory_xact_lock_shared"
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {function}(%s)", [TREE_LOCK])
