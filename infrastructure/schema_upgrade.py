"""Read-model tables that predate a table or column their projection now has: found when the system starts, marked in
the fingerprints, and rebuilt blue-green by `jejak init` or the worker that claims the projection."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import Connection, Engine, Table, inspect

from infrastructure.projection import Projection, by_schema, existing_tables


def outdated(engine: Engine, projections: Iterable[Projection]) -> list[str]:
    """Names of projections with tables made before their current definition: some of their tables exist but not all,
    or a table lacks a column. (A projection with none of its tables is new: created empty, caught up from the start.)
    One read of the catalogue for the tables and one for the columns of them all."""
    projections = list(projections)
    tables = [t for p in projections for t in p.metadata.sorted_tables]
    with engine.connect() as conn:
        present = existing_tables(conn, tables)
        columns = _columns(conn, [t for t in tables if t in present])
    names = []
    for projection in projections:
        mine = projection.metadata.sorted_tables
        here = [t for t in mine if t in present]
        if here and len(here) < len(mine):
            names.append(projection.name)
        elif any(c.name not in columns[t] for t in here for c in t.columns):
            names.append(projection.name)
    return names


def _columns(conn: Connection, tables: list[Table]) -> dict[Table, set[str]]:
    """The column names each table has in the database."""
    inspector = inspect(conn)
    found: dict[Table, set[str]] = {}
    for schema, group in by_schema(conn, tables).items():
        multi = inspector.get_multi_columns(schema=schema, filter_names=[t.name for t in group])
        for table in group:
            found[table] = {c["name"] for c in multi.get((schema, table.name), [])}
    return found
