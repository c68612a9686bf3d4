"""Core statements compiled once and run straight through the driver's cursor, for the few statements every
request or command runs.

SQLAlchemy's execution of an already compiled, cached statement still costs about 100 µs of Python per call (the
cache key, the execution context, the result object, the events): on the AMD machine of 2026-12-05, five times
the driver's own call for a primary-key read. A command runs some twenty such statements and a read a handful.
``Prepared`` keeps the statement's SQL string, its parameters' order and the type processors of its parameters
and columns per dialect, and runs it on the cursor of the SQLAlchemy connection it is given (in that
connection's transaction, begun as SQLAlchemy would begin it). What it returns is what the same statement gives
through SQLAlchemy, as plain dicts.

An expanding IN list is rendered once per length of its list. A statement that SQLAlchemy would fill differently
per call is refused when it is first compiled (a column default computed in Python, a RETURNING, a literal-execute
parameter): those go through ``Connection.execute``.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Dialect, Engine, Executable, Table
from sqlalchemy.sql import ClauseElement
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.dml import ValuesBase


class NotPreparable(TypeError):
    """A statement that SQLAlchemy renders or fills differently per call: run it with ``Connection.execute``."""


@dataclass(frozen=True)
class _Compiled:
    sql: str
    positional: tuple[str, ...] | None  # the parameters' names in order (qmark, format); None: named (pyformat)
    fixed: dict[str, Any]  # values bound in the statement itself, by parameter name
    bind: dict[str, Callable[[Any], Any]]  # a parameter's processor, where its type has one
    keys: tuple[str, ...]  # the result's column keys
    results: tuple[Callable[[Any], Any] | None, ...]  # a column's processor, where its type has one
    expanding: tuple[str, ...] = ()  # the parameters given as lists (``IN``), rendered per length

    @functools.cached_property
    def as_dicts(self) -> Callable[[Sequence[Sequence[Any]]], list[dict[str, Any]]]:
        """The driver's rows as dicts, each value through its column's processor (``_converter``)."""
        return _converter(self.keys, self.results, dicts=True)

    @functools.cached_property
    def as_tuples(self) -> Callable[[Sequence[Sequence[Any]]], list[tuple[Any, ...]]]:
        """The driver's rows as tuples, each value through its column's processor (``_converter``)."""
        return _converter(self.keys, self.results, dicts=False)


_POSTCOMPILE = "__[POSTCOMPILE_{}]"
EXPANSIONS_KEPT = 64  # renderings of a statement with lists kept (a command's lists are short; a rebuild's chunks
# have one length)


class Prepared:
    """A Core statement compiled once per dialect and run through the driver's cursor."""

    __slots__ = ("statement", "_column_keys", "_by_dialect", "_dml")

    def __init__(self, statement: ClauseElement, column_keys: Sequence[str] | None = None) -> None:
        self.statement = statement
        self._dml = isinstance(statement, ValuesBase)
        self._column_keys = list(column_keys) if column_keys is not None else None  # an INSERT's columns
        self._by_dialect: dict[str, _Compiled] = {}

    def all(self, conn: Connection, params: Mapping[str, Any] | None = None) -> list[dict[str, Any]]:
        """Every row of the result, as dicts keyed by column key."""
        compiled, cursor = self._run(conn, params)
        try:
            rows = cursor.fetchall()
        finally:
            cursor.close()
        return compiled.as_dicts(rows)

    def first(self, conn: Connection, params: Mapping[str, Any] | None = None) -> dict[str, Any] | None:
        """The first row of the result as a dict, or None."""
        compiled, cursor = self._run(conn, params)
        try:
            row = cursor.fetchone()
        finally:
            cursor.close()
        return None if row is None else compiled.as_dicts((row,))[0]

    def rows(self, conn: Connection, params: Mapping[str, Any] | None = None) -> tuple[list[str], list[tuple[Any, ...]]]:
        """The result's column keys and its rows as tuples (for results whose keys repeat)."""
        compiled, cursor = self._run(conn, params)
        try:
            rows = cursor.fetchall()
        finally:
            cursor.close()
        if not any(compiled.results):
            return list(compiled.keys), rows
        return list(compiled.keys), compiled.as_tuples(rows)

    def one_off(self, engine: Engine, params: Mapping[str, Any] | None = None) -> dict[str, Any] | None:
        """The first row of a statement run alone on a pooled driver connection, outside any transaction (one
        statement reads one consistent state): for a read of one row, without a SQLAlchemy connection's begin and
        rollback, which cost more than the read."""
        compiled, rows = self._alone(engine, params, many=False)
        return compiled.as_dicts(rows)[0] if rows else None

    def all_off(self, engine: Engine, params: Mapping[str, Any] | None = None) -> list[dict[str, Any]]:
        """Every row of a statement run alone, as ``one_off`` runs it."""
        compiled, rows = self._alone(engine, params, many=True)
        return compiled.as_dicts(rows) if rows else []

    def _alone(self, engine: Engine, params: Mapping[str, Any] | None, many: bool) -> tuple[_Compiled, Sequence[Any]]:
        """The statement as compiled and the driver's rows (the first only, unless ``many``), run alone."""
        compiled, parameters = self._bound(engine, params)
        raw = engine.raw_connection()
        # a raw connection ignores the engine's isolation level: an engine that reads without transactions
        # (``database.reader``, on PostgreSQL) gets it here, or psycopg would send a BEGIN before the statement and
        # the pool a ROLLBACK after it, three round trips instead of one
        alone = False
        try:
            if engine.get_execution_options().get("isolation_level") == "AUTOCOMMIT":
                engine.dialect.set_isolation_level(raw.dbapi_connection, "AUTOCOMMIT")  # type: ignore[arg-type]
                alone = True
            cursor = raw.cursor()
            try:
                cursor.execute(compiled.sql, parameters)
                rows = cursor.fetchall() if many else [row for row in (cursor.fetchone(),) if row is not None]
            finally:
                cursor.close()
        finally:
            if alone:  # as the pool hands it out
                engine.dialect.reset_isolation_level(raw.dbapi_connection)  # type: ignore[arg-type]
            raw.close()  # back to the pool, which ends the driver's implicit transaction where it began one
        return compiled, rows

    def scalar(self, conn: Connection, params: Mapping[str, Any] | None = None) -> Any:
        """The first column of the first row, or None."""
        found = self.first(conn, params)
        return None if found is None else next(iter(found.values()))

    def execute(self, conn: Connection, params: Mapping[str, Any] | None = None) -> int:
        """Run a statement without rows; the number of rows it changed."""
        _, cursor = self._run(conn, params)
        try:
            return int(cursor.rowcount)
        finally:
            cursor.close()

    def execute_many(self, conn: Connection, many: Sequence[Mapping[str, Any]]) -> None:
        """Run a statement without rows once per set of parameters (all naming the same ones), in one call to the
        driver."""
        if not many:
            return
        compiled = self._compiled(conn, many[0])
        parameters = [_parameters(compiled, p) for p in many]
        if _WATCHERS:
            _watched(conn, compiled.sql, parameters, True)
        cursor = _cursor(conn)
        try:
            cursor.executemany(compiled.sql, parameters)
        finally:
            cursor.close()

    def _bound(self, bind: Connection | Engine, params: Mapping[str, Any] | None) -> tuple[_Compiled, Any]:
        """The statement as compiled for these parameters, and the driver's parameters (told to any watcher)."""
        compiled = self._compiled(bind, params)
        if compiled.expanding:
            compiled, params = self._expanded(compiled, bind, params or {})
        parameters = _parameters(compiled, params or {})
        if _WATCHERS:
            _watched(bind, compiled.sql, parameters, False)
        return compiled, parameters

    def _run(self, conn: Connection, params: Mapping[str, Any] | None) -> tuple[_Compiled, Any]:
        compiled, parameters = self._bound(conn, params)
        cursor = _cursor(conn)
        try:
            cursor.execute(compiled.sql, parameters)
        except BaseException:
            cursor.close()
            raise
        return compiled, cursor

    def _expanded(self, compiled: _Compiled, bind: Connection | Engine,
                  params: Mapping[str, Any]) -> tuple[_Compiled, dict[str, Any]]:
        """The statement with each list parameter rendered as one parameter per item (cached per lengths)."""
        lengths = tuple(len(params[name]) for name in compiled.expanding)
        key = f"{_place(bind)}:{lengths}"
        found = self._by_dialect.get(key)
        if found is None:
            found = _expand(compiled, bind.dialect, dict(zip(compiled.expanding, lengths, strict=True)))
            if len(self._by_dialect) < EXPANSIONS_KEPT:
                self._by_dialect[key] = found
        flat = {k: v for k, v in params.items() if k not in compiled.expanding}
        for name in compiled.expanding:
            flat.update({f"{name}_{i}": v for i, v in enumerate(params[name], 1)})
        return found, flat

    def _compiled(self, bind: Connection | Engine, params: Mapping[str, Any] | None = None) -> _Compiled:
        place = _place(bind)
        keys = sorted(params or ()) if self._column_keys is None and self._dml else None
        # a DML statement sets every column its parameters name, besides its own values, as SQLAlchemy does
        key = place if keys is None else f"{place}:{keys}"
        found = self._by_dialect.get(key)
        if found is None:
            translate = bind.get_execution_options().get("schema_translate_map")
            found = self._by_dialect[key] = _compile(self.statement, bind.dialect,
                                                     self._column_keys if keys is None else keys, translate)
        return found


