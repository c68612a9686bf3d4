"""Grievance aggregate: an employee's complaint about a promotion decision or an appraisal result, investigated.

Filed by the employee concerned, with grounds, within the filing window of the rule set (days after the decision or
the final result); HR assigns an investigator (an investigator token); the investigator records findings and the
outcome, upheld (with a remedy; a promotion case is reopened for reassessment and a new decision) or dismissed,
with reasons. One grievance per decision (or appraisal result): the id is derived from what it is about.
"""

from __future__ import annotations

from datetime import date, timedelta
from enum import StrEnum
from uuid import UUID

from eventsourcing.domain import Aggregate

from domain.errors import DomainError, StateConflict
from domain.ids import natural_id
from domain.text import collected_text

SUBJECTS: tuple[str, ...] = ("promotion_decision", "appraisal")
OUTCOMES: tuple[str, ...] = ("upheld", "dismissed")


class GrievanceStatus(StrEnum):
    """Where a grievance stands (stored values: never change them)."""

    FILED = "filed"
    INVESTIGATING = "investigating"
    UPHELD = "upheld"
    DISMISSED = "dismissed"


STATUSES: tuple[str, ...] = tuple(status.value for status in GrievanceStatus)
OPEN_STATUSES = frozenset({GrievanceStatus.FILED, GrievanceStatus.INVESTIGATING})
MAX_TEXT = 4000


class GrievanceInvalid(DomainError):
    """One or more fields break a rule; ``errors`` names each."""

    def __init__(self, errors: dict[str, list[str]]):
        super().__init__("the grievance is not valid: " + ", ".join(sorted(errors)), errors=errors)


class FilingWindowClosed(StateConflict):
    """The grievance came after the filing window."""

    def __init__(self, deadline: date):
        super().__init__(f"the filing window closed on {deadline.isoformat()}", field="subject_id",
                         params={"deadline": deadline})


class GrievanceClosed(StateConflict):
    """A concluded grievance takes no more steps."""

    def __init__(self, status: str):
        super().__init__(f"the grievance is already {status}", field="status", params={"status": status})


class NoInvestigator(StateConflict):
    """Findings come after HR assigns an investigator."""

    def __init__(self) -> None:
        super().__init__("HR has not assigned an investigator yet", field="investigator")


def deadline(decided_on: date, window_days: int) -> date:
    """The last day a grievance is accepted."""
    return decided_on + timedelta(days=window_days)


