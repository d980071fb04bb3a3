"""Text stored as a code and its parameters, written out when it is shown, in the language of
whoever reads it: notifications, the titles of background jobs, the notes the product writes
in an initiative's history.

An app declares its phrases in a `phrases` module (found the first time one is written out):

    REVIEW_NEW = phrase("initiatives.review_new", gettext_lazy("New initiative: %(ref)s."))

and stores `REVIEW_NEW(ref="SK-1")`, a `Wording` (its `code` and `params` go in two columns).
A phrase whose parameters need words of their own (a status, an amount) takes a function
that receives the parameters and returns the text in the active language.

Rows written before a phrase existed, or whose code is no longer known, keep the text that
was written at the time (the `fallback`)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.utils import translation
from django.utils.functional import Promise
from django.utils.module_loading import autodiscover_modules

Renderer = Callable[[Mapping[str, Any]], str]

_phrases: dict[str, Renderer] = {}
_discovered = False


@dataclass(frozen=True)
class Wording:
    """A phrase's code and the JSON parameters it is written out with."""

    code: str
    params: dict[str, Any] = field(default_factory=dict)

    def __str__(self) -> str:
        return render(self.code, self.params)

    def in_language(self, language: str) -> str:
        with translation.override(language):
            return str(self)


@dataclass(frozen=True)
class Phrase:
    code: str

    def __call__(self, **params: Any) -> Wording:
        return Wording(self.code, params)


def phrase(code: str, text: Promise | Renderer) -> Phrase:
    """Declare the phrase `code`: a lazy text with %(name)s parameters, or a function of the
    parameters. Declaring the same code twice is a programming error."""
    if code in _phrases:
        raise ValueError(f"the phrase {code!r} is declared twice")
    if callable(text) and not isinstance(text, Promise):
        _phrases[code] = text
    else:
        template = text
        _phrases[code] = lambda params: str(template) % dict(params)
    return Phrase(code)


def _discover() -> None:
    global _discovered
    if not _discovered:
        _discovered = True
        autodiscover_modules("phrases")


def is_known(code: str) -> bool:
    _discover()
    return code in _phrases


def render(code: str, params: Mapping[str, Any] | None, fallback: str = "") -> str:
    """The phrase `code` in the active language; `fallback` when there is no code, the code
    is unknown or its parameters do not fit (a phrase changed since the row was written)."""
    if not code:
        return fallback
    _discover()
    renderer = _phrases.get(code)
    if renderer is None:
        return fallback
    try:
        return renderer(params or {})
    except (KeyError, TypeError, ValueError):
        return fallback


def as_stored(value: Any) -> tuple[str, dict[str, Any]]:
    """The (code, params) to store for `value`: a Wording's, else no code."""
    if isinstance(value, Wording):
        return value.code, dict(value.params)
    return "", {}
