"""The SQLite swap of a blue-green rebuild in short write transactions: the side file's tables are staged into the live
file beside the live tables, chunk by chunk, then renamed into place, a projection per short transaction.

A rebuild builds the new tables in a side file (``BlueGreen``). Copying them into the live file in one transaction
holds the live write lock as long as the copy takes (a minute at a million events), longer than a command waits for
it. Here instead:

1. ``clean``: staged or replaced copies of the tables left by an interrupted rebuild are dropped.
2. ``order``: in the side file, each large table whose rowids do not follow its key is written again in key order
   (a timeline entry's key is a hash): the copy below then appends to the key's index too, in rowid order.
3. ``track``: triggers in the side file note the rowid of every side row written from now on (``bg_changes``).
4. ``copy``: each side table is copied into an empty table ``<name>__bg_next`` of the live file, with the same
   columns and keys but no other index yet, ``chunk`` rows per write transaction, in rowid order: each transaction
   appends to the table's last pages. (With the indexes in place, each transaction's rows land all over every index,
   and a commit writes every page it touched: at a million events the staging wrote the indexes out again a few
   thousand times, six minutes of I/O.)
5. ``index``: each staged table's indexes are created, one per write transaction, under names no live index has
   (SQLite sorts the keys, with a helper thread per core, and writes each page once: about a second per index at a
   million rows).
6. ``apply``: after the side file caught up with the log, the rows it changed meanwhile are put in the staged tables
   (the changed rowids deleted, then their current rows inserted), in chunks too, until few are left.
7. ``swap``, projection by projection: one transaction holding the live write lock (no event and no live catch-up
   lands meanwhile) catches the side file up to the head, applies the last changes of the projection's tables,
   renames each live table of it to ``<name>__bg_old`` and its staged table to the live name (a rename rewrites the
   schema, whatever the table's size, but SQLite reads the whole schema again after each: one projection's few
   tables per transaction, not all), and sets its live position and parked events to the side file's. WAL readers
   see its old tables until it commits and the new ones after.
8. ``retire``: the replaced tables are dropped, a table per write transaction.

Each write transaction on the live file is recorded as a ``Hold`` (its rows and how long it held the lock); one that
held it longer than ``target`` (0.2 s) halves the rows of the next (down to 50), a quick one doubles them (up to
``chunk``). Once the transactions since the last pause have held the lock ``SLICE`` (0.05 s) in all, the stager
pauses ``PAUSE`` (5 ms): Jejak's commands try for the lock every 2 ms at most (``database.begin_immediate``), so a
waiting one gets it in every pause. Once they have held it ``LONG_SLICE`` (1 s) in all, the pause is ``LONG_PAUSE``
(0.12 s), longer than SQLite's own busy handler sleeps between its tries (100 ms), for any other writer of the file.
A small rebuild's few short transactions run on without a pause. The staging connection commits with
``synchronous=NORMAL`` (no fsync per chunk: a crash may lose the last chunks, never make the file inconsistent, and
staged and replaced tables are rebuilt or dropped anyway) and with ``secure_delete=FAST``: this machine's SQLite (as
Debian builds it) overwrites every page a DROP frees, which held the lock for seconds at a million rows; with FAST a
drop only lists the freed pages, and deleted content is still overwritten wherever that costs no extra write. Renamed tables keep their indexes and those keep their
names, so a table's indexes alternate between their own names and ``<name>__bg`` from one rebuild to the next (the
fingerprints and ``schema_upgrade`` look at tables, columns and the definitions, not at index names in the file).
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, MetaData, Table
from sqlalchemy.schema import CreateIndex, CreateTable

from infrastructure.projection import BULK_CACHE_KIB

NEXT = "__bg_next"  # a staged table in the live file
OLD = "__bg_old"  # a replaced live table, emptied and dropped after the swap
ALTERNATE = "__bg"  # the other name of an index, while its own name is taken by the live table's
CHANGES = "bg_changes"  # in the side file: (table, rowid) of each side row written since ``track``
PAUSE = 0.005  # seconds between two write transactions: Jejak's writers retry every 2 ms at most
SLICE = 0.05  # seconds of holding the lock, over one or more transactions, before a pause
LONG_PAUSE = 0.12  # seconds of a pause now and then: SQLite's own busy handler retries at most every 100 ms
LONG_SLICE = 1.0  # seconds of holding the lock, over many transactions, before a long pause
TARGET = 0.2  # seconds a write transaction should hold the lock at most: a slower one halves the rows of the next
ORDER_MIN = 10_000  # rows from which a side table out of key order is written again in key order before the copy
SORTED = "__bg_sorted"  # in the side file: a table being written again in key order


@dataclass(frozen=True)
class Hold:
    """One write transaction of the swap on the live file: which step, how many rows it wrote, seconds locked."""

    step: str
    rows: int
    seconds: float


class Stager:
    """Stages a side file's tables into the live SQLite file in short transactions and swaps them in."""

    def __init__(self, engine: Engine, side_file: Path, projections: dict[str, Sequence[Table]], chunk: int = 5000,
                 pause: float = PAUSE, slice_: float = SLICE, long_pause: float = LONG_PAUSE):
        self.engine = engine
        self.side_file = side_file
        self.waiting = {name: list(tables) for name, tables in projections.items()}  # the projections not swapped in
        self.all_tables = [t for tables in self.waiting.values() for t in tables]
        self.chunk = chunk  # rows per write transaction at most
        self.pause = pause
        self.slice = slice_  # seconds of holding the lock before a pause (0: a pause after every transaction)
        self.long_pause = long_pause  # now and then, for writers in SQLite's busy handler
        self.target = TARGET
        self.budget = chunk  # rows per write transaction now: fewer while they take longer than ``target``
        self.holds: list[Hold] = []
        self._held = 0.0  # seconds the lock was held since the last pause
        self._held_long = 0.0  # and since the last long pause
        self._raw: Any = None  # the live connection with the side file attached as "next" (``attached``)
        self._indexes: list[str] = []  # the staged tables' CREATE INDEX statements not run yet (``create``, ``index``)

    @property
    def tables(self) -> list[Table]:
        """The staged tables not swapped in yet."""
        return [t for tables in self.waiting.values() for t in tables]

    # -- the live file's write transactions ----------------------------------------------------------------------

    @contextmanager
    def _writing(self, step: str, lock: tuple[str, Sequence[Any]] | None = None) -> Iterator[list[int]]:
        """A write transaction on the attached live connection, recorded as a hold from when it has the lock; yields a
        one-item list the block adds its rows to. With ``lock``, a statement writing to the live file takes the lock
        instead of BEGIN IMMEDIATE, which would take the side file's too (it must still be written meanwhile)."""
        raw = self._raw
        rows = [0]
        raw.execute("BEGIN" if lock else "BEGIN IMMEDIATE")
        if lock:
            try:
                raw.execute(*lock)
            except BaseException:
                raw.execute("ROLLBACK")
                raise
        began = time.perf_counter()
        try:
            yield rows
            raw.execute("COMMIT")
        except BaseException:
            raw.execute("ROLLBACK")
            raise
        finally:
            held = time.perf_counter() - began
            self.holds.append(Hold(step, rows[0], held))
            self._held += held
            self._held_long += held
        if self.pause and self._held >= self.slice:
            # a command waiting for the lock takes it now; short transactions of a small rebuild run on unpaused
            long = self._held_long >= LONG_SLICE
            time.sleep(max(self.pause, self.long_pause) if long else self.pause)
            self._held = 0.0
            if long:
                self._held_long = 0.0

    @contextmanager
    def attached(self) -> Iterator[None]:
        """Hold a live connection with the side file attached as ``next`` for the block."""
        with self._staging() as (conn, raw):
            raw.execute(f"ATTACH DATABASE '{self.side_file}' AS next")  # SQLite attaches outside transactions
            self._raw = raw
            try:
                yield
            finally:
                self._raw = None
                try:
                    raw.execute("DETACH DATABASE next")
                except Exception:  # noqa: BLE001 - never hand the pool a connection with the side file attached
                    conn.invalidate()

    @contextmanager
    def _staging(self) -> Iterator[tuple[Any, Any]]:
        """A live connection (and its driver connection) committing without an fsync each time, for the block."""
        with self.engine.connect() as conn:
            raw = conn.connection.dbapi_connection
            assert raw is not None
            (level,) = raw.execute("PRAGMA main.synchronous").fetchone()
            (cache,) = raw.execute("PRAGMA main.cache_size").fetchone()
            (secure,) = raw.execute("PRAGMA main.secure_delete").fetchone()
            (threads,) = raw.execute("PRAGMA threads").fetchone()
            raw.execute("PRAGMA main.synchronous=NORMAL")
            raw.execute("PRAGMA main.secure_delete=FAST")
            # a staged table's key takes rows in random order: with the default 2 MiB page cache, nearly every row
            # read and wrote key pages through the kernel again
            raw.execute(f"PRAGMA main.cache_size={-BULK_CACHE_KIB}")
            # a CREATE INDEX sorts its keys with a helper thread per core: at 8M rows 13 s of holding the lock
            # instead of 17 (more CPU in all; the lock is what commands wait for)
            raw.execute(f"PRAGMA threads={os.cpu_count() or 1}")
            raw.execute("PRAGMA temp_store=FILE")  # an index build's sort may spill more than memory should hold
            try:
                yield conn, raw
            finally:
                try:
                    raw.execute("PRAGMA temp_store=MEMORY")  # as every connection of the engine has it
                    raw.execute(f"PRAGMA main.synchronous={int(level)}")
                    raw.execute(f"PRAGMA main.cache_size={int(cache)}")
                    raw.execute(f"PRAGMA main.secure_delete={int(secure)}")
                    raw.execute(f"PRAGMA threads={int(threads)}")
                except Exception:  # noqa: BLE001 - never hand the pool a connection that commits less durably
                    conn.invalidate()

    # -- leftovers -----------------------------------------------------------------------------------------------

    def clean(self) -> list[str]:
        """Drop the staged and replaced copies of this rebuild's tables that an interrupted rebuild left in the live
        file (a rebuild of other projections running meanwhile keeps its own); their names."""
        wanted = {f"{t.name}{suffix}" for t in self.all_tables for suffix in (NEXT, OLD)}
        with self._staging() as (_conn, raw):
            names = [str(n) for (n,) in raw.execute("SELECT name FROM sqlite_schema WHERE type = 'table'").fetchall()
                     if n in wanted]
            self._raw = raw
            try:
                if names:
                    warm(Path(str(self.engine.url.database)))
                for name in names:  # a transaction each: a DROP has SQLite read the whole schema again
                    with self._writing("retire"):
                        raw.execute(f'DROP TABLE main."{name}"')
            finally:
                self._raw = None
        return names

    def retire(self) -> None:
        """Drop the tables the swap replaced."""
        self.clean()

    def _chunked(self, step: str, tasks: Sequence[Callable[[int], tuple[int, bool]]]) -> int:
        """Run the tasks in order in write transactions of at most ``chunk`` rows each: a task is given how many rows
        it may still write in the current one, and says how many it wrote and whether it has finished (it has when
        it wrote fewer than it was given). Returns the rows written."""
        total, i = 0, 0
        while i < len(tasks):
            with self._writing(step) as rows:
                while i < len(tasks) and rows[0] < self.budget:
                    count, finished = tasks[i](self.budget - rows[0])
                    rows[0] += count
                    i += finished
            total += rows[0]
            held = self.holds[-1].seconds
            if held > self.target:  # a loaded machine, wide rows, many indexes: fewer rows per transaction
                self.budget = max(self.budget // 2, min(self.chunk, 50))
            elif held < self.target / 4:
                self.budget = min(self.budget * 2, self.chunk)
        return total

    # -- staging -------------------------------------------------------------------------------------------------

    def track(self, side: Engine) -> None:
        """Have the side file note every row written to its tables from now on (the side connections run with
        recursive triggers, so rows a REPLACE deletes are noted too)."""
        with side.begin() as conn:
            conn.exec_driver_sql(f"CREATE TABLE IF NOT EXISTS {CHANGES} (tbl TEXT NOT NULL, rid INTEGER NOT NULL, "
                                 "PRIMARY KEY (tbl, rid)) WITHOUT ROWID")
            for table in self.all_tables:
                name = table.name
                note = f"INSERT OR IGNORE INTO {CHANGES} VALUES ('{name}', %s.rowid);"
                conn.exec_driver_sql(f'CREATE TRIGGER "{name}__bg_i" AFTER INSERT ON "{name}" BEGIN '
                                     f'{note % "new"} END')
                conn.exec_driver_sql(f'CREATE TRIGGER "{name}__bg_u" AFTER UPDATE ON "{name}" BEGIN '
                                     f'{note % "old"} {note % "new"} END')
                conn.exec_driver_sql(f'CREATE TRIGGER "{name}__bg_d" AFTER DELETE ON "{name}" BEGIN '
                                     f'{note % "old"} END')

    def create(self) -> None:
        """Create the empty staged tables with their keys but no other index (a transaction a projection: each
        statement has SQLite read the whole schema again); their indexes come once they are filled (``index``)."""
        taken = {str(n) for (n,) in self._raw.execute("SELECT name FROM sqlite_schema WHERE type = 'index'")}
        dialect = self.engine.dialect
        for tables in self.waiting.values():
            with self._writing("create"):
                for table in tables:
                    staged = staged_table(table, taken)
                    self._raw.execute(str(CreateTable(staged).compile(dialect=dialect)))
                    self._indexes.extend(str(CreateIndex(index).compile(dialect=dialect)) for index in staged.indexes)

    def index(self) -> None:
        """Create the staged tables' indexes, each in a write transaction of its own."""
        while self._indexes:
            with self._writing("index"):
                self._raw.execute(self._indexes[0])
            self._indexes.pop(0)

    def copy(self) -> int:
        """Copy every side table into its staged table, in log order of rowids, ``chunk`` rows per write transaction;
        the rows copied."""
        return self._chunked("copy", [self._copier(table) for table in self.tables])

    def _copier(self, table: Table) -> Callable[[int], tuple[int, bool]]:
        name, columns = table.name, _columns(table)
        last = [0]

        def run(budget: int) -> tuple[int, bool]:
            count = int(self._raw.execute(
                f'INSERT INTO main."{name}{NEXT}" (rowid, {columns}) SELECT rowid, {columns} FROM next."{name}" '
                "WHERE rowid > ? ORDER BY rowid LIMIT ?", (last[0], budget)).rowcount)
            if count:
                last[0] = self._raw.execute(f'SELECT max(rowid) FROM main."{name}{NEXT}"').fetchone()[0]
            return count, count < budget
        return run

    def pending(self, tables: Sequence[Table] | None = None) -> int:
        """How many side rows of the tables (default: those not swapped in) changed since they were last staged."""
        names = [t.name for t in (self.tables if tables is None else tables)]
        return int(self._raw.execute(f"SELECT count(*) FROM next.{CHANGES} WHERE tbl IN ({', '.join('?' * len(names))})",
                                     names).fetchone()[0])

    def apply(self) -> int:
        """Put the side rows changed since they were staged into the staged tables, ``chunk`` changed rowids per write
        transaction (their staged rows deleted, then the side's current rows inserted); the rowids applied. The side
        file must not change meanwhile."""
        done = self._chunked("apply", [self._changer(table) for table in self.tables])
        self._raw.execute(f"DELETE FROM next.{CHANGES}")  # autocommit, in the side file only
        return done

    def _changer(self, table: Table) -> Callable[[int], tuple[int, bool]]:
        """A task staging the table's changed rows, the next ``budget`` rowids at a time."""
        last = [0]
        delete, insert = self._delete_changed(table), self._insert_changed(table)

        def run(budget: int) -> tuple[int, bool]:
            high, count = self._raw.execute(
                f"SELECT max(rid), count(*) FROM (SELECT rid FROM next.{CHANGES} WHERE tbl = ? AND rid > ? "
                "ORDER BY rid LIMIT ?)", (table.name, last[0], budget)).fetchone()
            if count:
                for statement in (delete, insert):
                    self._raw.execute(statement, (table.name, last[0], high))
                last[0] = high
            return int(count), count < budget
        return run

    @staticmethod
    def _delete_changed(table: Table) -> str:
        return (f'DELETE FROM main."{table.name}{NEXT}" WHERE rowid IN (SELECT rid FROM next.{CHANGES} '
                "WHERE tbl = ? AND rid > ? AND rid <= ?)")

    @staticmethod
    def _insert_changed(table: Table) -> str:
        # REPLACE: a staged row holding a unique key the side row now has is stale (the side file has each key once)
        # and changed too, but its rowid may come in a later chunk
        columns = _columns(table)
        return (f'INSERT OR REPLACE INTO main."{table.name}{NEXT}" (rowid, {columns}) SELECT rowid, {columns} '
                f'FROM next."{table.name}" WHERE rowid IN (SELECT rid FROM next.{CHANGES} '
                "WHERE tbl = ? AND rid > ? AND rid <= ?)")

    # -- the swap ------------------------------------------------------------------------------------------------

    def swap(self, name: str, catch_up: Callable[[], object], limit: int | None = None,
             also: Sequence[tuple[str, Sequence[Any]]] = ()) -> int | None:
        """In one short transaction holding the live write lock: ``catch_up`` the side file to the head, apply the last
        changes of the projection's tables, rename its staged tables into place, set its live position and parked
        events to the side file's and run the statements ``also`` (recording its definition); return the position.
        None, and nothing done in the live file, when more than ``limit`` of its side rows changed since the last
        ``apply`` (the caller applies them and tries again)."""
        # the lock, by a write to the live file before the side file is read (it is written meanwhile)
        lock = ("UPDATE main.projection_tracking SET position = position WHERE name = ?", (name,))
        try:
            with self._writing("swap", lock) as rows:
                position = self._swap_locked(name, catch_up, limit, rows)
                for statement in also:
                    self._raw.execute(*statement)
        except _TooMany:
            return None
        del self.waiting[name]
        return position

    def _swap_locked(self, name: str, catch_up: Callable[[], object], limit: int | None, rows: list[int]) -> int:
        """The swap's work once it holds the lock (the changed rowids it stages counted in ``rows``)."""
        tables = self.waiting[name]
        catch_up()  # no event lands meanwhile: this is the head for good
        rows[0] = self.pending(tables)
        if limit is not None and rows[0] > limit:
            raise _TooMany
        for step in (self._delete_changed, self._insert_changed):
            for table in tables:
                self._raw.execute(step(table), (table.name, 0, 2**63 - 1))
        present = {str(n) for (n,) in self._raw.execute("SELECT name FROM main.sqlite_schema WHERE type = 'table'")}
        for table in tables:
            if table.name in present:
                self._raw.execute(f'ALTER TABLE main."{table.name}" RENAME TO "{table.name}{OLD}"')
            self._raw.execute(f'ALTER TABLE main."{table.name}{NEXT}" RENAME TO "{table.name}"')
        self._raw.execute(
            "UPDATE main.projection_tracking SET position = n.position, updated_at = n.updated_at "
            "FROM (SELECT position, updated_at FROM next.projection_tracking WHERE name = ?) AS n WHERE name = ?",
            (name, name))
        self._raw.execute("DELETE FROM main.projection_parked WHERE name = ?", (name,))
        self._raw.execute("INSERT INTO main.projection_parked SELECT * FROM next.projection_parked WHERE name = ?",
                          (name,))
        return int(self._raw.execute("SELECT position FROM main.projection_tracking WHERE name = ?",
                                     (name,)).fetchone()[0])


def order_by_key(side: Engine, tables: Sequence[Table], minimum: int = ORDER_MIN) -> list[str]:
    """Write each side table of at least ``minimum`` rows whose rowids do not follow its primary key again in key
    order, with its indexes, a table per transaction (the side file is the rebuild's own: nobody waits); their names.
    Copied in rowid order, such a table's rows then come in key order too, and the staged key index in the live file
    grows at its end instead of taking each chunk's rows all over it: at a million timeline entries, 34 s of the
    copy's lock holds against 5."""
    dialect = side.dialect
    done = []
    with side.connect() as conn:
        conn.exec_driver_sql(f"PRAGMA cache_size={-BULK_CACHE_KIB}")
        conn.commit()
        for table in tables:
            with conn.begin():
                if _in_key_order(conn, table, minimum):
                    continue
                sorted_ = table.to_metadata(MetaData(), name=f"{table.name}{SORTED}")
                columns, key = _columns(table), _key(table)
                conn.exec_driver_sql(f'DROP TABLE IF EXISTS "{sorted_.name}"')
                conn.exec_driver_sql(str(CreateTable(sorted_).compile(dialect=dialect)))
                conn.exec_driver_sql(f'INSERT INTO "{sorted_.name}" ({columns}) SELECT {columns} FROM "{table.name}" '
                                     f"ORDER BY {key}")
                conn.exec_driver_sql(f'DROP TABLE "{table.name}"')
                conn.exec_driver_sql(f'ALTER TABLE "{sorted_.name}" RENAME TO "{table.name}"')
                for index in table.indexes:
                    conn.exec_driver_sql(str(CreateIndex(index).compile(dialect=dialect)))
            done.append(table.name)
    return done


def _in_key_order(conn: Any, table: Table, minimum: int) -> bool:
    """Whether the table has no key, fewer than ``minimum`` rows, or rowids that follow its key (an integer key
    written in its order, as the audit index's positions): nothing to gain by writing it again."""
    key = _key(table)
    if not key or conn.exec_driver_sql(f'SELECT count(*) FROM "{table.name}"').scalar_one() < minimum:
        return True
    return not conn.exec_driver_sql(
        f'SELECT EXISTS (SELECT 1 FROM (SELECT rowid - lag(rowid) OVER (ORDER BY {key}) AS step FROM "{table.name}") '
        "WHERE step < 0)").scalar_one()


def warm(path: Path, block: int = 8 << 20) -> bool:
    """Read a file from start to end into the kernel's page cache, if it fits in half the memory available; whether
    it did. A DROP visits every page of the table it frees, in b-tree order: at a million timeline entries, with the
    live file's pages gone from the cache (a rebuild writes gigabytes meanwhile), it held the write lock 4.1 s in
    random reads, 0.5 s after this sequential read of the 2.7 GB file (1.7 s)."""
    available = _memory_available()
    if not path.exists() or available is None or path.stat().st_size > available // 2:
        return False
    with path.open("rb", buffering=0) as f:
        while f.read(block):
            pass
    return True


def _memory_available() -> int | None:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemAvailable:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return None


def _key(table: Table) -> str:
    return ", ".join(f'"{c.name}"' for c in table.primary_key.columns)


class _TooMany(Exception):
    """More side rows changed than the swap may stage while it holds the lock."""


def staged_table(table: Table, taken: set[str]) -> Table:
    """The table's definition under its staged name, each index named with whichever of its own name and
    ``<name>__bg`` no index in ``taken`` has (the live table's keep theirs through the swap's rename)."""
    staged = table.to_metadata(MetaData(), name=f"{table.name}{NEXT}")
    for index in staged.indexes:
        own = str(index.name) if index.name else f"ix_{table.name}_{'_'.join(c.name for c in index.columns)}"
        for name in (own, f"{own}{ALTERNATE}"):
            if name not in taken:
                index.name = name  # type: ignore[assignment]
                break
        else:
            raise RuntimeError(f"index names {own} and {own}{ALTERNATE} are both taken in the live file")
    return staged


def _columns(table: Table) -> str:
    return ", ".join(f'"{c.name}"' for c in table.columns)
