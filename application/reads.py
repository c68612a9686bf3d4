"""Recorded reads of protected data: who read what, when, why and under which case."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from uuid import UUID

from application.actor import Actor
from application.errors import NotFound
from application.ledger import Ledger, event_meta, event_timestamp
from domain.sensitive_read import SensitiveRead

# How long a page may show again what a recorded read opened (a reload, a PDF of the same file) without a new
# record: the reader's sitting, not their whole session.
READ_VALID = timedelta(hours=1)


def recorded_read(ledger: Ledger, actor: Actor, read_id: UUID | None, subjects: tuple[str, ...], subject_id: UUID
                  ) -> bool:
    """Whether ``read_id`` is this actor's recorded read, within the last hour, of ``subject_id`` as one of
    ``subjects``: then showing the same record again is part of that read and is not recorded anew."""
    if read_id is None:
        return False
    try:
        first = ledger.history(read_id)[0]
    except NotFound:
        return False
    return (isinstance(first, SensitiveRead.Recorded) and first.subject in subjects and first.subject_id == subject_id
            and event_meta(first).get("actor_id") == actor.id
            and datetime.now(UTC) - event_timestamp(first) <= READ_VALID)


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

    def recorded(self, actor: Actor, read_id: UUID | None, subjects: tuple[str, ...], subject_id: UUID) -> bool:
        """Whether ``read_id`` is the actor's recent recorded read of the subject (see ``recorded_read``)."""
        return recorded_read(self.ledger, actor, read_id, subjects, subject_id)
