"""Read-model tables that predate a table or column their projection now has: found when the system starts, marked in
the fingerprints, and rebuilt blue-green by `jejak init` or the worker that claims the projection."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import Connection, Engine, Table, TextClause, text

from infrastructure.projection import Projection, by_schema, existing_tables


def outdated(engine: Engine, projections: Iterable[Projection]) -> list[str]:
    """Names of projections with tables made before their current definition: some of their tables exist but not all,
    or a table lacks a column. (A projection with none of its tables is new: created empty, caught up from the start.)
    One read of the catalogue for the tables and one for the columns of them all."""
    return _short(engine, projections, none_is_short=False)


def lacking(engine: Engine, projections: Iterable[Projection]) -> list[str]:
    """Names of projections whose tables lack a table or a column of their definition (all missing included)."""
    return _short(engine, projections, none_is_short=True)


def _short(engine: Engine, projections: Iterable[Projection], none_is_short: bool) -> list[str]:
    projections = list(projections)
    tables = [t for p in projections for t in p.metadata.tables.values()]  # (no order needed: not sorted_tables)
    with engine.connect() as conn:
        present = existing_tables(conn, tables)
        columns = _columns(conn, [t for t in tables if t in present])
    names = []
    for projection in projections:
        mine = list(projection.metadata.tables.values())
        here = [t for t in mine if t in present]
        if (here or none_is_short) and len(here) < len(mine):
            names.append(projection.name)
        elif any(c.name not in columns[t] for t in here for c in t.columns):
            names.append(projection.name)
    return names


def _columns(conn: Connection, tables: list[Table]) -> dict[Table, set[str]]:
    """The column names each table has in the database: one catalogue query per schema (SQLAlchemy's reflection
    read every column's type too, 7 ms of each system's start on SQLite, where it ran a statement per table)."""
    found: dict[Table, set[str]] = {t: set() for t in tables}
    for schema, group in by_schema(conn, tables).items():
        named = {t.name: t for t in group}
        for table_name, column in conn.execute(*_column_query(conn, schema, sorted(named))):
            if table_name in named:
                found[named[table_name]].add(column)
    return found


def _column_query(conn: Connection, schema: str | None, names: list[str]) -> tuple[TextClause, dict[str, Any]]:
    """The statement listing (table, column) of the named tables in a schema, and its parameters."""
    if conn.dialect.name == "sqlite":
        # an attached file's catalogue for a side schema; table names cannot be bound into table-valued pragmas here
        prefix = f'"{schema}".' if schema else ""
        where = f", '{schema}'" if schema else ""
        return text(f"SELECT m.name, p.name FROM {prefix}sqlite_master AS m, pragma_table_info(m.name{where}) AS p "
                    "WHERE m.type = 'table'"), {}
    return text("SELECT table_name, column_name FROM information_schema.columns "
                "WHERE table_schema = coalesce(:schema, current_schema()) AND table_name = ANY(:names)"
                ), {"schema": schema, "names": names}
