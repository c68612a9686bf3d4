"""Bulk replay: read the log as raw decoded events and fold it, on two cores when the log is an SQLite file.

A fold keeps, per table and row key, the columns set so far, and every event only ever sets columns
(the last writer wins). So the log can be cut by position into segments that are folded independently
(a change for a row registered in an earlier segment is kept as a partial row) and merged in log order.
The first segment is folded in this process; the others in worker processes (``python -m
infrastructure.replay``), which open the SQLite file themselves. Worker processes are started fresh rather
than forked: a forked child would inherit this process's open SQLite connections and locks.
"""

from __future__ import annotations

import gc
import os
import sqlite3
import subprocess
import sys
import traceback
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from multiprocessing import Pipe
from multiprocessing.connection import Connection
from typing import TYPE_CHECKING, Any, NamedTuple
from uuid import UUID

import orjson

if TYPE_CHECKING:
    from infrastructure.projection import BulkReplay

Folded = dict[str, dict[Any, dict[str, Any]]]  # table -> row key -> columns set so far
Progress = Callable[[int], None]
StoredRow = tuple[int, Any, int, str, bytes]  # position, originator id, version, topic, state
CHUNK = 20_000  # positions read per query
# What a worker's start (imports) and hand-back (JSON) cost, in positions folded meanwhile (about 0.9 CPU-s at
# 8.6 µs a position on the 2-core benchmark machine): this process folds that many more, so both finish together.
WORKER_COST = 100_000


class RawEvent(NamedTuple):
    """A stored event decoded to plain JSON values (typed values stay as {"_type_", "_data_"})."""

    position: int
    topic: str
    originator_id: str  # as stored (hex or canonical text); convert once per row, not once per event
    version: int
    state: dict[str, Any]


def merge(earlier: Folded, later: Folded) -> Folded:
    """Fold ``later`` (the next segment of the log) into ``earlier``: later columns win."""
    for table, rows in later.items():
        into = earlier.setdefault(table, {})
        for key, row in rows.items():
            have = into.get(key)
            if have is None:
                into[key] = row
            else:
                have.update(row)
    return earlier


def decoded(rows: Iterable[StoredRow], decrypt: Callable[[bytes], bytes] | None,
            decompress: Callable[[bytes], bytes] | None) -> Iterator[RawEvent]:
    """Stored rows decrypted, decompressed and JSON-decoded (no domain objects)."""
    loads = orjson.loads
    make = tuple.__new__  # a named tuple without its Python-level __new__: half the cost, once per stored event
    for position, oid, version, topic, state in rows:
        if decrypt:
            state = decrypt(state)
        if decompress:
            state = decompress(state)
        yield make(RawEvent, (position, topic, oid.hex if isinstance(oid, UUID) else oid, version, loads(state)))


def canonical_id(stored: str) -> str:
    """An id as stored (32 hex digits, or already canonical) in the canonical text ``str(UUID)`` gives."""
    if len(stored) == 36:
        return stored
    return f"{stored[:8]}-{stored[8:12]}-{stored[12:16]}-{stored[16:20]}-{stored[20:]}"


def unwrapped(value: Any) -> Any:
    """A raw JSON value with its typed values as the plain text read models keep: ids canonical, dates and times
    ISO (what ``plain`` would make of the decoded objects)."""
    kind = type(value)
    if kind is dict:
        if "_type_" in value and len(value) == 2:
            data = value["_data_"]
            return canonical_id(data) if value["_type_"] == "uuid_hex" else data
        return {k: unwrapped(v) for k, v in value.items()}
    if kind is list:
        return [unwrapped(v) for v in value]
    return value


def unwrapped_state(state: dict[str, Any]) -> dict[str, Any]:
    """``unwrapped`` for a raw event's state, in place (most of its values are plain already)."""
    for key, value in state.items():  # replacing a value while iterating is safe; no key is added
        kind = type(value)
        if kind is dict:
            if len(value) == 2 and "_type_" in value:  # a typed leaf (most of them), unwrapped here without a call
                data = value["_data_"]
                state[key] = canonical_id(data) if value["_type_"] == "uuid_hex" else data
            else:
                state[key] = unwrapped(value)
        elif kind is list:
            state[key] = unwrapped(value)
    return state


def sqlite_datetime(iso: str) -> str:
    """An ISO timestamp in SQLAlchemy's SQLite DATETIME storage form, in UTC (as ``UTCDateTime`` stores it)."""
    if len(iso) == 32 and iso[26:] == "+00:00":  # the usual form (UTC, microseconds): a slice, no parsing
        return f"{iso[:10]} {iso[11:26]}"
    if not iso.endswith("+00:00"):  # not UTC (or naive): let datetime convert it
        moment = datetime.fromisoformat(iso)
        moment = moment.astimezone(UTC) if moment.tzinfo else moment
        return moment.strftime("%Y-%m-%d %H:%M:%S.%f")
    day, _, rest = iso.partition("T")
    clock = rest[:15] if len(rest) > 8 and rest[8] == "." else rest[:8] + ".000000"
    return f"{day} {clock}"


