"""Snapshots: long-lived aggregates load from their latest snapshot, and every version loads as a full replay would."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import UTC, date, datetime, timedelta
from typing import Any
from uuid import UUID

import pytest
from eventsourcing.persistence import EventStore

from application.actor import Actor
from application.feedback import report_of
from application.ledger import SNAPSHOT_INTERVAL, CachingRepository, HistoryReader, mutate_all
from application.snapshots import UnsnapshottableState, decode, encode
from domain.employee import Employee
from domain.feedback_round import Nomination
from infrastructure.container import Jejak
from tests.application.test_feedback import answers, build_team, staffed_round


@pytest.fixture
def jejak(jejak: Jejak) -> Jejak:
    """Commands only; no read model is needed here."""
    jejak.ledger.after_record.clear()
    return jejak


class CountingStore:
    """The real event store, counting the events a load reads from it (through the store, or where the repository
    reads a snapshot and the events after it in one statement, through its history reader)."""

    def __init__(self, store: EventStore[UUID]):
        self.store = store
        self.read = 0

    def __getattr__(self, name: str) -> Any:
        return getattr(self.store, name)

    def get(self, *args: Any, **kwargs: Any) -> Iterator[Any]:
        events = list(self.store.get(*args, **kwargs))
        self.read += len(events)
        return iter(events)

    def histories(self, reader: HistoryReader) -> HistoryReader:
        """The reader, counting the events (not the snapshots) it gives."""
        def counted(wanted: Mapping[UUID, int]) -> tuple[dict[UUID, Any], dict[UUID, list[Any]]]:
            snapshots, histories = reader(wanted)
            self.read += sum(len(events) for events in histories.values())
            return snapshots, histories
        return counted


def counting(jejak: Jejak) -> CountingStore:
    """Count the events the ledger's repository reads from now on."""
    repository = jejak.ledger.repository
    assert isinstance(repository, CachingRepository)
    store = CountingStore(repository.event_store)
    repository.event_store = store  # type: ignore[assignment]
    if repository.history_reader is not None:
        repository.history_reader = store.histories(repository.history_reader)
    return store


def replayed(jejak: Jejak, aggregate_id: UUID, version: int) -> Any:
    """The aggregate at a version from its events alone (no snapshot)."""
    return mutate_all(None, jejak.ledger.events.get(aggregate_id, lte=version))


def state(aggregate: Any) -> dict[str, Any]:
    return {k: v for k, v in vars(aggregate).items() if k != "_pending_events"}


def long_record(jejak: Jejak, hr: Actor, changes: int) -> UUID:
    """An employee with a position change a day from 2016 on (one event each)."""
    team = build_team(jejak, hr)
    for i in range(changes):
        jejak.registry.change_position(hr, team.outsider, f"Analis {i}", date(2016, 1, 1) + timedelta(days=i),
                                       "mutasi")
    return team.outsider


def test_a_long_employee_record_loads_from_its_latest_snapshot(jejak: Jejak, hr: Actor) -> None:
    employee_id = long_record(jejak, hr, 2 * SNAPSHOT_INTERVAL + 10)
    version = jejak.ledger.load(Employee, employee_id).version

    assert jejak.ledger.snapshots is not None
    taken = [s.originator_version for s in jejak.ledger.snapshots.get(employee_id)]
    assert taken == [SNAPSHOT_INTERVAL, 2 * SNAPSHOT_INTERVAL]
    reads = counting(jejak)
    jejak.ledger.forget_cached()  # as in a fresh process: nothing cached
    loaded = jejak.ledger.load(Employee, employee_id)

    assert reads.read == version - 2 * SNAPSHOT_INTERVAL < SNAPSHOT_INTERVAL
    assert loaded.position == f"Analis {2 * SNAPSHOT_INTERVAL + 9}"
    assert state(loaded) == state(replayed(jejak, employee_id, version))


def test_every_version_of_a_snapshotted_employee_equals_its_replay(jejak: Jejak, hr: Actor) -> None:
    employee_id = long_record(jejak, hr, SNAPSHOT_INTERVAL + 5)
    last = jejak.ledger.load(Employee, employee_id).version

    for version in range(1, last + 1):
        as_of = jejak.ledger.load_as_of(Employee, employee_id, version=version)
        assert state(as_of) == state(replayed(jejak, employee_id, version)), version
    moment = jejak.ledger.history(employee_id)[SNAPSHOT_INTERVAL + 2].timestamp  # type: ignore[attr-defined]
    at = jejak.ledger.load_as_of(Employee, employee_id, at=moment)
    assert at.version == SNAPSHOT_INTERVAL + 3
    assert state(at) == state(replayed(jejak, employee_id, SNAPSHOT_INTERVAL + 3))


