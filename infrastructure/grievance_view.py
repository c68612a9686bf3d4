"""Read-side queries for grievances: lists, an investigator's open grievances, and reads touching a case."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from uuid import UUID

from sqlalchemy import Engine, Select, func, or_, select

from infrastructure.paging import keyset_page
from infrastructure.projections.directory import employees
from infrastructure.projections.grievances import grievances, sensitive_reads
from infrastructure.views import Page

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
                   investigator: str | None = None) -> list[dict[str, Any]]:
        """Grievances, newest first; ``grievant`` or ``investigator`` narrows to one person's (the investigator's:
        open ones only)."""
        stmt = _filtered(select(grievances, employees.c.name.label("grievant_name"))
                         .outerjoin(employees, employees.c.id == grievances.c.grievant_id), flt, grievant, investigator)
        stmt = stmt.order_by(grievances.c.filed_at.desc(), grievances.c.id).limit(limit)
        with self.engine.connect() as conn:
            return [dict(r._mapping) for r in conn.execute(stmt)]

    def page(self, flt: GrievanceFilter, limit: int, cursor: str | None = None, grievant: UUID | None = None,
             investigator: str | None = None) -> Page:
        """One page of ``grievances``' list after a cursor, and how many there are in all."""
        stmt = _filtered(select(grievances, employees.c.name.label("grievant_name"))
                         .outerjoin(employees, employees.c.id == grievances.c.grievant_id), flt, grievant, investigator)
        with self.engine.connect() as conn:
            return keyset_page(conn, stmt, [(grievances.c.filed_at, True), (grievances.c.id, False)], limit, cursor)

    def count(self, flt: GrievanceFilter, grievant: UUID | None = None, investigator: str | None = None) -> int:
        """How many grievances ``grievances`` would list without a limit."""
        stmt = _filtered(select(func.count()).select_from(grievances), flt, grievant, investigator)
        with self.engine.connect() as conn:
            return int(conn.execute(stmt).scalar() or 0)

    def open_grievances_of(self, investigator_id: str) -> list[UUID]:
        """Open grievances assigned to an investigator token."""
        stmt = select(grievances.c.id).where(grievances.c.investigator_id == investigator_id,
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


def _filtered(stmt: Select[Any], flt: GrievanceFilter, grievant: UUID | None, investigator: str | None
              ) -> Select[Any]:
    """Apply the filter and narrow to one grievant's, or one investigator's open, grievances."""
    for column in ("status", "subject", "grievant_id"):
        value = getattr(flt, column)
        if value is not None:
            stmt = stmt.where(grievances.c[column] == value)
    if grievant is not None:
        stmt = stmt.where(grievances.c.grievant_id == grievant)
    if investigator is not None:
        stmt = stmt.where(grievances.c.investigator_id == investigator, grievances.c.status.in_(OPEN))
    return stmt
