"""What the read queries take and give back: filters (every field optional) and a page of rows.

They live here, beside the query objects, so routes and pages build them without reaching into a read model, and a
read model implements the filter it is given.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID


@dataclass(frozen=True)
class Page:
    """One page of rows and the cursor of the next page (None at the end)."""

    items: list[dict[str, Any]]
    next_cursor: str | None


@dataclass(frozen=True)
class EmployeeFilter:
    """Directory filters; all optional."""

    unit: str | None = None
    rank: str | None = None
    name: str | None = None
    supervisor_id: UUID | None = None
    status: str | None = None


@dataclass(frozen=True)
class AuditFilter:
    """Audit log filters; all optional."""

    aggregate_id: UUID | None = None
    actor_id: str | None = None
    topic: str | None = None
    since: datetime | None = None
    until: datetime | None = None


@dataclass(frozen=True)
class AppraisalFilter:
    """Appraisal list filters; all optional."""

    employee_id: UUID | None = None
    unit: str | None = None
    period: str | None = None
    status: str | None = None


@dataclass(frozen=True)
class RoundFilter:
    """Round list filters; all optional."""

    reviewee_id: UUID | None = None
    unit: str | None = None
    period: str | None = None
    status: str | None = None


@dataclass(frozen=True)
class GrievanceFilter:
    """Grievance list filters; all optional."""

    status: str | None = None
    subject: str | None = None
    grievant_id: UUID | None = None


@dataclass(frozen=True)
class CaseFilter:
    """Case list and decision history filters; all optional. ``period`` is a month (2026-10) or a year (2026)."""

    unit: str | None = None
    period: str | None = None
    outcome: str | None = None
    flagged: bool | None = None
    kind: str | None = None
    status: str | None = None
    candidate_id: UUID | None = None


@dataclass(frozen=True)
class TrainingFilter:
    """Training list filters; all optional (``unit`` is the employee's unit now)."""

    employee_id: UUID | None = None
    unit: str | None = None
    year: int | None = None
    status: str | None = None
