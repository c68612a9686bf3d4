"""Auditors' reads of the log: events in order, one aggregate's history, an employee as of a moment, verification.

Every read of someone's record is recorded (with its reason) before anything is returned; raw 360 answers never
leave here (they are read only through the recorded-read route, see FeedbackService.raw_responses).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any, Protocol
from uuid import UUID

from eventsourcing.utils import get_topic

from application.actor import Actor
from application.jsonable import jsonable
from application.ledger import Ledger, event_meta, event_payload, event_timestamp
from application.queries.filters import AuditFilter
from application.reads import ReadLog
from application.registry import Registry
from domain.account import Account
from domain.feedback_round import FeedbackRound

RAW_RESPONSE_FIELDS = ("reviewer_id", "ratings", "comments")


class AuditReadModel(Protocol):
    """The audit index's lookups."""

    def events(self, flt: AuditFilter, limit: int, after: int = 0, before: int | None = None,
               newest_first: bool = False) -> tuple[list[dict[str, Any]], int | None]:
        """Index rows after (and before) a position, filtered, in either order, and the next page's cursor."""

    def actors(self) -> list[dict[str, Any]]:
        """Everyone who has caused an event."""

    def positions(self, aggregate_id: UUID) -> dict[int, int]:
        """Version -> log position for one aggregate."""


HISTORY = "aggregate.history"


def describe(event: Any, position: int | None, people: dict[str, dict[str, Any]] | None = None) -> dict[str, Any]:
    """An event as auditors read it, with the person behind its token or account (``people``: principal id ->
    person; the event itself keeps naming the principal); raw 360 answers only through the recorded-read route."""
    meta = event_meta(event)
    payload = event_payload(event)
    if isinstance(event, FeedbackRound.ResponseSubmitted):
        payload = {k: v for k, v in payload.items() if k not in RAW_RESPONSE_FIELDS}
        payload["raw_response"] = f"/api/audit/feedback-rounds/{event.originator_id}/responses?reason=..."
    if isinstance(event, Account.Granted):
        payload["password_hash"] = "[redacted]"
    reason = payload.get("reason") if isinstance(payload.get("reason"), str) else meta.get("reason")
    return {
        "position": position,
        "topic": get_topic(type(event)),
        "aggregate_id": event.originator_id,
        "version": event.originator_version,
        "timestamp": event_timestamp(event),
        "actor": {"id": meta.get("actor_id"), "role": meta.get("actor_role"), "name": meta.get("actor_name"),
                  "person": (people or {}).get(str(meta.get("actor_id")))},
        "correlation_id": meta.get("correlation_id"),
        "reason": reason,
        "payload": jsonable(payload),
    }


class AuditQueries:
    """The auditors' reads (the routes admit auditors only; verification also investigators)."""

    def __init__(self, view: AuditReadModel, ledger: Ledger, registry: Registry, reads: ReadLog,
                 event_at: Callable[[int], Any], verify: Callable[[], dict[str, Any]],
                 people_behind: Callable[[list[str]], dict[str, dict[str, Any]]] = lambda ids: {}):
        self.view = view
        self.ledger = ledger
        self.registry = registry
        self.reads = reads
        self.event_at = event_at
        self.verify = verify
        self.people_behind = people_behind

    def _people(self, events: list[Any]) -> dict[str, dict[str, Any]]:
        """The persons behind the actors of these events (by the principal each event names)."""
        return self.people_behind([str(event_meta(e).get("actor_id")) for e in events])

    def events(self, flt: AuditFilter, limit: int, after: int, before: int | None = None, newest_first: bool = False
               ) -> dict[str, Any]:
        """One page of the log after a position (newest first: before one), each event as auditors read it with the
        person behind its actor, and the next page's cursor (``next_after``: a position for ``after``, or for
        ``before`` when newest first)."""
        rows, next_after = self.view.events(flt, limit, after, before, newest_first)
        found = [(row["position"], self.event_at(row["position"])) for row in rows]
        events = [(position, event) for position, event in found if event is not None]
        people = self._people([event for _, event in events])
        return {"items": [describe(event, position, people) for position, event in events], "next_after": next_after}

    def actors(self) -> list[dict[str, Any]]:
        """Everyone who has caused an event (for the log's filter), by name."""
        return self.view.actors()

    def record_history_read(self, actor: Actor, aggregate_id: UUID, reason: str | None, case_id: str | None
                            ) -> UUID:
        """Record a read of an aggregate's history, with its reason, before a page shows it; return the read's id."""
        self.ledger.history(aggregate_id)  # 404 before recording a read of nothing
        return self.reads.record(actor, HISTORY, aggregate_id, reason, case_id)

    def history(self, actor: Actor, aggregate_id: UUID, reason: str | None, case_id: str | None,
                read_id: UUID | None = None) -> list[dict[str, Any]]:
        """Every event of one aggregate with its log position; the read is recorded (with its reason) first, unless
        ``read_id`` is the actor's own recent recorded read of this history (a page shown again)."""
        self.ledger.history(aggregate_id)  # 404 before recording a read of nothing
        if not self.reads.recorded(actor, read_id, (HISTORY,), aggregate_id):
            self.reads.record(actor, HISTORY, aggregate_id, reason, case_id)
        positions = self.view.positions(aggregate_id)
        events = self.ledger.history(aggregate_id)
        people = self._people(list(events))
        return [describe(e, positions.get(e.originator_version), people) for e in events]

    def employee_state(self, actor: Actor, employee_id: UUID, version: int | None, at: datetime | None,
                       reason: str | None, case_id: str | None, read_id: UUID | None = None) -> dict[str, Any]:
        """An employee as of a version or a moment; the read is recorded with its reason, unless ``read_id`` is the
        actor's own recent recorded read of the employee's whole history, which holds every such state."""
        emp = self.registry.employee_as_of(employee_id, version, at)
        if not self.reads.recorded(actor, read_id, (HISTORY,), emp.id):
            self.reads.record(actor, "employee.state", emp.id, reason, case_id)
        state = {k: v for k, v in vars(emp).items() if not k.startswith("_")}
        state["id"], state["version"], state["as_of_version"] = emp.id, emp.version, emp.version
        return state

    def verification(self) -> dict[str, Any]:
        """The ledger verification report against the configured seal key (if any)."""
        return self.verify()
