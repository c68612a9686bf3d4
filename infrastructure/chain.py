"""Tamper evidence: a hash chain over stored events, written in the same transaction as the events."""

from __future__ import annotations

import hashlib
import re
import sqlite3
import struct
from collections.abc import Callable, Sequence
from types import ModuleType
from typing import Any
from uuid import UUID

from eventsourcing.persistence import (
    DatabaseError,
    DataError,
    IntegrityError,
    InterfaceError,
    InternalError,
    NotSupportedError,
    OperationalError,
    PersistenceError,
    ProgrammingError,
    StoredEvent,
)
from eventsourcing.sqlite import SQLiteApplicationRecorder, SQLiteCursor

from infrastructure.outbox import OUTBOX_TABLE, SQLITE_DDL, outbox_rows

GENESIS = b"\x00" * 32
CHAIN_TABLE = "ledger_chain"


def _field(data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + data


def content_digest(originator_id: UUID | str, version: int, topic: str, state: bytes) -> bytes:
    """The digest of one stored row's content (aggregate id, version, topic, stored state bytes)."""
    oid = originator_id.hex if isinstance(originator_id, UUID) else UUID(str(originator_id)).hex
    return hashlib.sha256(
        _field(oid.encode()) + struct.pack(">Q", version) + _field(topic.encode()) + _field(bytes(state))
    ).digest()


_CANONICAL_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def stored_content_digest(originator_id: str, version: int, topic: str, state: bytes) -> bytes:
    """``content_digest`` of a row read raw (its id as stored text), without parsing a UUID when the text is
    already canonical (then ``UUID(text).hex`` is the text without its dashes); any other text goes through
    ``content_digest`` itself."""
    if not _CANONICAL_UUID.fullmatch(originator_id):
        return content_digest(originator_id, version, topic, state)
    t = topic.encode()
    return hashlib.sha256(
        b"\x00\x00\x00\x20" + originator_id.replace("-", "").encode() + struct.pack(">Q", version)
        + _field(t) + _field(bytes(state))
    ).digest()


def link_digest(previous: bytes, position: int, content: bytes) -> bytes:
    """The chain digest at a position: covers the previous digest, the position and the row's content."""
    return hashlib.sha256(previous + struct.pack(">Q", position) + content).digest()


def chain_rows(previous: bytes, positions: Sequence[int], events: Sequence[StoredEvent]) -> list[tuple[int, bytes, bytes]]:
    """(position, digest, content) for newly stored events, continuing from ``previous``."""
    rows = []
    for position, event in sorted(zip(positions, events, strict=True), key=lambda pe: pe[0]):
        content = content_digest(event.originator_id, event.originator_version, event.topic, event.state)
        previous = link_digest(previous, position, content)
        rows.append((position, previous, content))
    return rows


# Statements an insert leaves to the joint write to send in the same transaction (text, rows of parameters): on
# PostgreSQL the chain's and the outbox's rows go in the pipeline of the read models' writes, a round trip fewer.
Deferred = list[tuple[str, Sequence[tuple[Any, ...]]]]
# Runs an insert (given a driver's cursor) in a write transaction of its own choosing, with whatever else belongs in
# it, or else the recorder's own insert (the third argument); an optional fourth, the statements the insert deferred.
JointWrite = Callable[..., Sequence[int] | None]
# The library's errors, each raised for the driver's error of the same DB-API name (DatabaseError, the base of most,
# last), as the library's own SQLite and PostgreSQL transactions raise them: the ledger turns IntegrityError into
# Conflict.
_LIBRARY_ERRORS: tuple[type[PersistenceError], ...] = (
    InterfaceError, DataError, OperationalError, IntegrityError, InternalError, ProgrammingError, NotSupportedError,
    DatabaseError)


def library_error(error: Exception, driver: ModuleType, argument: object) -> PersistenceError:
    """The library's error for a driver's (``driver``: its DB-API module), made with ``argument``."""
    for kind in _LIBRARY_ERRORS:
        if isinstance(error, getattr(driver, kind.__name__)):
            return kind(argument)
    return PersistenceError(argument)


def persistence_error(error: sqlite3.Error) -> PersistenceError:
    """The library's error for an sqlite3 error, as the library's own SQLite transactions raise it."""
    return library_error(error, sqlite3, error)


def postgres_error(error: Exception) -> PersistenceError:
    """The library's error for a psycopg error, as the library's own PostgreSQL connections raise it."""
    import psycopg

    return library_error(error, psycopg, str(error))


class ChainedSQLiteRecorder(SQLiteApplicationRecorder):
    """SQLite application recorder that extends the hash chain inside the insert transaction."""

    # Set by the container when the read models share the file: the write then runs in the read models' write
    # transaction, which catches the projections up with the events just inserted (``ProjectionRunner.write_jointly``).
    joint_write: JointWrite | None = None

    def insert_events(self, stored_events: Sequence[StoredEvent], **kwargs: Any) -> Sequence[int] | None:
        """Insert in the library's own transaction, or in the joint write's when one is set."""
        joint = self.joint_write
        if joint is None:
            return super().insert_events(stored_events, **kwargs)
        return joint(stored_events, lambda c: self._insert_events(c, stored_events, **kwargs),
                     lambda: super(ChainedSQLiteRecorder, self).insert_events(stored_events, **kwargs))

    def construct_create_table_statements(self) -> list[str]:
        """Also create the chain table."""
        return [
            *super().construct_create_table_statements(),
            f"CREATE TABLE IF NOT EXISTS {CHAIN_TABLE} (position INTEGER PRIMARY KEY, digest BLOB NOT NULL, "
            "content BLOB NOT NULL)",
            SQLITE_DDL,
        ]

    def _insert_events(self, c: SQLiteCursor, stored_events: Sequence[StoredEvent], **kwargs: Any
                       ) -> Sequence[int] | None:
        positions = super()._insert_events(c, stored_events, **kwargs)
        if positions:
            c.execute(f"SELECT digest FROM {CHAIN_TABLE} ORDER BY position DESC LIMIT 1")
            row = c.fetchone()
            previous = bytes(row[0]) if row else GENESIS
            c.executemany(f"INSERT INTO {CHAIN_TABLE} (position, digest, content) VALUES (?, ?, ?)",
                          chain_rows(previous, list(positions), stored_events))
            # the messages these events cause (application.outbox), in the same transaction
            c.executemany(f"INSERT INTO {OUTBOX_TABLE} (position, originator_id, originator_version, kind, recipient, "
                          "params) VALUES (?, ?, ?, ?, ?, ?)", outbox_rows(positions, stored_events, kwargs))
        return positions
