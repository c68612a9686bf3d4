"""360 feedback reads: rounds, the report, the caller's review requests and own response."""

from __future__ import annotations

from collections.abc import Set as AbstractSet
from datetime import UTC, date, datetime
from typing import Any, Protocol
from uuid import UUID

from application.access_policy import RAW_READERS, AccessPolicy, require
from application.actor import Actor, system_actor
from application.errors import NotFound
from application.feedback import FeedbackService
from application.queries.filters import RoundFilter
from application.queries.people import PeopleQueries
from application.question_book import QuestionBookService
from domain.feedback_round import Response, RoundStatus


class FeedbackReadModel(Protocol):
    """The feedback read model's lookups these queries use ."""

    def latest_year(self, unit: str) -> int | None:
        """The latest year any of the unit's rounds belongs to (None: the unit has none)."""

    def round(self, round_id: UUID) -> dict[str, Any] | None:
        """A round's row."""

    def nominations(self, round_id: UUID) -> list[dict[str, Any]]:
        """A round's nominations."""

    def rounds(self, flt: RoundFilter, limit: int, after: datetime | None = None,
               visible_to: AbstractSet[UUID] | None = None) -> list[dict[str, Any]]:
        """Rounds matching a filter, of the reviewees given (None: all)."""

    def rounds_page(self, flt: Any, limit: int, cursor: str | None = None,
                    visible_to: AbstractSet[UUID] | None = None) -> Any:
        """One page of rounds after a cursor (items, next_cursor, total)."""

    def review_requests(self, reviewer_id: UUID) -> list[dict[str, Any]]:
        """A reviewer's approved nominations with their rounds."""

    def review_requests_page(self, reviewer_id: UUID, today: date, limit: int, cursor: str | None = None) -> Any:
        """One page of those, the ones waiting on ``today`` first (items, next_cursor, total)."""

    def pending_nominations(self, supervisors: set[UUID] | None, limit: int, cursor: str | None = None) -> Any:
        """One page of the proposed reviewers waiting in open rounds of these supervisors (None: all) after a cursor
        (items, next_cursor, total)."""

    def reminders_due(self, now: datetime, after_days: int = 3) -> list[dict[str, Any]]:
        """Approved reviewers of open rounds who have not responded (nor been reminded) for ``after_days``."""

    def unit_report(self, unit: str, period: str | None) -> dict[str, Any]:
        """A unit's response rates per round and distribution of closed rounds' means per value."""


