"""The materialised paths of the unit tree, as plain strings: a unit's path starts with the
path of each of its ancestors (see sangkien.orgs.models)."""

from __future__ import annotations


def minimal_paths(paths: list[str]) -> list[str]:
    """Drop paths already covered by an ancestor path in the list."""
    out: list[str] = []
    for p in sorted(set(paths)):
        if not out or not p.startswith(out[-1]):
            out.append(p)
    return out
