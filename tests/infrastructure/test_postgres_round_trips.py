"""On PostgreSQL every statement is a round trip to the server, and a request's CPU goes largely to them: a command
takes the ledger's lock, sends its notification and reads the chain's last digest in one; the views read without a
transaction around each statement, and so does the event store (an aggregate's snapshot and later events in one);
a pooled connection is pinged only when it sat unused long enough for the server to have dropped it."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Any

import psycopg
import pytest
from eventsourcing.persistence import IntegrityError, StoredEvent
from sqlalchemy import text

from application.actor import system_actor
from application.ledger import mutate_all
from domain.employee import Employee
from domain.unit import Unit
from infrastructure import chain_postgres, database
from infrastructure.container import Jejak
from infrastructure.database import reader, writer
from tests.conftest import _make
from tests.infrastructure.test_blue_green import HR, _id_of, directory_nips, register
from tests.infrastructure.test_postgres_large_writes import registrations

pytestmark = pytest.mark.postgres


@pytest.fixture
def pg_jejak(tmp_path: Path) -> Iterator[Jejak]:
    yield from _make("postgres", tmp_path)


@contextmanager
def statements() -> Iterator[list[str]]:
    """Every statement psycopg sends meanwhile, as text."""
    sent: list[str] = []
    original: Callable[..., Any] = psycopg.Cursor.execute

    def execute(self: Any, query: Any, *args: Any, **kwargs: Any) -> Any:
        sent.append(query if isinstance(query, str) else query.as_string(self.connection))
        return original(self, query, *args, **kwargs)

    psycopg.Cursor.execute = execute  # type: ignore[method-assign]
    try:
        yield sent
    finally:
        psycopg.Cursor.execute = original  # type: ignore[method-assign]


def test_a_command_takes_the_lock_notifies_and_reads_the_chain_head_in_one_round_trip(pg_jejak: Jejak) -> None:
    register(pg_jejak, 2)
    with statements() as sent:
        register(pg_jejak, 3, first=3)

    locks = [s for s in sent if "LOCK TABLE" in s]
    assert len(locks) == 3  # one per command
    assert all("NOTIFY" in s and "ledger_chain" in s and "lock_timeout" in s for s in locks)
    assert not [s for s in sent if s.strip().startswith(("NOTIFY", "SELECT digest"))]  # nothing of it on its own
    report = pg_jejak.verifier.verify()
    assert not report.broken and report.as_dict()["events"] == report.as_dict()["head_position"] > 0


def test_the_views_read_without_a_transaction_and_writes_still_commit_or_roll_back_whole(pg_jejak: Jejak) -> None:
    register(pg_jejak, 2)
    assert pg_jejak.directory.engine.get_execution_options()["isolation_level"] == "AUTOCOMMIT"
    with statements() as sent, reader(pg_jejak.engine).connect() as conn:
        assert conn.connection.dbapi_connection.autocommit  # type: ignore[union-attr]
        conn.execute(text("SELECT 1"))
    assert sent == ["SELECT 1"]

    with pytest.raises(RuntimeError), writer(pg_jejak.engine).begin() as conn:  # the same pool, transactional again
        assert not conn.connection.dbapi_connection.autocommit  # type: ignore[union-attr]
        conn.execute(text("CREATE TABLE half_done (n int)"))
        raise RuntimeError("the command fails")
    with pg_jejak.engine.connect() as conn:
        assert conn.execute(text("SELECT to_regclass('half_done')")).scalar() is None
    assert len(directory_nips(pg_jejak)) == 2


def test_a_pooled_connection_the_server_dropped_while_idle_is_replaced_before_a_read(
        pg_jejak: Jejak, monkeypatch: pytest.MonkeyPatch) -> None:
    register(pg_jejak, 2)
    engine = pg_jejak.engine
    with engine.connect() as conn:
        dropped = conn.execute(text("SELECT pg_backend_pid()")).scalar()
    with engine.connect() as other, engine.connect() as third:  # two more in the pool
        pids = {other.execute(text("SELECT pg_backend_pid()")).scalar(),
                third.execute(text("SELECT pg_backend_pid()")).scalar()}
    with psycopg.connect(dbname="test", host="127.0.0.1", user="postgres", autocommit=True) as admin:
        for pid in {dropped, *pids}:
            admin.execute("SELECT pg_terminate_backend(%s)", (pid,))
    monkeypatch.setattr(database, "PING_IDLE", 0.0)  # as if they had sat unused for long

    assert len(directory_nips(pg_jejak)) == 2  # no error: the ping found them gone and the pool connected anew
    with engine.connect() as conn:
        assert conn.execute(text("SELECT pg_backend_pid()")).scalar() not in {dropped, *pids}


def test_a_connection_used_moments_ago_is_not_pinged(pg_jejak: Jejak) -> None:
    register(pg_jejak, 2)
    directory_nips(pg_jejak)
    with statements() as sent:
        for _ in range(3):
            directory_nips(pg_jejak)
    assert sent.count(";") == 0 and len(sent) == 3


def test_a_views_one_row_read_opens_no_transaction_and_hands_the_connection_back_transactional(
        pg_jejak: Jejak, monkeypatch: pytest.MonkeyPatch) -> None:
    register(pg_jejak, 2)
    employee_id = _id_of(pg_jejak, register(pg_jejak, 1, first=3)[0])
    status: list[str] = []
    original: Callable[..., Any] = psycopg.Cursor.execute

    def execute(self: Any, query: Any, *args: Any, **kwargs: Any) -> Any:
        result = original(self, query, *args, **kwargs)
        status.append(self.connection.info.transaction_status.name)  # INTRANS after a BEGIN psycopg sent first
        return result

    monkeypatch.setattr(psycopg.Cursor, "execute", execute)
    found = pg_jejak.directory.employee(employee_id)
    monkeypatch.undo()

    assert found is not None and found["id"] == employee_id
    assert status == ["IDLE"]  # the SELECT alone: no BEGIN before it, so no ROLLBACK after it
    with writer(pg_jejak.engine).begin() as conn:  # the pooled connection takes part in transactions again
        assert not conn.connection.dbapi_connection.autocommit  # type: ignore[union-attr]


def test_a_commands_events_go_as_rows_of_plain_parameters_and_a_large_batch_as_one_array(
        pg_jejak: Jejak, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(chain_postgres, "ROWS_PER_INSERT", 4)  # the bound, lowered for the test
    with statements() as sent:
        register(pg_jejak, 2)  # a unit, then two employees: three commands
    inserts = [s for s in sent if s.startswith("INSERT") and "jejak_events" in s]
    assert len(inserts) == 3 and all("VALUES" in s and "unnest" not in s for s in inserts)
    before = pg_jejak.projections.head()

    with statements() as sent:  # 7 events in one write: above the bound, the library's array of its composite type
        pg_jejak.ledger.record(system_actor("bkpsdm-import"), *registrations(3))
    inserts = [s for s in sent if "INSERT INTO" in s and "jejak_events" in s]
    assert len(inserts) == 1 and "unnest" in inserts[0]

    assert pg_jejak.projections.head() == before + 7
    report = pg_jejak.verifier.verify().as_dict()  # every event stored once, in order, each chained
    assert report["status"] != "broken" and report["events"] == report["head_position"]
    unit = Unit.id_for("BKPSDM")
    with pytest.raises(IntegrityError):  # a version stored twice is refused, as by the library's insert
        pg_jejak.ledger.recorder.insert_events([StoredEvent(unit, 1, "domain.unit:Unit.Registered", b"{}")])
    assert pg_jejak.projections.head() == before + 7


def test_a_command_begins_its_transaction_in_the_lock_statements_round_trip_and_still_commits_whole(
        pg_jejak: Jejak, monkeypatch: pytest.MonkeyPatch) -> None:
    register(pg_jejak, 1)
    begun: list[bytes] = []
    original: Callable[..., Any] = psycopg.Connection._exec_command

    def exec_command(self: Any, command: Any, *args: Any, **kwargs: Any) -> Any:
        if isinstance(command, bytes) and command.strip().upper().startswith(b"BEGIN"):
            begun.append(command)  # psycopg's own BEGIN before a statement goes through here
        return original(self, command, *args, **kwargs)

    monkeypatch.setattr(psycopg.Connection, "_exec_command", exec_command)
    with statements() as sent:
        register(pg_jejak, 1, first=2)
    locks = [s for s in sent if "LOCK TABLE" in s]
    assert len(locks) == 1 and locks[0].startswith("BEGIN; ") and begun == []

    def broken(*_: Any, **__: Any) -> Any:
        raise RuntimeError("the chain's rows cannot be written")

    monkeypatch.setattr(pg_jejak.ledger.recorder, "_rows_after", broken)
    head = pg_jejak.projections.head()
    with pytest.raises(RuntimeError):
        register(pg_jejak, 1, first=3)
    assert pg_jejak.projections.head() == head and len(directory_nips(pg_jejak)) == 2  # nothing of it stayed
    with writer(pg_jejak.engine).begin() as conn:  # the pooled connection is transactional again
        assert not conn.connection.dbapi_connection.autocommit  # type: ignore[union-attr]


def test_a_chain_row_the_server_refuses_in_the_read_models_pipeline_fails_the_whole_command(pg_jejak: Jejak) -> None:
    from application.errors import LostRace

    register(pg_jejak, 1)
    head = pg_jejak.projections.head()
    with writer(pg_jejak.engine).begin() as conn:  # a row already where the next command's chain row goes
        conn.execute(text("INSERT INTO ledger_chain (position, digest, content) VALUES (:p, :d, :d)"),
                     {"p": head + 1, "d": b"x"})
    with pytest.raises(LostRace):  # the server refuses the chain row (a unique position) inside the pipeline
        register(pg_jejak, 1, first=2)
    assert pg_jejak.projections.head() == head and len(directory_nips(pg_jejak)) == 1  # nothing of it stayed
    assert [p.position for p in pg_jejak.projections.status()] == [head] * len(pg_jejak.projections.status())

    with writer(pg_jejak.engine).begin() as conn:
        conn.execute(text("DELETE FROM ledger_chain WHERE position > :h"), {"h": head})
    register(pg_jejak, 1, first=3)
    report = pg_jejak.verifier.verify()
    assert len(directory_nips(pg_jejak)) == 2 and not report.broken


def test_an_aggregate_the_cache_does_not_hold_loads_its_snapshot_and_later_events_in_one_statement(
        pg_jejak: Jejak, monkeypatch: pytest.MonkeyPatch) -> None:
    (nip,) = register(pg_jejak, 1)
    employee_id = _id_of(pg_jejak, nip)
    for year in (2011, 2012):
        pg_jejak.registry.change_position(HR, employee_id, f"Analis {year}", date(year, 1, 1), "rotation")
    pg_jejak.ledger.take_snapshot(employee_id)
    pg_jejak.registry.change_position(HR, employee_id, "Analis 2013", date(2013, 1, 1), "rotation")
    current = pg_jejak.ledger.load(Employee, employee_id)
    begun: list[bytes] = []
    original: Callable[..., Any] = psycopg.Connection._exec_command

    def exec_command(self: Any, command: Any, *args: Any, **kwargs: Any) -> Any:
        begun.append(command)  # BEGIN, COMMIT and ROLLBACK psycopg sends of its own
        return original(self, command, *args, **kwargs)

    monkeypatch.setattr(psycopg.Connection, "_exec_command", exec_command)
    pg_jejak.ledger.forget_cached()
    with statements() as sent:
        loaded = pg_jejak.ledger.load(Employee, employee_id)
        as_of = pg_jejak.ledger.load_as_of(Employee, employee_id, version=current.version - 2)
    monkeypatch.undo()

    assert len(sent) == 2 and all("jejak_snapshots" in s and "jejak_events" in s for s in sent)
    assert begun == []  # nor a transaction around either
    assert loaded.position == "Analis 2013" and loaded.version == current.version
    assert as_of.position == "Analis 2011" and as_of.version == current.version - 2
    assert vars(loaded) == vars(mutate_all(None, pg_jejak.ledger.events.get(employee_id)))  # as replayed whole
