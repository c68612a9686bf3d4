"""Rows a projection's batch inserts, held until the batch ends and written with one executemany per table.

An aggregate's events often come together in a batch (a dialogue recorded, then its accounts and actions; an
appraisal opened, then its targets and notes; a rebuild reads thousands at a time). A statement per event cost
several times its row in SQLAlchemy's execution overhead: instead a new row stays in memory while later events of
the same batch change it there, and the batch's new rows are inserted together at its end. Events for rows written
by an earlier batch still update them in SQL, in log order; they never touch a pending row (a pending row is not
in the database yet), so the order of the writes that reach the database does not change what they leave.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from typing import Any

from sqlalchemy import Connection, Executable, Table


class PendingRows:
    """New rows of one batch by table and key, changed in memory until ``flush`` inserts them."""

    def __init__(self) -> None:
        self._tables: dict[Table, dict[Any, dict[str, Any]]] = {}

    def add(self, table: Table, key: Any, row: dict[str, Any]) -> None:
        """Hold a new row (columns not given take their scalar default, else NULL)."""
        self._tables.setdefault(table, {})[key] = row

    def get(self, table: Table, key: Any) -> dict[str, Any] | None:
        """The pending row with this key, to change in place; None when no event of this batch inserted it."""
        rows = self._tables.get(table)
        return None if rows is None else rows.get(key)

    def update(self, conn: Connection, table: Table, key: Any, statement: Executable, values: Mapping[str, Any],
               counters: Mapping[str, int] | None = None, params: Mapping[str, Any] | None = None) -> None:
        """Set ``values`` and add each counter's step on the row with this key: in memory while it is pending, else
        by ``statement``, which must make the same change in SQL (bound as ``b_id`` and ``params``, by default the
        values)."""
        row = self.get(table, key)
        if row is None:
            conn.execute(statement, {"b_id": key, **(values if params is None else params)})
            return
        row.update(values)
        for column, step in (counters or {}).items():
            row[column] += step

    def flush(self, conn: Connection) -> None:
        """Insert every pending row, a statement per table (tables in the order they were first given a row)."""
        for table, rows in self._tables.items():
            if rows:
                blank = _blank_row(table)
                conn.execute(table.insert(), [{**blank, **row} for row in rows.values()])
        self._tables.clear()


@functools.cache
def _blank_row(table: Table) -> dict[str, Any]:
    """Each column's scalar default, else None: what a row inserted without that column would hold."""
    return {c.name: getattr(c.default, "arg", None) if c.default is not None and c.default.is_scalar else None
            for c in table.columns}
