"""Projections: read models that pull the notification log in batches, exactly once, rebuildable."""

from __future__ import annotations

import gc
import logging
import os
import sqlite3
import time
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, nullcontext
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any, cast
from uuid import UUID

import orjson
from eventsourcing.domain import DomainEventProtocol
from eventsourcing.persistence import InterfaceError, Notification, OperationalError, StoredEvent
from eventsourcing.sqlite import SQLiteApplicationRecorder, SQLiteCursor
from eventsourcing.utils import get_topic
from eventsourcing.utils import retry as retried
from sqlalchemy import (
    JSON,
    Column,
    Connection,
    Date,
    Engine,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    Uuid,
    bindparam,
    delete,
    func,
    inspect,
    select,
    update,
)
from sqlalchemy.exc import DBAPIError
from sqlalchemy.schema import CreateIndex, CreateTable

from application.ledger import Ledger, note_written
from domain.text import escaped
from infrastructure import people_index
from infrastructure.chain import Deferred, persistence_error, postgres_error
from infrastructure.database import UTCDateTime, reader, writer
from infrastructure.replay import (
    CHUNK,
    WORKER_COST,
    Folded,
    RawEvent,
    SQLiteLog,
    StoredRow,
    decoded,
    fold_in_parallel,
    sqlite_datetime,
    sqlite_rows,
)
from infrastructure.sqlite_store import ThreadReads

log = logging.getLogger(__name__)
# True while this thread's last write caught every projection up with its own events, in the write's transaction:
# the catch-up after it has nothing to do (``ProjectionRunner.write_jointly``)
_CAUGHT_UP: ContextVar[bool] = ContextVar("jejak_caught_up_with_own_write", default=False)
BULK_CACHE_KIB = 256 * 1024  # SQLite page cache while a bulk rebuild writes

tracking_metadata = MetaData()
tracking = Table(
    "projection_tracking",
    tracking_metadata,
    Column("name", String(64), primary_key=True),
    Column("position", Integer, nullable=False),
    Column("updated_at", UTCDateTime(), nullable=False),
)
# Events a projection could not apply after its retries: it carried on past them, and says so loudly
# (status, /api/ready, and authentication when the projection decides who may sign in).
parked = Table(
    "projection_parked",
    tracking_metadata,
    Column("name", String(64), primary_key=True),
    Column("position", Integer, primary_key=True),
    Column("topic", String(255), nullable=False),
    Column("originator_id", String(64), nullable=False),
    Column("originator_version", Integer, nullable=False),
    Column("error", Text, nullable=False),
    Column("attempts", Integer, nullable=False),
    Column("parked_at", UTCDateTime(), nullable=False),
)


@dataclass(frozen=True)
class Projected:
    """A decoded event with its global position in the log."""

    position: int
    event: DomainEventProtocol[Any]

    @property
    def timestamp(self) -> datetime:
        """When the event was recorded (every stored event of the ledger has a timestamp)."""
        value: datetime = cast(Any, self.event).timestamp  # the protocol omits it; every ledger event has one
        return value


class Projection(ABC):
    """A read model: owns its tables and turns batches of events into rows."""

    name: str
    metadata: MetaData
    handles: tuple[type, ...] = ()
    # The read model's own copy of employee names and units (``people_index``), fed only through
    # ``people_index.record``: a one-pass rebuild fills it from one fold shared by all, not event by event.
    people: Table | None = None

    def with_people(self, conn: Connection) -> None:
        """Called once a one-pass rebuild has written ``people`` (after every other row): fill what the rows copy
        from it (the names a list sorts by). Nothing by default."""
        return None

    def topics(self) -> frozenset[str]:
        """The stored-event topics this projection reads; others are skipped undecoded."""
        return frozenset(get_topic(cls) for cls in self.handles)

    def wants_all(self) -> bool:
        """True when the projection reads every event (e.g. an audit index)."""
        return not self.handles

    def only_writes(self, batch: Sequence[Projected]) -> bool:
        """Whether ``process`` sends only statements that return nothing for this batch (it reads no row and no row
        count back): on PostgreSQL a command's joint write then sends them in the round trip of the positions'
        compare-and-set. None does unless it says so."""
        return False

    @abstractmethod
    def process(self, conn: Connection, batch: Sequence[Projected]) -> None:
        """Write the rows for a batch, inside the caller's transaction."""


@dataclass(frozen=True)
class ProjectionStatus:
    """Where a projection stands against the head of the log."""

    name: str
    position: int
    head: int
    parked: int = 0

    @property
    def lag(self) -> int:
        """Events stored but not yet projected."""
        return max(self.head - self.position, 0)


class BulkReplay(Projection):
    """A projection that can also rebuild from raw events in bulk (much faster than event by event).

    ``fold`` must only ever set columns (the last writer wins), and must keep a change to a row it has
    not seen registered as a partial row: then segments of the log folded apart and merged in log order
    (``infrastructure.replay.merge``) give the same rows as one fold of the whole log. Its result holds
    JSON values only, with ``str`` keys: that is how a worker process hands it back.
    """

    # Raw events are folded without the library's upcasting: a fold that reads every stored version of its
    # events itself (defaults for fields older versions lack) says so, else an upcast event disables the bulk path.
    folds_old_versions: bool = False

    def bulk_ready(self) -> bool:
        """Whether the raw fold reads every stored version of the events this projection handles."""
        return self.folds_old_versions or not any(getattr(cls, "class_version", 1) > 1 for cls in self.handles)

    @abstractmethod
    def fold(self, events: Iterator[RawEvent]) -> Folded:
        """Fold raw events into rows in memory: table -> row key -> the columns set so far."""

    @abstractmethod
    def write(self, conn: Connection, folded: Folded) -> None:
        """Insert the folded rows into the (empty) tables."""


class Replayer(ABC):
    """Takes one projection's raw events in log order during a streaming rebuild, inside its one transaction."""

    @abstractmethod
    def feed(self, events: Sequence[RawEvent]) -> None:
        """Apply the next events of the log (only the projection's topics)."""

    @abstractmethod
    def finish(self) -> None:
        """Write whatever is still held once the last event was fed."""


class StreamReplay(Projection):
    """A projection that rebuilds from raw events (JSON values, no domain objects) in one pass in log order, into
    its emptied tables, in one transaction: for read models whose rows depend on earlier events, which a fold of
    independent segments (``BulkReplay``) cannot give. It reads events as stored, without the library's
    upcasting, so it upcasts them itself (``upcast_raw``)."""

    @abstractmethod
    def replayer(self, conn: Connection) -> Replayer:
        """A replayer writing into this projection's (empty) tables on ``conn``."""


def upcast_raw(cls: type, state: dict[str, Any]) -> dict[str, Any]:
    """A raw event's state brought to its class's current version by the class's own upcast functions, as the
    library's mapper does (the functions only set keys, so they work on plain values too)."""
    current = getattr(cls, "class_version", 1)
    version = state.pop("class_version", 1)
    while version < current:
        getattr(cls, f"upcast_v{version}_v{version + 1}")(state)
        version += 1
    return state