def test_rounds_are_not_snapshotted(jejak: Jejak, hr: Actor) -> None:
    """A round keeps every response: its snapshot would hold as much as its events (and loaded more slowly)."""
    team = build_team(jejak, hr)
    round_id, _ = staffed_round(jejak, hr, team)
    for i in range(SNAPSHOT_INTERVAL + 1):
        jejak.feedback.submit(team.actor(team.peers[i % 3]), round_id, answers(1 + i % 5), {})

    assert jejak.ledger.snapshots is not None
    assert list(jejak.ledger.snapshots.get(round_id)) == []
    assert report_of(jejak.feedback.round(round_id)) == report_of(
        replayed(jejak, round_id, jejak.feedback.round(round_id).version))


def test_snapshot_state_keeps_value_objects_and_id_keyed_maps() -> None:
    nid = UUID(int=7)
    nomination = Nomination(nid, UUID(int=8), "peer", "approved", "reviewee", replayed_moment())
    value = {"nominations": {nid: nomination}, "pair": (1, "a"), "tags": frozenset({"x"}), "plain": {"a": [1, 2]}}

    assert decode(encode(value)) == value
    with pytest.raises(UnsnapshottableState):
        encode({"x": object()})
    with pytest.raises(UnsnapshottableState):
        decode({"__dc__": "application.actor:Actor", "fields": {}})


def replayed_moment() -> datetime:
    return datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)


def test_a_long_round_loads_from_the_cache_reading_only_the_events_stored_since(jejak: Jejak, hr: Actor) -> None:
    """The cost of a command on a round does not grow with its history: a current load fast-forwards the cached
    round by the events stored since it was cached (by any process), and answers as a full replay does."""
    team = build_team(jejak, hr)
    round_id, _ = staffed_round(jejak, hr, team)
    for i in range(3 * SNAPSHOT_INTERVAL):
        jejak.feedback.submit(team.actor(team.peers[i % 3]), round_id, answers(1 + i % 5), {})
    reads = counting(jejak)

    current = jejak.feedback.round(round_id)
    assert reads.read <= 1  # at most the last submission, stored after the round was last loaded
    reads.read = 0
    jejak.feedback.submit(team.actor(team.peers[0]), round_id, answers(2), {})
    after = jejak.feedback.round(round_id)

    assert reads.read == 1 and after.version == current.version + 1
    assert state(after) == state(replayed(jejak, round_id, after.version))
    assert report_of(after) == report_of(replayed(jejak, round_id, after.version))
    midway = jejak.ledger.load_as_of(type(after), round_id, version=SNAPSHOT_INTERVAL)
    assert state(midway) == state(replayed(jejak, round_id, SNAPSHOT_INTERVAL))


def test_a_command_that_fails_leaves_the_cached_aggregate_unchanged(jejak: Jejak, hr: Actor) -> None:
    """Commands get a copy: a change the command made before it failed is never seen by the next load."""
    team = build_team(jejak, hr)
    round_id, _ = staffed_round(jejak, hr, team)
    loaded = jejak.feedback.round(round_id)
    loaded.submit(team.peers[0], answers(3), {}, date.today())  # changed in memory, never recorded

    again = jejak.feedback.round(round_id)
    assert again.version == loaded.version - 1 and again.responses == {}
    assert state(again) == state(replayed(jejak, round_id, again.version))


def test_several_aggregates_at_their_versions_load_together_as_each_alone(jejak: Jejak, hr: Actor) -> None:
    team = build_team(jejak, hr)
    employee_id = team.outsider
    for i in range(SNAPSHOT_INTERVAL + 5):
        jejak.registry.change_position(hr, employee_id, f"Analis {i}", date(2016, 1, 1) + timedelta(days=i), "mutasi")
    round_id, _ = staffed_round(jejak, hr, team)
    versions = [1, SNAPSHOT_INTERVAL - 1, SNAPSHOT_INTERVAL, SNAPSHOT_INTERVAL + 3]
    wanted: list[tuple[type[Any], UUID, int]] = [(Employee, employee_id, v) for v in versions[2:]]
    wanted.append((type(jejak.feedback.round(round_id)), round_id, 2))
    reads: list[int] = []
    reader = jejak.ledger.history_reader
    assert reader is not None
    jejak.ledger.history_reader = lambda found: reads.append(len(found)) or reader(found)  # type: ignore[func-returns-value]

    together = jejak.ledger.load_all_as_of([wanted[0], wanted[2]])
    assert reads == [2]  # one read of the histories for both
    alone = [jejak.ledger.load_as_of(cls, key, version=v) for cls, key, v in (wanted[0], wanted[2])]
    assert [state(a) for a in together] == [state(a) for a in alone]
    for version in versions:
        (one,) = jejak.ledger.load_all_as_of([(Employee, employee_id, version)])
        assert state(one) == state(replayed(jejak, employee_id, version)), version


def test_loading_together_an_aggregate_at_a_version_it_never_had_is_not_found(jejak: Jejak, hr: Actor) -> None:
    from application.errors import NotFound

    employee_id = long_record(jejak, hr, 3)
    last = jejak.ledger.load(Employee, employee_id).version
    with pytest.raises(NotFound):
        jejak.ledger.load_all_as_of([(Employee, employee_id, last + 1)])
    with pytest.raises(NotFound):
        jejak.ledger.load_all_as_of([(Employee, UUID(int=99), 1)])
