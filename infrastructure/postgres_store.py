"""The library's PostgreSQL persistence, with reads that run without a transaction around them.

The library reads in a transaction it rolls back (``force_rollback``): a BEGIN and a ROLLBACK around the statement,
two round trips more, and psycopg forgets every statement it prepared on a connection whenever a transaction there
is rolled back (it sends ``DEALLOCATE ALL``). So no statement of the event store stayed prepared from one request to
the next: the log probe every request runs was parsed and planned again each time (0.44 ms of the server's time
against its 0.015 ms of execution, 2026-12-06). Here a read (``commit=False``) runs each of its statements on its
own, on the pooled connection in autocommit mode (as the library's pool sets them): one statement sees one
snapshot of the database, as in a transaction, and the reads here are one statement each. A round trip cost about
0.3 ms of a replay's wall time on the 2-core machine (2026-12-06). Writes (``commit=True``) keep their transaction.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from eventsourcing.postgres import PostgresDatastore, PostgresFactory
from psycopg import Cursor
from psycopg.rows import DictRow

from infrastructure.chain_postgres import ChainedPostgresRecorder


class AutocommitReadDatastore(PostgresDatastore):
    """The library's datastore whose reads (``commit=False``) run each statement on its own, without a transaction."""

    @contextmanager
    def transaction(self, *, commit: bool = False) -> Iterator[Cursor[DictRow]]:
        """A cursor on a pooled connection: for a write in a transaction, committed at the end (rolled back on an
        error); for a read, in autocommit mode (each statement its own transaction)."""
        with self.get_connection() as conn:
            if commit:
                with conn.transaction():
                    yield conn.cursor()
            else:
                yield conn.cursor()


class JejakPostgresFactory(PostgresFactory):
    """The library's PostgreSQL factory making the chained recorder, on an ``AutocommitReadDatastore``
    (``PERSISTENCE_MODULE`` names this class)."""

    application_recorder_class = ChainedPostgresRecorder

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # the library builds its datastore inside __init__; the subclass only replaces a method
        self.datastore.__class__ = AutocommitReadDatastore