class RowSink:
    """Inserts rows given as tuples of portable text (ids as 32 hex digits, dates ISO, JSON as text, timestamps as
    ``stamp`` gives them): on SQLite straight through the driver's executemany; on other databases through
    SQLAlchemy, converted to the column types."""

    def __init__(self, conn: Connection, table: Table):
        self.conn = conn
        self.table = table
        self.columns = [c.name for c in table.columns]
        self.sqlite = conn.dialect.name == "sqlite"
        self.converters = [_converter(c) for c in table.columns]
        self.sql = (f"INSERT INTO {table.name} ({', '.join(self.columns)}) "
                    f"VALUES ({', '.join('?' * len(self.columns))})")
        # an ISO timestamp for a UTCDateTime column: on SQLite in the form SQLAlchemy stores, else converted later
        self.stamp: Callable[[str], str] = sqlite_datetime if self.sqlite else str

    def insert(self, rows: Sequence[tuple[Any, ...]]) -> None:
        """Insert the rows (in the table's column order)."""
        if not rows:
            return
        if self.sqlite:
            cursor = self.conn.connection.cursor()  # the driver's own: SQLAlchemy's bind processing costs more
            try:
                cursor.executemany(self.sql, rows)
            finally:
                cursor.close()
            return
        if self.conn.dialect.name == "postgresql":
            self._copy(rows)
            return
        names, convert = self.columns, self.converters
        self.conn.execute(self.table.insert(), [
            {name: (f(v) if v is not None else None) for name, f, v in zip(names, convert, row, strict=True)}
            for row in rows])

    def _copy(self, rows: Sequence[tuple[Any, ...]]) -> None:
        """PostgreSQL: the rows through ``COPY ... FROM STDIN``, whose text input takes the portable text as it is
        (ids as 32 hex digits, ISO dates and timestamps, JSON text), into the schema the connection's translate map
        names (a blue-green build's side schema) or the search path's."""
        name = qualified(self.conn, self.table)
        cursor = self.conn.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
        try:
            columns = ", ".join(f'"{c}"' for c in self.columns)
            with cursor.copy(f"COPY {name} ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        finally:
            cursor.close()


def qualified(conn: Connection, table: Table) -> str:
    """The table's name for SQL text run on ``conn``, in the schema the connection's translate map puts it (a
    blue-green build's side schema; text statements do not go through the map) or else unqualified."""
    schema = (conn.get_execution_options().get("schema_translate_map") or {}).get(table.schema, table.schema)
    return f'"{schema}"."{table.name}"' if schema else f'"{table.name}"'


def analyze(conn: Connection, tables: Sequence[Table]) -> None:
    """On PostgreSQL, gather the planner's statistics of tables just filled in bulk (in the filling transaction, so
    they come with the rows): until autovacuum gets to them, or forever where it is off, the planner would guess,
    and a guess that overestimates the rows a condition keeps turns an index lookup into a scan of the table."""
    if conn.dialect.name != "postgresql":
        return
    for table in tables:
        conn.exec_driver_sql(f"ANALYZE {qualified(conn, table)}")


def _converter(column: Column[Any]) -> Callable[[Any], Any]:
    """How a portable text value becomes what the column's SQLAlchemy type takes."""
    kind = column.type
    if isinstance(kind, UTCDateTime):
        return datetime.fromisoformat
    if isinstance(kind, Uuid):
        return UUID
    if isinstance(kind, Date):
        return date.fromisoformat
    if isinstance(kind, JSON):
        return orjson.loads
    return lambda value: value


def raw_events(ledger: Ledger, topics: frozenset[str], start: int, stop: int,
               progress: Callable[[int], None] | None) -> Iterator[RawEvent]:
    """Stored events in ``[start, stop]`` with the given topics, decrypted and decompressed, JSON-decoded only;
    ``progress`` is told how far the position moved."""
    mapper = ledger.mapper
    decrypt = mapper.cipher.decrypt if mapper.cipher else None
    decompress = mapper.compressor.decompress if mapper.compressor else None
    for low in range(start, stop + 1, CHUNK):
        high = min(low + CHUNK - 1, stop)
        yield from decoded(_stored_rows(ledger, topics, low, high), decrypt, decompress)
        if progress:
            progress(high - low + 1)


def _stored_rows(ledger: Ledger, topics: frozenset[str] | None, start: int, stop: int) -> list[StoredRow]:
    """Rows with the given topics (None: all) between two positions; on SQLite read straight from the table, since
    the library's Notification objects cost four times the query itself."""
    recorder = ledger.recorder
    if isinstance(recorder, SQLiteApplicationRecorder):
        with recorder.datastore.transaction(commit=False) as cursor:
            # the library's cursor wraps the driver's, whose row factory sqlite_rows turns off for plain tuples
            return sqlite_rows(cursor.sqlite_cursor, recorder.events_table_name, topics, start, stop)
    found = recorder.select_notifications(start=start, limit=stop - start + 1, stop=stop,
                                          topics=sorted(topics) if topics is not None else ())
    return [(n.id, n.originator_id, n.originator_version, n.topic, n.state) for n in found]


def sqlite_log(ledger: Ledger) -> SQLiteLog | None:
    """The ledger's log as another process can open it (None unless it is an SQLite file)."""
    recorder = ledger.recorder
    if not isinstance(recorder, SQLiteApplicationRecorder) or recorder.datastore.pool.is_sqlite_memory_mode:
        return None
    return SQLiteLog(recorder.datastore.pool.db_name, recorder.events_table_name, ledger.mapper.cipher,
                     ledger.mapper.compressor)


def plain(value: Any) -> Any:
    """The data of a transcoded value ({"_type_": ..., "_data_": ...}), or the value itself."""
    return value["_data_"] if type(value) is dict and "_type_" in value else value


def sqlite_reader(ledger: Ledger) -> Callable[[], sqlite3.Connection] | None:
    """The log's SQLite file on the recorder's connection of each thread's own (``sqlite_store.ThreadReads``), for
    the reads every request makes (the head; whether a read model's topics were written since): the library's
    pooled, locked transaction costs ten times such a statement. None unless the log is an SQLite file."""
    recorder = ledger.recorder
    return recorder.thread_reader if isinstance(recorder, ThreadReads) else None


class LostRace(Exception):
    """Another process advanced the tracking position first; the batch is rolled back."""


class Unguarded(Exception):
    """The runner's guard refused a catch-up transaction: the batch is rolled back and the caller told, never retried
    nor parked."""


@dataclass(frozen=True)
class ParkedEvent:
    """An event a projection could not apply after its retries, and why."""

    name: str
    position: int
    topic: str
    originator_id: str
    originator_version: int
    error: str
    attempts: int
    parked_at: datetime


class ProjectionRunner:
    """Catches projections up with the log; rows and tracking are written in one transaction."""

    def __init__(self, engine: Engine, ledger: Ledger, projections: Sequence[Projection], batch_size: int = 2000,
                 attempts: int = 3, retry_pause: float = 0.05):
        self.engine = engine
        self.attempts = attempts  # tries of one event before it is parked
        self.retry_pause = retry_pause
        self.ledger = ledger
        self.projections = {p.name: p for p in projections}
        self._interest = {p.name: (p.wants_all(), p.topics()) for p in projections}
        self.batch_size = batch_size
        # run in each catch-up transaction with the names it moves (a worker's check that another release has not
        # rebuilt them meanwhile: ``blue_green.Fingerprints.guard``); may raise to roll the transaction back
        self.guard: Callable[[Connection, Sequence[str]], None] | None = None
        # A bulk rebuild folds the log in this many processes (one per core, at most two: the write that
        # follows is serial) once the log is long enough to pay for a worker's start and hand-back.
        self.rebuild_workers = min(2, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity")
                                   else os.cpu_count() or 1)
        self.parallel_rebuild_from = 300_000
        self.worker_cost = WORKER_COST
        self._same_file: bool | None = None
        self._sqlite = sqlite_reader(ledger)
        self._writer = writer(engine)
        # a command's joint write on PostgreSQL: psycopg sends no BEGIN of its own (a round trip); the ledger's lock
        # statement begins the transaction (ChainedPostgresRecorder._lock_table) and the commit ends it as before
        self._joint_writer_pg = self._writer.execution_options(isolation_level="AUTOCOMMIT")
        self._move_sql: dict[tuple[str, int, str], str] = {}  # (paramstyle, names) -> the tracking UPDATE's text
        # head_and_touched's statement and topics, by the projections' names and whether it reads the changes
        self._probe: dict[tuple[tuple[str, ...], bool], tuple[str, tuple[str, ...]]] = {}
        self._time_processor: dict[str, Any] = {}
        # CPU seconds of the last one-pass rebuild: each projection's own work, and "(read)" for reading and decoding
        self.pass_cpu: dict[str, float] = {}

    def create_tables(self) -> None:
        """Create every projection's tables and tracking rows if missing, in one transaction after one read of the
        catalogue (a table and a commit at a time cost PostgreSQL a second per system started). (A projection that
        has gained a table or a column since its tables were made is rebuilt blue-green:
        ``schema_upgrade.outdated``, ``BlueGreen``.)"""
        tables = [*tracking_metadata.sorted_tables, *(t for p in self.projections.values() for t in p.metadata.sorted_tables)]
        with writer(self.engine).begin() as conn:
            present = existing_tables(conn, tables)
            create_all_at_once(conn, [t for t in tables if t not in present])
            tracked = set(conn.execute(select(tracking.c.name)).scalars())
            missing = [name for name in self.projections if name not in tracked]
            if missing:
                conn.execute(tracking.insert(), [{"name": name, "position": 0, "updated_at": _now()} for name in missing])

    def head(self) -> int:
        """The position of the last stored event."""
        if self._sqlite is not None:
            return int(self._sqlite().execute(self.ledger.recorder.select_max_notification_id_statement  # type: ignore[attr-defined]
                                              ).fetchone()[0] or 0)
        return int(self.ledger.recorder.max_notification_id() or 0)

    def position(self, name: str) -> int:
        """The tracked position of one projection."""
        with self.engine.connect() as conn:
            value = conn.execute(select(tracking.c.position).where(tracking.c.name == name)).scalar()
        return int(value or 0)

    def status(self) -> list[ProjectionStatus]:
        """Position, head, lag and parked events of every projection."""
        head = self.head()
        counts = self.parked_counts()
        return [ProjectionStatus(name, self.position(name), head, counts.get(name, 0)) for name in self.projections]

    def parked_counts(self, names: Sequence[str] | None = None) -> dict[str, int]:
        """How many events each projection has parked (only projections with any)."""
        query = select(parked.c.name, func.count()).group_by(parked.c.name)
        if names is not None:
            query = query.where(parked.c.name.in_(list(names)))
        with self.engine.connect() as conn:
            return {str(name): int(count) for name, count in conn.execute(query)}

    def stalled(self, names: Sequence[str], head: int | None = None) -> list[str]:
        """The named projections that parked an event or have not reached the last event of their topics (up to
        ``head``, when the caller read it already; else the head now)."""
        with reader(self.engine).connect() as conn:  # positions and parked counts in one statement, no transaction
            found = {str(n): (int(p), int(c)) for n, p, c in conn.execute(_STANDING, {"names": list(names)})}
        if head is None:
            head = self.head()
        standing = {name: found.get(name, (0, 0)) for name in names}
        return [name for name, (position, count) in standing.items()
                if count or self._behind(self._get(name), position, head)]

    def touched(self, names: Sequence[str], start: int, stop: int) -> bool:
        """Whether an event the named projections read was stored after position ``start``, up to ``stop``."""
        projections = [self._get(name) for name in names]
        if stop <= start:
            return False
        if any(p.wants_all() for p in projections):
            return True
        topics = sorted(frozenset().union(*(p.topics() for p in projections)))
        return bool(self.ledger.recorder.select_notifications(start=start + 1, limit=1, stop=stop, topics=topics))

    def head_and_touched(self, names: Sequence[str], start: int, *, teach_cache: bool = False) -> tuple[int, bool]:
        """The head of the log and whether an event the named projections read was stored after position
        ``start``, read together: on SQLite in one statement (a request asks both before it authenticates).
        ``teach_cache``: the same statement reads which aggregates the events stored since the ledger's cache last
        learnt belong to (``CachingRepository.learn_changes``), so this request's loads of cached aggregates none of
        them touched read nothing more."""
        since = self.ledger.changes_known_to() if teach_cache else None
        sql, topics = self._probe_statement(tuple(names), since is not None)
        params = (start, *topics) if since is None else (start, *topics, since)
        recorder: Any = self.ledger.recorder  # the library's SQLite or PostgreSQL application recorder
        if self._sqlite is not None:
            row = self._sqlite().execute(sql, params).fetchone()
        elif isinstance(recorder, SQLiteApplicationRecorder):  # in memory: the library's own connection
            with recorder.datastore.transaction(commit=False) as cursor:
                cursor.execute(sql, params)
                row = tuple(cursor.fetchone())
        else:
            with recorder.datastore.get_connection() as conn, conn.cursor() as curs:
                curs.execute(sql, params, prepare=True)  # no topic parameters: written into the text
                found = curs.fetchone()
                row = (found["head"], found["touched"], found.get("changed"))
        head = int(row[0] or 0)
        if teach_cache:
            self.ledger.learn_changes(since, head, _changes(row[2]) if since is not None else None)
        return head, bool(row[1])

    def _probe_statement(self, names: tuple[str, ...], changes: bool) -> tuple[str, tuple[str, ...]]:
        """``head_and_touched``'s statement and its topics' parameters, made once per shape."""
        found = self._probe.get((names, changes))
        if found is not None:
            return found
        recorder: Any = self.ledger.recorder
        sqlite = isinstance(recorder, SQLiteApplicationRecorder)
        projections = [self._get(name) for name in names]
        topics = () if any(p.wants_all() for p in projections) else tuple(
            sorted(frozenset().union(*(p.topics() for p in projections))))
        if sqlite:
            table, position, ident = recorder.events_table_name, "rowid", "originator_id"
            wanted = f" AND topic IN ({', '.join('?' * len(topics))})" if topics else ""
        else:  # PostgreSQL: the library's schema-qualified table; the topics written into the text (psycopg
            # dumped them as an array parameter at every request, 80 µs of the client's CPU)
            table, position = f'"{recorder.datastore.schema}"."{recorder.events_table_name}"', "notification_id"
            ident = "originator_id::text"
            wanted = f" AND topic IN ({_literals(topics)})" if topics else ""
            topics = ()
        mark = "?" if sqlite else "%s"
        # The first match in position order, so the planner walks the position index from the start. As an
        # EXISTS (whose ORDER BY and LIMIT PostgreSQL drops) it chose a sequential scan whenever its statistics
        # overestimated the rows past the start (a ledger loaded in bulk, not analyzed yet): 2 s per request at
        # 9.6M events, instead of 0.1 ms.
        sql = (f"SELECT (SELECT MAX({position}) FROM {table}) AS head, (SELECT {position} FROM {table} "
               f"WHERE {position} > {mark}{wanted} ORDER BY {position} LIMIT 1) IS NOT NULL AS touched")
        if changes:  # "id position" of each event after the cache's knowledge, one more than taken (too many)
            concat = "group_concat(c, ',')" if sqlite else "string_agg(c, ',')"
            sql += (f", (SELECT {concat} FROM (SELECT {ident} || ' ' || {position} AS c FROM {table} "
                    f"WHERE {position} > {mark} ORDER BY {position} LIMIT {CHANGES_PROBED + 1}) AS recent) AS changed")
        found = self._probe[(names, changes)] = (sql, topics)
        return found

    def _behind(self, projection: Projection, position: int, head: int) -> bool:
        """Whether an event of the projection's topics lies after its position (cheap when it is at the head)."""
        if position >= head:
            return False
        topics = () if projection.wants_all() else sorted(projection.topics())
        return bool(self.ledger.recorder.select_notifications(start=position + 1, limit=1, topics=topics))

    def parked_events(self, name: str | None = None) -> list[ParkedEvent]:
        """The parked events, in log order (of one projection, or all)."""
        query = select(parked).order_by(parked.c.position, parked.c.name)
        if name is not None:
            query = query.where(parked.c.name == name)
        with self.engine.connect() as conn:
            return [ParkedEvent(**row._mapping) for row in conn.execute(query)]

    def retry(self, name: str | None = None, progress: Callable[[int], None] | None = None) -> dict[str, int]:
        """Re-apply parked events once their cause is fixed: each projection with parked events is rebuilt from
        the log, so the events land in log order (applying one alone, after later events, could undo those);
        returns how many stay parked per projection."""
        names = [name] if name else sorted(self.parked_counts())
        for each in names:
            self.rebuild(each, progress)
        counts = self.parked_counts(names)
        return {each: counts.get(each, 0) for each in names}

    def catch_up(self, name: str | None = None, progress: Callable[[int], None] | None = None) -> int:
        """Process everything after the tracked position(s); return how many events were read.

        All projections together read each batch of the log once, decode each event at most once, and write
        their rows and tracking positions in one transaction (positions moved by compare-and-set); a projection
        whose topics the batch does not hold only has its position moved. When anything in that transaction fails it is rolled back and every
        projection catches up on its own, where a failing event is retried and then parked."""
        if name is not None:
            return self._catch_up_one(self._get(name), progress)
        total = 0
        while True:
            try:
                count = self._run_together()
            except LostRace:
                continue
            except Unguarded:
                raise
            except Exception:  # noqa: BLE001 - isolate the failing projection; the others carry on
                log.warning("joint catch-up failed; catching up projection by projection", exc_info=True)
                return total + sum(self._catch_up_one(p, progress) for p in self.projections.values())
            total += count
            if progress and count:
                progress(count)
            if count < self.batch_size:  # the head was reached; later events are their writers' to catch up
                return total

    def _run_together(self) -> int:
        """One batch of the log for every projection, in one write transaction; how many events were read.

        The positions and the batch are read, and the batch decoded, before the write lock is taken, so the lock
        is held only for the writes (a writer waiting for it, such as the next command's insert, waits less); a
        position moved meanwhile by another process or thread fails the compare-and-set below (LostRace), and
        the caller reads again."""
        positions, notifications = self._read_batch()
        if not notifications:
            return 0
        stop = notifications[-1].id
        decoded: dict[int, Projected] = {}
        to_domain_event = self.ledger.mapper.to_domain_event
        behind: dict[int, list[str]] = {}
        batches: list[tuple[Projection, list[Projected]]] = []
        for name, projection in self.projections.items():
            position = positions.get(name, 0)
            if position >= stop:
                continue
            behind.setdefault(position, []).append(name)
            batch = []
            for n in notifications:
                if n.id > position and self._takes(name, n.topic):
                    item = decoded.get(n.id)
                    if item is None:
                        item = decoded[n.id] = Projected(n.id, to_domain_event(n))
                    batch.append(item)
            if batch:
                batches.append((projection, batch))
        with self._writer.begin() as conn:
            if self.guard is not None:
                self.guard(conn, [name for names in behind.values() for name in names])
            now = self._driver_time(conn)
            for position, names in behind.items():  # one statement per starting position (usually one in all)
                moved = conn.exec_driver_sql(self._move_statement(conn, len(names)), (stop, now, position, *names))
                if moved.rowcount != len(names):
                    raise LostRace(", ".join(names))
            for projection, batch in batches:
                projection.process(conn, batch)
        return len(notifications)

    def write_jointly(self, stored_events: Sequence[StoredEvent], insert: Callable[[Any], Sequence[int] | None],
                      alone: Callable[[], Sequence[int] | None], deferred: Deferred | None = None
                      ) -> Sequence[int] | None:
        """Insert events (``insert`` given a driver's cursor) and, in the same transaction on the read models'
        engine (SQLite or PostgreSQL), catch every projection up with them, when writes catch the read models up
        (``catch_up_quietly`` listens to the ledger) and they all stand at the position before the events: one write
        transaction per command instead of two, and no re-read of the events just written. The projections' part
        runs in a savepoint: if it fails (or a projection is behind: a catch-up that failed earlier, a projection
        just added) only it is rolled back, the events are stored all the same and the catch-up after the write
        takes the ordinary path (retries, parking).
        ``alone`` stores the events in the recorder's own transaction (where a worker catches up). ``deferred``
        (PostgreSQL): statements ``insert`` left to send in the same transaction, the chain's rows among them; they
        go first in the read models' pipeline, and if one fails the write fails."""
        _CAUGHT_UP.set(False)  # until this write's projections are committed with it
        if self.catch_up_quietly not in self.ledger.after_record:
            return alone()
        if not isinstance(self.ledger.recorder, SQLiteApplicationRecorder):
            return self._write_jointly_postgres(stored_events, insert, deferred if deferred is not None else [])
        try:
            with self._writer.begin() as conn:
                raw = conn.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
                try:
                    try:
                        positions = insert(SQLiteCursor(raw))  # type: ignore[arg-type]
                    except sqlite3.Error as e:
                        raise persistence_error(e) from e
                    caught_up = bool(positions) and self._project_written(conn, raw, positions or (), stored_events)
                finally:
                    raw.close()
        except DBAPIError as e:  # taking the write lock or committing
            if isinstance(e.orig, sqlite3.Error):
                raise persistence_error(e.orig) from e
            raise
        _CAUGHT_UP.set(caught_up)
        return positions

    @retried((OperationalError, InterfaceError), max_attempts=10, wait=0.2)  # as the library's insert: lock timeouts
    def _write_jointly_postgres(self, stored_events: Sequence[StoredEvent],
                                insert: Callable[[Any], Sequence[int] | None], deferred: Deferred
                                ) -> Sequence[int] | None:
        """``write_jointly`` on PostgreSQL: the library's insert on a cursor of the read models' connection (with the
        library's composite types), errors raised as the library raises them."""
        from psycopg import Error as PsycopgError
        from psycopg.rows import dict_row
        from psycopg.types.composite import register_composite

        recorder = self.ledger.recorder
        adapters = recorder.datastore.psycopg_type_adapters  # type: ignore[attr-defined]
        try:
            with self._joint_writer_pg.begin() as conn:
                driver = conn.connection.dbapi_connection
                for info in adapters.values():
                    if not driver.adapters.types.get(info.oid):  # type: ignore[union-attr]
                        register_composite(info, driver)  # type: ignore[arg-type]
                with driver.cursor(row_factory=dict_row) as raw:  # type: ignore[union-attr]
                    try:
                        deferred.clear()  # a retry's insert defers its own
                        positions = insert(raw)
                        caught_up = bool(positions) and self._project_written(conn, raw, positions or (),
                                                                              stored_events, deferred)
                        for statement, rows in deferred:  # not sent with the read models' writes
                            raw.executemany(statement, rows)
                    except PsycopgError as e:
                        raise postgres_error(e) from e
        except DBAPIError as e:  # beginning or committing
            if isinstance(e.orig, PsycopgError):
                raise postgres_error(e.orig) from e
            raise
        _CAUGHT_UP.set(caught_up)
        return positions

    def _project_written(self, conn: Connection, raw: Any, positions: Sequence[int],
                         stored_events: Sequence[StoredEvent], deferred: Deferred | None = None) -> bool:
        """Hand the events just inserted at ``positions`` to every projection and move all their positions past
        them (compare-and-set from the position before them), in a savepoint of the inserting transaction; True
        when done, False when rolled back to the savepoint (a projection behind, or one that failed). The
        ``deferred`` statements are sent first, before the savepoint, in the same pipeline, and taken from the
        list once sent; if one of them fails, so does this."""
        start, stop = positions[0] - 1, positions[-1]
        if stop - start != len(positions) or len(positions) != len(stored_events):
            return False
        # the savepoint and the positions' compare-and-set straight through the driver's cursor (``raw``, on
        # ``conn``'s connection): SQLAlchemy's execution cost more than the statements
        pipeline = getattr(raw.connection, "pipeline", None)  # psycopg's: these statements in one round trip
        # with a pipeline, the projections that only write for their share go along with the compare-and-set (undone
        # with the savepoint below when it fails); the others after it, since they read what they need
        deferred = deferred if deferred is not None else []
        sent = bool(deferred) and pipeline is not None
        try:
            with pipeline() if pipeline else nullcontext():
                if sent:
                    for statement, rows in deferred:
                        raw.executemany(statement, rows)
                    deferred.clear()
                raw.execute("SAVEPOINT jejak_projections")
                raw.execute(self._move_statement(conn, len(self.projections)),
                            (stop, self._driver_time(conn), start, *self.projections))
                to_domain_event = self.ledger.mapper.to_domain_event  # after the savepoint: a failure rolls back to it
                events = [Projected(p, to_domain_event(s)) for p, s in zip(positions, stored_events, strict=True)]
                note_written([(e.position, e.event) for e in events])  # the ledger's cache takes them after the commit
                shares = {name: self._share(name, events, stored_events) for name in self.projections}
                along = [name for name, batch in shares.items()
                         if pipeline and batch and self.projections[name].only_writes(batch)]
                for name in along:
                    self.projections[name].process(conn, shares[name])
            if raw.rowcount == len(self.projections):
                for name, batch in shares.items():
                    if batch and name not in along:
                        self.projections[name].process(conn, batch)
                return True  # the commit releases the savepoint (a RELEASE would be a round trip more)
        except Exception as failure:  # noqa: BLE001 - the events stand; the catch-up after the write retries and parks
            self._back_to_savepoint(raw, failure if sent else None)  # or the deferred statements failed: raised
            log.warning("projecting a write in its own transaction failed; the read models catch up after it",
                        exc_info=True)
            return False
        self._back_to_savepoint(raw)
        return False

    @staticmethod
    def _back_to_savepoint(raw: Any, unsaved: Exception | None = None) -> None:
        """Undo the projections' part of a joint write. When the savepoint may never have been taken (the deferred
        statements before it were sent with it), a failure to roll back to it means one of them failed: ``unsaved``,
        their failure, is raised and the write fails."""
        try:
            raw.execute("ROLLBACK TO jejak_projections")
        except Exception:
            if unsaved is None:
                raise
            raise unsaved from None
        raw.execute("RELEASE jejak_projections")

    def _share(self, name: str, events: list[Projected], stored_events: Sequence[StoredEvent]) -> list[Projected]:
        """A projection's share of the events just written (those of its topics)."""
        return [e for e, s in zip(events, stored_events, strict=True) if self._takes(name, s.topic)]

    def _takes(self, name: str, topic: str) -> bool:
        """Whether the projection reads events of this topic."""
        wants_all, topics = self._interest[name]
        return wants_all or topic in topics

    def _driver_time(self, conn: Connection) -> Any:
        """Now, as the tracking table's ``updated_at`` column hands it to the driver (SQLite stores text)."""
        processor = self._time_processor.get(conn.dialect.name, False)
        if processor is False:
            column = tracking.c.updated_at.type
            processor = self._time_processor[conn.dialect.name] = column.dialect_impl(conn.dialect).bind_processor(
                conn.dialect)
        return processor(_now()) if processor else _now()

    def _move_statement(self, conn: Connection, count: int) -> str:
        """The text of the compare-and-set of ``count`` projections' positions, in the driver's parameter style:
        run through ``exec_driver_sql``, so no statement is built, compiled or expanded per request (the
        expanding IN of the ORM statement cost more than the projections' own rows)."""
        style = conn.dialect.paramstyle
        table = qualified(conn, tracking)  # a blue-green builder's tracking is in its side schema, not the live one
        key = (style, count, table)
        found = self._move_sql.get(key)
        if found is None:
            mark = "?" if style == "qmark" else "%s"
            found = self._move_sql[key] = (
                f"UPDATE {table} SET position = {mark}, updated_at = {mark} WHERE position = {mark} "
                f"AND name IN ({', '.join([mark] * count)})")
        return found

    def _read_batch(self) -> tuple[dict[str, int], Sequence[Any]]:
        """The tracked positions and the next batch of the log after the lowest of them. When the tracking table
        is in the event store's SQLite file, both are read in one read transaction on the library's connection
        (a consistent snapshot, and a fraction of the cost of a pooled SQLAlchemy connection for the positions)."""
        recorder = self.ledger.recorder
        if not self.shares_sqlite_file():
            with self.engine.connect() as conn:
                positions = {str(n): int(p) for n, p in conn.execute(_POSITIONS)}
            start = min(positions.get(name, 0) for name in self.projections)
            return positions, recorder.select_notifications(start=start + 1, limit=self.batch_size)
        assert isinstance(recorder, SQLiteApplicationRecorder)
        with recorder.datastore.transaction(commit=False) as cursor:
            raw = cursor.sqlite_cursor
            raw.row_factory = None
            raw.execute(f"SELECT name, position FROM {tracking.name}")
            positions = {str(n): int(p) for n, p in raw.fetchall()}
            start = min(positions.get(name, 0) for name in self.projections)
            raw.execute(f"SELECT rowid, originator_id, originator_version, topic, state FROM "
                        f"{recorder.events_table_name} WHERE rowid > ? ORDER BY rowid LIMIT ?", (start, self.batch_size))
            rows = raw.fetchall()
        convert = recorder.convert_originator_id
        return positions, [Notification(id=position, originator_id=convert(oid), originator_version=version,
                                        topic=topic, state=state) for position, oid, version, topic, state in rows]

    def shares_sqlite_file(self) -> bool:
        """Whether the read models live in the event store's SQLite file (not an in-memory database)."""
        if self._same_file is None:
            recorder = self.ledger.recorder
            self._same_file = (
                isinstance(recorder, SQLiteApplicationRecorder) and not recorder.datastore.pool.is_sqlite_memory_mode
                and self.engine.dialect.name == "sqlite" and self.engine.url.database is not None
                and os.path.realpath(self.engine.url.database) == os.path.realpath(recorder.datastore.pool.db_name))
        return self._same_file

    def catch_up_quietly(self) -> None:
        """Catch up after a command; a failure is logged, not raised, since the command is already durable."""
        if _CAUGHT_UP.get():  # every projection took this thread's last write with it; later events are their writers'
            _CAUGHT_UP.set(False)
            return
        try:
            self.catch_up()
        except Exception:  # noqa: BLE001 - the write succeeded; lag shows in /api/health
            log.exception("projection catch-up failed; read models lag until the next catch-up")

    def rebuild(self, name: str, progress: Callable[[int], None] | None = None) -> int:
        """Drop a projection's tables, recreate them and replay the whole log into them."""
        projection = self._get(name)
        if isinstance(projection, BulkReplay) and projection.bulk_ready():
            try:
                return self._bulk_rebuild(projection, progress) + self._catch_up_one(projection, progress)
            except Exception:  # noqa: BLE001 - an event the bulk path cannot take is found (and parked) one by one
                log.exception("bulk rebuild of %s failed; rebuilding event by event", name)
        try:
            return self._stream_rebuild([projection], progress) + self._catch_up_one(projection, progress)
        except Exception:  # noqa: BLE001 - as above
            log.exception("one-pass rebuild of %s failed; rebuilding batch by batch", name)
        self._reset([projection])
        return self._catch_up_one(projection, progress)

    def rebuild_all(self, progress: Callable[[int], None] | None = None) -> dict[str, float]:
        """Rebuild every projection: those with a bulk path first, each from its own topics; then all the others
        from one pass over the log in one transaction (``_stream_rebuild``). Returns the seconds each step took
        ("together" for the shared pass)."""
        timings: dict[str, float] = {}
        joint = []
        for name, projection in self.projections.items():
            if isinstance(projection, BulkReplay) and projection.bulk_ready():
                began = time.perf_counter()
                self.rebuild(name, progress)
                timings[name] = time.perf_counter() - began
            else:
                joint.append(projection)
        began = time.perf_counter()
        try:
            self._stream_rebuild(joint, progress)
        except Exception:  # noqa: BLE001 - rolled back; batch by batch, a failing event is retried and parked
            log.exception("one-pass rebuild failed; rebuilding batch by batch")
            self._reset(joint)
        self.catch_up(progress=progress)
        timings["together"] = time.perf_counter() - began
        return timings

    def _reset(self, projections: Sequence[Projection]) -> None:
        """Empty the projections' tables and parked events, and put their positions back to the start."""
        with writer(self.engine).begin() as conn:
            for projection in projections:
                projection.metadata.drop_all(conn)
                projection.metadata.create_all(conn)
                conn.execute(update(tracking).where(tracking.c.name == projection.name)
                             .values(position=0, updated_at=_now()))
                conn.execute(delete(parked).where(parked.c.name == projection.name))

    def _stream_rebuild(self, projections: Sequence[Projection], progress: Callable[[int], None] | None) -> int:
        """Rebuild the projections from one read of the log up to its head, in one transaction: each stored event
        is read once; a ``StreamReplay`` takes it as raw JSON, any other projection as a domain event (decoded
        once for all of them) in ``process`` batches. A failure rolls everything back. Returns the head."""
        head = self.head()
        streams = [p for p in projections if isinstance(p, StreamReplay)]
        others = [p for p in projections if not isinstance(p, StreamReplay)]
        topics: frozenset[str] | None = None
        if not any(p.wants_all() for p in projections):
            topics = frozenset().union(*(p.topics() for p in projections))
        mapper = self.ledger.mapper
        decrypt = mapper.cipher.decrypt if mapper.cipher else None
        decompress = mapper.compressor.decompress if mapper.compressor else None
        interest = {p.name: (p.wants_all(), p.topics()) for p in projections}
        folks = [p for p in others if p.people is not None]
        for p in folks:  # their copies of names and units come from the shared fold below
            interest[p.name] = (False, interest[p.name][1] - people_index.TOPICS)
        people: people_index.Folded = {}
        with _gc_paused(), _bulk_transaction(self.engine) as conn:
            # the streamed tables' indexes are built once at the end, not entry by entry (a unique one too: a
            # duplicate fails its CREATE, which rolls the pass back, and the rebuild goes batch by batch)
            deferred = [ix for p in streams for table in p.metadata.sorted_tables for ix in table.indexes]
            for projection in projections:
                projection.metadata.drop_all(conn)
                projection.metadata.create_all(conn)
                conn.execute(delete(parked).where(parked.c.name == projection.name))
            for index in deferred:
                index.drop(conn)
            replayers = [(p, p.replayer(conn)) for p in streams]
            spent = self.pass_cpu = dict.fromkeys(["(read)", "(people)", *(p.name for p in projections)], 0.0)
            clock = time.process_time
            for low in range(1, head + 1, CHUNK):
                high = min(low + CHUNK - 1, head)
                began = clock()
                rows = _stored_rows(self.ledger, topics, low, high)
                raw = list(decoded(rows, decrypt, decompress)) if replayers else []
                spent["(read)"] += clock() - began
                if folks:  # from the events decoded already, if any, before a replayer changes their states
                    began = clock()
                    found = ([e for e in raw if e.topic in people_index.TOPICS] if replayers
                             else decoded([r for r in rows if r[3] in people_index.TOPICS], decrypt, decompress))
                    people_index.fold(found, people)
                    spent["(people)"] += clock() - began
                for projection, replayer in replayers:
                    began = clock()
                    wants_all, wanted = interest[projection.name]
                    replayer.feed(raw if wants_all or wanted == topics else [e for e in raw if e.topic in wanted])
                    spent[projection.name] += clock() - began
                if others:
                    self._feed_domain(conn, others, interest, rows, spent)
                if progress:
                    progress(high - low + 1)
            for projection, replayer in replayers:
                began = clock()
                replayer.finish()
                spent[projection.name] += clock() - began
            began = clock()
            tables = [p.people for p in folks if p.people is not None]
            if tables:  # written once; the other copies from it within the database (SQLite copies the pages)
                RowSink(conn, tables[0]).insert([(key, name, unit) for key, (name, unit) in people.items()])
                for table in tables[1:]:
                    if conn.dialect.name == "sqlite":  # only "SELECT *" into a table of the same shape copies pages
                        conn.exec_driver_sql(f'INSERT INTO "{table.name}" SELECT * FROM "{tables[0].name}"')
                    else:
                        conn.execute(table.insert().from_select(list(table.c.keys()), select(tables[0])))
                for projection in folks:
                    projection.with_people(conn)
            spent["(people)"] += clock() - began
            for index in deferred:
                index.create(conn)
            analyze(conn, [table for p in projections for table in p.metadata.sorted_tables])
            conn.execute(update(tracking).where(tracking.c.name.in_([p.name for p in projections]))
                         .values(position=head, updated_at=_now()))
        self.vacuum([table for p in projections for table in p.metadata.sorted_tables])
        return head

    def _feed_domain(self, conn: Connection, projections: Sequence[Projection],
                     interest: dict[str, tuple[bool, frozenset[str]]], rows: Sequence[StoredRow],
                     spent: dict[str, float]) -> None:
        """Hand each projection its events of these stored rows as domain events, each decoded once (its decoding
        counted in ``spent`` to the first projection that needs it)."""
        to_domain_event = self.ledger.mapper.to_domain_event
        events: dict[int, Projected] = {}
        for projection in projections:
            began = time.process_time()
            wants_all, wanted = interest[projection.name]
            batch = []
            for row in rows:
                if wants_all or row[3] in wanted:
                    item = events.get(row[0])
                    if item is None:
                        position, oid, version, topic, state = row
                        stored = StoredEvent(originator_id=oid if isinstance(oid, UUID) else UUID(oid),
                                             originator_version=version, topic=topic, state=state)
                        item = events[position] = Projected(position, to_domain_event(stored))
                    batch.append(item)
            for i in range(0, len(batch), self.batch_size):
                projection.process(conn, batch[i:i + self.batch_size])
            spent[projection.name] += time.process_time() - began

    def _bulk_rebuild(self, projection: Projection, progress: Callable[[int], None] | None) -> int:
        """Replay the log up to its head without domain objects: fold it in memory (on several cores when
        it is large), then write the rows and the tracking position in one transaction."""
        assert isinstance(projection, BulkReplay)
        head = self.head()
        with _gc_paused():
            folded = self._fold(projection, head, progress)
            # Secondary (non-unique) indexes are built once after the bulk insert rather than entry by entry;
            # it is all one transaction, so no reader ever sees the tables without them.
            deferred = [ix for table in projection.metadata.sorted_tables for ix in table.indexes if not ix.unique]
            with _bulk_transaction(self.engine) as conn:
                projection.metadata.drop_all(conn)
                projection.metadata.create_all(conn)
                conn.execute(delete(parked).where(parked.c.name == projection.name))
                for index in deferred:
                    index.drop(conn)
                projection.write(conn, folded)
                del folded
                for index in deferred:
                    index.create(conn)
                analyze(conn, projection.metadata.sorted_tables)
                conn.execute(update(tracking).where(tracking.c.name == projection.name)
                             .values(position=head, updated_at=_now()))
        self.vacuum(projection.metadata.sorted_tables)
        return head

    def vacuum(self, tables: Sequence[Table]) -> None:
        """On PostgreSQL, VACUUM tables just filled in bulk (it cannot run in a transaction): it marks their pages
        all-visible, so a count or a lookup through an index reads the index alone, not each row's page (an
        employee's timeline count read 266 scattered pages at 9.6M events: 9 ms cold, 0.4 warm). Autovacuum would
        do it in time, where it is on."""
        if self.engine.dialect.name != "postgresql":
            return
        with self.engine.connect() as conn:
            conn = conn.execution_options(isolation_level="AUTOCOMMIT")
            for table in tables:
                conn.exec_driver_sql(f"VACUUM {qualified(conn, table)}")

    def _fold(self, projection: BulkReplay, head: int, progress: Callable[[int], None] | None) -> Folded:
        topics = projection.topics()
        log = sqlite_log(self.ledger)
        if log is not None and self.rebuild_workers > 1 and head >= self.parallel_rebuild_from:
            return fold_in_parallel(projection, log, topics, head, self.rebuild_workers, progress, self.worker_cost)
        return projection.fold(raw_events(self.ledger, topics, 1, head, progress))

    def _get(self, name: str) -> Projection:
        try:
            return self.projections[name]
        except KeyError:
            raise KeyError(f"no projection {name!r}; known: {', '.join(self.projections)}") from None

    def _catch_up_one(self, projection: Projection, progress: Callable[[int], None] | None) -> int:
        total = 0
        while True:
            try:
                count = self._run_batch(projection)
            except LostRace:
                continue
            if count == 0:
                return total
            total += count
            if progress:
                progress(count)

    def _run_batch(self, projection: Projection) -> int:
        """Apply the projection's next batch of events and move its position; how many log positions it passed
        (0: at the head). Only events of its topics are read (the log filters them), up to the head read first."""
        start = self.position(projection.name)
        head = self.head()
        if head <= start:
            return 0
        wants_all, topics = projection.wants_all(), projection.topics()
        relevant = self.ledger.recorder.select_notifications(
            start=start + 1, limit=self.batch_size, stop=head, topics=() if wants_all else sorted(topics))
        # a full batch may be followed by more of its topics; a short one covers the log up to the head
        stop = relevant[-1].id if len(relevant) == self.batch_size else head
        try:
            batch = [Projected(n.id, self.ledger.mapper.to_domain_event(n)) for n in relevant]
            self._apply(projection, start, stop, batch)
        except (LostRace, Unguarded):
            raise
        except Exception:  # noqa: BLE001 - one bad event must not stop the projection: find it, retry, park it
            log.warning("projection %s failed on a batch after %d; applying it event by event", projection.name,
                        start, exc_info=True)
            self._run_singly(projection, start, relevant, stop)
        return stop - start

    def _apply(self, projection: Projection, start: int, stop: int, batch: Sequence[Projected]) -> None:
        """Write a batch's rows and move the tracking position from ``start`` to ``stop``, in one transaction."""
        with writer(self.engine).begin() as conn:
            self._move(conn, projection.name, start, stop)
            if batch:
                projection.process(conn, batch)

    def _run_singly(self, projection: Projection, start: int, relevant: Sequence[Any], stop: int) -> None:
        """Apply events one at a time, each tried ``attempts`` times before it is parked and passed over."""
        position = start
        for notification in relevant:
            self._apply_or_park(projection, position, notification)
            position = notification.id
        if position != stop:
            with writer(self.engine).begin() as conn:
                self._move(conn, projection.name, position, stop)

    def _apply_or_park(self, projection: Projection, start: int, notification: Any) -> None:
        error: Exception | None = None
        for attempt in range(1, self.attempts + 1):
            try:
                event = Projected(notification.id, self.ledger.mapper.to_domain_event(notification))
                self._apply(projection, start, notification.id, [event])
                return
            except (LostRace, Unguarded):
                raise
            except Exception as e:  # noqa: BLE001 - retried, then parked with its error
                error = e
                if attempt < self.attempts:
                    time.sleep(self.retry_pause * attempt)
        log.error("projection %s parked the event at position %d (%s) after %d attempts: %r", projection.name,
                  notification.id, notification.topic, self.attempts, error)
        with writer(self.engine).begin() as conn:
            self._move(conn, projection.name, start, notification.id)
            conn.execute(parked.insert().values(
                name=projection.name, position=notification.id, topic=notification.topic,
                originator_id=str(notification.originator_id), originator_version=notification.originator_version,
                error=escaped(f"{type(error).__name__}: {error}")[:4000], attempts=self.attempts, parked_at=_now()))

    def _move(self, conn: Connection, name: str, start: int, stop: int) -> None:
        """Advance a tracking position, refusing if another process moved it first (or the guard refuses)."""
        if self.guard is not None:
            self.guard(conn, [name])
        moved = conn.execute(_MOVE, {"b_name": name, "start": start, "stop": stop, "now": _now()})
        if moved.rowcount != 1:
            raise LostRace(name)


def create_all_at_once(conn: Connection, tables: Sequence[Table]) -> None:
    """Create the tables (in dependency order) with their indexes: on PostgreSQL as one script in one round trip
    (a statement each cost a fresh schema's hundred-odd round trips, a quarter of a second), elsewhere one by one."""
    if conn.dialect.name != "postgresql":
        for table in tables:
            table.create(conn)
        return
    translate = conn.get_execution_options().get("schema_translate_map")
    statements: list[CreateTable | CreateIndex] = []
    for table in tables:
        statements += [CreateTable(table), *(CreateIndex(ix) for ix in table.indexes)]
    script = ";\n".join(str(ddl.compile(dialect=conn.dialect, schema_translate_map=translate,
                                         render_schema_translate=bool(translate))) for ddl in statements)
    if script:
        cursor = conn.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
        try:
            cursor.execute(script)  # no parameters: the simple query protocol, which takes several statements
        finally:
            cursor.close()


def existing_tables(conn: Connection, tables: Sequence[Table]) -> set[Table]:
    """Which of the tables exist, by one read of each schema's catalogue (the schema as the connection translates
    it: a blue-green builder's tables are in its side schema)."""
    inspector = inspect(conn)
    found: set[Table] = set()
    for schema, group in by_schema(conn, tables).items():
        names = set(inspector.get_table_names(schema=schema))
        found.update(t for t in group if t.name in names)
    return found


def by_schema(conn: Connection, tables: Sequence[Table]) -> dict[str | None, list[Table]]:
    """The tables grouped by the schema the connection puts each in (translated, as for a side schema)."""
    grouped: dict[str | None, list[Table]] = {}
    for table in tables:
        grouped.setdefault(conn.schema_for_object(table), []).append(table)
    return grouped


# Built once: SQLAlchemy memoizes a statement's cache key on the object, so these skip building one per call.
_POSITIONS = select(tracking.c.name, tracking.c.position)
_MOVE = (update(tracking).where(tracking.c.name == bindparam("b_name"), tracking.c.position == bindparam("start"))
         .values(position=bindparam("stop"), updated_at=bindparam("now")))
_STANDING = select(
    tracking.c.name, tracking.c.position,
    select(func.count()).select_from(parked).where(parked.c.name == tracking.c.name).scalar_subquery(),
).where(tracking.c.name.in_(bindparam("names", expanding=True)))


@contextmanager
def _bulk_transaction(engine: Engine) -> Iterator[Connection]:
    """A write transaction with ``_bulk_settings``; on SQLite its sorts (an index build's) may also spill to a file
    rather than memory (``temp_store``, set outside the transaction: SQLite refuses to change it inside one once the
    connection has used temporary storage), put back afterwards."""
    with writer(engine).connect() as conn:
        raw = conn.connection.dbapi_connection if conn.dialect.name == "sqlite" else None
        if raw is not None:
            raw.execute("PRAGMA temp_store=FILE")
        try:
            with conn.begin(), _bulk_settings(conn):
                yield conn
        finally:
            if raw is not None:
                raw.execute("PRAGMA temp_store=MEMORY")  # as every connection of the engine has it


@contextmanager
def _bulk_settings(conn: Connection) -> Iterator[None]:
    """On SQLite, a page cache large enough for the bulk insert and index builds (with the default 2 MiB,
    random-order inserts into the unique indexes spill pages mid-transaction), the old tables dropped without
    overwriting every freed page (Debian builds SQLite with SECURE_DELETE; FAST still overwrites where that costs no
    extra write), and index keys sorted with a helper thread per core (the timeline's two indexes at 1M events: its
    rebuild 21.6 -> 19.8 CPU-s in all, wall 46k -> 49k events/s); all put back afterwards."""
    if conn.dialect.name != "sqlite":
        yield
        return
    cache = conn.exec_driver_sql("PRAGMA cache_size").scalar()
    secure = conn.exec_driver_sql("PRAGMA secure_delete").scalar()
    threads = conn.exec_driver_sql("PRAGMA threads").scalar()
    conn.exec_driver_sql(f"PRAGMA cache_size={-BULK_CACHE_KIB}")
    conn.exec_driver_sql("PRAGMA secure_delete=FAST")
    conn.exec_driver_sql(f"PRAGMA threads={os.cpu_count() or 1}")
    try:
        yield
    finally:
        conn.exec_driver_sql(f"PRAGMA cache_size={int(cache) if cache is not None else -2000}")
        conn.exec_driver_sql(f"PRAGMA secure_delete={int(secure) if secure is not None else 1}")
        conn.exec_driver_sql(f"PRAGMA threads={int(threads) if threads is not None else 0}")


@contextmanager
def _gc_paused() -> Iterator[None]:
    """Hold the cyclic garbage collector off: a replay folds millions of acyclic dicts, and every
    collection would walk all the rows folded so far (a third of the rebuild's CPU time at 1M events)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _now() -> datetime:
    return datetime.now(UTC)


CHANGES_PROBED = 64  # events after the cache's knowledge a head probe names; past them, the cache starts afresh


def _changes(found: str | None) -> dict[UUID, int] | None:
    """The probe's "id position,..." as each aggregate's latest position (empty: none; None: more than probed)."""
    if not found:
        return {}
    pairs = found.split(",")
    if len(pairs) > CHANGES_PROBED:
        return None
    latest: dict[UUID, int] = {}
    for pair in pairs:  # in position order: the last of an aggregate is its latest
        ident, _, position = pair.partition(" ")
        latest[UUID(ident)] = int(position)
    return latest


def _literals(values: Sequence[str]) -> str:
    """Strings as a list of SQL literals for PostgreSQL (quoted by psycopg)."""
    from psycopg.sql import SQL, Literal

    from infrastructure.chain_postgres import rendered  # psycopg's: only on PostgreSQL

    return rendered(SQL(", ").join(Literal(v) for v in values))
