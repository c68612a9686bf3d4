"""Zero-downtime rebuilds and schema fingerprints of the read models.

A blue-green rebuild (PostgreSQL) builds the projection's new tables in a side schema, with their own tracking
position, while the current tables keep serving; it catches the side tables up to the head, then swaps them in within
one transaction: the live tracking row is locked (the live catch-up waits, then loses its compare-and-set and reads
again), the side tables are caught up once more, the live position is set to theirs, the old tables are dropped and
the new ones moved into the main schema. Readers see the old tables until that transaction commits and the new ones
after, never an empty or half-built read model. On SQLite the rebuild runs as `ProjectionRunner.rebuild` does (a bulk
rebuild is one transaction there, which WAL readers do not see until it commits).

Each projection's fingerprint (its tables, columns, indexes, topics and ``version``) is stored when it is built; a
worker that claims a projection whose fingerprint changed rebuilds it blue-green before catching it up.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable, Sequence
from datetime import UTC, datetime

from sqlalchemy import Column, Engine, MetaData, String, Table, delete, select, text, update

from infrastructure.database import UTCDateTime, writer
from infrastructure.projection import Projection, ProjectionRunner, parked, tracking

log = logging.getLogger("jejak.rebuild")

fingerprint_metadata = MetaData()
# Which definition of each projection its tables were built with. Not migrated by Alembic: a missing row is adopted
# as the current definition (the tables were made by this code's `create_tables`), so the table is rebuildable too.
fingerprints = Table(
    "projection_fingerprints",
    fingerprint_metadata,
    Column("name", String(64), primary_key=True),
    Column("fingerprint", String(64), nullable=False),
    Column("updated_at", UTCDateTime(), nullable=False),
)


def fingerprint(projection: Projection) -> str:
    """A digest of what the projection's tables hold and how: tables, columns, keys, indexes, topics and version."""
    parts = [f"version={getattr(projection, 'version', 1)}", "topics=" + ",".join(sorted(projection.topics()))]
    for table in sorted(projection.metadata.sorted_tables, key=lambda t: t.name):
        parts.append(f"table={table.name}")
        parts.extend(f"column={c.name}:{c.type!r}:{c.nullable}:{c.primary_key}" for c in table.columns)
        parts.extend(f"index={ix.name}:{ix.unique}:{','.join(c.name for c in ix.columns)}"
                     for ix in sorted(table.indexes, key=lambda ix: str(ix.name)))
        parts.extend(f"constraint={type(c).__name__}:{','.join(sorted(col.name for col in getattr(c, 'columns', ())))}"
                     for c in sorted(table.constraints, key=lambda c: (type(c).__name__, str(c.name))))
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()


class Fingerprints:
    """The stored fingerprints of the read models."""

    def __init__(self, engine: Engine):
        self.engine = engine
        fingerprint_metadata.create_all(engine)

    def stored(self, name: str) -> str | None:
        """The fingerprint the projection's tables were built with (None: not recorded)."""
        with self.engine.connect() as conn:
            value = conn.execute(select(fingerprints.c.fingerprint).where(fingerprints.c.name == name)).scalar()
        return None if value is None else str(value)

    def record(self, name: str, value: str) -> None:
        """Note the definition the projection's tables now have."""
        with writer(self.engine).begin() as conn:
            conn.execute(delete(fingerprints).where(fingerprints.c.name == name))
            conn.execute(fingerprints.insert().values(name=name, fingerprint=value, updated_at=datetime.now(UTC)))

    def changed(self, projections: Sequence[Projection]) -> list[str]:
        """The projections whose definition differs from the one their tables were built with; a projection with no
        record is adopted as it is (recorded, not rebuilt)."""
        out = []
        for projection in projections:
            stored, current = self.stored(projection.name), fingerprint(projection)
            if stored is None:
                self.record(projection.name, current)
            elif stored != current:
                out.append(projection.name)
        return out


class BlueGreen:
    """Rebuilds a projection beside the live one and swaps it in atomically (PostgreSQL)."""

    def __init__(self, runner: ProjectionRunner, schema: str = ""):
        self.runner = runner
        self.schema = schema or "public"  # where the live tables are (the connection's search path)
        self.fingerprints = Fingerprints(runner.engine)

    def side_schema(self, name: str) -> str:
        """The schema the next version of a projection is built in."""
        return f"{self.schema}__next_{name}"[:63]

    def rebuild(self, name: str, progress: Callable[[int], None] | None = None) -> int:
        """Rebuild the projection from the log while the current tables keep serving; return its new position."""
        projection = self.runner.projections[name]
        if self.runner.engine.dialect.name != "postgresql":
            position = self.runner.rebuild(name, progress)
            self.fingerprints.record(name, fingerprint(projection))
            return position
        side = self.side_schema(name)
        with self.runner.engine.begin() as conn:  # a side schema left by an interrupted rebuild is started afresh
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{side}" CASCADE'))
            conn.execute(text(f'CREATE SCHEMA "{side}"'))
        side_engine = self.runner.engine.execution_options(schema_translate_map={None: side})
        builder = ProjectionRunner(side_engine, self.runner.ledger, [projection], batch_size=self.runner.batch_size)
        builder.rebuild_workers = self.runner.rebuild_workers
        try:
            builder.create_tables()
            builder.rebuild(name, progress)
            builder.catch_up(progress=progress)  # most of what arrived meanwhile, before the live row is locked
            position = self._swap(projection, builder, side)
        finally:
            with self.runner.engine.begin() as conn:
                conn.execute(text(f'DROP SCHEMA IF EXISTS "{side}" CASCADE'))
        self.fingerprints.record(name, fingerprint(projection))
        log.info("projection %s rebuilt beside the live one and swapped in at position %d", name, position,
                 extra={"projection": name, "position": position})
        return position

    def _swap(self, projection: Projection, builder: ProjectionRunner, side: str) -> int:
        """In one transaction: hold the live position, finish the side build, and put its tables in place."""
        name = projection.name
        with writer(self.runner.engine).begin() as conn:
            conn.execute(select(tracking.c.position).where(tracking.c.name == name).with_for_update())
            builder.catch_up()  # the rest; later events are the live projector's, from the position set below
            position = builder.position(name)
            conn.execute(update(tracking).where(tracking.c.name == name)
                         .values(position=position, updated_at=datetime.now(UTC)))
            conn.execute(delete(parked).where(parked.c.name == name))
            conn.execute(text(f'INSERT INTO "{self.schema}".projection_parked SELECT * FROM "{side}".projection_parked '
                              "WHERE name = :name"), {"name": name})
            tables = projection.metadata.sorted_tables
            for table in reversed(tables):
                conn.execute(text(f'DROP TABLE IF EXISTS "{self.schema}"."{table.name}" CASCADE'))
            for table in tables:
                conn.execute(text(f'ALTER TABLE "{side}"."{table.name}" SET SCHEMA "{self.schema}"'))
        return position


def rebuild_changed(blue_green: BlueGreen, names: Sequence[str],
                    progress: Callable[[int], None] | None = None) -> list[str]:
    """Rebuild (blue-green) those of the named projections whose definition changed; return their names."""
    runner = blue_green.runner
    changed = blue_green.fingerprints.changed([runner.projections[n] for n in names])
    for name in changed:
        log.warning("projection %s changed definition; rebuilding it beside the live one", name,
                    extra={"projection": name})
        blue_green.rebuild(name, progress)
    return changed
