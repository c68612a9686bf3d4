"""Keyset paging for any list statement: one page after an opaque cursor, and how many rows the whole list has.

The cursor (infrastructure/cursor.py) holds the last row's values of the sort keys, so a page never shifts when
rows are added before it and never costs an OFFSET scan; the count is one COUNT over the same filtered statement,
read in the page's own statement as a scalar subquery (evaluated once; a statement of its own was one more round
trip to PostgreSQL per page, and the page and its count now read one state).

The limit and the cursor's values are bound parameters, so a list statement built once (its filter values bound
too: ``params``) gives the same three derived statements every time; they are kept, and SQLAlchemy then finds
their compiled form by the cache key it memoized on them instead of walking the statement on every request.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from uuid import UUID

from sqlalchemy import (
    Connection,
    Engine,
    Integer,
    Select,
    Subquery,
    and_,
    bindparam,
    func,
    or_,
    select,
    tuple_,
    union_all,
)
from sqlalchemy.sql.elements import BindParameter, ColumnElement, Label

from application.queries.filters import Page
from infrastructure.cursor import BadCursor, decode_cursor, encode_cursor
from infrastructure.prepared import NotPreparable, Prepared

SortKey = tuple[ColumnElement[Any], bool]  # an expression (never NULL: coalesce nullable ones) and "descending"


@dataclass(frozen=True)
class _Derived:
    """The statements one list statement pages with: its count, its first page and a page after a cursor; a row
    answers with its first ``width`` columns (the list's, or those ``rows_of`` reads); the sort keys are at
    ``key_at``, and the first page's rows end with the total when it counts."""

    count: Select[Any]
    first: Select[Any]
    after: Select[Any]
    width: int
    key_at: tuple[int, ...]  # where each sort key's value is in a row
    # the first page's rows end with the count of the whole list as a window count; otherwise every page's rows end
    # with it as a scalar subquery
    total_in_first: bool
    # first, after and count compiled once (statements built once only); emptied if one cannot be prepared
    prepared: list[Prepared] = field(default_factory=list)


# (list statement's id, how it pages) -> (the statement, its derived statements); only statements built once are
# kept (``params``), and with them what they page with (the extra columns and the count are built once too)
_DERIVED: dict[tuple[int, bool, int, int, int], tuple[Select[Any], _Derived]] = {}
_KEPT = 1024  # more shapes than this means statements are not built once: forget them all
Rows = Callable[[Subquery], Select[Any]]  # a page of the list (a subquery) -> the rows to answer with


def keyset_page(conn: Connection, stmt: Select[Any], keys: Sequence[SortKey], limit: int,
                cursor: str | None = None, params: dict[str, Any] | None = None,
                count: Select[Any] | None = None, rows_of: Rows | None = None, total_in_page: bool = False,
                kept_total: Select[Any] | None = None) -> Page:
    """One page of ``stmt`` ordered by ``keys`` after the cursor's row, the next page's cursor and the total.
    ``params``: the values of ``stmt``'s bound parameters (the statement is then built once and its paging
    statements kept); ``count``: a cheaper statement giving the same number of rows as ``stmt``, to count;
    ``rows_of``: the rows to answer with, selected from the page (given as a subquery of ``stmt``'s rows): the
    list statement can then select just its sort keys and id, and what is costly to read or compute (whole rows,
    names, per-row counts) is read for the page's rows only; ``total_in_page``: the first page counts the list as it reads it (one statement instead of two; for
    lists whose every row is read to sort them anyway, such as a supervisor's scoped ones, never for a list an
    index gives in order); ``kept_total``: a statement whose one value is the list's total, read instead of counting
    (a count kept in a read model: a count costs every row of the list)."""
    derived = _derive(stmt, keys, count, rows_of, total_in_page, keep=params is not None, after=bool(cursor),
                      total=kept_total)
    values = dict(params or {})
    in_page = not (derived.total_in_first and cursor)  # a window-counted list's later pages carry no total
    values["_limit"] = limit + 1
    if cursor:
        after = decode_cursor(cursor, len(keys))
        values.update({f"_after{i}": _typed(expr, v) for i, ((expr, _), v) in enumerate(zip(keys, after, strict=True))})
    names, rows = _run(conn, derived, 1 if cursor else 0, values)
    columns = names[:derived.width]
    more = len(rows) > limit
    if in_page and rows:
        total = int(rows[0][-1])
    elif not cursor and not more:  # the first page holds the whole list (an empty one too)
        total = len(rows)
    else:  # a page after a cursor that no row follows any more, or a window-counted list's page after a cursor
        total = int(_run(conn, derived, 2, dict(params or {}))[1][0][0] or 0)
    rows = rows[:limit]
    next_cursor = encode_cursor([_plain(rows[-1][i]) for i in derived.key_at]) if more and rows else None
    return Page([dict(zip(columns, row, strict=False)) for row in rows], next_cursor, total)


def _run(conn: Connection, derived: _Derived, which: int, values: dict[str, Any]) -> tuple[list[str], Sequence[Any]]:
    """Run the first page (0), the page after a cursor (1) or the count (2): compiled once where it was kept."""
    if derived.prepared:
        try:
            return derived.prepared[which].rows(conn, values)
        except NotPreparable:
            derived.prepared.clear()
    result = conn.execute((derived.first, derived.after, derived.count)[which], values)
    return list(result.keys()), result.all()


def _derive(stmt: Select[Any], keys: Sequence[SortKey], count: Select[Any] | None, rows_of: Rows | None,
            total_in_page: bool, keep: bool, after: bool, total: Select[Any] | None = None) -> _Derived:
    """The count and page statements of a list statement (kept when the statement is built once; when not, the
    page after a cursor is built only for a request that has one: ``after``)."""
    memo = (id(stmt), total_in_page, id(rows_of), id(count), id(total))
    found = _DERIVED.get(memo)
    if found is not None and found[0] is stmt:
        return found[1]
    listed = list(stmt.selected_columns)
    # a sort key the list selects already is read from its column; the others are added, labelled, at the end
    at = [next((j for j, column in enumerate(listed) if column is expr), None) for expr, _desc in keys]
    added = [(i, expr) for i, (expr, _desc) in enumerate(keys) if at[i] is None]
    counted = total if total is not None else select(func.count()).select_from(
        (count if count is not None else stmt).order_by(None).subquery())
    keyed = stmt.add_columns(*(expr.label(f"_key{i}") for i, expr in added))
    in_rows = None if total_in_page else counted.scalar_subquery().label("_total")
    limit = bindparam("_limit", type_=Integer)
    first_page = keyed.add_columns(func.count().over().label("_total")) if total_in_page else _total(keyed, in_rows)
    width = len(listed)
    place = {i: width + n for n, (i, _expr) in enumerate(added)}
    in_page = [j if j is not None else place[i] for i, j in enumerate(at)]  # each key's column in a page's row
    pages = [_ordered(first_page, keys).limit(limit)]
    if keep or after:
        pages.append(_after_page(keyed, keys, in_page, limit, in_rows))
    if rows_of is None:
        built = pages
        data, key_at = width, in_page
    else:  # the rows are read for the page (a subquery), followed by the page's own columns, in its order again
        built = [_rows_of_page(page.subquery(), rows_of, keys, in_page) for page in pages]
        data = len(built[0].selected_columns) - len(first_page.selected_columns)
        key_at = [data + j for j in in_page]
    derived = _Derived(count=counted, first=built[0], after=built[-1], width=data, key_at=tuple(key_at),
                       total_in_first=total_in_page,
                       prepared=[Prepared(built[0]), Prepared(built[-1]), Prepared(counted)] if keep else [])
    if keep:
        if len(_DERIVED) >= _KEPT:
            _DERIVED.clear()
        _DERIVED[memo] = (stmt, derived)
    return derived


def _after_page(keyed: Select[Any], keys: Sequence[SortKey], in_page: list[int], limit: BindParameter[Any],
                total: Label[Any] | None) -> Select[Any]:
    """The page after the cursor's row (``limit`` rows of ``keyed``, the list with its sort keys, in their order),
    then the total when given. Keys in one direction: one row-value comparison, which an index in the list's order
    seeks. Mixed directions (latest period first, then names A-Z): a page of each run of keys in one direction (the
    rows equal to the cursor on the runs before it and after it on this one, a seek each in such an index), merged;
    one OR over the keys instead was tested row by row from the start of the index, so a deep page cost its depth."""
    runs = _runs(keys)
    if len(runs) == 1:
        return _ordered(_total(keyed.where(_after(keys)), total), keys).limit(limit)
    bound = _bound(keys)
    branches = []
    for start, end in runs:
        equal = [keys[j][0] == bound[j] for j in range(start)]
        after = _after(keys[start:end], bound[start:end])
        branches.append(select(*_ordered(keyed.where(*equal, after), keys).limit(limit).subquery().c))
    merged = union_all(*branches).subquery()
    page = _ordered(select(*merged.c), _in(merged, keys, in_page)).limit(limit)
    if total is None:
        return page
    # the total beside the merged page, not a column of it: SQLite would push it into each run's page (two counts)
    paged = page.subquery()
    return _ordered(select(*paged.c, total), _in(paged, keys, in_page))


def _in(rows: Subquery, keys: Sequence[SortKey], in_page: list[int]) -> list[SortKey]:
    """The sort keys as columns of a subquery of the list's rows (each key's column given by ``in_page``)."""
    columns = list(rows.c)
    return [(columns[j], descending) for j, (_expr, descending) in zip(in_page, keys, strict=True)]


def _total(stmt: Select[Any], total: Label[Any] | None) -> Select[Any]:
    """The statement with the total as its last column, when there is one."""
    return stmt if total is None else stmt.add_columns(total)


def _runs(keys: Sequence[SortKey]) -> list[tuple[int, int]]:
    """(start, end) of each run of consecutive keys sorted in one direction."""
    runs: list[tuple[int, int]] = []
    for i, (_expr, descending) in enumerate(keys):
        if runs and keys[runs[-1][0]][1] == descending:
            runs[-1] = (runs[-1][0], i + 1)
        else:
            runs.append((i, i + 1))
    return runs


def _bound(keys: Sequence[SortKey]) -> list[BindParameter[Any]]:
    """The cursor's value of each key, bound as ``_after0`` ..."""
    return [bindparam(f"_after{i}", type_=expr.type) for i, (expr, _desc) in enumerate(keys)]


def _ordered(stmt: Select[Any], keys: Sequence[SortKey]) -> Select[Any]:
    """The statement in the keys' order."""
    return stmt.order_by(*(expr.desc() if descending else expr.asc() for expr, descending in keys))


def _rows_of_page(page: Subquery, rows_of: Rows, keys: Sequence[SortKey], in_page: list[int]) -> Select[Any]:
    """The rows read for a page (a limited subquery), then the page's columns, in the keys' order."""
    columns = list(page.c)
    order = [(columns[j], descending) for j, (_expr, descending) in zip(in_page, keys, strict=True)]
    return _ordered(rows_of(page).add_columns(*columns), order)


def listed(engine: Engine, stmt: Select[Any], keys: Sequence[SortKey], limit: int, cursor: str | None,
           count: Select[Any] | None = None, kept_total: Select[Any] | None = None) -> Any:
    """The rows in the keys' order: a plain list without a cursor (None), one Page with one (``""``: the first);
    ``count`` and ``kept_total``: as ``keyset_page``'s."""
    if cursor is None:
        order = [expr.desc() if descending else expr.asc() for expr, descending in keys]
        with engine.connect() as conn:
            return [dict(r._mapping) for r in conn.execute(stmt.order_by(*order).limit(limit))]
    with engine.connect() as conn:
        return keyset_page(conn, stmt, keys, limit, cursor or None, count=count, kept_total=kept_total)


def like_escaped(text: str) -> str:
    """Text matched literally inside a LIKE pattern escaped with ``/`` (as SQLAlchemy's ``autoescape`` does)."""
    return text.replace("/", "//").replace("%", "/%").replace("_", "/_")


def _after(keys: Sequence[SortKey], bound: Sequence[BindParameter[Any]] | None = None) -> ColumnElement[bool]:
    """Rows strictly after the cursor's row (``bound``; by default ``_after0`` ...) in the sort order: keys all in one
    direction as one row-value comparison, which an index in the list's order answers with a seek; mixed
    directions as the OR of one branch per key (``_after_page`` splits those into runs); the keys are never NULL,
    so the two agree."""
    bound = list(bound) if bound is not None else _bound(keys)
    if len(keys) > 1 and len({descending for _expr, descending in keys}) == 1:
        row, cursor = tuple_(*(expr for expr, _desc in keys)), tuple_(*bound)
        return row < cursor if keys[0][1] else row > cursor
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
