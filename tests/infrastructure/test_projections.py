"""Projections: batched, exactly once, rebuildable, and caught up within the command."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Any, cast

import pytest
from sqlalchemy import (
    Column,
    Connection,
    Integer,
    MetaData,
    String,
    Table,
    delete,
    func,
    select,
)

from application.actor import Actor, system_actor
from domain.employee import Employee
from infrastructure.blue_green import OUTDATED, fingerprints
from infrastructure.container import Jejak
from infrastructure.projection import LostRace, Projected, Projection, ProjectionRunner, raw_events, sqlite_log
from infrastructure.read_models.directory import DirectoryProjection, IncompleteRow, employees, units
from infrastructure.replay import SQLiteLog, Task, Worker, merge

NIPS = [f"1985031520100110{i:02d}" for i in range(1, 31)]


def populate(jejak: Jejak, hr: Actor, count: int = 12) -> list[Any]:
    jejak.registry.register_unit(hr, "BKPSDM", "Badan Kepegawaian")
    jejak.registry.register_unit(hr, "DINKES", "Dinas Kesehatan")
    saved = [
        jejak.registry.register_employee(hr, nip=nip, name=f"Pegawai {i:02d}", unit="BKPSDM", position="Analis",
                                         rank="II/a", rank_since=date(2010, 1, 1))
        for i, nip in enumerate(NIPS[:count])
    ]
    for s in saved[::2]:
        jejak.registry.move_employee(hr, s.id, "DINKES", date(2020, 1, 1), "rotasi")
    for s in saved[::3]:
        jejak.registry.change_rank(hr, s.id, "II/b", date(2014, 1, 1), "KP")
    jejak.registry.change_supervisor(hr, saved[1].id, saved[0].id, date(2021, 1, 1), "struktur baru")
    return saved


def directory_rows(jejak: Jejak) -> list[dict[str, Any]]:
    with jejak.engine.connect() as conn:
        return [dict(r._mapping) for r in conn.execute(select(employees).order_by(employees.c.nip))]


def test_a_command_is_readable_from_the_directory_when_it_returns(jejak: Jejak, hr: Actor) -> None:
    saved = populate(jejak, hr, 2)
    row = jejak.directory.employee(saved[0].id)
    assert row is not None and (row["unit"], row["rank"], row["version"]) == ("DINKES", "II/b", 3)
    assert all(s.lag == 0 for s in jejak.projections.status())


def test_the_directory_matches_the_aggregates(jejak: Jejak, hr: Actor) -> None:
    saved = populate(jejak, hr)
    for s in saved:
        emp = jejak.registry.employee(s.id)
        row = jejak.directory.employee(s.id)
        assert row is not None
        assert (row["unit"], row["rank"], row["supervisor_id"], row["version"]) == (
            emp.unit, emp.rank, emp.supervisor_id, emp.version)


def test_a_rebuild_equals_the_incrementally_built_view(jejak: Jejak, hr: Actor) -> None:
    populate(jejak, hr)
    incremental = directory_rows(jejak)
    units_before = jejak.directory.units()
    jejak.projections.batch_size = 7  # several batches, with changes split from their registrations
    seen: list[int] = []
    jejak.projections.rebuild("directory", progress=seen.append)
    assert directory_rows(jejak) == incremental
    assert jejak.directory.units() == units_before
    assert sum(seen) == jejak.projections.head()


def test_a_rebuild_folding_on_several_processes_equals_the_incrementally_built_view(
        sqlite_jejak: Jejak, hr: Actor) -> None:
    populate(sqlite_jejak, hr)
    sqlite_jejak.registry.rename_unit(hr, "DINKES", "Dinas Kesehatan Daerah", "perda baru")
    incremental, units_before = directory_rows(sqlite_jejak), sqlite_jejak.directory.units()
    runner = sqlite_jejak.projections
    assert sqlite_log(sqlite_jejak.ledger) is not None  # a file another process can open
    # three segments of about equal length, ending between registrations and their changes
    runner.rebuild_workers, runner.parallel_rebuild_from, runner.worker_cost = 3, 0, 0
    seen: list[int] = []
    runner.rebuild("directory", progress=seen.append)
    assert directory_rows(sqlite_jejak) == incremental
    assert sqlite_jejak.directory.units() == units_before
    assert sum(seen) == runner.head()


def test_folding_the_log_in_two_parts_and_merging_gives_the_rows_of_one_fold(jejak: Jejak, hr: Actor) -> None:
    populate(jejak, hr, 4)
    jejak.registry.rename_unit(hr, "DINKES", "Dinas Kesehatan Daerah", "perda baru")
    projection, head = DirectoryProjection(), jejak.projections.head()
    topics = projection.topics()
    whole = projection.fold(raw_events(jejak.ledger, topics, 1, head, None))
    for cut in range(1, head):
        earlier = projection.fold(raw_events(jejak.ledger, topics, 1, cut, None))
        later = projection.fold(raw_events(jejak.ledger, topics, cut + 1, head, None))
        assert merge(earlier, later) == whole, f"cut after position {cut}"


def test_a_bulk_write_refuses_an_employee_that_was_changed_but_never_registered(jejak: Jejak) -> None:
    folded = {units.name: {}, employees.name: {"0" * 32: {"unit": "DINKES", "version": 2}}}
    with jejak.engine.connect() as conn, pytest.raises(IncompleteRow, match="never registered"):
        DirectoryProjection().write(conn, folded)


def test_a_failing_replay_worker_reports_its_error(sqlite_jejak: Jejak) -> None:
    log = sqlite_log(sqlite_jejak.ledger)
    assert log is not None
    worker = Worker(Task(DirectoryProjection(), SQLiteLog(log.db_name, "no_such_table"), frozenset({"t"}), 1, 10))
    try:
        with pytest.raises(RuntimeError, match="no such table"):
            worker.poll(None, block=True)
    finally:
        worker.close()


class Exploding(Exception):
    pass


class CountingProjection(Projection):
    """Counts employee registrations; can be told to fail half-way through a batch."""

    name = "counting"
    metadata = MetaData()
    table = Table("test_counting", metadata, Column("nip", String(18), primary_key=True), Column("n", Integer))
    handles = (Employee.Registered,)

    def __init__(self) -> None:
        self.fail_after: int | None = None

    def process(self, conn: Connection, batch: Sequence[Projected]) -> None:
        for i, item in enumerate(batch):
            if self.fail_after is not None and i == self.fail_after:
                raise Exploding()
            conn.execute(self.table.insert().values(nip=cast(Any, item.event).nip, n=item.position))


def test_a_batch_that_fails_half_way_is_rolled_back_and_each_event_applied_exactly_once(jejak: Jejak, hr: Actor) -> None:
    """The half-written batch is rolled back; its events are then applied one by one (none twice, none parked)."""
    populate(jejak, hr)
    projection = CountingProjection()
    runner = ProjectionRunner(jejak.engine, jejak.ledger, [projection], batch_size=1000, retry_pause=0)
    runner.create_tables()
    projection.fail_after = 5  # fails the sixth event of a batch: only the first, many-event batch

    runner.catch_up()
    runner.catch_up()

    with jejak.engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(projection.table)).scalar() == 12
    assert runner.position("counting") == runner.head()
    assert runner.parked_events() == []


def test_a_runner_that_lost_the_race_writes_nothing(jejak: Jejak, hr: Actor) -> None:
    populate(jejak, hr, 3)
    projection = CountingProjection()
    slow = ProjectionRunner(jejak.engine, jejak.ledger, [projection], batch_size=1000)
    fast = ProjectionRunner(jejak.engine, jejak.ledger, [projection], batch_size=1000)
    slow.create_tables()
    stale = slow.position("counting")
    fast.catch_up()
    slow.position = lambda name: stale  # type: ignore[method-assign]  # it read the position before `fast` moved it
    with pytest.raises(LostRace):
        slow._run_batch(projection)
    with jejak.engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(projection.table)).scalar() == 3


def test_status_reports_the_lag_of_a_projection_that_is_behind(jejak: Jejak, hr: Actor) -> None:
    jejak.ledger.after_record.clear()
    populate(jejak, hr, 2)
    lags = {s.name: s.lag for s in jejak.projections.status()}
    assert lags["directory"] > 0 and lags["directory"] == lags["audit_index"]
    jejak.projections.catch_up()
    assert {s.lag for s in jejak.projections.status()} == {0}


def test_rebuilding_an_unknown_projection_names_the_known_ones(jejak: Jejak) -> None:
    with pytest.raises(KeyError, match="directory"):
        jejak.projections.rebuild("nope")


def test_a_read_model_that_gained_a_table_is_rebuilt_blue_green_from_the_log(jejak: Jejak, hr: Actor,
                                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    """A read model keeps its own copy of employee names (it reads no other model's tables); a database made before
    that table existed gets it filled from the whole log, not only from the events after the upgrade: the upgraded
    system notes the projection outdated when it starts (its live tables keep their position, not restarted in place)
    and `init` rebuilds it beside the live tables and swaps it in, as for any changed definition."""
    populate(jejak, hr, 2)
    head = jejak.projections.head()
    people = jejak.projections.projections["trainings"].metadata.tables["trainings_people"]
    with jejak.engine.begin() as conn:
        people.drop(conn)  # as a database from before the table was added
        conn.execute(delete(fingerprints))  # and from before fingerprints were stored
    upgraded = Jejak(jejak.settings)
    try:
        assert upgraded.projections.position("trainings") == head  # no restart from the start of the log
        assert upgraded.blue_green.fingerprints.stored("trainings") == OUTDATED
        assert upgraded.blue_green.fingerprints.stored("directory") is None  # up to date: adopted, not rebuilt
        swapped: list[str] = []
        rebuild = upgraded.blue_green.rebuild

        def spy(name: str, progress: Any = None) -> int:
            swapped.append(name)
            return rebuild(name, progress)

        monkeypatch.setattr(upgraded.blue_green, "rebuild", spy)
        upgraded.init(hr)
        assert swapped == ["trainings"]
        assert upgraded.blue_green.fingerprints.changed(list(upgraded.projections.projections.values())) == []
        with upgraded.engine.connect() as conn:
            assert sorted(conn.execute(select(people.c.name)).scalars()) == ["Pegawai 00", "Pegawai 01"]
    finally:
        upgraded.close()


@pytest.mark.parametrize("kind", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def test_a_projection_catching_up_reads_only_events_of_its_topics(kind: str, tmp_path: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    from tests.conftest import _make

    made = _make(kind, tmp_path, catch_up_in_request=False)  # as with a separate worker: the log runs ahead
    jejak = next(made)
    try:
        hr = system_actor("hr")
        jejak.registry.register_unit(hr, "BKPSDM", "Badan Kepegawaian")
        employee = jejak.registry.register_employee(
            hr, nip="198503152010011001", name="Dewi Lestari", unit="BKPSDM", position="Analis", rank="III/a",
            rank_since=date(2015, 1, 1)).id
        for i in range(30):  # events the directory does not read
            jejak.registry.change_email(hr, employee, f"dewi{i}@bkpsdm.go.id", "id")
        handed: list[str] = []
        select = jejak.ledger.recorder.select_notifications

        def recorded(*args: Any, **kwargs: Any) -> Any:
            found = select(*args, **kwargs)
            handed.extend(n.topic for n in found)
            return found

        monkeypatch.setattr(jejak.ledger.recorder, "select_notifications", recorded)
        passed = jejak.projections.catch_up("directory")

        assert passed >= 32 and jejak.projections.position("directory") == jejak.projections.head()
        assert sorted(t.split(":")[-1] for t in handed) == [
            "Employee.Registered", "Unit.Registered"]
        assert jejak.directory.employee(employee) is not None
    finally:
        next(made, None)


def test_a_rebuilds_bulk_settings_are_put_back_on_the_pooled_connections(sqlite_jejak: Jejak, hr: Actor) -> None:
    """A rebuild on SQLite writes with a large page cache, frees pages without overwriting them, sorts index keys
    with a thread per core and lets a sort spill to a file; the connections the application gets afterwards are as
    they were (their temporary files in memory: a command's savepoint journal never goes to disk)."""
    populate(sqlite_jejak, hr, 3)
    pragmas = ("cache_size", "secure_delete", "threads", "temp_store")

    def settings(conn: Any) -> list[Any]:
        return [conn.exec_driver_sql(f"PRAGMA {name}").scalar_one() for name in pragmas]

    with sqlite_jejak.engine.connect() as conn:
        before = settings(conn)
    for name in ("timeline", "directory"):  # a streamed rebuild and a bulk fold
        sqlite_jejak.projections.rebuild(name)
    pool = [sqlite_jejak.engine.connect() for _ in range(3)]  # the rebuilding connection is one of them
    try:
        assert [settings(conn) for conn in pool] == [before] * 3
        assert before[2] == 0  # SQLite's own default: sorts in the calling thread
        assert before[3] == 2  # MEMORY
    finally:
        for conn in pool:
            conn.close()
