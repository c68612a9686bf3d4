"""A command's events and the read models' rows for them are written in one transaction: no event is ever
lost or undone for a read model's sake, and every read model takes each event exactly once."""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterator, Sequence
from datetime import date
from typing import Any, TypeVar

import psycopg
import pytest
from sqlalchemy import CheckConstraint, Column, Connection, Integer, MetaData, String, Table, event, func, select

from application.actor import system_actor
from application.errors import Conflict
from domain.employee import Employee
from infrastructure.container import Jejak
from infrastructure.prepared import insert_many
from infrastructure.projection import Projected, Projection, tracking
from infrastructure.read_models.audit_index import audit_index
from infrastructure.read_models.directory import employees as directory_employees
from tests.infrastructure.test_parking import NIPS, FussyNames, register


@pytest.fixture
def write_transactions(jejak: Jejak) -> Iterator[list[str]]:
    """Every write transaction begun on the read models' engine (whose connection the events now go through too)."""
    begun: list[str] = []

    def on_begin(conn: Any) -> None:
        if conn.get_execution_options().get("jejak_write"):
            begun.append("write")

    event.listen(jejak.engine, "begin", on_begin)
    yield begun
    event.remove(jejak.engine, "begin", on_begin)


def positions(jejak: Jejak) -> dict[str, int]:
    with jejak.engine.connect() as conn:
        return {str(n): int(p) for n, p in conn.execute(select(tracking.c.name, tracking.c.position))}


def audit_rows(jejak: Jejak) -> tuple[int, int]:
    """Rows of the audit index (which takes every event) and distinct positions among them."""
    with jejak.engine.connect() as conn:
        return (int(conn.execute(select(func.count()).select_from(audit_index)).scalar() or 0),
                int(conn.execute(select(func.count(audit_index.c.position.distinct()))).scalar() or 0))


def employees(jejak: Jejak) -> dict[str, Any]:
    """The directory's employees by name."""
    with jejak.engine.connect() as conn:
        return {row.name: row for row in conn.execute(select(directory_employees))}


P = TypeVar("P", bound=Projection)


def with_projection(jejak: Jejak, projection: P) -> P:
    """The system's runner with one more projection, caught up to the head (and no pause between retries)."""
    runner = jejak.projections
    runner.projections[projection.name] = projection
    runner._interest[projection.name] = (projection.wants_all(), projection.topics())
    runner.retry_pause = 0
    runner.create_tables()
    runner.catch_up()
    return projection


def with_fussy(jejak: Jejak, refuse: str) -> FussyNames:
    """The system's runner with one more projection, refusing one employee's name, caught up to the head."""
    return with_projection(jejak, FussyNames(refuse))


def test_a_command_stores_its_events_and_every_read_model_row_in_one_write_transaction(
        jejak: Jejak, write_transactions: list[str], monkeypatch: pytest.MonkeyPatch) -> None:
    register(jejak, system_actor("t"), "Ani")
    monkeypatch.setattr(jejak.projections, "_read_batch", lambda: pytest.fail("the log was read back"))
    write_transactions.clear()

    saved = jejak.registry.change_position(system_actor("t"), employees(jejak)["Ani"].id,
                                                  "Kepala Seksi", date(2025, 1, 2), "promosi")

    head = jejak.projections.head()
    assert write_transactions == ["write"]  # the events, the chain, the read models and the tracking positions
    assert set(positions(jejak).values()) == {head}
    assert (jejak.directory.employee(saved.id) or {}).get("position") == "Kepala Seksi"
    assert audit_rows(jejak) == (head, head)


def test_a_read_model_failing_on_a_command_loses_no_event_and_parks_it_after_its_retries(
        jejak: Jejak, caplog: pytest.LogCaptureFixture) -> None:
    fussy = with_fussy(jejak, refuse="Boom")

    register(jejak, system_actor("t"), "Ani", "Boom", "Citra")

    head = jejak.projections.head()
    assert set(employees(jejak)) == {"Ani", "Boom", "Citra"}
    assert fussy.names(jejak.projections) == ["Ani", "Citra"]
    [parked] = jejak.projections.parked_events()
    assert (parked.name, parked.attempts) == ("fussy_names", 3)
    assert set(positions(jejak).values()) == {head}
    assert audit_rows(jejak) == (head, head)  # the others took Boom's events once, after the rollback
    assert any("projecting a write in its own transaction failed" in r.getMessage() for r in caplog.records)


