"""Read-side queries over the appraisal projection's table."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from uuid import UUID

from sqlalchemy import Engine, Select, func, or_, select

from infrastructure.paging import keyset_page
from infrastructure.projections.appraisals import appraisals
from infrastructure.projections.directory import employees
from infrastructure.views import Page


@dataclass(frozen=True)
class AppraisalFilter:
    """Appraisal list filters; all optional."""

    employee_id: UUID | None = None
    unit: str | None = None
    period: str | None = None
    status: str | None = None
    assessor_id: UUID | None = None
    decider_id: UUID | None = None
    objection: str | None = None  # pending, upheld, rejected
    unfinished: bool = False  # only appraisals not final yet


class AppraisalView:
    """Appraisal lists and the predicates of a unit's final appraisals."""

    def __init__(self, engine: Engine):
        self.engine = engine

    def appraisals(self, flt: AppraisalFilter, limit: int, viewer: UUID | None = None,
                   visible_to: set[UUID] | None = None) -> list[dict[str, Any]]:
        """Appraisals by period (newest first) and employee name. With ``visible_to``, only appraisals of those
        employees or where ``viewer`` is the assessor or the objection's decider."""
        assessor = employees.alias("assessor")
        stmt = (select(appraisals, employees.c.name.label("employee_name"), assessor.c.name.label("assessor_name"))
                .outerjoin(employees, employees.c.id == appraisals.c.employee_id)
                .outerjoin(assessor, assessor.c.id == appraisals.c.assessor_id))
        stmt = _filtered(stmt, flt, viewer, visible_to)
        stmt = stmt.order_by(appraisals.c.period.desc(), employees.c.name, appraisals.c.id).limit(limit)
        return self._rows(stmt)

    def page(self, flt: AppraisalFilter, limit: int, cursor: str | None = None, viewer: UUID | None = None,
             visible_to: set[UUID] | None = None) -> Page:
        """One page of ``appraisals``' list after a cursor, and how many there are in all."""
        assessor = employees.alias("assessor")
        stmt = (select(appraisals, employees.c.name.label("employee_name"), assessor.c.name.label("assessor_name"))
                .outerjoin(employees, employees.c.id == appraisals.c.employee_id)
                .outerjoin(assessor, assessor.c.id == appraisals.c.assessor_id))
        keys = [(appraisals.c.period, True), (func.coalesce(employees.c.name, ""), False), (appraisals.c.id, False)]
        with self.engine.connect() as conn:
            return keyset_page(conn, _filtered(stmt, flt, viewer, visible_to), keys, limit, cursor)

    def count(self, flt: AppraisalFilter, viewer: UUID | None = None, visible_to: set[UUID] | None = None) -> int:
        """How many appraisals ``appraisals`` would list without a limit."""
        stmt = select(func.count()).select_from(appraisals)
        with self.engine.connect() as conn:
            return int(conn.execute(_filtered(stmt, flt, viewer, visible_to)).scalar() or 0)

    def latest_year(self, unit: str) -> int | None:
        """The latest year any of the unit's appraisals belongs to (None: the unit has none)."""
        with self.engine.connect() as conn:
            latest = conn.execute(select(func.max(func.substr(appraisals.c.period, 1, 4)))
                                  .where(appraisals.c.unit == unit)).scalar()
        return int(latest) if latest else None

    def final_predicates(self, unit: str, period: str) -> list[str]:
        """The current predicate of each final appraisal counted for a unit and period."""
        stmt = select(appraisals.c.predicate).where(appraisals.c.unit == unit, appraisals.c.period == period,
                                                    appraisals.c.status == "final")
        with self.engine.connect() as conn:
            return [str(p) for p in conn.execute(stmt).scalars()]

    def pending_objections(self, unit: str, period: str) -> int:
        """How many of the unit's final appraisals for the period have an undecided objection."""
        stmt = select(appraisals.c.id).where(appraisals.c.unit == unit, appraisals.c.period == period,
                                             appraisals.c.status == "final", appraisals.c.objection == "pending")
        with self.engine.connect() as conn:
            return len(conn.execute(stmt).all())

    def _rows(self, stmt: Select[Any]) -> list[dict[str, Any]]:
        with self.engine.connect() as conn:
            return [dict(r._mapping) for r in conn.execute(stmt)]


def _filtered(stmt: Select[Any], flt: AppraisalFilter, viewer: UUID | None, visible_to: set[UUID] | None
              ) -> Select[Any]:
    """Apply the filter, and with ``visible_to`` keep appraisals of those employees or assessed or decided by
    ``viewer``."""
    for column in ("employee_id", "unit", "period", "status", "assessor_id", "decider_id", "objection"):
        value = getattr(flt, column)
        if value is not None:
            stmt = stmt.where(appraisals.c[column] == value)
    if flt.unfinished:
        stmt = stmt.where(appraisals.c.status != "final")
    if visible_to is not None:
        stmt = stmt.where(or_(appraisals.c.employee_id.in_(visible_to), appraisals.c.assessor_id == viewer,
                              appraisals.c.decider_id == viewer))
    return stmt
