"""The mail outbox: which events cause a message to whom (stored with the event), and delivering them.

Messages are derived from the events by a write policy of the ledger (``Ledger.write_policies``): the recorder
stores the outbox rows in the same database transaction as the events that cause them, so a message exists exactly
when its event does (never lost, never a message for an event that was rolled back). Each row names its event by
log position; `jejak mail send` renders it in the recipient's language at delivery time (to the address the
recipient has then), sends it, and records the delivery or the failure with a backoff before the next try.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any, Protocol
from uuid import UUID

from eventsourcing.domain import DomainEventProtocol

from application.errors import NotFound
from domain.appraisal import Appraisal
from domain.employee import Employee
from domain.feedback_round import FeedbackRound
from domain.grievance import Grievance

OFFICE = "office:hr"  # the HR office's shared mailbox (JEJAK_MAIL_HR)
MAX_ATTEMPTS = 8
FIRST_RETRY = timedelta(minutes=1)
LAST_RETRY = timedelta(hours=6)


@dataclass(frozen=True)
class Message:
    """One message an event causes: its kind, to whom (``employee:<id>`` or the office) and what it is about."""

    kind: str
    recipient: str
    params: dict[str, str] = field(default_factory=dict)


def employee(employee_id: UUID | None) -> str | None:
    """The recipient key of an employee."""
    return f"employee:{employee_id}" if employee_id is not None else None


def _round_messages(e: object, agg: Any) -> list[Message]:
    if not isinstance(agg, FeedbackRound):
        return []
    about = {"round_id": str(agg.id), "reviewee_id": str(agg.reviewee_id), "period": agg.period,
             "closes_on": agg.closes_on.isoformat()}
    if isinstance(e, FeedbackRound.NominationProposed):
        to = employee(agg.supervisor_id)
        return [Message("nomination_awaiting_approval", to, about)] if to else []
    if isinstance(e, FeedbackRound.NominationAdded | FeedbackRound.NominationApproved):
        reviewer = agg.nominations[e.nomination_id].reviewer_id
        return [Message("review_requested", f"employee:{reviewer}", about)]
    if isinstance(e, FeedbackRound.ReminderSent):
        return [Message("review_reminder", f"employee:{e.reviewer_id}", about)]
    return []


def _appraisal_messages(e: object, agg: Any) -> list[Message]:
    if not isinstance(agg, Appraisal):
        return []
    about = {"appraisal_id": str(agg.id), "employee_id": str(agg.employee_id), "period": agg.period}
    if isinstance(e, Appraisal.ObjectionFiled):
        return [Message("objection_filed", f"employee:{e.decider_id}", about)]
    if isinstance(e, Appraisal.ObjectionDecided):
        return [Message("objection_decided", f"employee:{agg.employee_id}", {**about, "outcome": e.outcome})]
    return []


def _grievance_messages(e: object, agg: Any) -> list[Message]:
    if not isinstance(agg, Grievance):
        return []
    about = {"grievance_id": str(agg.id), "grievant_id": str(agg.grievant_id), "subject": agg.subject}
    grievant = f"employee:{agg.grievant_id}"
    if isinstance(e, Grievance.Filed):
        return [Message("grievance_filed", OFFICE, about), Message("grievance_received", grievant, about)]
    if isinstance(e, Grievance.InvestigatorAssigned):
        return [Message("grievance_assigned", grievant, {**about, "investigator": e.investigator_name}),
                Message("grievance_assigned", OFFICE, {**about, "investigator": e.investigator_name})]
    if isinstance(e, Grievance.Concluded):
        return [Message("grievance_concluded", grievant, {**about, "outcome": e.outcome}),
                Message("grievance_concluded", OFFICE, {**about, "outcome": e.outcome})]
    return []


_BY_AGGREGATE: tuple[Callable[[object, Any], list[Message]], ...] = (
    _round_messages, _appraisal_messages, _grievance_messages)


def messages_for(events: Sequence[DomainEventProtocol[UUID]], aggregates: Mapping[UUID, Any]
                 ) -> list[tuple[int, Message]]:
    """The messages these events cause, each with the index of its event; one per recipient and kind per
    aggregate in one write (three proposed reviewers make one "awaiting approval" message, not three)."""
    found: list[tuple[int, Message]] = []
    seen: set[tuple[UUID, str, str]] = set()
    for index, event in enumerate(events):
        agg = aggregates.get(event.originator_id)
        for rule in _BY_AGGREGATE:
            for message in rule(event, agg):
                key = (event.originator_id, message.kind, message.recipient)
                if key not in seen:
                    seen.add(key)
                    found.append((index, message))
    return found


def outbox_policy(events: Sequence[DomainEventProtocol[UUID]], aggregates: Mapping[UUID, Any]) -> dict[str, Any]:
    """The ledger write policy: the recorder stores ``outbox`` rows with the events."""
    messages = messages_for(events, aggregates)
    return {"outbox": messages} if messages else {}


# --- delivery ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Pending:
    """An outbox row due for delivery."""

    id: int
    position: int
    kind: str
    recipient: str
    params: dict[str, str]
    attempts: int
    created_at: datetime


@dataclass(frozen=True)
class Address:
    """Where and in which language a recipient reads mail (``email`` None: no address yet)."""

    email: str | None
    language: str
    name: str


@dataclass(frozen=True)
class Mail:
    """A rendered message."""

    to: str
    subject: str
    body: str
    message_id: str


class OutboxStore(Protocol):
    """The outbox table: claim due rows, record what happened to them."""

    def claim_due(self, now: datetime, limit: int) -> list[Pending]:
        """Rows due now, marked as being sent (so a second sender skips them)."""

    def mark_sent(self, row_id: int, address: str, subject: str, at: datetime) -> None:
        """Record a delivery."""

    def mark_failed(self, row_id: int, attempts: int, error: str, retry_at: datetime | None) -> None:
        """Record a failed try; ``retry_at`` None gives up."""

    def hold(self, row_id: int, reason: str) -> None:
        """Keep the row pending without counting a try (e.g. no address yet)."""


class Mailer(Protocol):
    """Something that sends a rendered message (SMTP in production)."""

    def send(self, mail: Mail) -> None:
        """Send, or raise on failure."""


class Directory(Protocol):
    """Names and addresses of recipients, from the event store."""

    def address(self, recipient: str) -> Address:
        """Where a recipient reads mail."""

    def name(self, employee_id: str) -> str:
        """An employee's name."""


