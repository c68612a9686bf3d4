"""Zero-downtime rebuilds and schema fingerprints of the read models.

A blue-green rebuild builds the new version of one projection, or of all of them (`jejak projections rebuild`, one
read of the log for all: ``ProjectionRunner.rebuild_all``), beside the live tables, with their own tracking positions,
while the live tables keep serving and catching up; it catches the side tables up to the head, then swaps them in
within one transaction. On PostgreSQL the side tables live in a side schema; the swap locks the live tracking rows (the
live catch-up waits, then loses its compare-and-set and reads again), catches the side tables up once more, sets the
live positions to theirs, drops the old tables and moves the new ones into the main schema. On SQLite they live in a
side database file of their own (its transactions lock only that file); they are staged into the live file beside the
live tables in short write transactions, the rows the side file changes meanwhile staged after them, and one short
transaction per projection holding the live file's write lock (so no event and no catch-up can land meanwhile)
catches the side file up, stages its last changes and renames its staged tables into place
(``infrastructure.sqlite_swap``: no write transaction holds the lock for more than a chunk of rows, one index's
creation once its table is filled, or one projection's renames). Readers see a projection's old tables until its transaction commits
and the new ones after, never an empty or half-built read model.

Each projection's fingerprint (its tables, columns, indexes, topics and ``version``) is stored when it is built; a
worker that claims a projection whose fingerprint changed, or `jejak init`, rebuilds it blue-green before catching it
up. A database from before fingerprints were stored has its projections' fingerprints adopted, except for those whose
tables lack a table or a column of today's definition (``mark_outdated``, when the system starts): those are rebuilt.

Releases overlap while one is rolled out, so every fingerprint ever recorded is kept (``projection_definitions``). A
process whose definition of a read model was recorded once and has since been replaced runs an older release than the
one that built the tables (``Standing.SUPERSEDED``): its worker neither rebuilds nor catches that read model up, its
web processes serve it only while its tables still hold every table and column the older definition reads. A process
whose definition was never recorded runs the newer release (``Standing.PENDING``): its worker rebuilds the read model
when it claims it, and until then its web processes answer 503 rather than read tables built for another definition
(``ReadModelGate``). Going back to an older release is done on purpose: `jejak projections rebuild NAME`.
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import Any

from sqlalchemy import (
    Column,
    Connection,
    Engine,
    MetaData,
    String,
    Table,
    bindparam,
    delete,
    event,
    select,
    text,
    tuple_,
    update,
)

from infrastructure.config import Database
from infrastructure.database import UTCDateTime, make_engine, writer
from infrastructure.projection import Projection, ProjectionRunner, Unguarded, parked, tracking
from infrastructure.sqlite_swap import ORDER_MIN, PAUSE, SLICE, Hold, Stager, order_by_key

log = logging.getLogger("jejak.rebuild")

OUTDATED = "outdated"  # a stored fingerprint no definition has: the tables predate a table or column of theirs
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
# Every definition each read model has been built to (or adopted as): a process whose own definition is here but not
# current runs an older release than the one that last built the tables.
definitions = Table(
    "projection_definitions",
    fingerprint_metadata,
    Column("name", String(64), primary_key=True),
    Column("fingerprint", String(64), primary_key=True),
    Column("recorded_at", UTCDateTime(), nullable=False),
)
_STORED = select(fingerprints.c.name, fingerprints.c.fingerprint)
_STORED_OF = _STORED.where(fingerprints.c.name.in_(bindparam("names", expanding=True)))


class Standing(StrEnum):
    """How a read model's tables stand to this process's definition of it."""

    CURRENT = "current"  # built to this definition (or not recorded: adopted as it is)
    PENDING = "pending"  # built to a definition this release replaces, or marked outdated: to be rebuilt
    SUPERSEDED = "superseded"  # rebuilt to a newer release's definition after this one: left to that release


class Superseded(Unguarded):
    """A read model's recorded definition stopped being this process's while it caught the read model up."""

    def __init__(self, names: Sequence[str]):
        super().__init__(", ".join(names))
        self.names = list(names)


def fingerprint(projection: Projection) -> str:
    """A digest of what the projection's tables hold and how: tables, columns, keys, indexes, topics and version."""
    parts = [f"version={getattr(projection, 'version', 1)}", "topics=" + ",".join(sorted(projection.topics()))]
    for table in sorted(projection.metadata.tables.values(), key=lambda t: t.name):
        parts.append(f"table={table.name}")
        parts.extend(f"column={c.name}:{_type_repr(c.type)}:{c.nullable}:{c.primary_key}" for c in table.columns)
        parts.extend(f"index={ix.name}:{ix.unique}:{','.join(c.name for c in ix.columns)}"
                     for ix in sorted(table.indexes, key=lambda ix: str(ix.name)))
        parts.extend(f"constraint={type(c).__name__}:{','.join(sorted(col.name for col in getattr(c, 'columns', ())))}"
                     for c in sorted(table.constraints, key=lambda c: (type(c).__name__, str(c.name))))
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()


