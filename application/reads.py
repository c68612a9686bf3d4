"""Recorded reads of protected data: who read what, when, why and under which case."""

from __future__ import annotations

from uuid import UUID

from application.actor import Actor
from application.ledger import Ledger
from domain.sensitive_read import SensitiveRead


class ReadLog:
    """Records sensitive reads as events (a read without a reason is refused)."""

    def __init__(self, ledger: Ledger):
        self.ledger = ledger

    def record(self, actor: Actor, subject: str, subject_id: UUID, reason: str | None, case_id: str | None = None
               ) -> UUID:
        """Record one read; return the record's id."""
        read = SensitiveRead.record(subject, subject_id, reason, case_id)
        self.ledger.record(actor, read, reason=reason)
        return read.id
