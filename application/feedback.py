"""360-degree feedback commands: open, nominate, approve, decline, submit, remind, close, report."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Protocol
from uuid import UUID

from application.access_policy import AccessPolicy, require
from application.actor import Actor, system_actor
from application.errors import Conflict, NotFound, PreconditionFailed
from application.ledger import Ledger
from application.question_book import QuestionBookService
from application.registry import Registry
from application.rulebook import RuleBookService
from domain.employee import Employee
from domain.feedback_report import Answer, build_report
from domain.feedback_round import Candidate, FeedbackRound, Response, RoundClosed
from domain.round_slot import RoundSlot
from domain.sensitive_read import SensitiveRead

IDEMPOTENCY_KEY_MAX = 200  # characters of a client's Idempotency-Key (API) or a form's submission id (pages)


@dataclass(frozen=True)
class Submitted:
    """The outcome of a submission (the first one again for a retried idempotency key)."""

    round_id: UUID
    response_id: UUID
    version: int
    supersedes: UUID | None
    submitted_at: datetime


class StoredReport(Protocol):
    """A closed round's report kept by a read model, with the people it is for."""

    @property
    def reviewee_id(self) -> UUID:
        """Whose report it is."""

    @property
    def supervisor_id(self) -> UUID | None:
        """The reviewee's supervisor in the round."""

    @property
    def report(self) -> dict[str, Any]:
        """The report as ``report_of`` gave it at closing."""


class ReportNotAvailable(Conflict):
    """The report exists only after the round closes."""


