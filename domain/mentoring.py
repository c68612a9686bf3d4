"""Mentoring: a more senior employee (a higher rank) guides a mentee towards stated goals.

The assignment pins both ranks as they stood when it was made; sessions are logged with their date and a short
note; the assignment ends once, with a summary.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from uuid import UUID, uuid4

from eventsourcing.domain import Aggregate

from domain.errors import DomainError, StateConflict
from domain.ranks import rank_index

MAX_GOALS = 10
MAX_GOAL = 500
MAX_NOTE = 1000
MAX_SUMMARY = 2000


class MentoringInvalid(DomainError):
    """The assignment or session breaks a rule; ``errors`` names each field."""

    def __init__(self, errors: dict[str, list[str]]):
        super().__init__("the mentoring request is not valid: " + ", ".join(sorted(errors)), errors=errors)


class MentoringEnded(StateConflict):
    """Nothing is logged on an assignment that has ended, and it ends only once."""

    def __init__(self) -> None:
        super().__init__("this mentoring assignment has ended", field="mentoring")


@dataclass(frozen=True)
class Session:
    """One logged mentoring session."""

    id: UUID
    held_on: date
    note: str
    logged_by: str
    logged_at: datetime


class Mentoring(Aggregate):
    """One mentor-mentee assignment."""

    class Assigned(Aggregate.Created):
        mentor_id: UUID
        mentee_id: UUID
        mentor_rank: str
        mentee_rank: str
        goals: list[str]
        starts_on: date

    class SessionLogged(Aggregate.Event):
        session_id: UUID
        held_on: date
        note: str
        logged_by: str

        def apply(self, aggregate: Aggregate) -> None:
            """Add the session."""
            assert isinstance(aggregate, Mentoring)
            aggregate.sessions.append(Session(self.session_id, self.held_on, self.note, self.logged_by,
                                              self.timestamp))

    class Ended(Aggregate.Event):
        summary: str
        ended_on: date

        def apply(self, aggregate: Aggregate) -> None:
            """Close the assignment."""
            assert isinstance(aggregate, Mentoring)
            aggregate.summary, aggregate.ended_on = self.summary, self.ended_on

    def __init__(self, mentor_id: UUID, mentee_id: UUID, mentor_rank: str, mentee_rank: str, goals: list[str],
                 starts_on: date):
        self.mentor_id = mentor_id
        self.mentee_id = mentee_id
        self.mentor_rank = mentor_rank
        self.mentee_rank = mentee_rank
        self.goals = list(goals)
        self.starts_on = starts_on
        self.sessions: list[Session] = []
        self.summary: str | None = None
        self.ended_on: date | None = None

    @classmethod
    def assign(cls, *, mentor_id: UUID, mentor_rank: str, mentee_id: UUID, mentee_rank: str, goals: list[str],
               starts_on: date) -> Mentoring:
        """Assign a mentor of a higher rank than the mentee, with at least one goal."""
        errors: dict[str, list[str]] = {}
        if mentor_id == mentee_id:
            errors["mentor_id"] = ["nobody mentors themself"]
        elif rank_index(mentor_rank) <= rank_index(mentee_rank):
            errors["mentor_id"] = [f"the mentor must hold a higher rank than the mentee "
                                   f"(mentor {mentor_rank}, mentee {mentee_rank})"]
        cleaned = [g.strip() for g in goals if isinstance(g, str) and g.strip()]
        if not cleaned or len(cleaned) != len(goals):
            errors["goals"] = ["give at least one goal, none of them empty"]
        elif len(cleaned) > MAX_GOALS:
            errors["goals"] = [f"at most {MAX_GOALS} goals"]
        elif any(len(g) > MAX_GOAL for g in cleaned):
            errors["goals"] = [f"each goal must be at most {MAX_GOAL} characters"]
        if errors:
            raise MentoringInvalid(errors)
        return cls._create(cls.Assigned, mentor_id=mentor_id, mentee_id=mentee_id, mentor_rank=mentor_rank,
                           mentee_rank=mentee_rank, goals=cleaned, starts_on=starts_on)

    @property
    def is_active(self) -> bool:
        """True until the assignment ends."""
        return self.ended_on is None

    def log_session(self, held_on: date, note: str, logged_by: str, today: date) -> Session:
        """Log a session held between the start of the assignment and today."""
        self._check_active()
        errors: dict[str, list[str]] = {}
        if held_on > today:
            errors["held_on"] = ["must not be in the future"]
        elif held_on < self.starts_on:
            errors["held_on"] = [f"must be on or after the start of the assignment ({self.starts_on.isoformat()})"]
        if not note or not note.strip():
            errors["note"] = ["must not be empty"]
        elif len(note.strip()) > MAX_NOTE:
            errors["note"] = [f"must be at most {MAX_NOTE} characters"]
        if errors:
            raise MentoringInvalid(errors)
        self.trigger_event(self.SessionLogged, session_id=uuid4(), held_on=held_on, note=note.strip(),
                           logged_by=logged_by)
        return self.sessions[-1]

    def end(self, summary: str, today: date) -> None:
        """End the assignment with a summary of what was achieved."""
        self._check_active()
        if not summary or not summary.strip():
            raise MentoringInvalid({"summary": ["must not be empty"]})
        if len(summary.strip()) > MAX_SUMMARY:
            raise MentoringInvalid({"summary": [f"must be at most {MAX_SUMMARY} characters"]})
        self.trigger_event(self.Ended, summary=summary.strip(), ended_on=today)

    def _check_active(self) -> None:
        if not self.is_active:
            raise MentoringEnded()