class Grievance(Aggregate):
    """One grievance and its investigation."""

    class Filed(Aggregate.Created):
        grievant_id: UUID
        subject: str
        subject_id: UUID
        subject_version: int
        decision_number: int | None
        grounds: str
        filed_on: date
        decided_on: date
        window_days: int
        rule_set_version: int

    class InvestigatorAssigned(Aggregate.Event):
        investigator_id: str
        investigator_name: str
        investigator_kind: str  # "person"; "principal" (a token or account id) in assignments before persons

        class_version = 2

        @staticmethod
        def upcast_v1_v2(state: dict[str, object]) -> None:
            """Assignments before persons named the investigator's token or account."""
            state["investigator_kind"] = "principal"

        def apply(self, aggregate: Aggregate) -> None:
            """The investigator takes the case."""
            assert isinstance(aggregate, Grievance)
            aggregate.investigator_id, aggregate.investigator_name = self.investigator_id, self.investigator_name
            aggregate.investigator_kind = self.investigator_kind
            aggregate.status = "investigating"

    class Concluded(Aggregate.Event):
        outcome: str
        findings: str
        reasons: str
        remedy: str | None
        concluded_on: date

        def apply(self, aggregate: Aggregate) -> None:
            """The investigation's outcome."""
            assert isinstance(aggregate, Grievance)
            aggregate.status, aggregate.findings, aggregate.reasons = self.outcome, self.findings, self.reasons
            aggregate.remedy, aggregate.concluded_on = self.remedy, self.concluded_on

    def __init__(self, grievant_id: UUID, subject: str, subject_id: UUID, subject_version: int,
                 decision_number: int | None, grounds: str, filed_on: date, decided_on: date, window_days: int,
                 rule_set_version: int):
        self.grievant_id = grievant_id
        self.subject = subject
        self.subject_id = subject_id
        self.subject_version = subject_version
        self.decision_number = decision_number
        self.grounds = grounds
        self.filed_on = filed_on
        self.decided_on = decided_on
        self.window_days = window_days
        self.rule_set_version = rule_set_version
        self.status = "filed"
        self.investigator_id: str | None = None
        self.investigator_name: str | None = None
        self.investigator_kind: str | None = None
        self.findings: str | None = None
        self.reasons: str | None = None
        self.remedy: str | None = None
        self.concluded_on: date | None = None

    @staticmethod
    def id_for(subject_id: UUID, decision_number: int | None) -> UUID:
        """One grievance per decision of a case, or per appraisal result."""
        return natural_id("grievance", f"{subject_id}:{decision_number or 0}")

    @classmethod
    def file(cls, *, grievant_id: UUID, subject: str, subject_id: UUID, subject_version: int,
             decision_number: int | None, grounds: str, today: date, decided_on: date, window_days: int,
             rule_set_version: int) -> Grievance:
        """File within ``window_days`` after ``decided_on`` (inclusive)."""
        errors: dict[str, list[str]] = {}
        if subject not in SUBJECTS:
            errors["subject"] = [f"must be one of {', '.join(SUBJECTS)}"]
        grounds = collected_text(grounds, "grounds", errors, MAX_TEXT)
        if errors:
            raise GrievanceInvalid(errors)
        if today > deadline(decided_on, window_days):
            raise FilingWindowClosed(deadline(decided_on, window_days))
        return cls._create(cls.Filed, id=cls.id_for(subject_id, decision_number), grievant_id=grievant_id,
                           subject=subject, subject_id=subject_id, subject_version=subject_version,
                           decision_number=decision_number, grounds=grounds, filed_on=today, decided_on=decided_on,
                           window_days=window_days, rule_set_version=rule_set_version)

    @property
    def is_open(self) -> bool:
        """True until concluded."""
        return self.status in OPEN_STATUSES

    @property
    def deadline(self) -> date:
        """The last day it could have been filed."""
        return deadline(self.decided_on, self.window_days)

    def assign(self, investigator_id: str, investigator_name: str) -> None:
        """HR assigns (or reassigns) the investigator, a person, while the grievance is open."""
        self._check_open()
        if investigator_id == self.investigator_id:
            raise GrievanceInvalid({"investigator_id": ["this investigator is already assigned"]})
        self.trigger_event(self.InvestigatorAssigned, investigator_id=investigator_id,
                           investigator_name=investigator_name, investigator_kind="person")

    def conclude(self, outcome: str, findings: str, reasons: str, remedy: str | None, today: date) -> None:
        """The investigator's findings and outcome: upheld (with a remedy) or dismissed, with reasons."""
        self._check_open()
        if self.investigator_id is None:
            raise NoInvestigator()
        errors: dict[str, list[str]] = {}
        if outcome not in OUTCOMES:
            errors["outcome"] = [f"must be one of {', '.join(OUTCOMES)}"]
        findings = collected_text(findings, "findings", errors, MAX_TEXT)
        reasons = collected_text(reasons, "reasons", errors, MAX_TEXT)
        if outcome == "upheld":
            remedy = collected_text(remedy, "remedy", errors, MAX_TEXT)
        elif remedy is not None:
            errors["remedy"] = ["only an upheld grievance has a remedy"]
        if errors:
            raise GrievanceInvalid(errors)
        self.trigger_event(self.Concluded, outcome=outcome, findings=findings, reasons=reasons, remedy=remedy,
                           concluded_on=today)

    def _check_open(self) -> None:
        if not self.is_open:
            raise GrievanceClosed(self.status)
