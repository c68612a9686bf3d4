"""Read-side queries for grievances: lists, an investigator's open grievances, and reads touching a case."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from sqlalchemy import Engine, or_, select

from infrastructure.projections.directory import employees
from infrastructure.projections.grievances import grievances, sensitive_reads

OPEN = ("filed", "investigating")


@dataclass(frozen=True)
class GrievanceFilter:
    """Grievance list filters; all optional."""

    status: str | None = None
    subject: str | None = None
    grievant_id: UUID | None = None


class GrievanceView:
    """Grievances as the grievance projection holds them."""

    def __init__(self, engine: Engine):
        self.engine = engine

    def grievances(self, flt: GrievanceFilter, limit: int, grievant: UUID | None = None,
                   investigator: Collection[str] | None = None) -> list[dict[str, Any]]:
        """Grievances, newest first; ``grievant`` or ``investigator`` narrows to one person's (the investigator's:
        open ones only)."""
        stmt = (select(grievances, employees.c.name.label("grievant_name"))
                .outerjoin(employees, employees.c.id == grievances.c.grievant_id))
        for column in ("status", "subject", "grievant_id"):
            value = getattr(flt, column)
            if value is not None:
                stmt = stmt.where(grievances.c[column] == value)
        if grievant is not None:
            stmt = stmt.where(grievances.c.grievant_id == grievant)
        if investigator is not None:
            stmt = stmt.where(grievances.c.investigator_id.in_(list(investigator)), grievances.c.status.in_(OPEN))
        stmt = stmt.order_by(grievances.c.filed_at.desc(), grievances.c.id).limit(limit)
        with self.engine.connect() as conn:
            return [dict(r._mapping) for r in conn.execute(stmt)]

    def open_grievances_of(self, investigator_ids: Collection[str]) -> list[UUID]:
        """Open grievances assigned to any of these ids (an investigator's person, tokens and accounts)."""
        stmt = select(grievances.c.id).where(grievances.c.investigator_id.in_(list(investigator_ids)),
                                             grievances.c.status.in_(OPEN))
        with self.engine.connect() as conn:
            return list(conn.execute(stmt).scalars())

    def reads_touching(self, subject_ids: set[UUID], case_ids: set[str]) -> list[UUID]:
        """Recorded sensitive reads of any of the subjects, or stated under any of the case ids."""
        conds = []
        if subject_ids:
            conds.append(sensitive_reads.c.subject_id.in_(subject_ids))
        if case_ids:
            conds.append(sensitive_reads.c.case_id.in_(case_ids))
        if not conds:
            return []
        stmt = select(sensitive_reads.c.id).where(or_(*conds)).order_by(sensitive_reads.c.position)
        with self.engine.connect() as conn:
            return list(conn.execute(stmt).scalars())
