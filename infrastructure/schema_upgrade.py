"""Read-model tables that predate a column their projection now writes: found here, rebuilt by `jejak init`."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import Engine, inspect

from infrastructure.projection import Projection


def outdated(engine: Engine, projections: Iterable[Projection]) -> list[str]:
    """Names of projections with a table that exists but lacks a column of its current definition."""
    inspector = inspect(engine)
    names = []
    for projection in projections:
        for table in projection.metadata.sorted_tables:
            if not inspector.has_table(table.name, schema=table.schema):
                continue
            have = {c["name"] for c in inspector.get_columns(table.name, schema=table.schema)}
            if any(c.name not in have for c in table.columns):
                names.append(projection.name)
                break
    return names