Watcher = Callable[[Connection | Engine, str, Any, bool], None]
_WATCHERS: list[Watcher] = []


@contextmanager
def watching(watcher: Watcher) -> Iterator[None]:
    """Call ``watcher(connection or engine, sql, the driver's parameters, many)`` before each statement sent here (SQLAlchemy's cursor events do
    not see them), while the block runs: for tests and benchmarks that count statements."""
    _WATCHERS.append(watcher)
    try:
        yield
    finally:
        _WATCHERS.remove(watcher)


def _watched(conn: Connection | Engine, sql: str, parameters: Any, many: bool) -> None:
    for watcher in list(_WATCHERS):
        watcher(conn, sql, parameters, many)


def _cursor(conn: Connection) -> Any:
    """A driver cursor in the connection's transaction (begun here as SQLAlchemy begins it, with its events)."""
    if not conn.in_transaction():
        conn.begin()
    return conn.connection.dbapi_connection.cursor()  # type: ignore[union-attr]


def _parameters(compiled: _Compiled, params: Mapping[str, Any]) -> Any:
    values = {**compiled.fixed, **params} if compiled.fixed else params
    bind = compiled.bind
    if compiled.positional is not None:
        return tuple(bind[name](values[name]) if name in bind else values[name] for name in compiled.positional)
    return {name: (bind[name](value) if name in bind else value) for name, value in values.items()}


