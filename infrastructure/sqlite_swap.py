"""The SQLite swap of a blue-green rebuild in short write transactions: the side file's tables are staged into the live
file beside the live tables, chunk by chunk, then renamed into place in one short transaction.

A rebuild builds the new tables in a side file (``BlueGreen``). Copying them into the live file in one transaction
holds the live write lock as long as the copy takes (a minute at a million events), longer than a command waits for
it. Here instead:

1. ``clean``: staged or replaced tables left by an interrupted rebuild are emptied and dropped (in chunks).
2. ``track``: triggers in the side file note the rowid of every side row written from now on (``bg_changes``).
3. ``copy``: each side table is copied into an empty table ``<name>__bg_next`` of the live file, with the same
   columns, keys and indexes (the indexes under names no live index has), ``chunk`` rows per write transaction.
4. ``apply``: after the side file caught up with the log, the rows it changed meanwhile are put in the staged tables
   (the changed rowids deleted, then their current rows inserted), in chunks too, until few are left.
5. ``swap``: one transaction holding the live write lock (no event and no live catch-up lands meanwhile) catches the
   side file up to the head, applies its last changes, renames each live table to ``<name>__bg_old`` and its staged
   table to the live name (renames only rewrite the schema, whatever the table's size), and sets the live positions
   and parked events to the side file's. WAL readers see the old tables until it commits and the new ones after.
6. ``retire``: the replaced tables are emptied in chunks and dropped.

Each write transaction on the live file is recorded as a ``Hold`` (its rows and how long it held the lock), and the
stager pauses ``pause`` seconds after each one, longer than SQLite's busy handler sleeps between its tries (100 ms),
so a command waiting for the lock gets it in every pause. Renamed tables keep their indexes and those keep their
names, so a table's indexes alternate between their own names and ``<name>__bg`` from one rebuild to the next (the
fingerprints and ``schema_upgrade`` look at tables, columns and the definitions, not at index names in the file).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, MetaData, Table
from sqlalchemy.schema import CreateIndex, CreateTable

NEXT = "__bg_next"  # a staged table in the live file
OLD = "__bg_old"  # a replaced live table, emptied and dropped after the swap
ALTERNATE = "__bg"  # the other name of an index, while its own name is taken by the live table's
CHANGES = "bg_changes"  # in the side file: (table, rowid) of each side row written since ``track``
PAUSE = 0.12  # seconds between two write transactions: SQLite's busy handler retries at most every 100 ms


@dataclass(frozen=True)
class Hold:
    """One write transaction of the swap on the live file: which step, how many rows it wrote, seconds locked."""

    step: str
    rows: int
    seconds: float


class Stager:
    """Stages a side file's tables into the live SQLite file in short transactions and swaps them in."""

    def __init__(self, engine: Engine, side_file: Path, tables: Sequence[Table], chunk: int = 5000,
                 pause: float = PAUSE):
        self.engine = engine
        self.side_file = side_file
        self.tables = list(tables)
        self.chunk = chunk
        self.pause = pause
        self.holds: list[Hold] = []
        self._raw: Any = None  # the live connection with the side file attached as "next" (``attached``)

    # -- the live file's write transactions ----------------------------------------------------------------------

    @contextmanager
    def _writing(self, step: str, immediate: bool = True) -> Iterator[list[int]]:
        """A write transaction on the attached live connection, recorded as a hold; yields a one-item list the block
        adds its rows to. Not immediate: the block's first statement must write to the live file (it takes the lock
        then, before anything reads the side file, so the side file can still be written meanwhile)."""
        raw = self._raw
        rows = [0]
        raw.execute("BEGIN IMMEDIATE" if immediate else "BEGIN")
        began = time.perf_counter()
        try:
            yield rows
            raw.execute("COMMIT")
        except BaseException:
            raw.execute("ROLLBACK")
            raise
        finally:
            self.holds.append(Hold(step, rows[0], time.perf_counter() - began))
        if self.pause:
            time.sleep(self.pause)  # a command waiting for the lock takes it now

    @contextmanager
    def attached(self) -> Iterator[None]:
        """Hold a live connection with the side file attached as ``next`` for the block."""
        with self.engine.connect() as conn:
            raw = conn.connection.dbapi_connection
            assert raw is not None
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

    # -- leftovers -----------------------------------------------------------------------------------------------

    def clean(self) -> list[str]:
        """Empty and drop the staged and replaced tables an interrupted rebuild left in the live file; their names."""
        with self.engine.connect() as conn:
            raw = conn.connection.dbapi_connection
            assert raw is not None
            names = [str(n) for (n,) in raw.execute(
                "SELECT name FROM sqlite_schema WHERE type = 'table' AND (name LIKE ? ESCAPE '!' OR name LIKE ? "
                "ESCAPE '!')", (_like(NEXT), _like(OLD))).fetchall()]
            self._raw = raw
            try:
                self._chunked("retire", [self._emptier(name) for name in names])
            finally:
                self._raw = None
        return names

    def retire(self) -> None:
        """Empty and drop the tables the swap replaced."""
        self.clean()

    def _chunked(self, step: str, tasks: Sequence[Callable[[int], tuple[int, bool]]]) -> int:
        """Run the tasks in order in write transactions of at most ``chunk`` rows each: a task is given how many rows
        it may still write in the current one, and says how many it wrote and whether it has finished (it has when
        it wrote fewer than it was given). Returns the rows written."""
        total, i = 0, 0
        while i < len(tasks):
            with self._writing(step) as rows:
                while i < len(tasks) and rows[0] < self.chunk:
                    count, finished = tasks[i](self.chunk - rows[0])
                    rows[0] += count
                    i += finished
            total += rows[0]
        return total

    def _emptier(self, name: str) -> Callable[[int], tuple[int, bool]]:
        """A task deleting a table's rows (a DROP of a large table frees its pages one by one under the lock), then
        dropping it once empty."""
        def run(budget: int) -> tuple[int, bool]:
            count = int(self._raw.execute(
                f'DELETE FROM main."{name}" WHERE rowid IN (SELECT rowid FROM main."{name}" LIMIT ?)',
                (budget,)).rowcount)
            if count < budget:
                self._raw.execute(f'DROP TABLE main."{name}"')
            return count, count < budget
        return run

    # -- staging -------------------------------------------------------------------------------------------------

    def track(self, side: Engine) -> None:
        """Have the side file note every row written to its tables from now on (the side connections run with
        recursive triggers, so rows a REPLACE deletes are noted too)."""
        with side.begin() as conn:
            conn.exec_driver_sql(f"CREATE TABLE IF NOT EXISTS {CHANGES} (tbl TEXT NOT NULL, rid INTEGER NOT NULL, "
                                 "PRIMARY KEY (tbl, rid)) WITHOUT ROWID")
            for table in self.tables:
                name = table.name
                note = f"INSERT OR IGNORE INTO {CHANGES} VALUES ('{name}', %s.rowid);"
                conn.exec_driver_sql(f'CREATE TRIGGER "{name}__bg_i" AFTER INSERT ON "{name}" BEGIN '
                                     f'{note % "new"} END')
                conn.exec_driver_sql(f'CREATE TRIGGER "{name}__bg_u" AFTER UPDATE ON "{name}" BEGIN '
                                     f'{note % "old"} {note % "new"} END')
                conn.exec_driver_sql(f'CREATE TRIGGER "{name}__bg_d" AFTER DELETE ON "{name}" BEGIN '
                                     f'{note % "old"} END')

    def create(self) -> None:
        """Create the empty staged tables, their indexes under names no live index has."""
        taken = {str(n) for (n,) in self._raw.execute("SELECT name FROM sqlite_schema WHERE type = 'index'")}
        dialect = self.engine.dialect
        with self._writing("create"):
            for table in self.tables:
                staged = staged_table(table, taken)
                self._raw.execute(str(CreateTable(staged).compile(dialect=dialect)))
                for index in staged.indexes:
                    self._raw.execute(str(CreateIndex(index).compile(dialect=dialect)))

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

    def pending(self) -> int:
        """How many side rows changed since they were last staged."""
        return int(self._raw.execute(f"SELECT count(*) FROM next.{CHANGES}").fetchone()[0])

    def apply(self) -> int:
        """Put the side rows changed since they were staged into the staged tables, ``chunk`` rowids per write
        transaction: every changed rowid of every table deleted first, then their current rows inserted (so a key
        that moved to another row never meets its old row); the rowids applied. The side file must not change
        meanwhile."""
        deletes = [self._changer(table, self._delete_changed(table)) for table in self.tables]
        inserts = [self._changer(table, self._insert_changed(table)) for table in self.tables]
        done = self._chunked("apply", deletes)
        self._chunked("apply", inserts)
        self._raw.execute(f"DELETE FROM next.{CHANGES}")  # autocommit, in the side file only
        return done

    def _changer(self, table: Table, statement: str) -> Callable[[int], tuple[int, bool]]:
        """A task running ``statement`` on the table's changed rowids, the next ``budget`` of them at a time."""
        last = [0]

        def run(budget: int) -> tuple[int, bool]:
            high, count = self._raw.execute(
                f"SELECT max(rid), count(*) FROM (SELECT rid FROM next.{CHANGES} WHERE tbl = ? AND rid > ? "
                "ORDER BY rid LIMIT ?)", (table.name, last[0], budget)).fetchone()
            if count:
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
        columns = _columns(table)
        return (f'INSERT INTO main."{table.name}{NEXT}" (rowid, {columns}) SELECT rowid, {columns} '
                f'FROM next."{table.name}" WHERE rowid IN (SELECT rid FROM next.{CHANGES} '
                "WHERE tbl = ? AND rid > ? AND rid <= ?)")

    # -- the swap ------------------------------------------------------------------------------------------------

    def swap(self, names: Sequence[str], catch_up: Callable[[], object]) -> int:
        """In one short transaction holding the live write lock: ``catch_up`` the side file to the head, apply its last
        changes, rename the staged tables into place and set the live positions and parked events of the named
        projections to the side file's; return the lowest position."""
        marks = ", ".join("?" * len(names))
        with self._writing("swap", immediate=False) as rows:
            # the lock, by a write to the live file before the side file is read (it is written meanwhile)
            self._raw.execute(f"UPDATE main.projection_tracking SET position = position WHERE name IN ({marks})",
                              tuple(names))
            catch_up()  # no event lands meanwhile: this is the head for good
            for table in self.tables:
                for statement in (self._delete_changed(table), self._insert_changed(table)):
                    rows[0] += self._raw.execute(statement, (table.name, 0, 2**63 - 1)).rowcount
            present = {str(n) for (n,) in self._raw.execute("SELECT name FROM main.sqlite_schema WHERE type = 'table'")}
            for table in self.tables:
                name = table.name
                if name in present:
                    self._raw.execute(f'ALTER TABLE main."{name}" RENAME TO "{name}{OLD}"')
                self._raw.execute(f'ALTER TABLE main."{name}{NEXT}" RENAME TO "{name}"')
            self._raw.execute(
                "UPDATE main.projection_tracking SET "
                "position = (SELECT n.position FROM next.projection_tracking n WHERE n.name = projection_tracking.name),"
                " updated_at = (SELECT n.updated_at FROM next.projection_tracking n "
                f"WHERE n.name = projection_tracking.name) WHERE name IN ({marks})", tuple(names))
            self._raw.execute(f"DELETE FROM main.projection_parked WHERE name IN ({marks})", tuple(names))
            self._raw.execute(f"INSERT INTO main.projection_parked SELECT * FROM next.projection_parked "
                              f"WHERE name IN ({marks})", tuple(names))
            position = self._raw.execute(f"SELECT min(position) FROM main.projection_tracking WHERE name IN ({marks})",
                                         tuple(names)).fetchone()[0]
        return int(position)


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


def _like(suffix: str) -> str:
    """A LIKE pattern (escape "!") for names ending in ``suffix``."""
    return "%" + suffix.replace("_", "!_")
