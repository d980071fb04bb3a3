"""Adding counters to aggregate rows in one statement (INSERT … ON CONFLICT DO UPDATE), on
SQLite and PostgreSQL alike."""

from __future__ import annotations

from collections.abc import Sequence

from django.db import connection


def upsert(
    table: str, keys: Sequence[str], counters: Sequence[str], rows: list[tuple], returning: str = ""
) -> list[tuple]:
    """Add `rows` (keys..., counters...) to the table's rows, inserting missing ones, in one
    statement; rows are written in key order so that concurrent writers lock alike."""
    if not rows:
        return []
    rows = sorted(rows)
    cols = [*keys, *counters]
    qn = connection.ops.quote_name
    values = ", ".join(["(" + ", ".join(["%s"] * len(cols)) + ")"] * len(rows))
    sets = ", ".join(f"{qn(c)} = {qn(table)}.{qn(c)} + excluded.{qn(c)}" for c in counters)
    # Names come from this module only; every value is a parameter.
    sql = (
        f"INSERT INTO {qn(table)} ({', '.join(qn(c) for c in cols)}) VALUES {values} "  # noqa: S608
        f"ON CONFLICT ({', '.join(qn(k) for k in keys)}) DO UPDATE SET {sets}"
    )
    if returning:
        sql += f" RETURNING {returning}"
    params = [v for row in rows for v in row]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall() if returning else []