_TYPE_REPRS: dict[int, tuple[Any, str]] = {}  # id -> (the type, its repr): SQLAlchemy's repr inspects signatures


def _type_repr(type_: Any) -> str:
    """``repr`` of a column type, worked out once per type object (each system's start fingerprints every table)."""
    found = _TYPE_REPRS.get(id(type_))
    if found is None or found[0] is not type_:
        found = _TYPE_REPRS[id(type_)] = (type_, repr(type_))
    return found[1]


class Fingerprints:
    """The stored fingerprints of the read models."""

    def __init__(self, engine: Engine, projections: Mapping[str, Projection] | None = None):
        self.engine = engine
        self.projections = projections or {}  # by name, for ``mark_outdated``
        fingerprint_metadata.create_all(engine)
        self._own: dict[str, str] = {}

    def own(self, projection: Projection) -> str:
        """This process's definition of the projection (worked out once)."""
        found = self._own.get(projection.name)
        if found is None:
            found = self._own[projection.name] = fingerprint(projection)
        return found

    def stored(self, name: str) -> str | None:
        """The fingerprint the projection's tables were built with (None: not recorded)."""
        return self._all().get(name)

    def _all(self) -> dict[str, str]:
        with self.engine.connect() as conn:
            return {str(n): str(f) for n, f in conn.execute(_STORED)}

    def record(self, name: str, value: str) -> None:
        """Note the definition the projection's tables now have."""
        self._record_many({name: value})

    def _record_many(self, values: dict[str, str]) -> None:
        if values:
            with writer(self.engine).begin() as conn:
                self.record_in(conn, values)

    def record_in(self, conn: Connection, values: dict[str, str]) -> None:
        """Note, in the caller's transaction, the definitions the projections' tables now have (a swap records them
        with the tables it puts in place, so a worker's ``guard`` never passes over tables of another definition)."""
        conn.execute(delete(fingerprints).where(fingerprints.c.name.in_(list(values))))
        now = datetime.now(UTC)
        conn.execute(fingerprints.insert(), [{"name": n, "fingerprint": v, "updated_at": now}
                                             for n, v in values.items()])
        self._remember(conn, {n: v for n, v in values.items() if v != OUTDATED}, now)

    @staticmethod
    def sqlite_record(name: str, value: str) -> list[tuple[str, tuple[Any, ...]]]:
        """The statements of ``record_in`` for a raw SQLite cursor on the live file (``sqlite_swap``'s swap)."""
        now = datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")  # SQLAlchemy's SQLite DateTime format
        return [("DELETE FROM main.projection_fingerprints WHERE name = ?", (name,)),
                ("INSERT INTO main.projection_fingerprints (name, fingerprint, updated_at) VALUES (?, ?, ?)",
                 (name, value, now)),
                ("DELETE FROM main.projection_definitions WHERE name = ? AND fingerprint = ?", (name, value)),
                ("INSERT INTO main.projection_definitions (name, fingerprint, recorded_at) VALUES (?, ?, ?)",
                 (name, value, now))]

    @staticmethod
    def _remember(conn: Connection, values: dict[str, str], now: datetime) -> None:
        """Keep the definitions among those each read model has been built to (one built again, a rollback, anew)."""
        if values:
            conn.execute(delete(definitions).where(
                tuple_(definitions.c.name, definitions.c.fingerprint).in_(sorted(values.items()))))
            conn.execute(definitions.insert(), [{"name": n, "fingerprint": v, "recorded_at": now}
                                                for n, v in sorted(values.items())])

    def mark_outdated(self, names: Sequence[str]) -> None:
        """Note that these projections' tables lack a table or column of today's definition, so the next ``changed``
        names them and they are rebuilt blue-green: those not recorded (tables from before fingerprints) and those
        recorded as today's (a restore of older tables); one recorded as another definition is already named, and
        its record tells whether that definition is older or newer than this release's."""
        stored = self._all()
        self._record_many({name: OUTDATED for name in names
                           if name not in stored or stored[name] == self.own(self.projections[name])})

    def standings(self, projections: Sequence[Projection]) -> dict[str, Standing]:
        """How each projection's tables stand to this process's definition of it (one read of the records)."""
        stored = self._all()
        with self.engine.connect() as conn:
            known = {(str(n), str(f)) for n, f in conn.execute(select(definitions.c.name, definitions.c.fingerprint))}
        out, unknown = {}, {}
        for projection in projections:
            own, built = self.own(projection), stored.get(projection.name)
            if built is None or built == own:
                out[projection.name] = Standing.CURRENT
                if built == own and (projection.name, own) not in known:  # recorded before definitions were kept
                    unknown[projection.name] = own
            elif built != OUTDATED and (projection.name, own) in known:
                out[projection.name] = Standing.SUPERSEDED
            else:
                out[projection.name] = Standing.PENDING
        if unknown:  # else a release after this one would find this one's definition unknown, so newer than its own
            with writer(self.engine).begin() as conn:
                self._remember(conn, unknown, datetime.now(UTC))
        return out

    def changed(self, projections: Sequence[Projection]) -> list[str]:
        """The projections whose tables were built to a definition this release replaces (or marked outdated): to be
        rebuilt. A projection with no record is adopted as it is (recorded, not rebuilt); one a newer release rebuilt
        is not named (``Standing.SUPERSEDED``; logged)."""
        stored = self._all()
        standings = self.standings(projections)
        adopted = {p.name: self.own(p) for p in projections if p.name not in stored}
        self._record_many(adopted)
        for name, standing in standings.items():
            if standing is Standing.SUPERSEDED:
                log.warning("read model %s was rebuilt by a newer release; this release leaves it as it is (to go "
                            "back to this release's definition: jejak projections rebuild %s)", name, name,
                            extra={"projection": name})
        return [name for name, standing in standings.items() if standing is Standing.PENDING]

    def guard(self, projections: Sequence[Projection]) -> Callable[[Connection, Sequence[str]], None]:
        """A check, run in each catch-up transaction of a worker, that the named read models are still recorded as
        built to this process's definitions; raises ``Superseded`` (rolling the transaction back) when not."""
        expected = {p.name: self.own(p) for p in projections}

        def check(conn: Connection, names: Sequence[str]) -> None:
            wanted = {name: expected[name] for name in names if name in expected}
            found = dict(conn.execute(_STORED_OF, {"names": list(wanted)}).tuples().all()) if wanted else {}
            gone = [name for name, own in wanted.items() if found.get(name, own) != own]
            if gone:
                raise Superseded(gone)

        return check


