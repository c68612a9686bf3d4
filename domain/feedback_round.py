"""FeedbackRound aggregate: one 360 round for a reviewee and period, from nominations to closing."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import date, datetime
from enum import StrEnum
from typing import Any
from uuid import UUID, uuid4

from eventsourcing.domain import Aggregate

from domain.copying import command_copy
from domain.errors import DomainError, StateConflict
from domain.question_book import QuestionSet

RELATIONSHIPS: tuple[str, ...] = ("self", "supervisor", "peer", "subordinate")
ANONYMOUS: frozenset[str] = frozenset({"peer", "subordinate"})
PERIOD = re.compile(r"^(19|20)\d{2}(-Q[1-4])?$")
MAX_COMMENT = 2000


class NominationStatus(StrEnum):
    """Where a nomination stands (the values are stored in read models and shown by the API: never change them)."""

    PROPOSED = "proposed"
    APPROVED = "approved"
    REJECTED = "rejected"
    DECLINED = "declined"


ACTIVE = (NominationStatus.PROPOSED, NominationStatus.APPROVED)


class RoundStatus(StrEnum):
    """A round is open for nominations and answers until it closes (as the read models show it)."""

    OPEN = "open"
    CLOSED = "closed"


class InvalidPeriod(DomainError):
    """A period is a year (2026) or a quarter (2026-Q3)."""

    def __init__(self, period: str):
        super().__init__(f"period {period!r} must be a year like 2026 or a quarter like 2026-Q3", field="period",
                         params={"period": period})


class ClosingDateInPast(DomainError):
    """A round must close today or later."""

    def __init__(self) -> None:
        super().__init__("closes_on must be today or later", field="closes_on")


class NominationInvalid(DomainError):
    """One or more proposed reviewers break the nomination rules; ``errors`` says which and why."""

    def __init__(self, errors: dict[str, list[str]]):
        first = next(iter(errors.values()))[0]
        super().__init__(f"nominations refused: {first}", errors=errors)


class AnswersInvalid(DomainError):
    """The response misses required questions or has ratings off the scale; ``errors`` names them."""

    def __init__(self, errors: dict[str, list[str]]):
        super().__init__("the response is not complete or not valid: " + ", ".join(sorted(errors)), errors=errors)


class RoundClosed(StateConflict):
    """Nothing is accepted after a round closes."""

    def __init__(self) -> None:
        super().__init__("the round is closed", field="round")


class NotANominee(DomainError):
    """Only an approved nominee may respond; only the nominee may decline."""

    def __init__(self, detail: str = "you are not an approved reviewer in this round", code: str | None = None):
        super().__init__(detail, field="reviewer", code=code)


class IdempotencyKeyReused(DomainError):
    """The same Idempotency-Key came with a different request (the IETF draft's 422)."""

    def __init__(self) -> None:
        super().__init__("this Idempotency-Key was used for a different response; send a new key",
                         field="Idempotency-Key")


class UnknownNomination(DomainError):
    """The nomination id is not part of this round."""

    def __init__(self, nomination_id: UUID):
        super().__init__(f"no nomination {nomination_id} in this round", field="nomination_id")


class NominationStateConflict(StateConflict):
    """The nomination is not in a state that allows this step."""

    def __init__(self, detail: str, code: str):
        super().__init__(detail, field="nomination_id", code=code)


@dataclass(frozen=True)
class Candidate:
    """A proposed reviewer with the registry facts needed to check the relationship."""

    reviewer_id: UUID
    relationship: str
    reviewer_supervisor_id: UUID | None


@dataclass
class Nomination:
    """A reviewer's place in the round."""

    id: UUID
    reviewer_id: UUID
    relationship: str
    status: str
    proposed_by: str
    nominated_at: datetime
    reason: str | None = None
    response_id: UUID | None = None
    reminders: int = 0


@dataclass(frozen=True)
class Response:
    """One submitted response (a later one supersedes it)."""

    id: UUID
    nomination_id: UUID
    reviewer_id: UUID
    relationship: str
    ratings: dict[str, int]
    comments: dict[str, str]
    submitted_at: datetime
    supersedes: UUID | None
    idempotency_key: str | None


class FeedbackRound(Aggregate):
    """A 360-degree feedback round."""

    class Opened(Aggregate.Created):
        reviewee_id: UUID
        supervisor_id: UUID | None
        unit: str
        period: str
        question_set: dict[str, Any]
        closes_on: date
        rule_set_version: int
        anonymity_threshold: int
        min_peers: int
        max_peers: int

    class NominationProposed(Aggregate.Event):
        nomination_id: UUID
        reviewer_id: UUID
        relationship: str
        proposed_by: str

        def apply(self, aggregate: Aggregate) -> None:
            """Add the proposed nomination."""
            assert isinstance(aggregate, FeedbackRound)
            aggregate.nominations[self.nomination_id] = Nomination(
                self.nomination_id, self.reviewer_id, self.relationship, NominationStatus.PROPOSED, self.proposed_by,
                self.timestamp)

    class NominationAdded(Aggregate.Event):
        nomination_id: UUID
        reviewer_id: UUID
        relationship: str
        added_by: str

        def apply(self, aggregate: Aggregate) -> None:
            """Add an approved nomination (the supervisor's or HR's override)."""
            assert isinstance(aggregate, FeedbackRound)
            aggregate.nominations[self.nomination_id] = Nomination(
                self.nomination_id, self.reviewer_id, self.relationship, NominationStatus.APPROVED, self.added_by, self.timestamp)

    class NominationApproved(Aggregate.Event):
        nomination_id: UUID

        def apply(self, aggregate: Aggregate) -> None:
            """Approve."""
            assert isinstance(aggregate, FeedbackRound)
            aggregate.nominations[self.nomination_id].status = NominationStatus.APPROVED

    class NominationRejected(Aggregate.Event):
        nomination_id: UUID
        reason: str

        def apply(self, aggregate: Aggregate) -> None:
            """Reject."""
            assert isinstance(aggregate, FeedbackRound)
            nomination = aggregate.nominations[self.nomination_id]
            nomination.status, nomination.reason = NominationStatus.REJECTED, self.reason

    class NominationDeclined(Aggregate.Event):
        nomination_id: UUID
        reason: str

        def apply(self, aggregate: Aggregate) -> None:
            """The reviewer declined."""
            assert isinstance(aggregate, FeedbackRound)
            nomination = aggregate.nominations[self.nomination_id]
            nomination.status, nomination.reason = NominationStatus.DECLINED, self.reason

    class ResponseSubmitted(Aggregate.Event):
        response_id: UUID
        nomination_id: UUID
        reviewer_id: UUID
        relationship: str
        ratings: dict[str, int]
        comments: dict[str, str]
        supersedes: UUID | None
        idempotency_key: str | None

        def apply(self, aggregate: Aggregate) -> None:
            """Record the response; it supersedes the reviewer's earlier one."""
            assert isinstance(aggregate, FeedbackRound)
            response = Response(self.response_id, self.nomination_id, self.reviewer_id, self.relationship,
                                dict(self.ratings), dict(self.comments), self.timestamp, self.supersedes,
                                self.idempotency_key)
            aggregate.responses[self.response_id] = response
            aggregate.nominations[self.nomination_id].response_id = self.response_id

    class ReminderSent(Aggregate.Event):
        nomination_id: UUID
        reviewer_id: UUID

        def apply(self, aggregate: Aggregate) -> None:
            """Count the reminder."""
            assert isinstance(aggregate, FeedbackRound)
            aggregate.nominations[self.nomination_id].reminders += 1

    class Closed(Aggregate.Event):
        reason: str
        automatic: bool

        def apply(self, aggregate: Aggregate) -> None:
            """Close the round."""
            assert isinstance(aggregate, FeedbackRound)
            aggregate.closed_at = self.timestamp

    def __init__(self, reviewee_id: UUID, supervisor_id: UUID | None, unit: str, period: str,
                 question_set: dict[str, Any], closes_on: date, rule_set_version: int,
                 anonymity_threshold: int, min_peers: int, max_peers: int):
        self.reviewee_id = reviewee_id
        self.supervisor_id = supervisor_id
        self.unit = unit
        self.period = period
        self.question_set = question_set
        self.closes_on = closes_on
        self.rule_set_version = rule_set_version
        self.anonymity_threshold = anonymity_threshold
        self.min_peers = min_peers
        self.max_peers = max_peers
        self.nominations: dict[UUID, Nomination] = {}
        self.responses: dict[UUID, Response] = {}
        self.closed_at: datetime | None = None

    def __deepcopy__(self, memo: dict[int, Any]) -> FeedbackRound:
        """A copy that shares what no command changes (responses are frozen and their answers, like the pinned
        question set, are never changed after they are stored) and copies what one may (the nominations)."""
        return command_copy(self, memo, nominations={key: replace(n) for key, n in self.nominations.items()},
                            responses=dict(self.responses))

    @classmethod
    def open(cls, *, reviewee_id: UUID, supervisor_id: UUID | None, unit: str, period: str, questions: QuestionSet,
             closes_on: date, rule_set_version: int, feedback_rules: dict[str, int], today: date) -> FeedbackRound:
        """Open a round that pins its question set and the feedback rules in effect."""
        if not PERIOD.fullmatch(period or ""):
            raise InvalidPeriod(period)
        if closes_on < today:
            raise ClosingDateInPast()
        pinned = {"version": questions.version, "title": questions.title, "scale_min": questions.scale_min,
                  "scale_max": questions.scale_max, "anchors": questions.anchors, "questions": questions.questions}
        return cls._create(
            cls.Opened, reviewee_id=reviewee_id, supervisor_id=supervisor_id, unit=unit, period=period,
            question_set=pinned, closes_on=closes_on, rule_set_version=rule_set_version,
            anonymity_threshold=feedback_rules["anonymity_threshold"], min_peers=feedback_rules["min_peers"],
            max_peers=feedback_rules["max_peers"])

    @property
    def is_open(self) -> bool:
        """True until the round is closed."""
        return self.closed_at is None

    def questions(self) -> QuestionSet:
        """The pinned question set."""
        q = self.question_set
        return QuestionSet(q["version"], q["title"], q["scale_min"], q["scale_max"], q["anchors"], q["questions"])

    def propose(self, candidates: list[Candidate], proposed_by: str, today: date) -> list[UUID]:
        """Propose reviewers (reviewee or HR); the peer count must land between the minimum and maximum."""
        self._check_accepting(today)
        errors = self._check_candidates(candidates)
        new_peers = sum(1 for c in candidates if c.relationship == "peer")
        peers = self._active_count("peer") + new_peers
        if new_peers and peers < self.min_peers:
            errors.setdefault("nominations", []).append(f"propose at least {self.min_peers} peers (would have {peers})")
        if errors:
            raise NominationInvalid(errors)
        ids = []
        for c in candidates:
            ids.append(uuid4())
            self.trigger_event(self.NominationProposed, nomination_id=ids[-1], reviewer_id=c.reviewer_id,
                               relationship=c.relationship, proposed_by=proposed_by)
        return ids

    def add(self, candidates: list[Candidate], today: date, added_by: str = "supervisor") -> list[UUID]:
        """The supervisor (or HR) adds reviewers directly (override), approved at once; all or none."""
        self._check_accepting(today)
        errors = self._check_candidates(candidates)
        if errors:
            raise NominationInvalid(errors)
        ids = []
        for c in candidates:
            ids.append(uuid4())
            self.trigger_event(self.NominationAdded, nomination_id=ids[-1], reviewer_id=c.reviewer_id,
                               relationship=c.relationship, added_by=added_by)
        return ids

    def approve(self, nomination_id: UUID, today: date) -> None:
        """The supervisor approves a proposed reviewer."""
        self._check_accepting(today)
        if self._nomination(nomination_id).status != NominationStatus.PROPOSED:
            raise NominationStateConflict("only a proposed nomination can be approved", "nomination_not_proposed")
        self.trigger_event(self.NominationApproved, nomination_id=nomination_id)

    def reject(self, nomination_id: UUID, reason: str, today: date) -> None:
        """The supervisor rejects a reviewer who has not responded yet."""
        self._check_accepting(today)
        nomination = self._nomination(nomination_id)
        if nomination.status not in ACTIVE or nomination.response_id is not None:
            raise NominationStateConflict("only a pending nomination without a response can be rejected",
                                          "nomination_not_rejectable")
        self.trigger_event(self.NominationRejected, nomination_id=nomination_id, reason=_reason(reason))

    def decline(self, nomination_id: UUID, reviewer_id: UUID, reason: str, today: date) -> None:
        """The reviewer declines, with a reason."""
        self._check_accepting(today)
        nomination = self._nomination(nomination_id)
        if nomination.reviewer_id != reviewer_id:
            raise NotANominee("only the nominated reviewer can decline", "not_the_nominee")
        if nomination.status not in ACTIVE or nomination.response_id is not None:
            raise NominationStateConflict("only a pending nomination without a response can be declined",
                                          "nomination_not_declinable")
        self.trigger_event(self.NominationDeclined, nomination_id=nomination_id, reason=_reason(reason))

    def submit(self, reviewer_id: UUID, ratings: dict[str, Any], comments: dict[str, Any], today: date,
               idempotency_key: str | None = None) -> Response:
        """Submit (or resubmit, superseding) the reviewer's response; a repeated idempotency key returns the first."""
        if idempotency_key:
            for response in self.responses.values():
                if response.reviewer_id == reviewer_id and response.idempotency_key == idempotency_key:
                    check_same_request(response, ratings, comments)
                    return response
        self._check_accepting(today)
        nomination = self._approved_nomination_of(reviewer_id)
        check_answers(self.questions(), ratings, comments)
        response_id = uuid4()
        self.trigger_event(
            self.ResponseSubmitted, response_id=response_id, nomination_id=nomination.id, reviewer_id=reviewer_id,
            relationship=nomination.relationship, ratings=_stored_ratings(ratings), comments=_stored_comments(comments),
            supersedes=nomination.response_id, idempotency_key=idempotency_key)
        return self.responses[response_id]

    def remind(self, nomination_id: UUID, today: date) -> None:
        """Record that a pending reviewer was reminded (only while responses are still accepted)."""
        self._check_accepting(today)
        nomination = self._nomination(nomination_id)
        if nomination.status != NominationStatus.APPROVED or nomination.response_id is not None:
            raise NominationStateConflict("only an approved reviewer who has not responded can be reminded",
                                          "nomination_not_remindable")
        self.trigger_event(self.ReminderSent, nomination_id=nomination_id, reviewer_id=nomination.reviewer_id)

    def close(self, reason: str, automatic: bool = False) -> None:
        """Close the round; nothing more is accepted."""
        if not self.is_open:
            raise RoundClosed()
        self.trigger_event(self.Closed, reason=_reason(reason), automatic=automatic)

    def is_due(self, today: date) -> bool:
        """True when the closing date has passed but the round is still open."""
        return self.is_open and today > self.closes_on

    def latest_responses(self) -> list[Response]:
        """Each reviewer's current response (superseded ones excluded)."""
        current = {n.response_id for n in self.nominations.values() if n.response_id is not None}
        return [r for r in self.responses.values() if r.id in current]

    def latest_response_of(self, reviewer_id: UUID) -> Response | None:
        """A reviewer's current response, if they have answered."""
        mine = [r for r in self.latest_responses() if r.reviewer_id == reviewer_id]
        return mine[0] if mine else None

    def nomination_of(self, reviewer_id: UUID) -> Nomination | None:
        """The reviewer's active or latest nomination in this round."""
        found = [n for n in self.nominations.values() if n.reviewer_id == reviewer_id]
        active = [n for n in found if n.status in ACTIVE]
        chosen = active or found
        return chosen[-1] if chosen else None

    def _check_accepting(self, today: date) -> None:
        if not self.is_open or today > self.closes_on:
            raise RoundClosed()

    def _nomination(self, nomination_id: UUID) -> Nomination:
        try:
            return self.nominations[nomination_id]
        except KeyError:
            raise UnknownNomination(nomination_id) from None

    def _approved_nomination_of(self, reviewer_id: UUID) -> Nomination:
        nomination = self.nomination_of(reviewer_id)
        if nomination is None or nomination.status != NominationStatus.APPROVED:
            raise NotANominee()
        return nomination

    def _active_count(self, relationship: str) -> int:
        return sum(1 for n in self.nominations.values() if n.relationship == relationship and n.status in ACTIVE)

    def _check_candidates(self, candidates: list[Candidate]) -> dict[str, list[str]]:
        errors: dict[str, list[str]] = {}
        active = {n.reviewer_id for n in self.nominations.values() if n.status in ACTIVE}
        seen: set[UUID] = set()
        for i, c in enumerate(candidates):
            problem = relationship_problem(self.reviewee_id, self.supervisor_id, c)
            if problem is None and (c.reviewer_id in active or c.reviewer_id in seen):
                problem = "this reviewer is already nominated in this round"
            if problem:
                errors[f"nominations[{i}]"] = [problem]
            seen.add(c.reviewer_id)
        for single in ("self", "supervisor"):
            if self._active_count(single) + sum(1 for c in candidates if c.relationship == single) > 1:
                errors.setdefault("nominations", []).append(f"a round has at most one {single} reviewer")
        peers = self._active_count("peer") + sum(1 for c in candidates if c.relationship == "peer")
        if peers > self.max_peers:
            errors.setdefault("nominations", []).append(f"at most {self.max_peers} peers (would have {peers})")
        return errors


def relationship_problem(reviewee_id: UUID, supervisor_id: UUID | None, c: Candidate) -> str | None:
    """Why a candidate's relationship contradicts the registry (None when consistent)."""
    if c.relationship not in RELATIONSHIPS:
        return f"relationship must be one of {', '.join(RELATIONSHIPS)}"
    is_reviewee = c.reviewer_id == reviewee_id
    if c.relationship == "self":
        return None if is_reviewee else "only the reviewee can be the self reviewer"
    if is_reviewee:
        return f"the reviewee cannot be their own {c.relationship} reviewer"
    if c.relationship == "supervisor":
        return None if c.reviewer_id == supervisor_id else "the supervisor reviewer must be the reviewee's supervisor"
    if c.relationship == "subordinate":
        return None if c.reviewer_supervisor_id == reviewee_id else "a subordinate reviewer must report to the reviewee"
    if c.reviewer_id == supervisor_id:
        return "the reviewee's supervisor reviews as supervisor, not as peer"
    if c.reviewer_supervisor_id == reviewee_id:
        return "someone who reports to the reviewee reviews as subordinate, not as peer"
    return None


def check_answers(questions: QuestionSet, ratings: dict[str, Any], comments: dict[str, Any]) -> None:
    """Every required question answered, every rating a whole number on the scale, no unknown questions."""
    errors: dict[str, list[str]] = {}
    rating_ids, text_ids = set(questions.rating_ids()), set(questions.text_ids())
    for qid in questions.required_ids():
        answered = ratings.get(qid) if qid in rating_ids else comments.get(qid)
        if answered is None or (isinstance(answered, str) and not answered.strip()):
            errors.setdefault(f"ratings.{qid}" if qid in rating_ids else f"comments.{qid}", []).append(
                "required question not answered")
    for qid, value in ratings.items():
        if qid not in rating_ids:
            errors.setdefault(f"ratings.{qid}", []).append("unknown rating question")
        elif value is not None and (not isinstance(value, int) or isinstance(value, bool)
                                    or not questions.scale_min <= value <= questions.scale_max):
            errors.setdefault(f"ratings.{qid}", []).append(
                f"must be a whole number from {questions.scale_min} to {questions.scale_max}")
    for qid, value in comments.items():
        if qid not in text_ids:
            errors.setdefault(f"comments.{qid}", []).append("unknown comment question")
        elif value is not None and (not isinstance(value, str) or len(value) > MAX_COMMENT):
            errors.setdefault(f"comments.{qid}", []).append(f"must be text of at most {MAX_COMMENT} characters")
    if errors:
        raise AnswersInvalid(errors)


def _reason(reason: str) -> str:
    if not reason or not reason.strip():
        raise DomainError("reason must not be empty", field="reason", code="reason_required")
    return reason.strip()


def _stored_ratings(ratings: dict[str, Any]) -> dict[str, int]:
    """Ratings as a response stores them (unanswered ones dropped)."""
    return {k: int(v) for k, v in ratings.items() if v is not None}


def _stored_comments(comments: dict[str, Any]) -> dict[str, str]:
    """Comments as a response stores them (trimmed, empty ones dropped)."""
    return {k: str(v).strip() for k, v in comments.items() if v and str(v).strip()}


def check_same_request(response: Response, ratings: dict[str, Any], comments: dict[str, Any]) -> None:
    """A retried key must carry the request it was first sent with (compared as stored)."""
    try:
        same = _stored_ratings(ratings) == response.ratings and _stored_comments(comments) == response.comments
    except (TypeError, ValueError):
        same = False
    if not same:
        raise IdempotencyKeyReused()
