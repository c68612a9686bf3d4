"""Tamper evidence for snapshots: they sit outside the hash chain, so each stored snapshot must equal the state a
fresh replay of the aggregate's chained events up to the snapshot's version gives.

A snapshot is a cache that loads trust: an aggregate loads from its latest snapshot and the events after it, so a
changed snapshot would change every later decision about that aggregate without touching a chained row. The
verifier therefore re-derives every stored snapshot from the log; one that differs (or cannot be read) is
reported, and ``drop`` removes it (a snapshot is derived state, never an event: the next load replays).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from uuid import UUID

from eventsourcing.application import Application
from eventsourcing.domain import BaseAggregate
from sqlalchemy import Engine, text

from application.snapshots import StateSnapshot


class SnapshotCheck:
    """Compares every stored snapshot with a replay of its aggregate's events (no snapshot used)."""

    def __init__(self, engine: Engine, ledger: Application[UUID], progress: Callable[[int], None] | None = None):
        self.engine = engine
        self.ledger = ledger
        self.progress = progress

    @property
    def table(self) -> str | None:
        """The snapshots table's name, or None when the ledger takes no snapshots."""
        store = self.ledger.snapshots
        return None if store is None else str(getattr(store.recorder, "events_table_name"))  # noqa: B009

    def __call__(self) -> list[str]:
        """Every stored snapshot the log does not explain, as a sentence each."""
        problems: list[str] = []
        for originator_id in self.snapshotted():
            problems.extend(self.check(originator_id))
        return problems

    def snapshotted(self) -> list[UUID]:
        """The ids of every aggregate with at least one stored snapshot."""
        if self.table is None:
            return []
        with self.engine.connect() as conn:
            rows = conn.execute(text(f"SELECT DISTINCT originator_id FROM {self.table}")).scalars()
            return sorted(UUID(str(r)) for r in rows)

    def check(self, originator_id: UUID) -> list[str]:
        """The problems with one aggregate's stored snapshots."""
        assert self.ledger.snapshots is not None  # snapshotted() found rows in its table
        try:
            stored = list(self.ledger.snapshots.get(originator_id))
        except Exception as e:  # a row that no longer decodes (changed bytes, wrong cipher) is itself the finding
            return [f"snapshot of {originator_id} cannot be read ({type(e).__name__}): it was altered"]
        problems = []
        for snapshot in stored:
            expected = self._replayed(originator_id, snapshot.originator_version)
            if expected is None:
                problems.append(f"snapshot of {originator_id} at version {snapshot.originator_version} has no "
                                "events behind it in the log (inserted)")
            elif (getattr(snapshot, "topic", None), getattr(snapshot, "state", None)) != (expected.topic,
                                                                                           expected.state):
                problems.append(f"snapshot of {originator_id} at version {snapshot.originator_version} differs "
                                "from a replay of the log (altered)")
        return problems

    def drop(self, originator_ids: list[UUID]) -> int:
        """Delete the given aggregates' snapshots (derived state; the next load replays the events)."""
        if self.table is None or not originator_ids:
            return 0
        with self.engine.begin() as conn:
            removed = 0
            for originator_id in originator_ids:
                for form in {str(originator_id), originator_id.hex}:
                    removed += conn.execute(text(f"DELETE FROM {self.table} WHERE originator_id = :id"),
                                            {"id": form}).rowcount
        return removed

    def _replayed(self, originator_id: UUID, version: int) -> Any:
        """A fresh snapshot of the aggregate folded from its stored events up to ``version`` (None if absent)."""
        aggregate: BaseAggregate[Any] | None = None
        for event in self.ledger.events.get(originator_id, lte=version):
            aggregate = event.mutate(aggregate)  # type: ignore[attr-defined]  # stored events are aggregate events
        if aggregate is None or aggregate.version != version:
            return None
        return StateSnapshot.take(aggregate)