class FeedbackQueries:
    """Rounds and reports as the actor may read them (AccessPolicy.may_read_round, may_read_report)."""

    def __init__(self, view: FeedbackReadModel, service: FeedbackService, questions: QuestionBookService,
                 people: PeopleQueries, policy: AccessPolicy):
        self.view = view
        self.service = service
        self.questions = questions
        self.people = people
        self.policy = policy

    def latest_year(self, code: str) -> int | None:
        """The latest year any of the unit's rounds belongs to (None: none; a year is not a record, so for all)."""
        return self.view.latest_year(code)

    def reminders_due(self, actor: Actor, now: datetime, after_days: int = 3) -> list[dict[str, Any]]:
        """Reviewers who have not responded ``after_days`` or more after nomination (and were not reminded since)
        as of ``now``: for those who record reminders (AccessPolicy.may_read_reminders_due)."""
        require(self.policy.may_read_reminders_due(actor), "reminders are for HR")
        return self.view.reminders_due(now, after_days)

    def unit_report(self, actor: Actor, code: str, period: str | None) -> dict[str, Any]:
        """A unit's response rates per round and distribution of means per value (a year's period, 2026, includes
        its quarterly rounds) for HR (AccessPolicy.may_read_unit_feedback; 404 for no unit)."""
        require(self.policy.may_read_unit_feedback(actor), "the unit feedback report is for HR")
        unit = self.people.unit(code)
        return self.view.unit_report(unit["code"], period)

    def today(self) -> date:
        """The service's today (asked each time: tests and the scheduler move it)."""
        return self.service.today()

    def close_if_due(self, actor: Actor, round_id: UUID) -> None:
        """The closing date is checked on every read, not only by `jejak feedback close-due`."""
        self._closed_if_due(actor, round_id, self.view.round(round_id))

    def _closed_if_due(self, actor: Actor, round_id: UUID, row: dict[str, Any] | None) -> dict[str, Any] | None:
        """The round's row, after closing the round if its closing date has passed (then read again)."""
        if row is not None and row["status"] == RoundStatus.OPEN and row["closes_on"] < self.today():
            self.service.close_if_due(system_actor("closing-date", actor.correlation_id), round_id)
            return self.view.round(round_id)
        return row

    def round(self, actor: Actor, round_id: UUID, close_due: bool = False) -> dict[str, Any]:
        """A round with nominations, as the actor may see it (404 when the actor may not); with ``close_due``, a
        round past its closing date is closed first, from the one read of its row."""
        row = self.view.round(round_id)
        if close_due:
            row = self._closed_if_due(actor, round_id, row)
        if row is None or not self.policy.may_read_round(actor, row["reviewee_id"], row["supervisor_id"]):
            raise NotFound(f"no feedback round {round_id}")
        nominations = self.view.nominations(round_id)
        if not self.policy.may_see_who_responded(actor, row["reviewee_id"]):
            nominations = [{**n, "responded_at": None} for n in nominations]
        return {**row, "nominations": nominations}

    def rounds(self, actor: Actor, flt: RoundFilter, limit: int) -> list[dict[str, Any]]:
        """Rounds the actor may list: all for HR and auditors; employees their own, supervisors also their
        reports'."""
        return self.view.rounds(flt, limit, visible_to=self.policy.record_scope(actor))

    def pending_nominations(self, actor: Actor, limit: int, cursor: str | None = None) -> dict[str, Any]:
        """One page of the proposed reviewers waiting for the actor's approval, the next page's cursor and how many
        there are: in every open round for HR, in the rounds naming them as supervisor for supervisors
        (AccessPolicy.round_manager_scope), none for anyone else."""
        managed = self.policy.round_manager_scope(actor)
        if managed == set():
            return {"items": [], "next_cursor": None, "total": 0}
        found = self.view.pending_nominations(managed, limit, cursor)
        return {"items": found.items, "next_cursor": found.next_cursor, "total": found.total}

    def rounds_page(self, actor: Actor, flt: Any, limit: int, cursor: str | None = None) -> dict[str, Any]:
        """One page of the rounds the actor may list, the next page's cursor and how many there are."""
        found = self.view.rounds_page(flt, limit, cursor, visible_to=self.policy.record_scope(actor))
        return {"items": found.items, "next_cursor": found.next_cursor, "total": found.total}

    def may_open_report(self, actor: Actor, row: dict[str, Any]) -> bool:
        """Whether a listed round's report would open for the actor now (closed, and AccessPolicy.may_read_report
        as the report route asks it: auditors and investigators read it as of now)."""
        if row["status"] != RoundStatus.CLOSED:
            return False
        at = datetime.now(UTC) if actor.role in RAW_READERS else None
        return self.policy.may_read_report(actor, row["id"], row["reviewee_id"], row["supervisor_id"], at)

    def report(self, actor: Actor, round_id: UUID, at: datetime | None = None) -> dict[str, Any]:
        """The report as the actor may read it (auditors and investigators: as of ``at``, default now)."""
        if actor.role in RAW_READERS and at is None:  # they read a report as of a moment: now, unless asked
            at = datetime.now(UTC)
        if at is None:  # a report stored at closing is the round's last word: no closing date left to check
            stored = self.service.stored_report(round_id)
            if stored is not None:
                return self.service.stored_report_for(actor, round_id, stored)
        self.close_if_due(actor, round_id)
        return self.service.report(actor, round_id, at)

    def review_requests(self, actor: Actor) -> list[dict[str, Any]]:
        """The actor's review requests (pending, done or closed) with the pinned questions of each round."""
        rows = self.view.review_requests(actor.employee_id) if actor.employee_id else []
        return [self._request(row) for row in rows]

    def review_requests_page(self, actor: Actor, limit: int, cursor: str | None = None) -> dict[str, Any]:
        """One page of the actor's review requests, those waiting for an answer first, the next page's cursor and
        how many there are."""
        if actor.employee_id is None:
            return {"items": [], "next_cursor": None, "total": 0}
        found = self.view.review_requests_page(actor.employee_id, self.today(), limit, cursor)
        return {"items": [self._request(row) for row in found.items], "next_cursor": found.next_cursor,
                "total": found.total}

    def _request(self, row: dict[str, Any]) -> dict[str, Any]:
        """A review request with its state (pending, done or closed) and its round's pinned questions."""
        questions = self.questions.get(row["question_set_version"])
        expired = row["round_status"] == RoundStatus.CLOSED or row["closes_on"] < self.today()
        state = "done" if row["responded_at"] else ("closed" if expired else "pending")
        return {**row, "state": state, "questions": {
            "version": questions.version, "scale": {"min": questions.scale_min, "max": questions.scale_max},
            "anchors": questions.anchors, "items": questions.questions}}

    def review_request(self, actor: Actor, round_id: UUID) -> dict[str, Any] | None:
        """The actor's request to review in one round, if any."""
        self.close_if_due(actor, round_id)
        return next((row for row in self.review_requests(actor) if row["round_id"] == round_id), None)

    def own_response(self, actor: Actor, round_id: UUID) -> Response | None:
        """The actor's current response in a round, if any (nobody reads another's raw answers this way)."""
        return self.service.own_response(actor, round_id)
