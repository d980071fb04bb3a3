"""Spreadsheet cells that are never formulas: the one rule every file the product writes
follows (exports, reports, the quota and import templates, the rejected rows of imports).

A spreadsheet takes a cell's text for a formula when it starts with "=", "+", "-" or "@"
(and, once saved as CSV and opened again, after a leading tab or carriage return). The
writers put such text in string cells, and `safe_cell_text` also gives it a leading
apostrophe ("'"), the guard OWASP recommends and the character Excel users type to keep a
cell as text: it survives the file being saved as CSV and opened again, which a string
cell alone does not."""

from __future__ import annotations

from typing import Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
FORMULA_FIRST = frozenset(FORMULA_STARTS)
SAFE_PREFIX = "'"
MAX_CELL_TEXT = 32767  # characters in one cell (Excel's limit)


def starts_formula(text: str) -> bool:
    """Would a spreadsheet read `text` as the start of a formula?"""
    return text[:1] in FORMULA_FIRST


def safe_cell_text(value: Any) -> str:
    """The text a cell gets: never read as a formula, and within Excel's cell limit."""
    text = str(value)
    if starts_formula(text):
        text = SAFE_PREFIX + text
    return text[:MAX_CELL_TEXT]


def unquoted_cell_text(text: str) -> str:
    """What `safe_cell_text` was given, for a file the product wrote coming back (a template
    filled in, the rejected rows corrected): the apostrophe before a formula character goes."""
    if text[:1] == SAFE_PREFIX and starts_formula(text[1:]):
        return text[1:]
    return text
