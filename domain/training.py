"""Training completion (pengembangan kompetensi): recorded by the employee or HR, then verified or rejected by HR.

JP (jam pelajaran) is the unit of competency development: 1 JP = 45 minutes. A completion cannot claim more JP
than its dates allow: at most ``MAX_JP_PER_DAY`` per calendar day, counting the start and end days. Ten JP is
7.5 hours of lessons, a full training day of the national schools' timetables; a two-day course can claim at
most 20 JP. A completion counts towards the year of its end date (when the certificate is issued).
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime
from enum import StrEnum
from uuid import UUID

from eventsourcing.domain import Aggregate

from domain.errors import DomainError, StateConflict

MINUTES_PER_JP = 45
MAX_JP_PER_DAY = 10


class TrainingStatus(StrEnum):
    """Where a completion stands (the values are stored in read models and shown by the API: never change them)."""

    UNVERIFIED = "unverified"
    VERIFIED = "verified"
    REJECTED = "rejected"


OUTCOMES: tuple[str, ...] = (TrainingStatus.VERIFIED.value, TrainingStatus.REJECTED.value)
STATUSES: tuple[str, ...] = tuple(s.value for s in TrainingStatus)
MAX_TEXT = 200
MAX_CERTIFICATE = 100
MAX_REASON = 2000
WHITESPACE = re.compile(r"\s+")


class TrainingInvalid(DomainError):
    """One or more fields of the completion break a rule; ``errors`` names each."""

    def __init__(self, errors: dict[str, list[str]]):
        super().__init__("the training completion is not valid: " + ", ".join(sorted(errors)), errors=errors)


class AlreadyDecided(StateConflict):
    """A completion is verified or rejected once; the decision stays in the log."""

    def __init__(self, status: str):
        super().__init__(f"this training completion is already {status}", field="outcome", params={"status": status})


def max_jp(start: date, end: date) -> int:
    """The most JP the dates allow: ``MAX_JP_PER_DAY`` for each calendar day from start to end inclusive."""
    return ((end - start).days + 1) * MAX_JP_PER_DAY


def normalise_certificate(number: str) -> str:
    """The comparison key of a certificate number: Unicode-normalised (NFKC), upper case, without any whitespace.

    "sert 800/12/bpsdm" and "SERT800/12/BPSDM" are the same certificate; punctuation is kept, because
    "800/1/23" and "800/12/3" are different numbers.
    """
    return WHITESPACE.sub("", unicodedata.normalize("NFKC", number or "")).upper()


def check_completion(course: str, provider: str, jp: int, start: date, end: date, certificate_number: str,
                     today: date) -> dict[str, list[str]]:
    """Every problem with a completion's fields (empty when valid)."""
    errors: dict[str, list[str]] = {}

    def add(field: str, message: str) -> None:
        errors.setdefault(field, []).append(message)

    for field, value in (("course", course), ("provider", provider)):
        if not value or not value.strip():
            add(field, "must not be empty")
        elif len(value.strip()) > MAX_TEXT:
            add(field, f"must be at most {MAX_TEXT} characters")
    key = normalise_certificate(certificate_number)
    if not key or not any(ch.isalnum() for ch in key):
        add("certificate_number", "must contain at least one letter or digit")
    elif len(key) > MAX_CERTIFICATE:
        add("certificate_number", f"must be at most {MAX_CERTIFICATE} characters")
    if end > today:
        add("end_date", "must not be in the future")
    if end < start:
        add("end_date", "must be on or after start_date")
    if not isinstance(jp, int) or isinstance(jp, bool) or jp < 1:
        add("jp", "must be a whole number of at least 1")
    elif end >= start and jp > max_jp(start, end):
        days = (end - start).days + 1
        add("jp", f"at most {max_jp(start, end)} JP for {days} day{'s' if days > 1 else ''} "
                  f"({MAX_JP_PER_DAY} JP of {MINUTES_PER_JP} minutes a day)")
    return errors


class Training(Aggregate):
    """One training completion of one employee."""

    class Recorded(Aggregate.Created):
        employee_id: UUID
        course: str
        provider: str
        jp: int
        start_date: date
        end_date: date
        certificate_number: str
        certificate_key: str

    class Verified(Aggregate.Event):
        reason: str

        def apply(self, aggregate: Aggregate) -> None:
            """HR verified the completion."""
            assert isinstance(aggregate, Training)
            aggregate.status, aggregate.decision_reason, aggregate.decided_at = TrainingStatus.VERIFIED, self.reason, self.timestamp

    class Rejected(Aggregate.Event):
        reason: str

        def apply(self, aggregate: Aggregate) -> None:
            """HR rejected the completion."""
            assert isinstance(aggregate, Training)
            aggregate.status, aggregate.decision_reason, aggregate.decided_at = TrainingStatus.REJECTED, self.reason, self.timestamp

    def __init__(self, employee_id: UUID, course: str, provider: str, jp: int, start_date: date, end_date: date,
                 certificate_number: str, certificate_key: str):
        self.employee_id = employee_id
        self.course = course
        self.provider = provider
        self.jp = jp
        self.start_date = start_date
        self.end_date = end_date
        self.certificate_number = certificate_number
        self.certificate_key = certificate_key
        self.status = TrainingStatus.UNVERIFIED
        self.decision_reason: str | None = None
        self.decided_at: datetime | None = None

    @classmethod
    def record(cls, *, employee_id: UUID, course: str, provider: str, jp: int, start_date: date, end_date: date,
               certificate_number: str, today: date) -> Training:
        """Record a completion, unverified; refuse empty text, future or reversed dates and more JP than allowed."""
        errors = check_completion(course, provider, jp, start_date, end_date, certificate_number, today)
        if errors:
            raise TrainingInvalid(errors)
        return cls._create(
            cls.Recorded, employee_id=employee_id, course=course.strip(), provider=provider.strip(), jp=jp,
            start_date=start_date, end_date=end_date, certificate_number=certificate_number.strip(),
            certificate_key=normalise_certificate(certificate_number))

    @property
    def year(self) -> int:
        """The year the completion counts towards (its end date's)."""
        return self.end_date.year

    def decide(self, outcome: str, reason: str) -> None:
        """HR verifies or rejects the completion, once, with a reason."""
        if outcome not in OUTCOMES:
            raise DomainError(f"outcome must be one of {', '.join(OUTCOMES)}", field="outcome",
                              code="training_outcome_invalid")
        if not reason or not reason.strip():
            raise DomainError("reason must not be empty", field="reason", code="reason_required")
        if len(reason.strip()) > MAX_REASON:
            raise DomainError(f"reason must be at most {MAX_REASON} characters", field="reason", code="reason_too_long",
                              params={"max": MAX_REASON})
        if self.status != TrainingStatus.UNVERIFIED:
            raise AlreadyDecided(self.status)
        event = self.Verified if outcome == TrainingStatus.VERIFIED else self.Rejected
        self.trigger_event(event, reason=reason.strip())
