"""SQLAlchemy engines for the read models, in the same database as the event store."""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from uuid import UUID, SafeUUID

from sqlalchemy import (
    DateTime,
    Dialect,
    Engine,
    TypeDecorator,
    Uuid,
    create_engine,
    event,
    text,
)
from sqlalchemy.exc import DisconnectionError

from infrastructure.config import Database


def make_engine(db: Database) -> Engine:
    """An engine for read models: WAL and immediate write transactions on SQLite, psycopg 3 on PostgreSQL."""
    if db.kind == "sqlite":
        Path(db.path).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(db.sqlalchemy_url(), connect_args={"timeout": 30})
        _configure_sqlite(engine)
        engine.dialect.colspecs = {**engine.dialect.colspecs, Uuid: HexUuid}  # this engine's dialect only
        return engine
    options = {"options": f"-csearch_path={db.schema}"} if db.schema else {}
    engine = create_engine(db.sqlalchemy_url(), connect_args=options, pool_size=5, max_overflow=10)
    _configure_postgres(engine)
    if db.schema:
        with engine.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA IF NOT EXISTS "{db.schema}"'))
    return engine


@contextmanager
def setup_lock(db: Database) -> Iterator[None]:
    """Hold PostgreSQL's advisory lock for setting up this database's schema, so server processes starting together
    create tables and functions one after another (concurrent CREATE OR REPLACE FUNCTION fails with "tuple
    concurrently updated"); SQLite needs none (its file lock and IF NOT EXISTS suffice)."""
    if db.kind != "postgres":
        yield
        return
    import psycopg

    with psycopg.connect(host=db.host, port=db.port, dbname=db.name, user=db.user, password=db.password or None,
                         autocommit=True) as conn:
        conn.execute("SELECT pg_advisory_lock(hashtext(%s))", (f"jejak-setup:{db.schema or 'public'}",))
        try:
            yield
        finally:
            conn.execute("SELECT pg_advisory_unlock(hashtext(%s))", (f"jejak-setup:{db.schema or 'public'}",))


def reader(engine: Engine) -> Engine:
    """The same engine for the read models' views, which only read: on PostgreSQL its connections run each statement
    on its own (autocommit), without the BEGIN and ROLLBACK round trips a transaction adds around a read (under READ
    COMMITTED each statement of a transaction sees a snapshot of its own anyway). Connections go back to the pool
    transactional again. On SQLite, the engine itself (a read there is one snapshot, and costs no round trip)."""
    if engine.dialect.name != "postgresql":
        return engine
    return engine.execution_options(isolation_level="AUTOCOMMIT")


