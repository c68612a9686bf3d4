"""Talent reads: potential assessments, mentoring assignments and awards, as the actor may see them."""

from __future__ import annotations

from collections.abc import Set as AbstractSet
from typing import Any, Protocol
from uuid import UUID

from application.access_policy import AccessPolicy
from application.actor import Actor
from application.queries.trainings import readable, readable_record


class TalentRecordsReadModel(Protocol):
    """The talent read model's potential assessments, mentoring assignments and awards."""

    def potential_assessments(self, employee_id: UUID | None, limit: int, visible_to: AbstractSet[UUID] | None = None,
                              cursor: str | None = None) -> Any:
        """Potential assessments, latest first (with a ``cursor``: one Page)."""

    def potential_assessment(self, assessment_id: UUID) -> dict[str, Any] | None:
        """One potential assessment."""

    def mentorings(self, employee_id: UUID | None, status: str | None, limit: int, viewer: UUID | None = None,
                   visible_to: AbstractSet[UUID] | None = None, cursor: str | None = None) -> Any:
        """Assignments, latest first (with a ``cursor``: one Page)."""

    def mentoring(self, mentoring_id: UUID) -> dict[str, Any] | None:
        """One assignment with its sessions."""

    def awards(self, employee_id: UUID | None, limit: int, visible_to: AbstractSet[UUID] | None = None,
               cursor: str | None = None) -> Any:
        """Awards, latest first (with a ``cursor``: one Page)."""

    def award(self, award_id: UUID) -> dict[str, Any] | None:
        """One award."""


class TalentQueries:
    """Potentials, mentoring and awards as the actor may read them (AccessPolicy.record_scope, may_read_record,
    may_read_mentoring)."""

    def __init__(self, view: TalentRecordsReadModel, policy: AccessPolicy):
        self.view = view
        self.policy = policy

    def potential_assessments(self, actor: Actor, employee_id: UUID | None, limit: int, cursor: str) -> Any:
        """Potential assessments of those whose record the actor reads, latest first (one Page after ``cursor``)."""
        return self.view.potential_assessments(employee_id, limit, self.policy.record_scope(actor), cursor)

    def potential_assessment(self, actor: Actor, assessment_id: UUID) -> dict[str, Any]:
        """One potential assessment the actor may read (404 unknown, 403 someone else's)."""
        return readable_record(self.policy, actor, self.view.potential_assessment(assessment_id),
                               f"no potential assessment {assessment_id}", "potential assessments")

    def mentorings(self, actor: Actor, employee_id: UUID | None, status: str | None, limit: int,
                   cursor: str) -> Any:
        """Assignments the actor may read: as mentor, or of mentees whose record they read (one Page)."""
        return self.view.mentorings(employee_id, status, limit, viewer=actor.employee_id,
                                    visible_to=self.policy.record_scope(actor), cursor=cursor)

    def mentoring(self, actor: Actor, mentoring_id: UUID) -> dict[str, Any]:
        """One assignment with its sessions: the mentor, the mentee and those who read the mentee's record."""
        return readable(self.view.mentoring(mentoring_id), f"no mentoring assignment {mentoring_id}",
                        lambda row: self.policy.may_read_mentoring(actor, row["mentor_id"], row["mentee_id"]),
                        "a mentoring assignment is for the mentor, the mentee, their supervisors, HR and auditors")

    def awards(self, actor: Actor, employee_id: UUID | None, limit: int, cursor: str) -> Any:
        """Awards of those whose record the actor reads, latest first (one Page after ``cursor``)."""
        return self.view.awards(employee_id, limit, self.policy.record_scope(actor), cursor)

    def award(self, actor: Actor, award_id: UUID) -> dict[str, Any]:
        """One award the actor may read (404 unknown, 403 someone else's)."""
        return readable_record(self.policy, actor, self.view.award(award_id), f"no award {award_id}", "awards")
