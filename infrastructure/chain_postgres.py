"""The hash chain for PostgreSQL (kept apart so SQLite-only installs need no psycopg)."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from typing import Any
from uuid import UUID

from eventsourcing.persistence import InterfaceError, OperationalError, StoredEvent
from eventsourcing.postgres import PostgresAggregateRecorder, PostgresApplicationRecorder
from eventsourcing.utils import retry
from psycopg import Cursor
from psycopg.pq import TransactionStatus
from psycopg.rows import DictRow
from psycopg.sql import SQL, Composable, Identifier

from infrastructure.chain import CHAIN_TABLE, GENESIS, Deferred, JointWrite, chain_rows
from infrastructure.outbox import OUTBOX_TABLE, POSTGRES_DDL, outbox_rows

INSERT_SHAPES_KEPT = 64  # inserts of up to this many events keep their statement's text (a command stores a few)
ROWS_PER_INSERT = 1000  # events inserted with a row of parameters each at most; a larger batch goes as one array
PIPELINE_MAX_BYTES = 1 << 20  # events' state in one pipelined insert at most (the larger hung at 6 MB, not at 3)


def rendered(statement: Composable) -> str:
    """A composed statement's text. psycopg renders a ``Composed`` again on every execute (quoting each identifier:
    a tenth of a command's client CPU went to it and to the conversions it defeats), and converts a ``str`` once
    and keeps it (a prepared statement's key too)."""
    return statement.as_string(None)


class ChainedPostgresRecorder(PostgresApplicationRecorder):
    """PostgreSQL application recorder that extends the hash chain inside the insert transaction
    (the events table is locked in exclusive mode, so chain rows are written in log order)."""

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        # NOTIFY channels are per database: name this schema's, so a worker is woken by its own ledger's writes only
        self.channel_name = f"{self.datastore.schema}_{self.events_table_name}"[:63]
        self.chain_table = Identifier(self.datastore.schema, CHAIN_TABLE) if self.datastore.schema \
            else Identifier(CHAIN_TABLE)
        self.sql_create_statements.append(SQL(
            "CREATE TABLE IF NOT EXISTS {0} (position bigint PRIMARY KEY, digest bytea NOT NULL, "
            "content bytea NOT NULL)").format(self.chain_table))
        self.outbox_table = Identifier(self.datastore.schema, OUTBOX_TABLE) if self.datastore.schema \
            else Identifier(OUTBOX_TABLE)
        self.sql_create_statements.append(SQL(POSTGRES_DDL).format(self.outbox_table))
        self._notify = SQL("NOTIFY {0}").format(Identifier(self.channel_name))
        self._chain_head = rendered(SQL("SELECT digest FROM {0} ORDER BY position DESC LIMIT 1").format(
            self.chain_table))
        self._lock_notify_head = rendered(SQL("; ").join([*self.lock_table_statements, self._notify,
                                                          SQL(self._chain_head)]))  # type: ignore[arg-type]
        self._begin_lock_notify_head = f"BEGIN; {self._lock_notify_head}"
        self._insert_chain = rendered(SQL("INSERT INTO {0} (position, digest, content) VALUES (%s, %s, %s)").format(
            self.chain_table))
        self._insert_outbox = rendered(SQL("INSERT INTO {0} (position, originator_id, originator_version, kind, "
                                           "recipient, params) VALUES (%s, %s, %s, %s, %s, %s)").format(self.outbox_table))
        # the library's insert with a row of plain parameters per event instead of one array of its composite type,
        # which psycopg dumps in Python field by field (a tenth of a PostgreSQL command's client CPU); by row count
        self._insert_rows: dict[int, str] = {}
        # the library's own insert (one array of its composite type), rendered once: for batches too large for a
        # row of parameters per event (a statement takes at most 65,535)
        self.insert_events_statement = rendered(self.insert_events_statement)  # type: ignore[assignment]
        self._select_events: dict[tuple[bool, bool, bool, bool], str] = {}  # select_events' text by its shape
        self._last_digest = threading.local()  # read with the lock, used by the chain rows of the same insert

    def _lock_table(self, curs: Cursor[DictRow]) -> None:
        """The library's lock statements, its NOTIFY and the read of the chain's last digest, in this order and in one
        round trip (several statements without parameters go as one simple query): three round trips fewer per
        command. The digest is read under the lock, so it is the one the next chain row follows. On a connection in
        autocommit mode with no transaction open (a joint write, ``ProjectionRunner._write_jointly_postgres``) the
        same round trip begins the transaction, which psycopg would have begun with one of its own. (Not in a
        pipeline, which takes one statement at a time and sends them without waiting anyway.)"""
        if curs.connection.pgconn.pipeline_status:  # the library's own insert, pipelined: no round trip to save
            super()._lock_table(curs)
            super()._notify_channel(curs)
            return
        statement = self._lock_notify_head
        conn = curs.connection
        if conn.autocommit and conn.info.transaction_status == TransactionStatus.IDLE:
            statement = self._begin_lock_notify_head  # the caller's transaction starts here (a joint write)
        curs.execute(statement, prepare=False)
        while curs.nextset():  # to the last statement's result
            pass
        row = curs.fetchone()
        self._last_digest.value = bytes(row["digest"]) if row else GENESIS

    @retry((InterfaceError, OperationalError), max_attempts=10, wait=0.2)  # as the library's own
    def select_events(self, originator_id: UUID | str, *, gt: int | None = None, lte: int | None = None,
                      desc: bool = False, limit: int | None = None) -> Sequence[StoredEvent]:
        """The library's ``select_events`` (same statement, parameters and results), its text rendered once per
        shape instead of composed and rendered at every read."""
        shape = (gt is not None, lte is not None, desc, limit is not None)
        statement = self._select_events.get(shape)
        if statement is None:
            composed = self.select_events_statement
            composed += SQL(" AND originator_version > %s") if gt is not None else SQL("")
            composed += SQL(" AND originator_version <= %s") if lte is not None else SQL("")
            composed += SQL(" ORDER BY originator_version DESC" if desc else " ORDER BY originator_version ASC")
            composed += SQL(" LIMIT %s") if limit is not None else SQL("")
            statement = self._select_events[shape] = rendered(composed)
        params = [originator_id, *(p for p in (gt, lte, limit) if p is not None)]
        with self.datastore.get_connection() as conn, conn.cursor() as curs:
            curs.execute(statement, params, prepare=True)  # type: ignore[call-overload]
            return [StoredEvent(originator_id=row["originator_id"], originator_version=row["originator_version"],
                                topic=row["topic"], state=bytes(row["state"])) for row in curs.fetchall()]

    def _insert_stored_events(self, curs: Cursor[DictRow], stored_events: Sequence[StoredEvent], **_: Any) -> None:
        """The library's insert of the rows (after the lock and the notification), as one VALUES row per event."""
        self._lock_table(curs)
        self._notify_channel(curs)
        count = len(stored_events)
        if count > ROWS_PER_INSERT:
            PostgresAggregateRecorder._insert_stored_events(self, curs, stored_events)
            return
        statement = self._insert_rows.get(count)
        if statement is None:
            statement = rendered(SQL(
                "INSERT INTO {0}.{1} (originator_id, originator_version, topic, state) VALUES {2} "
                "RETURNING notification_id").format(
                Identifier(self.datastore.schema), Identifier(self.events_table_name),
                SQL(", ").join([SQL("(%s, %s, %s, %s)")] * count)))
            if count <= INSERT_SHAPES_KEPT:
                self._insert_rows[count] = statement
        curs.execute(statement, [value for e in stored_events
                                 for value in (e.originator_id, e.originator_version, e.topic, e.state)])

    def _notify_channel(self, curs: Cursor[DictRow]) -> None:
        """Sent with the lock (``_lock_table``)."""

    def _read_last_digest(self, curs: Cursor[DictRow]) -> bytes:
        curs.execute(self._chain_head)
        row = curs.fetchone()
        return bytes(row["digest"]) if row else GENESIS

    # As ChainedSQLiteRecorder's: set by the container, the write then runs in the read models' write transaction.
    joint_write: JointWrite | None = None

    def insert_events(self, stored_events: Sequence[StoredEvent], **kwargs: Any) -> Sequence[int] | None:
        """Insert in the library's own transaction, or in the joint write's when one is set."""
        self._last_digest.value = None  # never one an earlier, failed insert of this thread read
        joint = self.joint_write
        if joint is None or not stored_events or self.datastore.enable_db_functions:
            return self._insert_alone(stored_events, **kwargs)
        deferred: Deferred = []
        return joint(stored_events, lambda curs: self.insert_on(curs, stored_events, deferred, **kwargs),
                     lambda: self._insert_alone(stored_events, **kwargs), deferred)

    def _insert_alone(self, stored_events: Sequence[StoredEvent], **kwargs: Any) -> Sequence[int] | None:
        """The library's pipelined insert for a batch up to ``PIPELINE_MAX_BYTES`` of state; a larger one in a
        transaction of its own without the pipeline. In pipeline mode psycopg (3.3.9, libpq 18) never finishes
        sending one statement of many megabytes: the library's insert sends the whole batch as one array, and a
        10,000-event batch (an import, a copied ledger) waited forever with the server waiting for the rest."""
        if self.datastore.enable_db_functions or sum(len(e.state) for e in stored_events) <= PIPELINE_MAX_BYTES:
            return super().insert_events(stored_events, **kwargs)
        return self._insert_unpipelined(stored_events, **kwargs)

    @retry((InterfaceError, OperationalError), max_attempts=10, wait=0.2)  # as the library's own insert
    def _insert_unpipelined(self, stored_events: Sequence[StoredEvent], **kwargs: Any) -> Sequence[int] | None:
        with self.datastore.get_connection() as conn, conn.transaction(), conn.cursor() as curs:
            return self.insert_on(curs, stored_events, **kwargs)

    def insert_on(self, curs: Cursor[DictRow], stored_events: Sequence[StoredEvent], deferred: Deferred | None = None,
                  **kwargs: Any) -> Sequence[int] | None:
        """The library's insert (table lock, notification, rows) and the chain's, on a cursor of a transaction the
        caller began and ends; the events' positions. With ``deferred``, the chain's and the outbox's statements
        are appended to it for the caller to send in the same transaction, instead of sent here."""
        self._insert_events(curs, stored_events, **kwargs)
        self._insert_stored_events(curs, stored_events, **kwargs)
        if deferred is None:
            return self._fetch_ids_after_insert_events(curs, stored_events, **kwargs)
        positions = super()._fetch_ids_after_insert_events(curs, stored_events, **kwargs)
        deferred.extend(self._rows_after(curs, positions, stored_events, kwargs))
        return positions

    def _fetch_ids_after_insert_events(self, curs: Cursor[DictRow], stored_events: Sequence[StoredEvent],
                                       **kwargs: Any) -> Sequence[int] | None:
        positions = super()._fetch_ids_after_insert_events(curs, stored_events, **kwargs)
        for statement, rows in self._rows_after(curs, positions, stored_events, kwargs):
            curs.executemany(statement, rows)
        return positions

    def _rows_after(self, curs: Cursor[DictRow], positions: Sequence[int] | None,
                    stored_events: Sequence[StoredEvent], kwargs: dict[str, Any]) -> Deferred:
        """The chain's rows for the events just inserted at ``positions`` and the messages they cause
        (application.outbox), as statements for the same transaction."""
        previous = getattr(self._last_digest, "value", None)
        self._last_digest.value = None
        if not positions:
            return []
        if previous is None:  # an insert that did not take the lock through ``_lock_table``
            previous = self._read_last_digest(curs)
        after: Deferred = [(self._insert_chain, chain_rows(previous, list(positions), stored_events))]
        rows = outbox_rows(positions, stored_events, kwargs)
        if rows:
            after.append((self._insert_outbox, rows))
        return after