@dataclass(frozen=True)
class Delivery:
    """What one `jejak mail send` did."""

    sent: int = 0
    failed: int = 0
    held: int = 0
    gave_up: int = 0


def backoff(attempts: int) -> timedelta:
    """Wait before the next try: one minute, doubling per failed try, at most six hours."""
    return min(FIRST_RETRY * (2 ** max(attempts - 1, 0)), LAST_RETRY)


class MailService:
    """Delivers due outbox rows through a mailer, recording each delivery or failure."""

    def __init__(self, store: OutboxStore, directory: Directory, render: Callable[[Pending, Address, Directory], Mail]):
        self.store, self.directory, self.render = store, directory, render

    def send_due(self, mailer: Mailer, now: datetime | None = None, limit: int = 500,
                 progress: Callable[[int], None] | None = None) -> Delivery:
        """Send every due message once; a failure waits (backoff) for a later run, up to MAX_ATTEMPTS tries."""
        now = now or datetime.now(UTC)
        sent = failed = held = gave_up = 0
        for row in self.store.claim_due(now, limit):
            try:
                address = self.directory.address(row.recipient)
            except NotFound:
                self.store.mark_failed(row.id, row.attempts, f"no recipient {row.recipient}", None)
                gave_up += 1
                continue
            if address.email is None:
                self.store.hold(row.id, "no e-mail address yet")
                held += 1
                continue
            mail = self.render(row, address, self.directory)
            try:
                mailer.send(mail)
            except Exception as e:  # noqa: BLE001 - any transport failure is recorded and retried later
                attempts = row.attempts + 1
                retry = now + backoff(attempts) if attempts < MAX_ATTEMPTS else None
                self.store.mark_failed(row.id, attempts, f"{type(e).__name__}: {e}"[:500], retry)
                failed, gave_up = failed + (retry is not None), gave_up + (retry is None)
            else:
                self.store.mark_sent(row.id, mail.to, mail.subject, datetime.now(UTC))
                sent += 1
            if progress:
                progress(1)
        return Delivery(sent, failed, held, gave_up)


class LedgerDirectory:
    """Recipients' addresses and names read from the event store (today's address, not the one at the event)."""

    def __init__(self, load_employee: Callable[[UUID], Employee], office_email: str | None, office_language: str):
        self.load_employee, self.office_email, self.office_language = load_employee, office_email, office_language

    def address(self, recipient: str) -> Address:
        """The employee's current address and language, or the HR office's mailbox."""
        if recipient == OFFICE:
            return Address(self.office_email, self.office_language, "BKPSDM")
        kind, _, value = recipient.partition(":")
        if kind != "employee":
            raise NotFound(f"no recipient {recipient}")
        person = self.load_employee(UUID(value))
        return Address(person.email, person.language, person.name)

    def name(self, employee_id: str) -> str:
        """An employee's name (the id when unknown)."""
        try:
            return self.load_employee(UUID(employee_id)).name
        except (NotFound, ValueError):
            return employee_id


def as_date(value: str) -> date:
    """A date parameter."""
    return date.fromisoformat(value)
