"""A write of many megabytes is stored on PostgreSQL when a worker, not the request, catches the read models up (the
production layout): the library's insert sends the whole batch as one statement in pipeline mode, and psycopg never
finished sending one that large; the write waited forever with the server waiting for the rest of it."""

from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from eventsourcing.domain import Aggregate
from sqlalchemy import text

from application.actor import system_actor
from domain.employee import Employee
from domain.nip_claim import NipClaim
from domain.unit import Unit
from infrastructure.chain_postgres import PIPELINE_MAX_BYTES
from infrastructure.container import Jejak
from tests.conftest import _make

pytestmark = pytest.mark.postgres

EMPLOYEES = 8_000  # 16,001 events, several MB of state: an instansi's import (it hung from about 6 MB)
WAIT = 60  # seconds a write may take here before it counts as hung (it takes about 2)


@pytest.fixture
def worker_jejak(tmp_path: Path) -> Iterator[Jejak]:
    yield from _make("postgres", tmp_path, catch_up_in_request=False)


def registrations(count: int) -> list[Aggregate]:
    """A unit and ``count`` employees registered in it with their NIP claims, not saved yet."""
    aggregates: list[Aggregate] = [Unit.register("DISDIK", "Dinas Pendidikan")]
    for i in range(count):
        born = date(1970, 1, 1) + timedelta(days=i // 500)
        employee = Employee.register(nip=f"{born:%Y%m%d}2010011{i % 500 + 1:03d}",
                                     name=f"Pegawai Dinas Pendidikan Nomor {i:05d}", unit="DISDIK",
                                     position="Guru Ahli Pertama", rank="III/a", rank_since=date(2015, 1, 1),
                                     today=date(2024, 1, 2))
        aggregates += [employee, NipClaim.claim(employee.nip, employee.id)]
    return aggregates


def recorded_within(jejak: Jejak, aggregates: Sequence[Aggregate], seconds: float) -> None:
    """Record the aggregates as the import does (one atomic write), failing when it has not returned in time."""
    failed: list[BaseException] = []

    def record() -> None:
        try:
            jejak.ledger.record(system_actor("bkpsdm-import"), *aggregates)
        except BaseException as e:  # noqa: BLE001 - reported below
            failed.append(e)

    writer = threading.Thread(target=record, daemon=True)
    writer.start()
    writer.join(seconds)
    if writer.is_alive():
        # end the hung statement (again each time the library retries it), or its lock keeps the schema from being
        # dropped after the test
        for _ in range(30):
            with jejak.engine.connect() as conn:
                conn.execute(text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = "
                                  "current_database() AND pid <> pg_backend_pid() AND query LIKE :insert"),
                             {"insert": f"%INSERT INTO%{jejak.settings.database().schema}%"})
            writer.join(2)
            if not writer.is_alive():
                break
        pytest.fail(f"a write of {len(aggregates):,} aggregates had not returned after {seconds} s")
    if failed:
        raise failed[0]


def test_an_import_of_thousands_is_stored_and_projected_when_a_worker_catches_up(worker_jejak: Jejak) -> None:
    jejak = worker_jejak
    before = jejak.projections.head()
    aggregates = registrations(EMPLOYEES)
    events = 1 + 2 * EMPLOYEES

    recorded_within(jejak, aggregates, WAIT)

    assert jejak.projections.head() == before + events
    with jejak.engine.connect() as conn:  # far above the bound: it went without the pipeline
        stored = conn.execute(text("SELECT sum(length(state)) FROM jejak_events")).scalar_one()
    assert stored > 5 * PIPELINE_MAX_BYTES
    assert jejak.verifier.verify().as_dict()["status"] != "broken"  # the chain took every event, in order
    jejak.projections.catch_up("directory")
    assert jejak.directory.count() == EMPLOYEES


def test_a_commands_few_events_still_go_in_the_librarys_pipelined_insert(worker_jejak: Jejak,
                                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    """Below the bound the library's pipelined insert is kept (fewer round trips for a command's few events)."""
    jejak = worker_jejak
    unpipelined: list[int] = []
    recorder = jejak.ledger.recorder
    original = recorder._insert_unpipelined  # type: ignore[attr-defined]
    def noted(events: Any, **kw: Any) -> Any:
        unpipelined.append(len(events))
        return original(events, **kw)

    monkeypatch.setattr(recorder, "_insert_unpipelined", noted)
    before = jejak.projections.head()
    recorded_within(jejak, registrations(3), WAIT)
    assert jejak.projections.head() == before + 7 and unpipelined == []
    recorded_within(jejak, registrations(3003)[7:], WAIT)  # the unit and the first three are stored already
    assert unpipelined == [6000]
