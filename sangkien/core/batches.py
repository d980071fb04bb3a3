"""Long lists of ids in queries: SQLite takes at most 999 parameters a statement, so an
`id IN (...)` over more ids is asked in chunks (PostgreSQL does not need it, and costs
nothing more for it)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Any, TypeVar

T = TypeVar("T")
# Ids a statement may hold, with room left for its other parameters.
IN_LIMIT = 900


def chunks(items: Iterable[T], size: int = IN_LIMIT) -> Iterator[list[T]]:
    """`items` in lists of at most `size`, in their order."""
    items = list(items)
    for start in range(0, len(items), size):
        yield items[start : start + size]


def rows_in_chunks(
    ids: Iterable[int], query: Callable[[list[int]], Iterable[Any]], size: int = IN_LIMIT
) -> Iterator[Any]:
    """The rows `query(chunk)` answers for each chunk of `ids` (in id order)."""
    for chunk in chunks(sorted(ids), size):
        yield from query(chunk)