def _expand(compiled: _Compiled, dialect: Dialect, lengths: dict[str, int]) -> _Compiled:
    sql = compiled.sql
    bind = dict(compiled.bind)
    for name, n in lengths.items():
        items = [f"{name}_{i}" for i in range(1, n + 1)]
        marks = ", ".join(dialect.paramstyle == "qmark" and "?" or f"%({item})s" for item in items) or "NULL"
        sql = sql.replace(_POSTCOMPILE.format(name), marks)
        if name in bind:
            bind.update({item: bind[name] for item in items})
    positional = None
    if compiled.positional is not None:
        positional = tuple(item for name in compiled.positional
                           for item in ([f"{name}_{i}" for i in range(1, lengths[name] + 1)] if name in lengths
                                        else [name]))
    return _Compiled(sql, positional, compiled.fixed, bind, compiled.keys, compiled.results)


def _converter(keys: Sequence[str], results: Sequence[Callable[[Any], Any] | None], dicts: bool) -> Any:
    """A function turning the driver's rows into dicts (or tuples) of processed values, written out column by column
    (a generic loop over the columns cost about as much per row as the driver's own fetch of it)."""
    env: dict[str, Any] = {}
    values = []
    for i, (key, process) in enumerate(zip(keys, results, strict=True)):
        env[f"K{i}"] = key
        if process is None:
            values.append(f"r[{i}]")
        else:
            env[f"P{i}"] = process
            values.append(f"(None if (v := r[{i}]) is None else P{i}(v))")
    if dicts:
        body = "{" + ", ".join(f"K{i}: {v}" for i, v in enumerate(values)) + "}"
    else:
        body = "(" + "".join(f"{v}, " for v in values) + ")"
    source = f"def convert(rows):\n    return [{body} for r in rows]\n"
    exec(compile(source, f"<rows of {len(values)} columns>", "exec"), env)  # noqa: S102 - our own text
    return env["convert"]


