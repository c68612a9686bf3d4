"""Career timeline reads: an employee's record in date order, an auditor's read recorded first."""

from __future__ import annotations

from datetime import date
from typing import Any, Protocol
from uuid import UUID

from application.access_policy import AccessPolicy, require
from application.actor import Actor
from application.queries.filters import Page
from application.queries.people import PeopleQueries
from application.reads import ReadLog

# The kinds of timeline item, in the order the API documents them (the read model says which events make each).
KINDS: tuple[str, ...] = (
    "registration", "rank", "position", "unit", "supervisor", "appraisal", "objection", "training", "feedback",
    "potential", "mentoring", "award", "promotion", "status", "education", "discipline", "exam", "need", "plan",
    "dialogue",
)

READ = "employee.timeline"


class TimelineReadModel(Protocol):
    """The timeline read model's items."""

    def items(self, employee_id: UUID, since: date | None = None, until: date | None = None,
              kinds: list[str] | None = None) -> list[dict[str, Any]]:
        """An employee's timeline rows in order."""

    def page(self, employee_id: UUID, since: date | None, until: date | None, kinds: list[str] | None,
             limit: int, cursor: str | None) -> Page:
        """One page of those rows after the cursor, with the filtered total."""


class TimelineQueries:
    """Timelines as the actor may read them (AccessPolicy.may_read_record, reads_are_recorded)."""

    def __init__(self, view: TimelineReadModel, people: PeopleQueries, reads: ReadLog, policy: AccessPolicy):
        self.view = view
        self.people = people
        self.reads = reads
        self.policy = policy

    def needs_reason(self, actor: Actor) -> bool:
        """An auditor states a reason before reading someone's full record."""
        return self.policy.reads_are_recorded(actor)

    def record_read(self, actor: Actor, employee_id: UUID, reason: str | None, case_id: str | None) -> UUID:
        """Record an auditor's read of a timeline, with its reason, before the page shows it; return the read's id."""
        person = self.people.entry(employee_id)
        require(self.policy.may_read_record(actor, person["id"]),
                "you may read the career timeline of yourself and your reports only")
        return self.reads.record(actor, READ, person["id"], reason, case_id)

    def timeline(self, actor: Actor, employee_id: UUID, since: date | None, until: date | None, kinds: list[str],
                 reason: str | None, case_id: str | None, read_id: UUID | None = None, limit: int | None = None,
                 cursor: str | None = None) -> dict[str, Any]:
        """A timeline the actor may read; an auditor's read needs a reason and is recorded first, unless
        ``read_id`` is their own recent recorded read of it (a page shown again after ``record_read``). With a
        ``limit``, one page of it (after ``cursor``) with the total as ``count`` and the next page's cursor."""
        person = self.people.entry(employee_id)
        require(self.policy.may_read_record(actor, person["id"]),
                "you may read the career timeline of yourself and your reports only")
        if self.policy.reads_are_recorded(actor) and not self.reads.recorded(actor, read_id, (READ,), person["id"]):
            self.reads.record(actor, READ, person["id"], reason, case_id)
        head = {"employee_id": person["id"], "name": person["name"], "since": since, "until": until, "kinds": kinds}
        if limit is None:
            items = [item_of(row) for row in self.view.items(person["id"], since, until, kinds)]
            return {**head, "count": len(items), "items": items, "next_cursor": None}
        page = self.view.page(person["id"], since, until, kinds, limit, cursor)
        return {**head, "count": page.total, "items": [item_of(row) for row in page.items],
                "next_cursor": page.next_cursor}


def item_of(row: dict[str, Any]) -> dict[str, Any]:
    """A timeline row as the API shows it, linking to its event in the audit log."""
    # a UUID's text and an integer need no quoting: urlencode's quoting of them was a third of an item's CPU
    href = f"/api/audit/events?aggregate_id={row['aggregate_id']}&after={int(row['position']) - 1}&limit=1"
    return {"id": row["id"], "date": row["date"], "kind": row["kind"], "title": row["title"],
            "details": row["details"], "recorded_at": row["recorded_at"],
            "event": {"aggregate_id": row["aggregate_id"], "version": row["aggregate_version"],
                      "position": row["position"], "topic": row["topic"], "href": href}}
