"""A request that read the log's head before loading anything loads a cached aggregate without reading the log
again when the cache already holds every event of it up to that head; what another process wrote since is met by
the command's write, which then runs again on the winner's state."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from application.actor import Actor
from application.errors import LostRace
from application.ledger import _KNOWN_HEAD, Ledger, known_head, rerun_lost_races
from domain.unit import Unit
from infrastructure.container import Jejak

UNIT = Unit.id_for("BKPSDM")


@pytest.fixture
def unit(jejak: Jejak, hr: Actor) -> Iterator[Jejak]:
    """A registered unit, and no known head once the test ends (a server thread's next request starts without)."""
    jejak.registry.register_unit(hr, "BKPSDM", "Badan Kepegawaian")
    try:
        yield jejak
    finally:
        known_head(None)


def renamed_by_another_process(jejak: Jejak, hr: Actor, name: str) -> None:
    """Another process (a second web worker) renames the unit."""
    rival = Ledger(env=jejak.settings.eventsourcing_env())
    try:
        found = rival.load(Unit, UNIT)
        found.rename(name, "rival")
        rival.record(hr, found)
    finally:
        rival.close()


def reads_of_the_log(jejak: Jejak, load: Any) -> tuple[Any, int]:
    """What ``load()`` gives and how many times it read an aggregate's events from the store."""
    recorder = jejak.ledger.recorder
    original = recorder.select_events
    calls = [0]

    def counted(*args: Any, **kwargs: Any) -> Any:
        calls[0] += 1
        return original(*args, **kwargs)

    recorder.select_events = counted  # type: ignore[method-assign]
    try:
        return load(), calls[0]
    finally:
        recorder.select_events = original  # type: ignore[method-assign]


def test_a_load_in_a_request_after_its_own_write_reads_nothing_from_the_log(unit: Jejak, hr: Actor) -> None:
    known_head(unit.projections.head(), unit.ledger)
    unit.registry.rename_unit(hr, "BKPSDM", "Badan Kepegawaian dan Pengembangan SDM", "naming")

    found, reads = reads_of_the_log(unit, lambda: unit.ledger.load(Unit, UNIT))

    assert found.version == 2 and found.name == "Badan Kepegawaian dan Pengembangan SDM"
    assert reads == 0


def state(aggregate: Any) -> dict[str, Any]:
    """An aggregate's state as replaying its events gives it (without the events a command has yet to save)."""
    return {k: v for k, v in vars(aggregate).items() if k != "_pending_events"}


def test_a_later_request_loads_an_aggregate_its_process_wrote_without_reading_the_log(unit: Jejak, hr: Actor) -> None:
    probed(unit)
    unit.ledger.load(Unit, UNIT)  # cached
    unit.registry.rename_unit(hr, "BKPSDM", "Badan Kepegawaian dan Pengembangan SDM", "naming")
    known_head(None)  # that request ends; the next one authenticates
    probed(unit)

    found, reads = reads_of_the_log(unit, lambda: unit.ledger.load(Unit, UNIT))

    assert (found.version, found.name) == (2, "Badan Kepegawaian dan Pengembangan SDM") and reads == 0
    replayed = Ledger(env=unit.settings.eventsourcing_env())
    try:
        assert state(found) == state(replayed.load(Unit, UNIT))  # the cache holds what a replay gives
    finally:
        replayed.close()


def test_a_later_request_reads_what_another_process_wrote_after_its_processs_own_write(
        unit: Jejak, hr: Actor) -> None:
    probed(unit)
    unit.ledger.load(Unit, UNIT)
    unit.registry.rename_unit(hr, "BKPSDM", "Mine", "naming")
    renamed_by_another_process(unit, hr, "Rival")
    known_head(None)
    probed(unit)

    found, reads = reads_of_the_log(unit, lambda: unit.ledger.load(Unit, UNIT))

    assert (found.version, found.name) == (3, "Rival") and reads == 1


def test_threads_writing_one_aggregate_leave_its_cache_as_a_replay_gives_it(unit: Jejak, hr: Actor) -> None:
    import threading

    written, gave_up = [], []

    def requests(worker: int) -> None:
        for n in range(5):
            probed(unit)  # each request reads the head as it authenticates, then renames
            try:
                name = f"Unit {worker}-{n}"
                # noqa below: the lambda runs inside this iteration, with its own name
                rerun_lost_races(lambda: unit.registry.rename_unit(hr, "BKPSDM", name, "naming"))  # noqa: B023
                written.append(1)
            except LostRace:  # lost every rerun to the others (a 409): writes nothing
                gave_up.append(1)
            finally:
                known_head(None)

    workers = [threading.Thread(target=requests, args=(i,)) for i in range(4)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    probed(unit)

    found = unit.ledger.load(Unit, UNIT)

    assert len(written) + len(gave_up) == 20 and found.version == 1 + len(written) > 10
    replayed = Ledger(env=unit.settings.eventsourcing_env())
    try:
        assert state(found) == state(replayed.load(Unit, UNIT))  # what every thread's write left in the cache
    finally:
        replayed.close()


def test_a_load_without_a_known_head_reads_what_another_process_wrote(unit: Jejak, hr: Actor) -> None:
    unit.ledger.load(Unit, UNIT)  # cached
    renamed_by_another_process(unit, hr, "Rival")

    found, reads = reads_of_the_log(unit, lambda: unit.ledger.load(Unit, UNIT))

    assert (found.version, found.name) == (2, "Rival") and reads == 1


def test_a_request_that_read_the_head_before_another_process_wrote_loses_the_race_then_runs_on_its_state(
        unit: Jejak, hr: Actor) -> None:
    head = unit.projections.head()
    known_head(head, unit.ledger)
    unit.ledger.load(Unit, UNIT)  # cached, holding every event up to the head
    renamed_by_another_process(unit, hr, "Rival")  # after this request read the head

    with pytest.raises(LostRace):  # its load took the cached state: its write meets the rival's
        unit.registry.rename_unit(hr, "BKPSDM", "Mine", "mine")
    known_head(head, unit.ledger)
    saved = rerun_lost_races(lambda: unit.registry.rename_unit(hr, "BKPSDM", "Mine", "mine"))

    assert saved.version == 3
    assert [vars(e)["name"] for e in unit.ledger.history(UNIT)[1:]] == ["Rival", "Mine"]


def test_a_request_that_read_the_head_after_another_process_wrote_loads_its_write(unit: Jejak, hr: Actor) -> None:
    unit.ledger.load(Unit, UNIT)
    renamed_by_another_process(unit, hr, "Rival")
    known_head(unit.projections.head(), unit.ledger)

    found, reads = reads_of_the_log(unit, lambda: unit.ledger.load(Unit, UNIT))

    assert (found.version, found.name) == (2, "Rival") and reads == 1



def probed(jejak: Jejak) -> int:
    """A request's head probe as it authenticates, teaching the cache which aggregates changed; the head it read."""
    from web.auth import SECURITY_READ_MODELS

    head, _ = jejak.projections.head_and_touched(SECURITY_READ_MODELS, 0, teach_cache=True)
    known_head(head, jejak.ledger)
    return head


def registered_by_another_process(jejak: Jejak, hr: Actor, codes: list[str]) -> None:
    """Another process registers units (events of other aggregates than the cached one)."""
    rival = Ledger(env=jejak.settings.eventsourcing_env())
    try:
        rival.record(hr, *[Unit.register(code=code, name=f"Unit {code}") for code in codes])
    finally:
        rival.close()


def test_a_cached_aggregate_no_event_since_the_last_probe_belongs_to_loads_without_a_read_of_the_log(
        unit: Jejak, hr: Actor) -> None:
    probed(unit)
    unit.ledger.load(Unit, UNIT)  # cached, current to the head probed
    registered_by_another_process(unit, hr, ["DINKES", "DISDIK"])
    head = probed(unit)  # the events since are of the two new units only

    found, reads = reads_of_the_log(unit, lambda: unit.ledger.load(Unit, UNIT))

    assert head == unit.projections.head() and (found.version, found.name) == (1, "Badan Kepegawaian")
    assert reads == 0


def test_a_cached_aggregate_another_process_changed_since_the_last_probe_reads_its_new_events(
        unit: Jejak, hr: Actor) -> None:
    probed(unit)
    unit.ledger.load(Unit, UNIT)
    registered_by_another_process(unit, hr, ["DINKES"])
    renamed_by_another_process(unit, hr, "Rival")
    probed(unit)

    found, reads = reads_of_the_log(unit, lambda: unit.ledger.load(Unit, UNIT))

    assert (found.version, found.name) == (2, "Rival") and reads == 1


def test_more_changes_between_two_probes_than_a_probe_names_start_the_caches_knowledge_afresh(
        unit: Jejak, hr: Actor) -> None:
    from infrastructure.projection import CHANGES_PROBED

    probed(unit)
    unit.ledger.load(Unit, UNIT)
    registered_by_another_process(unit, hr, [f"U{i:03d}" for i in range(CHANGES_PROBED + 1)])
    renamed_by_another_process(unit, hr, "Rival")  # past the changes a probe names
    probed(unit)

    found, reads = reads_of_the_log(unit, lambda: unit.ledger.load(Unit, UNIT))
    assert (found.version, found.name) == (2, "Rival") and reads == 1

    registered_by_another_process(unit, hr, ["DINKES"])
    probed(unit)  # the knowledge begun afresh at the last probe goes on from there
    again, reads = reads_of_the_log(unit, lambda: unit.ledger.load(Unit, UNIT))
    assert again.version == 2 and reads == 0


def test_a_probe_that_does_not_continue_the_caches_knowledge_is_not_learnt_from(unit: Jejak, hr: Actor) -> None:
    probed(unit)
    unit.ledger.load(Unit, UNIT)
    known_to = unit.ledger.changes_known_to()
    assert known_to is not None
    renamed_by_another_process(unit, hr, "Rival")
    head = unit.projections.head()
    unit.ledger.learn_changes(known_to - 1, head, {})  # read from before what the cache knows: no gap

    known_head(head, unit.ledger)
    found, reads = reads_of_the_log(unit, lambda: unit.ledger.load(Unit, UNIT))
    assert (found.version, found.name) == (2, "Rival") and reads == 1


def test_a_request_leaves_no_known_head_behind(unit: Jejak, hr: Actor) -> None:
    from web import create_app

    app = create_app({"JEJAK": unit, "TESTING": True})
    token = unit.access.issue(hr, "hr_admin", "Admin BKPSDM").token
    response = app.test_client().get("/api/units", headers={"Authorization": f"Bearer {token}"})

    assert response.status_code == 200 and _KNOWN_HEAD.get() is None  # the caller's next load reads newer events


def test_a_head_read_from_another_log_is_not_used(unit: Jejak, hr: Actor) -> None:
    head = unit.projections.head()
    known_head(head, unit.ledger)
    unit.ledger.load(Unit, UNIT)  # cached, holding every event up to the head
    renamed_by_another_process(unit, hr, "Rival")
    elsewhere = Ledger(env=unit.settings.eventsourcing_env())
    try:
        known_head(head, elsewhere)  # the same number, read from another ledger's log (an app's hooks on another system)

        found, reads = reads_of_the_log(unit, lambda: unit.ledger.load(Unit, UNIT))
    finally:
        elsewhere.close()

    assert (found.version, found.name) == (2, "Rival") and reads == 1


def head_reads(jejak: Jejak, monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Note each read of the log's head (``ProjectionRunner.head``, on either database) from now on."""
    runner, reads = jejak.projections, []
    if runner._sqlite is not None:
        connection = runner._sqlite

        class Counting:
            def __init__(self, conn: Any) -> None:
                self.conn = conn

            def execute(self, sql: str, *args: Any) -> Any:
                if sql == jejak.ledger.recorder.select_max_notification_id_statement:  # type: ignore[attr-defined]
                    reads.append(1)
                return self.conn.execute(sql, *args)

        monkeypatch.setattr(runner, "_sqlite", lambda: Counting(connection()))
    else:
        original = jejak.ledger.recorder.max_notification_id
        def counted() -> Any:
            reads.append(1)
            return original()

        monkeypatch.setattr(jejak.ledger.recorder, "max_notification_id", counted)
    return reads


def test_a_supervisors_reports_in_a_request_read_no_head_and_follow_the_requests_own_writes(
        unit: Jejak, hr: Actor, monkeypatch: pytest.MonkeyPatch) -> None:
    from datetime import date

    from application.ledger import forget_written
    from tests.infrastructure.query_plans import captured

    def register(i: int, supervisor_id: Any = None) -> Any:
        return unit.registry.register_employee(
            hr, nip=f"198503152010011{i:03d}", name=f"Pegawai {i}", unit="BKPSDM", position="Analis",
            rank="III/a", rank_since=date(2015, 1, 1), supervisor_id=supervisor_id).id

    boss = register(1)
    report = register(2, boss)
    other = register(3)
    unit.projections.catch_up()
    assert unit._all_reports(boss) == {report}  # cached at the head it was read at

    forget_written()
    known_head(unit.projections.head(), unit.ledger)  # a request that read the head as it authenticated
    heads = head_reads(unit, monkeypatch)
    with captured(unit.engine) as seen:
        assert unit._all_reports(boss) == {report}
    assert seen == [] and heads == []  # neither the head nor the reports read again

    unit.registry.change_supervisor(hr, other, boss, date(2024, 1, 1), "reorganisasi")  # the request writes
    assert unit._all_reports(boss) == {report, other}  # read after its own write