def _place(bind: Connection | Engine) -> str:
    """The dialect, and the schemas a connection translates table names to (a blue-green rebuild's side schema)."""
    translate = bind.get_execution_options().get("schema_translate_map")
    return bind.dialect.name if not translate else f"{bind.dialect.name}{sorted(translate.items(), key=repr)}"


def _compile(statement: ClauseElement, dialect: Dialect, column_keys: list[str] | None,
             translate: Mapping[str | None, str | None] | None = None) -> _Compiled:
    compiled = statement.compile(dialect=dialect, column_keys=column_keys, schema_translate_map=translate,
                                 render_schema_translate=bool(translate))
    if not isinstance(compiled, SQLCompiler):
        raise NotPreparable(f"not a SQL statement: {statement}")
    _refuse_per_call_rendering(compiled, statement)
    binds = compiled.binds
    fixed = {name: b.effective_value for name, b in binds.items() if not b.required and b.callable is None}
    processors: dict[str, Callable[[Any], Any]] = {}
    for name, process in compiled._bind_processors.items():
        if not callable(process):  # a processor per element of a tuple
            raise NotPreparable(f"a tuple parameter in {statement}")
        processors[name] = process
    results = tuple(entry.type._cached_result_processor(dialect, None) for entry in compiled._result_columns)
    keys = tuple(entry.keyname for entry in compiled._result_columns)
    positional = tuple(compiled.positiontup) if compiled.positional and compiled.positiontup is not None else None
    if dialect.paramstyle not in ("qmark", "pyformat"):
        raise NotPreparable(f"the {dialect.paramstyle} parameter style")
    expanding = tuple(name for name, b in binds.items() if b.expanding)
    return _Compiled(compiled.string, positional, fixed, processors, keys, results, expanding)


def _refuse_per_call_rendering(compiled: SQLCompiler, statement: ClauseElement) -> None:
    reasons = []
    if any(b.literal_execute or (b.expanding and b.value is not None and not b.required)
           for b in compiled.binds.values()):
        reasons.append("a literal-execute parameter or a list bound in the statement")
    if compiled.insert_prefetch or compiled.update_prefetch:
        reasons.append("a column default computed in Python")
    if compiled.implicit_returning or compiled.effective_returning:
        reasons.append("RETURNING")
    if compiled.escaped_bind_names:
        reasons.append("parameter names the dialect escapes")
    if any(b.callable is not None for b in compiled.binds.values()):
        reasons.append("a parameter computed per call")
    if reasons:
        raise NotPreparable(f"{', '.join(reasons)} in {statement}")


_INSERTS: dict[tuple[str, str, tuple[str, ...]], Prepared | None] = {}


def insert_many(conn: Connection, table: Table, rows: Sequence[Mapping[str, Any]]) -> None:
    """Insert rows that all give the same columns, with one call to the driver (through SQLAlchemy where the
    table fills a column in Python)."""
    if not rows:
        return
    columns = tuple(rows[0])
    key = (conn.dialect.name, table.fullname, columns)
    if key not in _INSERTS:
        candidate = Prepared(table.insert(), column_keys=columns)
        try:
            candidate._compiled(conn, rows[0])
            _INSERTS[key] = candidate
        except NotPreparable:
            _INSERTS[key] = None
    found = _INSERTS[key]
    if found is None or any(tuple(row) != columns for row in rows):
        conn.execute(table.insert(), list(rows))
    else:
        found.execute_many(conn, rows)


_BY_STATEMENT: dict[int, tuple[Executable, Prepared | None]] = {}


def execute(conn: Connection, statement: Executable, params: Mapping[str, Any]) -> None:
    """Run a statement built once (a module's constant) without rows: through ``Prepared`` where it can be, else
    through SQLAlchemy (remembered per statement)."""
    found = _BY_STATEMENT.get(id(statement))
    if found is None or found[0] is not statement:
        candidate: Prepared | None = Prepared(statement)  # type: ignore[arg-type]
        found = _BY_STATEMENT[id(statement)] = (statement, candidate)
    prepared = found[1]
    if prepared is not None:
        try:
            prepared.execute(conn, params)
            return
        except NotPreparable:
            _BY_STATEMENT[id(statement)] = (statement, None)
    conn.execute(statement, params)