class BlueGreen:
    """Rebuilds projections beside the live ones and swaps them in atomically."""

    def __init__(self, runner: ProjectionRunner, schema: str = ""):
        self.runner = runner
        self.schema = schema or "public"  # where the live tables are (the connection's search path)
        self.fingerprints = Fingerprints(runner.engine, runner.projections)
        # CPU seconds each projection took in the last build's one-pass rebuild (see ProjectionRunner.pass_cpu)
        self.pass_cpu: dict[str, float] = {}
        # SQLite: rows per write transaction of the staging, the pause after each, rounds of staging what the side
        # file caught up before the swap, and the last rebuild's write transactions on the live file
        self.chunk_rows = 5000
        self.pause = PAUSE
        self.slice = SLICE  # seconds of holding the lock, in one or more transactions, before a pause
        self.rounds = 20
        self.order_rows = ORDER_MIN  # a side table of this many rows out of key order is put in key order to copy
        self.holds: list[Hold] = []

    def side_schema(self, name: str) -> str:
        """The schema the next version of a projection (or of all, ``name`` "all") is built in."""
        return f"{self.schema}__next_{name}"[:63]

    def rebuild(self, name: str, progress: Callable[[int], None] | None = None) -> int:
        """Rebuild the projection from the log while the current tables keep serving; return its new position."""
        position, _ = self._rebuild([self.runner.projections[name]], name, progress)
        return position

    def rebuild_all(self, progress: Callable[[int], None] | None = None) -> dict[str, float]:
        """Rebuild every projection beside the live ones (one read of the log for all, ``rebuild_all``) and swap them
        in: on PostgreSQL all in one transaction, on SQLite one projection per short transaction (each at the head
        when it is swapped in); return the seconds each step took ("swap": the longest hold of the swap's lock)."""
        _, timings = self._rebuild(list(self.runner.projections.values()), "all", progress)
        return timings

    def _rebuild(self, projections: Sequence[Projection], label: str, progress: Callable[[int], None] | None
                 ) -> tuple[int, dict[str, float]]:
        if self.runner.engine.dialect.name == "sqlite":
            position, timings = self._rebuild_sqlite(projections, label, progress)
        else:
            position, timings = self._rebuild_postgres(projections, label, progress)
        log.info("projections %s rebuilt beside the live ones and swapped in at position %d",
                 ", ".join(p.name for p in projections), position, extra={"projection": label, "position": position})
        return position, timings

    def _build(self, builder: ProjectionRunner, progress: Callable[[int], None] | None) -> dict[str, float]:
        """Build the builder's projections into its (side) tables from the log; the seconds of each step."""
        builder.rebuild_workers = self.runner.rebuild_workers
        builder.create_tables()
        try:
            return builder.rebuild_all(progress)
        finally:
            self.pass_cpu = builder.pass_cpu

    def _rebuild_postgres(self, projections: Sequence[Projection], label: str,
                          progress: Callable[[int], None] | None) -> tuple[int, dict[str, float]]:
        side = self.side_schema(label)
        with self.runner.engine.begin() as conn:  # a side schema left by an interrupted rebuild is started afresh
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{side}" CASCADE'))
            conn.execute(text(f'CREATE SCHEMA "{side}"'))
        side_engine = self.runner.engine.execution_options(schema_translate_map={None: side})
        builder = ProjectionRunner(side_engine, self.runner.ledger, projections, batch_size=self.runner.batch_size)
        try:
            timings = self._build(builder, progress)
            builder.catch_up(progress=progress)  # most of what arrived meanwhile, before the live rows are locked
            began = time.perf_counter()
            position = self._swap(projections, builder, side)
            timings["swap"] = time.perf_counter() - began
        finally:
            with self.runner.engine.begin() as conn:
                conn.execute(text(f'DROP SCHEMA IF EXISTS "{side}" CASCADE'))
        return position, timings

    def _rebuild_sqlite(self, projections: Sequence[Projection], label: str,
                        progress: Callable[[int], None] | None) -> tuple[int, dict[str, float]]:
        """SQLite: build in a side database file of its own (its long transactions lock that file only, so commands
        and the live catch-up carry on), stage its tables into the live file beside the live ones in short
        transactions, and rename them into place in one short transaction (``infrastructure.sqlite_swap``)."""
        main = Path(str(self.runner.engine.url.database))
        side_file = main.with_name(f"{main.name}.next-{label}")
        stager = Stager(self.runner.engine, side_file, {p.name: p.metadata.sorted_tables for p in projections},
                        self.chunk_rows, self.pause, self.slice)
        self.holds = stager.holds
        timings: dict[str, float] = {}
        began = time.perf_counter()
        if stager.clean():  # staged or replaced tables of an interrupted rebuild (its side file goes below)
            timings["clean"] = time.perf_counter() - began
        _remove(side_file)
        side_engine = make_engine(Database(kind="sqlite", path=str(side_file)))

        @event.listens_for(side_engine, "connect")
        def scratch(dbapi_connection: Any, _record: Any) -> None:
            # a file thrown away if anything fails: no fsync, and nothing to overwrite when ``order_by_key`` drops a
            # table. (It keeps WAL: the journal mode is the file's, and connections of the pool switching it while
            # others are open lose what those wrote.) Recursive triggers: the rows a REPLACE deletes fire the
            # triggers that note changed rows (Stager.track).
            dbapi_connection.execute("PRAGMA synchronous=OFF")
            dbapi_connection.execute("PRAGMA secure_delete=OFF")
            dbapi_connection.execute("PRAGMA recursive_triggers=ON")
            dbapi_connection.execute("PRAGMA temp_store=FILE")  # its index builds' sorts may spill past memory

        builder = ProjectionRunner(side_engine, self.runner.ledger, projections, batch_size=self.runner.batch_size)
        try:
            timings.update(self._build(builder, progress))
            builder.catch_up(progress=progress)
            began = time.perf_counter()
            order_by_key(side_engine, stager.all_tables, self.order_rows)
            timings["order"] = time.perf_counter() - began
            began = time.perf_counter()
            stager.track(side_engine)
            with stager.attached():
                stager.create()
                stager.copy()
                copied = time.perf_counter()
                stager.index()
                timings["index"] = time.perf_counter() - copied
                positions = [self._swap_sqlite(stager, builder, name, progress) for name in stager.waiting.copy()]
                timings["stage"] = time.perf_counter() - began - sum(h.seconds for h in stager.holds if h.step == "swap")
                # the longest hold of the live write lock by one projection's swap
                timings["swap"] = max(h.seconds for h in stager.holds if h.step == "swap")
            began = time.perf_counter()
            stager.retire()
            timings["retire"] = time.perf_counter() - began
            return min(positions), timings
        finally:
            side_engine.dispose()
            _remove(side_file)

    def _swap_sqlite(self, stager: Stager, builder: ProjectionRunner, name: str,
                     progress: Callable[[int], None] | None) -> int:
        """Swap one projection's staged tables in (each in a transaction of its own, so the lock is held for its
        few tables' renames, not all of them), once few of their rows are left to stage; its position."""
        tables = stager.waiting[name]
        for _ in range(self.rounds):  # the log moves on meanwhile: stage what the side file catches up
            builder.catch_up(progress=progress)
            if stager.pending(tables) > self.chunk_rows:
                stager.apply()
                continue
            position = stager.swap(name, lambda: builder.catch_up(progress=progress), self.chunk_rows,
                                   also=self._definition_of(name))
            if position is not None:
                return position
        # rows changed faster than they were staged: the swap stages all that are left
        log.warning("rebuild of %s: the swap stages %d changed rows under the lock", name, stager.pending(tables))
        position = stager.swap(name, lambda: builder.catch_up(progress=progress), also=self._definition_of(name))
        assert position is not None
        return position

    def _definition_of(self, name: str) -> list[tuple[str, tuple[Any, ...]]]:
        """The statements recording the projection's definition as this process's, for the SQLite swap."""
        return self.fingerprints.sqlite_record(name, fingerprint(self.runner.projections[name]))

    def _swap(self, projections: Sequence[Projection], builder: ProjectionRunner, side: str) -> int:
        """In one transaction: hold the live positions, finish the side build, and put its tables in place."""
        names = [p.name for p in projections]
        with writer(self.runner.engine).begin() as conn:
            conn.execute(select(tracking.c.position).where(tracking.c.name.in_(names)).with_for_update())
            builder.catch_up()  # the rest; later events are the live projector's, from the positions set below
            positions = {name: builder.position(name) for name in names}
            for name, position in positions.items():
                conn.execute(update(tracking).where(tracking.c.name == name)
                             .values(position=position, updated_at=datetime.now(UTC)))
            conn.execute(delete(parked).where(parked.c.name.in_(names)))
            self.fingerprints.record_in(conn, {p.name: fingerprint(p) for p in projections})
            conn.execute(text(f'INSERT INTO "{self.schema}".projection_parked SELECT * FROM "{side}".projection_parked'))
            for projection in projections:
                tables = projection.metadata.sorted_tables
                for table in reversed(tables):
                    conn.execute(text(f'DROP TABLE IF EXISTS "{self.schema}"."{table.name}" CASCADE'))
                for table in tables:
                    conn.execute(text(f'ALTER TABLE "{side}"."{table.name}" SET SCHEMA "{self.schema}"'))
        return min(positions.values())


def _remove(path: Path) -> None:
    """An SQLite file and its companions."""
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


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
