"""A projection never stops on one event: it retries, parks the event with its error, carries on, and says so."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

import pytest
from eventsourcing.persistence import Mapper
from sqlalchemy import Column, Connection, Integer, MetaData, String, Table, select

from application.actor import Actor, system_actor
from domain.employee import Employee
from infrastructure.container import Jejak
from infrastructure.projection import Projected, Projection, ProjectionRunner

NIPS = ["198503152010011001", "198604162011012002", "198705172012011003"]


class FussyNames(Projection):
    """Employee names, refusing one name until it is told to accept it (a stand-in for any failing write)."""

    name = "fussy_names"
    handles = (Employee.Registered,)

    def __init__(self, refuse: str) -> None:
        self.refuse: str | None = refuse
        self.metadata = MetaData()
        self.table = Table("fussy_names", self.metadata, Column("position", Integer, primary_key=True),
                           Column("name", String(200), nullable=False))

    def process(self, conn: Connection, batch: Sequence[Projected]) -> None:
        for item in batch:
            name = item.event.name  # type: ignore[attr-defined]
            if name == self.refuse:
                raise RuntimeError(f"cannot take {name}")
            conn.execute(self.table.insert().values(position=item.position, name=name))

    def names(self, runner: ProjectionRunner) -> list[str]:
        with runner.engine.connect() as conn:
            return list(conn.scalars(select(self.table.c.name).order_by(self.table.c.position)))


def register(jejak: Jejak, actor: Actor, *names: str) -> None:
    jejak.registry.register_unit(actor, "DINKES", "Dinas Kesehatan")
    for nip, name in zip(NIPS, names, strict=False):
        jejak.registry.register_employee(actor, nip=nip, name=name, unit="DINKES", position="Dokter", rank="III/b",
                                         rank_since=date(2014, 4, 1))


def fussy_runner(jejak: Jejak, refuse: str) -> tuple[ProjectionRunner, FussyNames]:
    fussy = FussyNames(refuse)
    runner = ProjectionRunner(jejak.projections.engine, jejak.ledger, [fussy], retry_pause=0)
    runner.create_tables()
    return runner, fussy


def test_a_failing_event_is_parked_with_its_error_and_the_projection_carries_on(jejak: Jejak) -> None:
    register(jejak, system_actor("t"), "Ani", "Boom", "Citra")
    runner, fussy = fussy_runner(jejak, refuse="Boom")

    runner.catch_up()

    assert fussy.names(runner) == ["Ani", "Citra"]
    [parked] = runner.parked_events()
    assert parked.name == "fussy_names" and parked.attempts == 3
    assert parked.topic.endswith("Employee.Registered") and "cannot take Boom" in parked.error
    status = {s.name: s for s in runner.status()}["fussy_names"]
    assert status.lag == 0 and status.parked == 1


def test_a_parked_event_is_not_tried_again_by_catch_up(jejak: Jejak) -> None:
    register(jejak, system_actor("t"), "Ani", "Boom")
    runner, fussy = fussy_runner(jejak, refuse="Boom")
    runner.catch_up()
    fussy.refuse = None

    runner.catch_up()

    assert fussy.names(runner) == ["Ani"] and len(runner.parked_events()) == 1


def test_retry_applies_parked_events_in_log_order_once_the_cause_is_fixed(jejak: Jejak) -> None:
    register(jejak, system_actor("t"), "Ani", "Boom", "Citra")
    runner, fussy = fussy_runner(jejak, refuse="Boom")
    runner.catch_up()
    fussy.refuse = None

    left = runner.retry()

    assert left == {"fussy_names": 0}
    assert fussy.names(runner) == ["Ani", "Boom", "Citra"] and runner.parked_events() == []


def test_retry_parks_again_what_still_fails(jejak: Jejak) -> None:
    register(jejak, system_actor("t"), "Ani", "Boom")
    runner, fussy = fussy_runner(jejak, refuse="Boom")
    runner.catch_up()

    assert runner.retry("fussy_names") == {"fussy_names": 1}
    assert fussy.names(runner) == ["Ani"]


def store_bypassing_the_text_rule(jejak: Jejak, event: Any) -> None:
    """Store an event as an older release (before the text rule) could have: straight through the base mapper."""
    stamped = object.__new__(type(event))
    object.__setattr__(stamped, "__dict__", {**vars(event), "meta": system_actor("legacy").stamp()})
    stored = Mapper.to_stored_event(jejak.ledger.mapper, stamped)
    jejak.ledger.recorder.insert_events([stored])


@pytest.mark.postgres
def test_a_nul_stored_before_the_rule_parks_on_postgresql_and_every_read_model_carries_on(tmp_path: Any) -> None:
    from tests.conftest import _make

    for jejak in _make("postgres", tmp_path):
        actor = system_actor("t")
        register(jejak, actor, "Ani")
        bad = Employee.register(nip=NIPS[1], name="Budi\x00X", unit="DINKES", position="Dokter", rank="III/b",
                                rank_since=date(2014, 4, 1))
        store_bypassing_the_text_rule(jejak, bad.collect_events()[0])
        jejak.registry.register_employee(actor, nip=NIPS[2], name="Citra", unit="DINKES", position="Dokter",
                                         rank="III/b", rank_since=date(2014, 4, 1))

        jejak.projections.catch_up()

        status = {s.name: s for s in jejak.projections.status()}
        assert all(s.lag == 0 for s in status.values())
        assert status["directory"].parked == 1
        assert "directory" in jejak.projections.stalled(["directory"])


def test_one_failing_projection_does_not_hold_back_the_others_in_a_joint_catch_up(jejak: Jejak) -> None:
    register(jejak, system_actor("t"), "Ani", "Boom", "Citra")
    fussy, healthy = FussyNames("Boom"), FussyNames("nobody")
    healthy.name = "healthy_names"
    healthy.table = Table("healthy_names", healthy.metadata, Column("position", Integer, primary_key=True),
                          Column("name", String(200), nullable=False))
    healthy.metadata.remove(healthy.metadata.tables["fussy_names"])
    runner = ProjectionRunner(jejak.projections.engine, jejak.ledger, [healthy, fussy], retry_pause=0)
    runner.create_tables()

    runner.catch_up()

    assert healthy.names(runner) == ["Ani", "Boom", "Citra"]
    assert fussy.names(runner) == ["Ani", "Citra"]
    assert [(p.name, p.attempts) for p in runner.parked_events()] == [("fussy_names", 3)]
    assert {s.name: s.lag for s in runner.status()} == {"healthy_names": 0, "fussy_names": 0}
