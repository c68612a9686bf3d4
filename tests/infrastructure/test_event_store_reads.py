"""Reading one aggregate's events: on SQLite in one statement on a connection of the thread's own, with the library's
results; on PostgreSQL without a transaction around the statement, keeping what the connection prepared."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from itertools import product
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest
from eventsourcing.postgres import PostgresApplicationRecorder
from eventsourcing.sqlite import SQLiteAggregateRecorder, SQLiteApplicationRecorder
from psycopg.pq import TransactionStatus

from infrastructure.chain_postgres import ChainedPostgresRecorder
from infrastructure.container import Jejak
from infrastructure.sqlite_store import LedgerRecorder, SnapshotRecorder
from tests.conftest import _make
from tests.infrastructure.test_blue_green import HR, _id_of, register
from tests.infrastructure.test_postgres_round_trips import statements


def _employee_with_history(jejak: Jejak) -> UUID:
    """An employee with several events and a snapshot between them."""
    (nip,) = register(jejak, 1)
    employee_id = _id_of(jejak, nip)
    jejak.registry.change_position(HR, employee_id, "Analis Madya", date(2011, 1, 1), "promotion")
    jejak.ledger.take_snapshot(employee_id)
    for year in (2012, 2013):
        jejak.registry.change_position(HR, employee_id, f"Analis {year}", date(year, 1, 1), "rotation")
    return UUID(str(employee_id))


def _ways() -> list[dict[str, Any]]:
    return [{"gt": gt, "lte": lte, "desc": desc, "limit": limit}
            for gt, lte, desc, limit in product((None, 0, 1), (None, 1, 5), (False, True), (None, 1))]


def test_sqlite_reads_of_an_aggregates_events_equal_the_librarys(sqlite_jejak: Jejak) -> None:
    aggregate_id = _employee_with_history(sqlite_jejak)
    events, snapshots = sqlite_jejak.ledger.recorder, sqlite_jejak.ledger.snapshots
    assert isinstance(events, LedgerRecorder)
    assert snapshots is not None and isinstance(snapshots.recorder, SnapshotRecorder)
    assert events.select_events(aggregate_id)  # the aggregate has events to compare
    assert snapshots.recorder.select_events(aggregate_id)
    for way in _ways():
        assert events.select_events(aggregate_id, **way) == SQLiteApplicationRecorder.select_events(
            events, aggregate_id, **way), way
        assert snapshots.recorder.select_events(aggregate_id, **way) == SQLiteAggregateRecorder.select_events(
            snapshots.recorder, aggregate_id, **way), way


def test_sqlite_reads_of_an_aggregates_events_skip_the_librarys_pooled_transaction(
        sqlite_jejak: Jejak, monkeypatch: pytest.MonkeyPatch) -> None:
    aggregate_id = _employee_with_history(sqlite_jejak)
    expected = sqlite_jejak.ledger.recorder.select_events(aggregate_id)

    def refused(**_: Any) -> Any:
        raise AssertionError("read through the library's pooled transaction")

    monkeypatch.setattr(sqlite_jejak.ledger.recorder.datastore, "transaction", refused)  # type: ignore[attr-defined]
    assert sqlite_jejak.ledger.recorder.select_events(aggregate_id) == expected
    sqlite_jejak.ledger.forget_cached()
    assert sqlite_jejak.ledger.repository.get(aggregate_id).version == expected[-1].originator_version


@pytest.fixture
def pg_jejak(tmp_path: Path) -> Iterator[Jejak]:
    yield from _make("postgres", tmp_path)


@pytest.mark.postgres
def test_postgresql_reads_of_the_event_store_keep_the_connections_prepared_statements(pg_jejak: Jejak) -> None:
    datastore = pg_jejak.ledger.recorder.datastore  # type: ignore[attr-defined]
    with datastore.transaction(commit=False) as cursor:
        connection = cursor.connection
        cursor.execute("SELECT 6 * 7 AS jejak_marker", prepare=True)
        assert cursor.fetchone()["jejak_marker"] == 42
    # the read ended (the library would have rolled it back, and psycopg then deallocated every prepared statement)
    kept = connection.execute("SELECT count(*) AS n FROM pg_prepared_statements WHERE statement LIKE %s",
                              ("%jejak_marker%",)).fetchone()
    assert kept["n"] == 1


@pytest.mark.postgres
def test_a_postgresql_read_sends_its_statement_alone_and_a_failed_write_is_rolled_back(pg_jejak: Jejak) -> None:
    datastore = pg_jejak.ledger.recorder.datastore  # type: ignore[attr-defined]
    with statements() as sent, datastore.transaction(commit=False) as cursor:
        cursor.execute("SELECT 1 AS one")
        assert cursor.connection.info.transaction_status == TransactionStatus.IDLE  # no transaction left open
    assert sent == ["SELECT 1 AS one"]  # no BEGIN, COMMIT or ROLLBACK: two round trips fewer

    with pytest.raises(ZeroDivisionError), datastore.transaction(commit=True) as cursor:
        connection = cursor.connection
        cursor.execute("CREATE TEMPORARY TABLE jejak_scratch (x int)")
        raise ZeroDivisionError
    assert connection.execute("SELECT to_regclass('pg_temp.jejak_scratch') AS t").fetchone()["t"] is None


@pytest.mark.postgres
def test_postgresql_reads_of_an_aggregates_events_equal_the_librarys_with_their_text_rendered_once(
        pg_jejak: Jejak) -> None:
    aggregate_id = _employee_with_history(pg_jejak)
    recorder = pg_jejak.ledger.recorder
    assert isinstance(recorder, ChainedPostgresRecorder)
    assert recorder.select_events(aggregate_id)  # the aggregate has events to compare
    for way in _ways():
        assert recorder.select_events(aggregate_id, **way) == PostgresApplicationRecorder.select_events(
            recorder, aggregate_id, **way), way
    assert all(isinstance(text, str) for text in recorder._select_events.values())  # no Composed rendered per read
    assert len(recorder._select_events) == 2 * 2 * 2 * 2  # one text per shape of the read
