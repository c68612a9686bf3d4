"""Rows a projection's batch inserts or changes, held until the batch ends and written with one executemany per table.

An aggregate's events often come together in a batch (a dialogue recorded, then its accounts and actions; an
appraisal opened, then its targets and notes; a rebuild reads thousands at a time). A statement per event cost
several times its row in SQLAlchemy's execution overhead (and a round trip each on PostgreSQL): instead a new row
stays in memory while later events of the same batch change it there, and the batch's new rows are inserted
together at its end. A large batch (a rebuild, a worker catching up) also reads the rows its events change that
earlier batches wrote (``load``: one statement per table), changes them in memory and writes them back together at
its end; in a live ledger an appraisal's events lie months apart, so nearly every change of a rebuild is to such a
row. A small batch (a command's own events) updates those rows in SQL, in log order, one statement each: reading
them first would cost more. A row is either new in the batch or read by ``load`` or neither, never two of these, so
the order of the writes that reach the database does not change what they leave.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy import Column, Connection, Executable, Table, bindparam, select

from infrastructure.prepared import Prepared, execute, insert_many

LOAD_FROM = 64  # events in a batch from which the rows it changes are read first and written back together
KEYS_AT_ONCE = 500  # keys per statement reading rows: within every database's limit on bound parameters


class PendingRows:
    """New rows of one batch by table and key, changed in memory until ``flush`` inserts them."""

    def __init__(self) -> None:
        self._tables: dict[Table, dict[Any, dict[str, Any]]] = {}
        self._loaded: dict[Table, dict[Any, dict[str, Any]]] = {}  # rows read by ``load``, by key
        self._changed: dict[Table, set[Any]] = {}  # the keys of loaded rows changed since

    def load(self, conn: Connection, table: Table, keys: Iterable[Any]) -> None:
        """Read the rows of ``table`` (keyed by one column) with these keys, to change them in memory (``update``)
        and write them back at the end (``flush``); keys without a row (not written yet) are left out."""
        key = _key_column(table)
        loaded = self._loaded.setdefault(table, {})
        wanted = sorted(k for k in set(keys) if k not in loaded and k is not None)
        for start in range(0, len(wanted), KEYS_AT_ONCE):
            for row in _select_of(table).all(conn, {"keys": wanted[start:start + KEYS_AT_ONCE]}):
                loaded[row[key.name]] = row

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
            row = self._loaded.get(table, {}).get(key)
            if row is None:
                execute(conn, statement, {"b_id": key, **(values if params is None else params)})
                return
            self._changed.setdefault(table, set()).add(key)
        row.update(values)
        for column, step in (counters or {}).items():
            row[column] += step

    def flush(self, conn: Connection) -> None:
        """Insert every pending row and write back every loaded row that changed, a statement per table (tables in
        the order they were first given a row)."""
        for table, rows in self._tables.items():
            if rows:
                blank = _blank_row(table)
                insert_many(conn, table, [{**blank, **row} for row in rows.values()])
        for table, keys in self._changed.items():
            loaded = self._loaded[table]
            _write_back(table).execute_many(conn, [{f"v_{name}": value for name, value in loaded[k].items()}
                                                   for k in sorted(keys)])
        self._tables.clear()
        self._loaded.clear()
        self._changed.clear()


def _key_column(table: Table) -> Column[Any]:
    (key,) = table.primary_key.columns  # rows are loaded by a key of one column
    return key


@functools.cache
def _select_of(table: Table) -> Prepared:
    """The rows of the table with the keys bound as ``keys``, built once per table."""
    return Prepared(select(table).where(_key_column(table).in_(bindparam("keys", expanding=True))))


@functools.cache
def _write_back(table: Table) -> Prepared:
    """The update setting every column of the row with the key ``v_<key>`` to ``v_<column>``, built once per
    table."""
    key = _key_column(table)
    return Prepared(table.update().where(key == bindparam(f"v_{key.name}"))
                    .values({c.name: bindparam(f"v_{c.name}") for c in table.columns if c is not key}))



@functools.cache
def _blank_row(table: Table) -> dict[str, Any]:
    """Each column's scalar default, else None: what a row inserted without that column would hold."""
    return {c.name: getattr(c.default, "arg", None) if c.default is not None and c.default.is_scalar else None
            for c in table.columns}