def test_a_read_model_behind_the_log_is_caught_up_the_ordinary_way_and_the_others_take_each_event_once(
        jejak: Jejak) -> None:
    register(jejak, system_actor("t"), "Ani")
    fussy = FussyNames("nobody")
    runner = jejak.projections
    runner.projections[fussy.name] = fussy
    runner._interest[fussy.name] = (False, fussy.topics())
    runner.create_tables()  # at position 0: the events so far are not in it yet

    jejak.registry.register_employee(system_actor("t"), nip=NIPS[1], name="Budi", unit="DINKES",
                                            position="Dokter", rank="III/b", rank_since=date(2014, 4, 1))

    head = runner.head()
    assert fussy.names(runner) == ["Ani", "Budi"]
    assert set(positions(jejak).values()) == {head}
    assert audit_rows(jejak) == (head, head)


def test_a_command_that_cannot_store_its_events_writes_nothing_at_all(jejak: Jejak) -> None:
    register(jejak, system_actor("t"), "Ani")
    ani = employees(jejak)["Ani"]
    first, second = (jejak.ledger.load(Employee, ani.id) for _ in range(2))
    first.change_position("Kepala Seksi", date(2025, 1, 2), "promosi")
    second.change_position("Kepala Bidang", date(2025, 1, 2), "promosi")
    jejak.ledger.record(system_actor("t"), first)
    before = (jejak.projections.head(), positions(jejak), audit_rows(jejak))

    with pytest.raises(Conflict):
        jejak.ledger.record(system_actor("t"), second)

    assert (jejak.projections.head(), positions(jejak), audit_rows(jejak)) == before
    assert (jejak.directory.employee(ani.id) or {}).get("position") == "Kepala Seksi"


def test_where_a_worker_catches_up_a_command_stores_its_events_alone(
        jejak: Jejak, caplog: pytest.LogCaptureFixture) -> None:
    jejak.ledger.after_record.remove(jejak.projections.catch_up_quietly)  # JEJAK_CATCH_UP_IN_REQUEST=0
    before = positions(jejak)

    register(jejak, system_actor("t"), "Ani")

    assert positions(jejak) == before
    assert max(before.values()) < jejak.projections.head()
    with caplog.at_level(logging.WARNING):
        jejak.projections.catch_up()
    head = jejak.projections.head()
    assert set(positions(jejak).values()) == {head} and audit_rows(jejak) == (head, head)
    assert [r for r in caplog.records if r.levelno >= logging.WARNING] == []


