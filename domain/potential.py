"""Potential assessment (penilaian potensi): one assessor's judgement of an employee's potential, with its basis.

Each assessment is its own event; a later one (by assessment date, then by log order) supersedes the earlier
for the talent grid, and the earlier one stays in the log.
"""

from __future__ import annotations

from datetime import date
from uuid import UUID

from eventsourcing.domain import Aggregate

from domain.errors import DomainError

LEVELS: tuple[str, ...] = ("low", "middle", "high")
LEVEL_NAMES: dict[str, str] = {"low": "rendah", "middle": "menengah", "high": "tinggi"}
MAX_BASIS = 2000


class PotentialInvalid(DomainError):
    """The assessment breaks a rule; ``errors`` names each field."""

    def __init__(self, errors: dict[str, list[str]]):
        super().__init__("the potential assessment is not valid: " + ", ".join(sorted(errors)), errors=errors)


class PotentialAssessment(Aggregate):
    """One potential assessment of one employee."""

    class Assessed(Aggregate.Created):
        employee_id: UUID
        level: str
        basis: str
        assessed_on: date
        assessor_id: UUID | None
        assessor_name: str

    def __init__(self, employee_id: UUID, level: str, basis: str, assessed_on: date, assessor_id: UUID | None,
                 assessor_name: str):
        self.employee_id = employee_id
        self.level = level
        self.basis = basis
        self.assessed_on = assessed_on
        self.assessor_id = assessor_id
        self.assessor_name = assessor_name

    @classmethod
    def assess(cls, *, employee_id: UUID, level: str, basis: str, assessed_on: date, assessor_id: UUID | None,
               assessor_name: str, today: date) -> PotentialAssessment:
        """Record an assessment: a known level, a stated basis, not dated in the future, not of oneself."""
        errors: dict[str, list[str]] = {}
        if level not in LEVELS:
            errors["level"] = [f"must be one of {', '.join(LEVELS)}"]
        if not basis or not basis.strip():
            errors["basis"] = ["must not be empty: say what the assessment rests on"]
        elif len(basis.strip()) > MAX_BASIS:
            errors["basis"] = [f"must be at most {MAX_BASIS} characters"]
        if assessed_on > today:
            errors["assessed_on"] = ["must not be in the future"]
        if assessor_id is not None and assessor_id == employee_id:
            errors["employee_id"] = ["nobody assesses their own potential"]
        if errors:
            raise PotentialInvalid(errors)
        return cls._create(cls.Assessed, employee_id=employee_id, level=level, basis=basis.strip(),
                           assessed_on=assessed_on, assessor_id=assessor_id, assessor_name=assessor_name)