class FeedbackService:
    """The 360 module's application service."""

    def __init__(self, ledger: Ledger, registry: Registry, rules: RuleBookService, questions: QuestionBookService,
                 policy: AccessPolicy, today: Callable[[], date] = date.today,
                 stored_report: Callable[[UUID], StoredReport | None] = lambda round_id: None):
        self.ledger = ledger
        self.registry = registry
        self.rules = rules
        self.questions = questions
        self.policy = policy
        self.today = today
        self.stored_report = stored_report  # a closed round's report as the read model keeps it, if it does

    def round(self, round_id: UUID) -> FeedbackRound:
        """A round's current state from the event store."""
        return self.ledger.load(FeedbackRound, round_id)

    def own_response(self, actor: Actor, round_id: UUID) -> Response | None:
        """The actor's own current response in a round, if any (nobody reads another's raw answers this way)."""
        if actor.employee_id is None:
            return None
        return self.round(round_id).latest_response_of(actor.employee_id)

    def open_round(self, actor: Actor, reviewee_id: UUID, period: str, closes_on: date,
                   question_set_version: int | None = None) -> FeedbackRound:
        """Open a round (HR or the reviewee's supervisor), pinning the question set and feedback rules."""
        reviewee = self.registry.employee(reviewee_id)
        require(self.policy.may_open_round(actor, reviewee.supervisor_id),
                "only HR or the reviewee's supervisor can open a round")
        today = self.today()
        rule_set = self.rules.in_effect(today)
        fb_round = FeedbackRound.open(
            reviewee_id=reviewee_id, supervisor_id=reviewee.supervisor_id, unit=reviewee.unit, period=period,
            questions=self.questions.get(question_set_version), closes_on=closes_on,
            rule_set_version=rule_set.version, feedback_rules=rule_set.rules["feedback"], today=today)
        slot_id = RoundSlot.id_for(reviewee_id, period)
        if self.ledger.exists(slot_id):
            slot = self.ledger.load(RoundSlot, slot_id)
            slot.take(fb_round.id)
        else:
            slot = RoundSlot.take_new(reviewee_id, period, fb_round.id)
        self.ledger.record(actor, fb_round, slot)
        return fb_round

    def nominate(self, actor: Actor, round_id: UUID, nominations: list[tuple[UUID, str]],
                 expected_version: int | None = None) -> list[UUID]:
        """The reviewee's supervisor adds reviewers directly; the reviewee or HR proposes them."""
        if not self.policy.hr(actor) and self.policy.supervises_directly(actor, self.round(round_id).supervisor_id):
            return self.add_all(actor, round_id, nominations, expected_version)
        return self.propose(actor, round_id, nominations, expected_version)

    def propose(self, actor: Actor, round_id: UUID, nominations: list[tuple[UUID, str]],
                expected_version: int | None = None) -> list[UUID]:
        """The reviewee or HR proposes reviewers."""
        fb_round = self._accepting(actor, round_id, expected_version)
        require(self.policy.may_propose_reviewers(actor, fb_round.reviewee_id),
                "only the reviewee or HR can propose reviewers")
        by = "hr" if self.policy.hr(actor) else "reviewee"
        ids = fb_round.propose([self._candidate(r, rel) for r, rel in nominations], by, self.today())
        self.ledger.record(actor, fb_round)
        return ids

    def add(self, actor: Actor, round_id: UUID, reviewer_id: UUID, relationship: str,
            expected_version: int | None = None) -> UUID:
        """The supervisor (or HR) adds one reviewer directly."""
        return self.add_all(actor, round_id, [(reviewer_id, relationship)], expected_version)[0]

    def add_all(self, actor: Actor, round_id: UUID, nominations: list[tuple[UUID, str]],
                expected_version: int | None = None) -> list[UUID]:
        """The supervisor (or HR) adds reviewers directly, all or none."""
        fb_round = self._as_approver(actor, round_id, expected_version, accepting=True)
        added_by = "hr" if self.policy.hr(actor) else "supervisor"
        ids = fb_round.add([self._candidate(r, rel) for r, rel in nominations], self.today(), added_by)
        self.ledger.record(actor, fb_round)
        return ids

    def approve(self, actor: Actor, round_id: UUID, nomination_id: UUID, expected_version: int | None = None) -> None:
        """The supervisor (or HR) approves a proposed reviewer."""
        fb_round = self._as_approver(actor, round_id, expected_version)
        fb_round.approve(nomination_id, self.today())
        self.ledger.record(actor, fb_round)

    def approve_many(self, actor: Actor, chosen: list[tuple[UUID, UUID]],
                     expected_versions: dict[UUID, int] | None = None) -> int:
        """Approve several proposed reviewers, across rounds, all or nothing: every (round, nomination) is checked
        and approved before one atomic save; any refusal (not the round's supervisor, not proposed, a round changed
        since the form was shown) approves none. Returns how many were approved."""
        versions = expected_versions or {}
        loaded: dict[UUID, FeedbackRound] = {}
        for round_id, nomination_id in dict.fromkeys(chosen):
            if round_id not in loaded:
                loaded[round_id] = self._as_approver(actor, round_id, versions.get(round_id))
            loaded[round_id].approve(nomination_id, self.today())
        if loaded:
            self.ledger.record(actor, *loaded.values())
        return len(dict.fromkeys(chosen))

    def reject(self, actor: Actor, round_id: UUID, nomination_id: UUID, reason: str,
               expected_version: int | None = None) -> None:
        """The supervisor (or HR) rejects a proposed reviewer."""
        fb_round = self._as_approver(actor, round_id, expected_version)
        fb_round.reject(nomination_id, reason, self.today())
        self.ledger.record(actor, fb_round, reason=reason)

    def decline(self, actor: Actor, round_id: UUID, nomination_id: UUID, reason: str) -> None:
        """The nominated reviewer declines; anyone else is refused (another's nomination is not theirs to decline)."""
        fb_round = self.ledger.load(FeedbackRound, round_id)
        nomination = fb_round.nominations.get(nomination_id)
        require(nomination is None or nomination.reviewer_id == actor.employee_id,
                "only the nominated reviewer can decline")
        fb_round.decline(nomination_id, self._employee(actor), reason, self.today())
        self.ledger.record(actor, fb_round, reason=reason)

    def submit(self, actor: Actor, round_id: UUID, ratings: dict[str, Any], comments: dict[str, Any],
               idempotency_key: str | None = None) -> Submitted:
        """Submit or resubmit the caller's response; a retried idempotency key returns the first result."""
        try:
            return self._submit(actor, round_id, ratings, comments, idempotency_key)
        except Conflict:
            if not idempotency_key:
                raise
            # a concurrent request may have carried the same key: reloaded, the first result is found and returned
            return self._submit(actor, round_id, ratings, comments, idempotency_key)

    def _submit(self, actor: Actor, round_id: UUID, ratings: dict[str, Any], comments: dict[str, Any],
                idempotency_key: str | None) -> Submitted:
        fb_round = self._accepting(actor, round_id)
        before = fb_round.version
        response = fb_round.submit(self._employee(actor), ratings, comments, self.today(), idempotency_key)
        if fb_round.version != before:
            self.ledger.record(actor, fb_round)
        return Submitted(round_id, response.id, fb_round.version, response.supersedes, response.submitted_at)

    def close(self, actor: Actor, round_id: UUID, reason: str, expected_version: int | None = None) -> FeedbackRound:
        """Close a round by hand (supervisor or HR)."""
        fb_round = self._as_approver(actor, round_id, expected_version)
        return self._close(actor, fb_round, reason, automatic=False)

    def close_if_due(self, actor: Actor, round_id: UUID) -> bool:
        """Close the round automatically when its closing date has passed; True when it closed now."""
        fb_round = self.ledger.load(FeedbackRound, round_id)
        if not fb_round.is_due(self.today()):
            return False
        self._close(actor, fb_round, f"closing date {fb_round.closes_on.isoformat()} passed", automatic=True)
        return True

    def remind(self, actor: Actor, round_id: UUID, nomination_id: UUID) -> None:
        """Record a reminder to a reviewer who has not responded (HR or the system's scheduler)."""
        require(self.policy.may_remind(actor), "only HR or the reminder job sends reminders")
        fb_round = self.ledger.load(FeedbackRound, round_id)
        fb_round.remind(nomination_id, self.today())
        self.ledger.record(actor, fb_round)

    def report(self, actor: Actor, round_id: UUID, at: datetime | None = None) -> dict[str, Any]:
        """The anonymity-protected report (who may read it: AccessPolicy.may_read_report): after closing, as it
        is now; as of a moment, for auditors and a round's investigator. A closed round's report is read as the
        read model stored it at closing; only as-of reads (and rounds it has not stored) replay the round."""
        stored = self.stored_report(round_id) if at is None else None
        if stored is not None:
            return self.stored_report_for(actor, round_id, stored)
        current = self.ledger.load(FeedbackRound, round_id)
        require(self.policy.may_read_report(actor, round_id, current.reviewee_id, current.supervisor_id, at),
                "only auditors and the investigator of a grievance covering the round reconstruct a report as of "
                "a moment" if at is not None else
                "the report is for the reviewee, their supervisor, HR, auditors and the investigator of a grievance "
                "covering the round")
        if at is not None:
            return report_of(self.ledger.load_as_of(FeedbackRound, round_id, at=at))
        if current.is_open:
            raise ReportNotAvailable("the report is available after the round closes")
        return report_of(current)

    def stored_report_for(self, actor: Actor, round_id: UUID, stored: StoredReport) -> dict[str, Any]:
        """A closed round's report as the read model stored it, if the actor may read it."""
        require(self.policy.may_read_report(actor, round_id, stored.reviewee_id, stored.supervisor_id, None),
                "the report is for the reviewee, their supervisor, HR, auditors and the investigator of a "
                "grievance covering the round")
        return stored.report

    def raw_responses(self, actor: Actor, round_id: UUID, reason: str | None, case_id: str | None = None
                      ) -> list[Response]:
        """Every response with reviewer identities, for an auditor or investigator; the read is recorded."""
        fb_round = self.ledger.load(FeedbackRound, round_id)
        require(self.policy.may_read_raw_responses(actor, round_id, case_id),
                "raw responses are for auditors and the investigator of an open grievance assigned to them; a case_id "
                "must name an open grievance whose evidence includes the round")
        self.ledger.record(actor, SensitiveRead.record("feedback_round.responses", round_id, reason, case_id))
        return sorted(fb_round.responses.values(), key=lambda r: r.submitted_at)

    def _close(self, actor: Actor, fb_round: FeedbackRound, reason: str, automatic: bool) -> FeedbackRound:
        fb_round.close(reason, automatic)
        slot = self.ledger.load(RoundSlot, RoundSlot.id_for(fb_round.reviewee_id, fb_round.period))
        slot.release(fb_round.id)
        self.ledger.record(actor, fb_round, slot, reason=reason)
        return fb_round

    def _accepting(self, actor: Actor, round_id: UUID, expected_version: int | None = None) -> FeedbackRound:
        """The round for a command that needs it open; one past its closing date is closed now (by the system,
        in this request's correlation) and the command refused, so no read before every command checks dates."""
        fb_round = self.ledger.load(FeedbackRound, round_id)
        if fb_round.is_due(self.today()):
            self._close(system_actor("closing-date", actor.correlation_id), fb_round,
                        f"closing date {fb_round.closes_on.isoformat()} passed", automatic=True)
            raise RoundClosed()
        if expected_version is not None and fb_round.version != expected_version:
            raise PreconditionFailed(f"version is {fb_round.version}, not {expected_version}",
                                     current_version=fb_round.version)
        return fb_round

    def _as_approver(self, actor: Actor, round_id: UUID, expected_version: int | None,
                     accepting: bool = False) -> FeedbackRound:
        fb_round = (self._accepting(actor, round_id, expected_version) if accepting
                    else self.ledger.load(FeedbackRound, round_id, expected_version))
        require(self.policy.may_manage_round(actor, fb_round.supervisor_id),
                "only the reviewee's supervisor or HR can do this")
        return fb_round

    def _candidate(self, reviewer_id: UUID, relationship: str) -> Candidate:
        try:
            reviewer = self.ledger.load(Employee, reviewer_id)
        except NotFound:
            raise NotFound(f"no employee {reviewer_id} to nominate") from None
        return Candidate(reviewer_id, relationship, reviewer.supervisor_id)

    def _employee(self, actor: Actor) -> UUID:
        require(self.policy.may_review(actor), "only employees review")
        assert actor.employee_id is not None
        return actor.employee_id


def report_of(fb_round: FeedbackRound) -> dict[str, Any]:
    """The report of a round in the state given (current or as of a moment)."""
    answers = [Answer(r.reviewer_id, r.relationship, r.ratings, r.comments) for r in fb_round.latest_responses()]
    report = build_report(fb_round.questions(), answers, fb_round.anonymity_threshold)
    report.update(round_id=str(fb_round.id), reviewee_id=str(fb_round.reviewee_id), period=fb_round.period,
                  question_set_version=fb_round.question_set["version"], rule_set_version=fb_round.rule_set_version,
                  as_of_version=fb_round.version, closed=not fb_round.is_open)
    return report
