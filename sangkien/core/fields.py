"""Model fields shared by the apps."""

from __future__ import annotations

from typing import Any

from django.db import models


class BinaryCharField(models.CharField):
    """A CharField compared byte by byte on every database.

    Tree paths and sort keys are ordered and range-scanned by the database; PostgreSQL's
    default collation may follow a locale, so the column is declared with the "C" collation
    there. SQLite compares with BINARY already.
    """

    def db_parameters(self, connection: Any) -> dict[str, Any]:
        params = super().db_parameters(connection)
        if connection.vendor == "postgresql":
            params["collation"] = "C"
        return params