def segments(start: int, stop: int, parts: int, head_start: int = 0) -> list[tuple[int, int]]:
    """``[start, stop]`` cut into ``parts`` contiguous position ranges; the first (folded here) is
    ``head_start`` positions longer than its share, the rest (folded by workers) share what is left."""
    size = stop - start + 1
    if parts < 2:
        return [(start, stop)]
    first = min(size, (size + head_start * (parts - 1)) // parts)
    rest = size - first
    bounds = [start, *(start + first + rest * i // (parts - 1) for i in range(parts))]
    return [(bounds[i], bounds[i + 1] - 1) for i in range(len(bounds) - 1) if bounds[i + 1] > bounds[i]]


def sqlite_rows(cursor: sqlite3.Cursor, table: str, topics: frozenset[str] | None, start: int, stop: int
                ) -> list[StoredRow]:
    """Rows with the given topics (None: every topic) between two positions, as plain tuples (no Row objects, no
    UUIDs)."""
    cursor.row_factory = None
    if topics is None:
        cursor.execute(f"SELECT rowid, originator_id, originator_version, topic, state FROM {table} "
                       f"WHERE rowid BETWEEN ? AND ? ORDER BY rowid", (start, stop))
    else:
        marks = ", ".join("?" * len(topics))
        cursor.execute(f"SELECT rowid, originator_id, originator_version, topic, state FROM {table} "
                       f"WHERE rowid BETWEEN ? AND ? AND topic IN ({marks}) ORDER BY rowid", (start, stop, *topics))
    return cursor.fetchall()


@dataclass(frozen=True)
class SQLiteLog:
    """Enough to read the log from another process: the SQLite file and the payload transforms."""

    db_name: str
    table: str
    cipher: Any = None
    compressor: Any = None

    def events(self, topics: frozenset[str], start: int, stop: int, progress: Progress | None) -> Iterator[RawEvent]:
        """Decoded events in ``[start, stop]`` with the given topics, on a connection of its own."""
        conn = sqlite3.connect(self.db_name, uri=True, timeout=30, isolation_level=None)
        try:
            cursor = conn.cursor()
            decrypt = self.cipher.decrypt if self.cipher else None
            decompress = self.compressor.decompress if self.compressor else None
            for low in range(start, stop + 1, CHUNK):
                high = min(low + CHUNK - 1, stop)
                yield from decoded(sqlite_rows(cursor, self.table, topics, low, high), decrypt, decompress)
                if progress:
                    progress(high - low + 1)
        finally:
            conn.close()


@dataclass(frozen=True)
class Task:
    """One segment for a worker to fold."""

    projection: BulkReplay
    log: SQLiteLog
    topics: frozenset[str]
    start: int
    stop: int


class Worker:
    """A worker process folding one segment; reports progress, then its folded rows (as JSON: orjson
    writes and reads them several times faster than pickle)."""

    def __init__(self, task: Task):
        mine, theirs = Pipe()
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in sys.path if p)}
        self.process = subprocess.Popen([sys.executable, "-m", "infrastructure.replay", str(theirs.fileno())],
                                        pass_fds=(theirs.fileno(),), env=env)
        theirs.close()
        self.conn = mine
        self.result: Folded | None = None
        mine.send(task)

    def poll(self, progress: Progress | None, block: bool = False) -> bool:
        """Pass on the progress reported so far (all of it, with ``block``); True once the result is in."""
        while self.result is None and (block or self.conn.poll()):
            try:
                kind, value = orjson.loads(self.conn.recv_bytes())
            except EOFError:
                raise RuntimeError(f"replay worker exited with status {self.process.wait()}") from None
            if kind == "progress":
                if progress:
                    progress(value)
            elif kind == "done":
                self.result = value
            else:
                raise RuntimeError(f"replay worker failed:\n{value}")
        return self.result is not None

    def close(self) -> None:
        """Stop the process if it is still running and reap it."""
        self.conn.close()
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait()


def fold_in_parallel(projection: BulkReplay, log: SQLiteLog, topics: frozenset[str], head: int, parts: int,
                     progress: Progress | None, worker_cost: int = WORKER_COST) -> Folded:
    """Fold positions 1..head in ``parts`` segments: the first here, the others in worker processes."""
    first, *rest = segments(1, head, parts, worker_cost)
    workers: list[Worker] = []
    try:
        workers = [Worker(Task(projection, log, topics, start, stop)) for start, stop in rest]

        def report(count: int) -> None:
            if progress:
                progress(count)
            for worker in workers:
                worker.poll(progress)

        folded = projection.fold(log.events(topics, *first, report))
        for worker in workers:
            worker.poll(progress, block=True)
            assert worker.result is not None
            merge(folded, worker.result)
            worker.result = None
        return folded
    finally:
        for worker in workers:
            worker.close()


def _work(fd: int) -> int:
    """Worker process: receive a task, fold it, send back progress and the folded rows."""
    conn = Connection(fd)

    def send(kind: str, value: Any) -> None:
        conn.send_bytes(orjson.dumps([kind, value]))

    try:
        task: Task = conn.recv()
        gc.disable()  # acyclic dicts only; see ProjectionRunner._bulk_rebuild
        send("done", task.projection.fold(task.log.events(task.topics, task.start, task.stop,
                                                          lambda n: send("progress", n))))
        return 0
    except BaseException:  # noqa: BLE001 - reported to the parent, which raises it
        send("error", traceback.format_exc())
        return 1
    finally:
        conn.close()


if __name__ == "__main__":
    sys.exit(_work(int(sys.argv[1])))
