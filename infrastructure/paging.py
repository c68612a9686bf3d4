"""Keyset paging for any list statement: one page after an opaque cursor, and how many rows the whole list has.

The cursor (infrastructure/cursor.py) holds the last row's values of the sort keys, so a page never shifts when
rows are added before it and never costs an OFFSET scan; the count is one COUNT over the same filtered statement.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any
from uuid import UUID

from sqlalchemy import Connection, Engine, Select, and_, func, literal, or_, select
from sqlalchemy.sql.elements import ColumnElement

from application.queries.filters import Page
from infrastructure.cursor import BadCursor, decode_cursor, encode_cursor

SortKey = tuple[ColumnElement[Any], bool]  # an expression (never NULL: coalesce nullable ones) and "descending"


def keyset_page(conn: Connection, stmt: Select[Any], keys: Sequence[SortKey], limit: int,
                cursor: str | None = None) -> Page:
    """One page of ``stmt`` ordered by ``keys`` after the cursor's row, the next page's cursor and the total."""
    total = int(conn.execute(select(func.count()).select_from(stmt.order_by(None).subquery())).scalar() or 0)
    labelled = stmt.add_columns(*(expr.label(f"_key{i}") for i, (expr, _desc) in enumerate(keys)))
    if cursor:
        labelled = labelled.where(_after(keys, decode_cursor(cursor, len(keys))))
    order = [expr.desc() if descending else expr.asc() for expr, descending in keys]
    rows = [dict(r._mapping) for r in conn.execute(labelled.order_by(*order).limit(limit + 1))]
    more = len(rows) > limit
    rows = rows[:limit]
    names = [f"_key{i}" for i in range(len(keys))]
    next_cursor = encode_cursor([_plain(rows[-1][n]) for n in names]) if more and rows else None
    return Page([{k: v for k, v in row.items() if k not in names} for row in rows], next_cursor, total)


def listed(engine: Engine, stmt: Select[Any], keys: Sequence[SortKey], limit: int, cursor: str | None) -> Any:
    """The rows in the keys' order: a plain list without a cursor (None), one Page with one (``""``: the first)."""
    if cursor is None:
        order = [expr.desc() if descending else expr.asc() for expr, descending in keys]
        with engine.connect() as conn:
            return [dict(r._mapping) for r in conn.execute(stmt.order_by(*order).limit(limit))]
    with engine.connect() as conn:
        return keyset_page(conn, stmt, keys, limit, cursor or None)


def _after(keys: Sequence[SortKey], values: list[Any]) -> ColumnElement[bool]:
    """Rows strictly after the cursor's row in the sort order (mixed directions: one OR branch per key)."""
    bound = [literal(_typed(expr, value), expr.type) for (expr, _desc), value in zip(keys, values, strict=True)]
    branches = []
    for i, (expr, descending) in enumerate(keys):
        equal_before = [keys[j][0] == bound[j] for j in range(i)]
        branches.append(and_(*equal_before, expr < bound[i] if descending else expr > bound[i]))
    return or_(*branches)


def _typed(expr: ColumnElement[Any], value: Any) -> Any:
    """A cursor value (JSON) back in its column's Python type; anything else is a cursor this API did not make."""
    kind = _python_type(expr.type)
    if kind is None:
        return value
    try:
        if value is None or isinstance(value, kind):
            return value
        if kind is UUID:
            return UUID(str(value))
        if kind is datetime:
            return datetime.fromisoformat(str(value))
        if kind is date:
            return date.fromisoformat(str(value))
        if kind in (int, float, str):
            return kind(value)
    except (ValueError, TypeError):
        raise BadCursor("cursor is not valid") from None
    raise BadCursor("cursor is not valid")


def _python_type(sql_type: Any) -> type | None:
    """The Python type a column type holds (a TypeDecorator's is its implementation's), None when unknown."""
    for candidate in (sql_type, getattr(sql_type, "impl_instance", None)):
        try:
            return candidate.python_type if candidate is not None else None
        except NotImplementedError:
            continue
    return None


def _plain(value: Any) -> Any:
    """A sort-key value as JSON keeps it."""
    if isinstance(value, (UUID, date, datetime)):
        return value.isoformat() if not isinstance(value, UUID) else str(value)
    return value