def writer(engine: Engine) -> Engine:
    """The same engine, whose transactions take the write lock up front (no SQLite lock-upgrade deadlock)."""
    return engine.execution_options(jejak_write=True)


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy's "begin" event, not pysqlite, decide when and how transactions start.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        # FULL: each commit is on disk before it returns, as with the event store's own connections (SQLite's
        # default), since commands' events are written through these connections too (ProjectionRunner.write_jointly)
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.execute(f"PRAGMA busy_timeout={int(BUSY_TIMEOUT * 1000)}")
        # A command's read-model rows are written in a savepoint (ProjectionRunner.write_jointly), whose statement
        # journal SQLite keeps in memory up to 64 KiB and past that moves to a temporary file it creates, writes and
        # deletes: a command changing more than 15 pages (a training record changes about 21) paid an open, a
        # dozen writes, a close and an unlink. Bulk work whose sorts may outgrow memory (an index build in a
        # rebuild) sets it back to FILE for its block.
        cursor.execute("PRAGMA temp_store=MEMORY")
        cursor.close()

    @event.listens_for(engine, "begin")
    def on_begin(conn: Any) -> None:
        if conn.get_execution_options().get("jejak_write", False):
            begin_immediate(conn.connection.dbapi_connection, last_try=lambda: conn.exec_driver_sql("BEGIN IMMEDIATE"))
        else:
            # straight through the driver: SQLAlchemy's execution of the BEGIN cost more than every read's own
            # statement (each ``engine.connect()`` of a read begins one)
            conn.connection.dbapi_connection.execute("BEGIN")


def _configure_postgres(engine: Engine) -> None:
    """Ping a pooled connection when it is checked out after ``PING_IDLE`` seconds unused (the server may have
    dropped it meanwhile: a restart, an idle timeout), and replace it if it does not answer; one in use moments ago
    is not pinged (the pool's ``pre_ping`` pinged at every checkout: a round trip per read)."""
    @event.listens_for(engine, "connect")
    def fresh(_dbapi_connection: Any, record: Any) -> None:
        record.info["jejak_used"] = time.monotonic()

    @event.listens_for(engine, "checkin")
    def used(_dbapi_connection: Any, record: Any) -> None:
        record.info["jejak_used"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def ping_if_idle(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        if time.monotonic() - record.info.get("jejak_used", 0.0) < PING_IDLE:
            return
        try:
            engine.dialect.do_ping(dbapi_connection)
        except Exception as e:  # the pool drops the connection and checks out another (up to three times)
            raise DisconnectionError("a pooled connection did not answer its ping") from e


PING_IDLE = 2.0  # seconds unused after which a pooled PostgreSQL connection is pinged before it is handed out
BUSY_TIMEOUT = 30.0  # seconds a writer waits for SQLite's write lock before "database is locked"
_FIRST_WAIT, _LONGEST_WAIT = 0.0002, 0.002  # seconds between two tries for the write lock


def begin_immediate(raw: Any, last_try: Callable[[], object] | None = None) -> None:
    """BEGIN IMMEDIATE on a driver connection, trying again every 0.2–2 ms while another writer holds the lock, for
    as long as the connection's busy timeout.

    SQLite's own busy handler sleeps up to 100 ms between its tries, so a command waiting behind another command's
    3 ms write lost tens of milliseconds (the write p99 of two gunicorn workers), and a long job yielding the lock
    had to pause longer than that for a command to get it. Here the busy handler is off for the BEGIN alone. Past
    the timeout, or on another error, the error is raised, or ``last_try`` tried once more (the caller's own
    wrapping of the error)."""
    (busy_ms,) = raw.execute("PRAGMA busy_timeout").fetchone()
    raw.execute("PRAGMA busy_timeout=0")
    try:
        wait, deadline = _FIRST_WAIT, time.monotonic() + busy_ms / 1000
        while True:
            try:
                raw.execute("BEGIN IMMEDIATE")
                return
            except sqlite3.OperationalError as e:
                if ("locked" not in str(e) and "busy" not in str(e)) or time.monotonic() >= deadline:
                    if last_try is None:
                        raise
                    last_try()
                    return
            time.sleep(wait)
            wait = min(wait * 1.5, _LONGEST_WAIT)
    finally:
        raw.execute(f"PRAGMA busy_timeout={busy_ms}")


_new = object.__new__
_set = object.__setattr__
_UNKNOWN = SafeUUID.unknown  # an enum member read through its class costs a descriptor call each time


def uuid_from_hex(value: str | None) -> UUID | None:
    """A UUID from the 32 hex digits SQLite stores, without ``UUID.__init__``'s parsing (every id a read model
    returns goes through here: a page of rounds reads 80); any other spelling goes through ``UUID``."""
    if value is None:
        return None
    if len(value) != 32:
        return UUID(value)
    found = _new(UUID)
    _set(found, "int", int(value, 16))
    _set(found, "is_safe", _UNKNOWN)
    return found


class HexUuid(Uuid[UUID]):
    """SQLAlchemy's ``Uuid`` on SQLite, read back through ``uuid_from_hex``."""

    def result_processor(self, dialect: Dialect, coltype: object) -> Any:
        """Read stored hex text as a UUID (ids stored as text of another spelling still read correctly)."""
        if self.as_uuid:
            return uuid_from_hex
        return super().result_processor(dialect, coltype)


class UTCDateTime(TypeDecorator[datetime]):
    """A timestamp stored as UTC and always read back timezone-aware (SQLite drops the offset)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        """Normalise to UTC before storing."""
        if value is None:
            return None
        return value.astimezone(UTC) if value.tzinfo else value.replace(tzinfo=UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        """Attach UTC to naive values read back."""
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
