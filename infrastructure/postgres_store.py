"""The library's PostgreSQL persistence, with read transactions that keep the connection's prepared statements.

The library reads in a transaction it rolls back (``force_rollback``), and psycopg forgets every statement it
prepared on a connection whenever a transaction there is rolled back (it sends ``DEALLOCATE ALL``: after a rollback
an object a statement used may be gone). So no statement of the event store stayed prepared from one request to the
next: the log probe every request runs was parsed and planned again each time (0.44 ms of the server's time
against its 0.015 ms of execution, 2026-12-06), and most reads paid a ``DEALLOCATE ALL`` round trip besides. A read
that ends without an error commits instead: for a transaction that wrote nothing, COMMIT and ROLLBACK leave the
database the same, and the prepared statements stay. An error still rolls back (and clears them).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from eventsourcing.postgres import PostgresDatastore, PostgresFactory
from psycopg import Cursor
from psycopg.rows import DictRow

from infrastructure.chain_postgres import ChainedPostgresRecorder


class ReadCommittingDatastore(PostgresDatastore):
    """The library's datastore whose read transactions (``commit=False``) end with COMMIT unless they fail."""

    @contextmanager
    def transaction(self, *, commit: bool = False) -> Iterator[Cursor[DictRow]]:
        """A transaction on a pooled connection, committed at the end (rolled back on an error)."""
        with self.get_connection() as conn, conn.transaction():
            yield conn.cursor()


class JejakPostgresFactory(PostgresFactory):
    """The library's PostgreSQL factory making the chained recorder, on a ``ReadCommittingDatastore``
    (``PERSISTENCE_MODULE`` names this class)."""

    application_recorder_class = ChainedPostgresRecorder

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # the library builds its datastore inside __init__; the subclass only replaces a method
        self.datastore.__class__ = ReadCommittingDatastore