def pipelined(table: str, monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    """For each batch of rows psycopg sends to ``table`` from now on, whether it went in a pipeline (nothing is noted
    on SQLite)."""
    sent: list[bool] = []
    original = psycopg.Cursor.executemany

    def executemany(self: Any, query: Any, *args: Any, **kwargs: Any) -> Any:
        if table in str(query):
            sent.append(bool(self.connection.pgconn.pipeline_status))
        return original(self, query, *args, **kwargs)

    monkeypatch.setattr(psycopg.Cursor, "executemany", executemany)
    return sent


class RefusingNames(Projection):
    """Employee names written blind (an INSERT, nothing read back) into a table whose CHECK refuses one name: the
    refusal comes from the database, at the end of the round trip on PostgreSQL, where the statement is pipelined."""

    name = "refusing_names"
    handles = (Employee.Registered,)

    def __init__(self, refuse: str) -> None:
        self.metadata = MetaData()
        self.table = Table("refusing_names", self.metadata, Column("position", Integer, primary_key=True),
                           Column("name", String(200), nullable=False), CheckConstraint(f"name <> '{refuse}'"))

    def only_writes(self, batch: Sequence[Projected]) -> bool:
        return True

    def process(self, conn: Connection, batch: Sequence[Projected]) -> None:
        insert_many(conn, self.table, [{"position": item.position, "name": item.event.name}  # type: ignore[attr-defined]
                                       for item in batch])


def test_a_read_model_that_only_writes_goes_along_with_the_positions_and_a_refusal_undoes_only_the_read_models(
        jejak: Jejak, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch) -> None:
    refusing = with_projection(jejak, RefusingNames("Boom"))
    runner = jejak.projections
    sent_in_pipeline = pipelined("refusing_names", monkeypatch)
    register(jejak, system_actor("t"), "Ani", "Boom", "Citra")
    monkeypatch.undo()

    head = runner.head()
    assert set(employees(jejak)) == {"Ani", "Boom", "Citra"}  # every event stored, every other read model has it
    with jejak.engine.connect() as conn:
        assert sorted(conn.scalars(select(refusing.table.c.name))) == ["Ani", "Citra"]
    [parked] = runner.parked_events()
    assert (parked.name, parked.attempts) == ("refusing_names", 3)
    assert set(positions(jejak).values()) == {head}
    assert audit_rows(jejak) == (head, head)  # the audit index (itself only writing) took each event once
    assert any("projecting a write in its own transaction failed" in r.getMessage() for r in caplog.records)
    report = jejak.verifier.verify()  # the chain's rows, sent before the read models' (PostgreSQL), stand
    assert not report.broken and report.as_dict()["events"] == head
    if jejak.engine.dialect.name == "postgresql":
        # the three commands' joint writes sent their rows with the compare-and-set; the ordinary catch-up's tries
        # after the refusal (in write transactions of their own) between Boom's and Citra's did not
        assert sent_in_pipeline[:2] == [True, True] and sent_in_pipeline[-1] is True
        assert not any(sent_in_pipeline[2:-1]) and len(sent_in_pipeline) > 3


def test_an_event_that_fails_to_decode_for_the_read_models_is_still_stored_and_projected_after_the_write(
        jejak: Jejak, monkeypatch: pytest.MonkeyPatch) -> None:
    register(jejak, system_actor("t"), "Ani")
    mapper = jejak.ledger.mapper
    decode = mapper.to_domain_event
    failures = [RuntimeError("a decoding that fails once")]

    def flaky(stored: Any) -> Any:
        callers = {sys._getframe(depth).f_code.co_name for depth in (1, 2, 3)}
        if failures and "_project_written" in callers:  # the joint write's decoding, not the command's load
            raise failures.pop()
        return decode(stored)

    monkeypatch.setattr(mapper, "to_domain_event", flaky)
    saved = jejak.registry.change_position(system_actor("t"), employees(jejak)["Ani"].id, "Kepala Seksi",
                                           date(2025, 1, 2), "promosi")

    head = jejak.projections.head()
    assert not failures  # the joint write's decoding failed
    assert (jejak.directory.employee(saved.id) or {}).get("position") == "Kepala Seksi"  # the catch-up after it
    assert set(positions(jejak).values()) == {head} and audit_rows(jejak) == (head, head)


class NamesWhileFew(RefusingNames):
    """Names written blind, except that a batch of several reads the table first (as the read models that load the
    rows a large batch changes): only a batch of one goes along with the positions."""

    def only_writes(self, batch: Sequence[Projected]) -> bool:
        return len(batch) < 2

    def process(self, conn: Connection, batch: Sequence[Projected]) -> None:
        if len(batch) >= 2:
            conn.execute(select(func.count()).select_from(self.table)).scalar_one()  # a read: not in a pipeline
        super().process(conn, batch)


def test_a_read_model_goes_along_with_the_positions_for_a_batch_it_only_writes_and_after_them_for_one_it_reads(
        jejak: Jejak, monkeypatch: pytest.MonkeyPatch) -> None:
    few = with_projection(jejak, NamesWhileFew(refuse="nobody"))
    sent_in_pipeline = pipelined("refusing_names", monkeypatch)
    register(jejak, system_actor("t"), "Ani", "Budi", "Citra")  # a unit, then an employee per command
    two = [Employee.register(nip=nip, name=name, unit="DINKES", position="Dokter", rank="III/a",
                             rank_since=date(2015, 1, 1), today=date(2024, 1, 2))
           for nip, name in (("198806182013011004", "Dewi"), ("198907192014011005", "Eko"))]
    jejak.ledger.record(system_actor("t"), *two)  # one write of two registrations
    monkeypatch.undo()

    head = jejak.projections.head()
    assert set(positions(jejak).values()) == {head} and jejak.projections.parked_events() == []
    with jejak.engine.connect() as conn:
        assert sorted(conn.scalars(select(few.table.c.name))) == ["Ani", "Budi", "Citra", "Dewi", "Eko"]
    if jejak.engine.dialect.name == "postgresql":
        assert sent_in_pipeline == [True, True, True, False]
