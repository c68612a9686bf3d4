"""Mentoring assignments and recognition (penghargaan): both events on the employee's career record."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from uuid import UUID

from application.access_policy import AccessPolicy, require
from application.actor import Actor
from application.errors import Forbidden
from application.ledger import Ledger
from application.trainings import employee_named
from domain.award_proposal import AwardProposal
from domain.employee import Employee
from domain.mentoring import Mentoring, Session
from domain.recognition import Award


class MentoringService:
    """Assign a mentor (HR or the mentee's supervisor), log sessions, end with a summary."""

    def __init__(self, ledger: Ledger, today: Callable[[], date] = date.today):
        self.ledger = ledger
        self.today = today

    def mentoring(self, mentoring_id: UUID) -> Mentoring:
        """One assignment's current state."""
        return self.ledger.load(Mentoring, mentoring_id)

    def assign(self, actor: Actor, mentor_id: UUID, mentee_id: UUID, goals: list[str],
               starts_on: date | None = None) -> Mentoring:
        """Assign a mentor of a higher rank to a mentee, pinning both ranks."""
        mentee = employee_named(self.ledger, mentee_id, "mentee_id")
        require(AccessPolicy.may_assess_talent(actor, mentee.supervisor_id),
                "only the mentee's supervisor or HR assigns a mentor")
        mentor = employee_named(self.ledger, mentor_id, "mentor_id")
        mentoring = Mentoring.assign(mentor_id=mentor_id, mentor_rank=mentor.rank, mentee_id=mentee_id,
                                     mentee_rank=mentee.rank, goals=goals, starts_on=starts_on or self.today())
        self.ledger.record(actor, mentoring)
        return mentoring

    def log_session(self, actor: Actor, mentoring_id: UUID, held_on: date, note: str,
                    expected_version: int | None = None) -> Session:
        """The mentor, the mentee or HR logs a session."""
        mentoring = self.ledger.load(Mentoring, mentoring_id, expected_version)
        by = AccessPolicy.mentoring_part(actor, mentoring.mentor_id, mentoring.mentee_id)
        if by is None:
            raise Forbidden("only the mentor, the mentee or HR logs a session")
        session = mentoring.log_session(held_on, note, by, self.today())
        self.ledger.record(actor, mentoring)
        return session

    def end(self, actor: Actor, mentoring_id: UUID, summary: str, expected_version: int | None = None) -> Mentoring:
        """The mentor, the mentee's supervisor or HR ends the assignment with a summary."""
        mentoring = self.ledger.load(Mentoring, mentoring_id, expected_version)
        mentee = self.ledger.load(Employee, mentoring.mentee_id)
        require(AccessPolicy.may_end_mentoring(actor, mentoring.mentor_id, mentee.supervisor_id),
                "only the mentor, the mentee's supervisor or HR ends a mentoring assignment")
        mentoring.end(summary, self.today())
        self.ledger.record(actor, mentoring, reason=summary.strip())
        return mentoring


class RecognitionService:
    """Grant awards: the employee's supervisor or HR."""

    def __init__(self, ledger: Ledger, today: Callable[[], date] = date.today):
        self.ledger = ledger
        self.today = today

    def award(self, award_id: UUID) -> Award:
        """One award."""
        return self.ledger.load(Award, award_id)

    def grant(self, actor: Actor, employee_id: UUID, category: str, title: str, reason: str,
              awarded_on: date | None = None) -> Award:
        """Grant an award with its category and reason."""
        employee = employee_named(self.ledger, employee_id)
        require(AccessPolicy.may_assess_talent(actor, employee.supervisor_id),
                "only the employee's supervisor or HR grants an award")
        today = self.today()
        award = Award.grant(employee_id=employee_id, category=category, title=title, reason=reason,
                            awarded_on=awarded_on or today, granted_by_id=actor.employee_id, today=today)
        self.ledger.record(actor, award, reason=reason.strip())
        return award

    def proposal(self, proposal_id: UUID) -> AwardProposal:
        """One award proposal."""
        return self.ledger.load(AwardProposal, proposal_id)

    def grant_proposed(self, actor: Actor, proposal_id: UUID, title: str, reason: str,
                       awarded_on: date | None = None, expected_version: int | None = None) -> Award:
        """HR grants the award a Sangat Baik predicate proposed: the award and the proposal's grant in one write."""
        require(AccessPolicy.hr(actor), "HR grants or dismisses proposed awards")
        proposal = self.ledger.load(AwardProposal, proposal_id, expected_version)
        today = self.today()
        award = Award.grant(employee_id=proposal.employee_id, category=proposal.category, title=title, reason=reason,
                            awarded_on=awarded_on or today, granted_by_id=actor.employee_id, today=today)
        proposal.grant(award.id, reason)
        self.ledger.record(actor, award, proposal, reason=reason.strip())
        return award

    def dismiss_proposed(self, actor: Actor, proposal_id: UUID, reason: str,
                         expected_version: int | None = None) -> AwardProposal:
        """HR dismisses a proposed award with a reason."""
        require(AccessPolicy.hr(actor), "HR grants or dismisses proposed awards")
        proposal = self.ledger.load(AwardProposal, proposal_id, expected_version)
        proposal.dismiss(reason)
        self.ledger.record(actor, proposal, reason=reason.strip())
        return proposal

