"""SensitiveRead: a recorded read of protected data (raw 360 responses, another employee's full record)."""

from __future__ import annotations

from uuid import UUID

from eventsourcing.domain import Aggregate

from domain.errors import DomainError


class ReasonForReadRequired(DomainError):
    """Sensitive data is read only with a stated reason."""

    def __init__(self) -> None:
        super().__init__("state why you read this (reason), e.g. the case you investigate", field="reason")


class SensitiveRead(Aggregate):
    """Who read what, why, and under which case."""

    class Recorded(Aggregate.Created):
        subject: str
        subject_id: UUID
        reason: str
        case_id: str | None

    def __init__(self, subject: str, subject_id: UUID, reason: str, case_id: str | None):
        self.subject = subject
        self.subject_id = subject_id
        self.reason = reason
        self.case_id = case_id

    @classmethod
    def record(cls, subject: str, subject_id: UUID, reason: str | None, case_id: str | None = None) -> SensitiveRead:
        """Record a read; refuse one without a reason."""
        if not reason or not reason.strip():
            raise ReasonForReadRequired()
        return cls._create(cls.Recorded, subject=subject, subject_id=subject_id, reason=reason.strip(),
                           case_id=case_id)
