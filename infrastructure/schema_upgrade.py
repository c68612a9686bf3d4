"""Read-model tables that predate a table or column their projection now has: found when the system starts, marked in
the fingerprints, and rebuilt blue-green by `jejak init` or the worker that claims the projection."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import Engine, inspect

from infrastructure.projection import Projection


def outdated(engine: Engine, projections: Iterable[Projection]) -> list[str]:
    """Names of projections with tables made before their current definition: some of their tables exist but not all,
    or a table lacks a column. (A projection with none of its tables is new: created empty, caught up from the start.)"""
    inspector = inspect(engine)
    names = []
    for projection in projections:
        tables = projection.metadata.sorted_tables
        present = [t for t in tables if inspector.has_table(t.name, schema=t.schema)]
        if present and len(present) < len(tables):
            names.append(projection.name)
            continue
        for table in present:
            have = {c["name"] for c in inspector.get_columns(table.name, schema=table.schema)}
            if any(c.name not in have for c in table.columns):
                names.append(projection.name)
                break
    return names
