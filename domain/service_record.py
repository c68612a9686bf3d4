"""ServiceRecord aggregate: one per employee, the records promotion eligibility reads besides the career itself.

Education (the qualifications earned: level, institution, date), disciplinary penalties (hukuman disiplin: level,
start and end, decree number) and the civil-service exams passed (ujian dinas). HR records each as an event; an
assessment pins the record's version like any other input.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from uuid import UUID

from eventsourcing.domain import Aggregate

from domain.errors import DomainError
from domain.ids import natural_id
from domain.text import collected_text

# Highest to lowest is the reverse; D4 and S1 sit on one step (the same ceiling, PP 99/2000 art. 18).
LEVELS: tuple[str, ...] = ("SD", "SLTP", "SLTA", "D1", "D2", "D3", "D4", "S1", "S2", "S3")
LEVEL_STEP: dict[str, int] = {"SD": 0, "SLTP": 1, "SLTA": 2, "D1": 3, "D2": 4, "D3": 5, "D4": 6, "S1": 6, "S2": 7,
                              "S3": 8}
PENALTY_LEVELS: tuple[str, ...] = ("light", "medium", "heavy")  # ringan, sedang, berat (PP 94/2021)
EXAMS: tuple[str, ...] = ("tingkat_I", "tingkat_II")  # ujian dinas for I/d->II/a and II/d->III/a
MAX_TEXT = 200


class RecordInvalid(DomainError):
    """An entry of the service record breaks a rule; ``errors`` names each field."""

    def __init__(self, errors: dict[str, list[str]]):
        super().__init__("the service record entry is not valid: " + ", ".join(sorted(errors)), errors=errors)


@dataclass(frozen=True)
class Qualification:
    """A qualification earned."""

    level: str
    institution: str
    graduated_on: date


@dataclass(frozen=True)
class Penalty:
    """A disciplinary penalty with the days it is in force (both inclusive)."""

    level: str
    starts_on: date
    ends_on: date
    decree_number: str

    def in_force(self, day: date) -> bool:
        """True when the penalty runs on ``day``."""
        return self.starts_on <= day <= self.ends_on


@dataclass(frozen=True)
class ExamPass:
    """A civil-service exam passed."""

    exam: str
    passed_on: date
    certificate_number: str


def highest(qualifications: tuple[Qualification, ...] | list[Qualification], on: date) -> Qualification | None:
    """The highest qualification earned on or before ``on`` (the latest of equal steps)."""
    earned = [q for q in qualifications if q.graduated_on <= on]
    if not earned:
        return None
    return max(earned, key=lambda q: (LEVEL_STEP[q.level], q.graduated_on))


class ServiceRecord(Aggregate):
    """An employee's education, disciplinary penalties and civil-service exams."""

    class Opened(Aggregate.Created):
        employee_id: UUID

    class QualificationRecorded(Aggregate.Event):
        level: str
        institution: str
        graduated_on: date

        def apply(self, aggregate: Aggregate) -> None:
            """Add the qualification."""
            assert isinstance(aggregate, ServiceRecord)
            aggregate.qualifications.append(Qualification(self.level, self.institution, self.graduated_on))

    class PenaltyImposed(Aggregate.Event):
        level: str
        starts_on: date
        ends_on: date
        decree_number: str

        def apply(self, aggregate: Aggregate) -> None:
            """Add the penalty."""
            assert isinstance(aggregate, ServiceRecord)
            aggregate.penalties.append(Penalty(self.level, self.starts_on, self.ends_on, self.decree_number))

    class ExamPassed(Aggregate.Event):
        exam: str
        passed_on: date
        certificate_number: str

        def apply(self, aggregate: Aggregate) -> None:
            """Add the exam pass."""
            assert isinstance(aggregate, ServiceRecord)
            aggregate.exams.append(ExamPass(self.exam, self.passed_on, self.certificate_number))

    def __init__(self, employee_id: UUID):
        self.employee_id = employee_id
        self.qualifications: list[Qualification] = []
        self.penalties: list[Penalty] = []
        self.exams: list[ExamPass] = []

    @staticmethod
    def id_for(employee_id: UUID) -> UUID:
        """The record's id, derived from the employee's."""
        return natural_id("service-record", str(employee_id))

    @classmethod
    def open(cls, employee_id: UUID) -> ServiceRecord:
        """Open the employee's record (once)."""
        return cls._create(cls.Opened, id=cls.id_for(employee_id), employee_id=employee_id)

    def record_qualification(self, level: str, institution: str, graduated_on: date, today: date) -> None:
        """Record a qualification earned (level SD to S3, the institution, the date of graduation)."""
        errors: dict[str, list[str]] = {}
        if level not in LEVELS:
            errors["level"] = [f"must be one of {', '.join(LEVELS)}"]
        institution = collected_text(institution, "institution", errors, MAX_TEXT)
        if graduated_on > today:
            errors["graduated_on"] = ["must not be in the future"]
        if any(q.level == level and q.graduated_on == graduated_on for q in self.qualifications):
            errors["level"] = ["this qualification is already recorded"]
        if errors:
            raise RecordInvalid(errors)
        self.trigger_event(self.QualificationRecorded, level=level, institution=institution, graduated_on=graduated_on)

    def impose_penalty(self, level: str, starts_on: date, ends_on: date, decree_number: str) -> None:
        """Record a disciplinary penalty with the days it is in force and its decree."""
        errors: dict[str, list[str]] = {}
        if level not in PENALTY_LEVELS:
            errors["level"] = [f"must be one of {', '.join(PENALTY_LEVELS)}"]
        if ends_on < starts_on:
            errors["ends_on"] = ["must be on or after starts_on"]
        decree_number = collected_text(decree_number, "decree_number", errors, MAX_TEXT)
        if any(p.decree_number == decree_number for p in self.penalties):
            errors["decree_number"] = ["a penalty with this decree is already recorded"]
        if errors:
            raise RecordInvalid(errors)
        self.trigger_event(self.PenaltyImposed, level=level, starts_on=starts_on, ends_on=ends_on,
                           decree_number=decree_number)

    def pass_exam(self, exam: str, passed_on: date, certificate_number: str, today: date) -> None:
        """Record a civil-service exam passed (ujian dinas tingkat I or II)."""
        errors: dict[str, list[str]] = {}
        if exam not in EXAMS:
            errors["exam"] = [f"must be one of {', '.join(EXAMS)}"]
        if passed_on > today:
            errors["passed_on"] = ["must not be in the future"]
        certificate_number = collected_text(certificate_number, "certificate_number", errors, MAX_TEXT)
        if any(e.exam == exam for e in self.exams):
            errors["exam"] = ["this exam is already recorded as passed"]
        if errors:
            raise RecordInvalid(errors)
        self.trigger_event(self.ExamPassed, exam=exam, passed_on=passed_on, certificate_number=certificate_number)
