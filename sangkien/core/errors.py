"""Errors the services raise, understood by the web views, the API and the commands."""

from __future__ import annotations

from django.core.exceptions import ValidationError


class ConflictError(Exception):
    """Somebody else changed the object since the caller read it; nothing was written."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


__all__ = ["ConflictError", "ValidationError"]
