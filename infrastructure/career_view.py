"""Read-side queries for training, the talent grid, mentoring and awards (no writes).

The talent grid joins three read models: the directory (who is in the unit now), the talent projection (each
employee's latest potential assessment) and the appraisal projection (the latest final annual predicate,
read through ``latest_annual_predicates``). The placement itself is the pure rule in domain.talent_grid.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any
from uuid import UUID

from sqlalchemy import Connection, Engine, Select, case, func, or_, select

from domain.talent_grid import PERFORMANCE_BY_PREDICATE, box_cells, boxes_of, place
from infrastructure.paging import SortKey, keyset_page
from infrastructure.projections.appraisals import appraisals
from infrastructure.projections.directory import employees
from infrastructure.projections.talent import awards, mentorings, potentials, sessions
from infrastructure.projections.trainings import trainings

Predicates = Callable[[Connection, Iterable[UUID]], dict[UUID, str]]


def latest_annual_appraisals(conn: Connection, employee_ids: Iterable[UUID]) -> dict[UUID, tuple[str, str]]:
    """Each employee's latest final annual appraisal as (period, current predicate).

    Reads the appraisal projection's table ``appraisals``: rows with ``annual`` true and ``status`` "final";
    ``predicate`` is the current one (an upheld objection has replaced the assessor's). The latest is the one
    with the highest period ("2025" > "2024"). An appraisal under a pending objection counts with its
    finalised predicate until the objection is decided.
    """
    ids = list(employee_ids)
    if not ids:
        return {}
    stmt = select(appraisals.c.employee_id, appraisals.c.period, appraisals.c.predicate).where(
        appraisals.c.employee_id.in_(ids), appraisals.c.annual.is_(True), appraisals.c.status == "final",
        appraisals.c.predicate.is_not(None))
    latest: dict[UUID, tuple[str, str]] = {}
    for employee_id, period, predicate in conn.execute(stmt):
        if employee_id not in latest or period > latest[employee_id][0]:
            latest[employee_id] = (str(period), str(predicate))
    return latest


def latest_annual_predicates(conn: Connection, employee_ids: Iterable[UUID]) -> dict[UUID, str]:
    """Each employee's latest final annual predicate (employees without one are absent)."""
    return {emp: predicate for emp, (_period, predicate) in latest_annual_appraisals(conn, employee_ids).items()}


@dataclass(frozen=True)
class TrainingFilter:
    """Training list filters; all optional (``unit`` is the employee's unit now)."""

    employee_id: UUID | None = None
    unit: str | None = None
    year: int | None = None
    status: str | None = None


class CareerView:
    """Trainings and JP totals, potential assessments and the talent grid, mentoring, awards."""

    def __init__(self, engine: Engine, predicates: Predicates = latest_annual_predicates):
        self.engine = engine
        self.predicates = predicates

    # --- trainings -------------------------------------------------------------------------------------------

    def trainings(self, flt: TrainingFilter, limit: int, visible_to: set[UUID] | None = None,
                  cursor: str | None = None) -> Any:
        """Completions, latest end date first; ``visible_to`` limits them to those employees. With a ``cursor``
        (``""``: the first page) one Page after it, else a plain list."""
        stmt = self._training_rows()
        if flt.employee_id is not None:
            stmt = stmt.where(trainings.c.employee_id == flt.employee_id)
        if flt.unit is not None:
            stmt = stmt.where(employees.c.unit == flt.unit)
        if flt.year is not None:
            stmt = stmt.where(trainings.c.year == flt.year)
        if flt.status is not None:
            stmt = stmt.where(trainings.c.status == flt.status)
        if visible_to is not None:
            stmt = stmt.where(trainings.c.employee_id.in_(visible_to))
        return self._listed(stmt, [(trainings.c.end_date, True), (trainings.c.position, True)], limit, cursor)

    def training(self, training_id: UUID) -> dict[str, Any] | None:
        """One completion."""
        rows = self._rows(self._training_rows().where(trainings.c.id == training_id))
        return rows[0] if rows else None

    def training_hours(self, employee_id: UUID, year: int) -> dict[str, Any]:
        """JP of the year's completions by status (verified JP is what counts) and the completions themselves."""
        items = self.trainings(TrainingFilter(employee_id=employee_id, year=year), limit=10_000)
        totals = {status: sum(r["jp"] for r in items if r["status"] == status)
                  for status in ("verified", "unverified", "rejected")}
        return {"verified_jp": totals["verified"], "unverified_jp": totals["unverified"],
                "rejected_jp": totals["rejected"], "trainings": items}

    def unit_training_totals(self, unit: str, year: int, visible_to: set[UUID] | None = None
                             ) -> list[dict[str, Any]]:
        """Everyone in the unit now who had started service by the end of the year, with the year's verified and
        unverified JP, fewest verified JP first."""
        verified = func.sum(case((trainings.c.status == "verified", trainings.c.jp), else_=0))
        unverified = func.sum(case((trainings.c.status == "unverified", trainings.c.jp), else_=0))
        totals = (select(trainings.c.employee_id, verified.label("verified_jp"), unverified.label("unverified_jp"))
                  .where(trainings.c.year == year).group_by(trainings.c.employee_id).subquery())
        stmt = (select(employees.c.id.label("employee_id"), employees.c.name, employees.c.position,
                       employees.c.rank, employees.c.status,
                       func.coalesce(totals.c.verified_jp, 0).label("verified_jp"),
                       func.coalesce(totals.c.unverified_jp, 0).label("unverified_jp"))
                .outerjoin(totals, totals.c.employee_id == employees.c.id)
                .where(employees.c.unit == unit, employees.c.service_start <= date(year, 12, 31)))
        if visible_to is not None:
            stmt = stmt.where(employees.c.id.in_(visible_to))
        stmt = stmt.order_by(func.coalesce(totals.c.verified_jp, 0), employees.c.name, employees.c.id)
        return [{**r, "verified_jp": int(r["verified_jp"]), "unverified_jp": int(r["unverified_jp"])}
                for r in self._rows(stmt)]

    def _training_rows(self) -> Select[Any]:
        return (select(trainings, employees.c.name.label("employee_name"), employees.c.unit)
                .outerjoin(employees, employees.c.id == trainings.c.employee_id))

    # --- potential and the talent grid -----------------------------------------------------------------------

    def potential_assessments(self, employee_id: UUID | None, limit: int, visible_to: set[UUID] | None = None,
                              cursor: str | None = None) -> Any:
        """Potential assessments, latest first (with a ``cursor``: one Page, as ``trainings``)."""
        stmt = self._potential_rows()
        if employee_id is not None:
            stmt = stmt.where(potentials.c.employee_id == employee_id)
        if visible_to is not None:
            stmt = stmt.where(potentials.c.employee_id.in_(visible_to))
        return self._listed(stmt, [(potentials.c.assessed_on, True), (potentials.c.position, True)], limit, cursor)

    def potential_assessment(self, assessment_id: UUID) -> dict[str, Any] | None:
        """One potential assessment."""
        rows = self._rows(self._potential_rows().where(potentials.c.id == assessment_id))
        return rows[0] if rows else None

    def talent_grid(self, unit: str, visible_to: set[UUID] | None = None,
                    talent: Mapping[str, Any] | None = None) -> dict[str, Any]:
        """The unit's 9-box: each box (9 down to 1) with its members, and the unplaced with what is missing."""
        people = select(employees.c.id, employees.c.name, employees.c.position, employees.c.rank).where(
            employees.c.unit == unit)
        if visible_to is not None:
            people = people.where(employees.c.id.in_(visible_to))
        with self.engine.connect() as conn:
            staff = [dict(r._mapping) for r in conn.execute(people.order_by(employees.c.name, employees.c.id))]
            ids = [p["id"] for p in staff]
            predicates = self.predicates(conn, ids)
            latest = self._latest_potentials(conn, ids)
        boxes: dict[int, dict[str, Any]] = {cell["box"]: {**cell, "members": []} for cell in box_cells(talent)}
        unplaced: list[dict[str, Any]] = []
        for person in staff:
            potential = latest.get(person["id"])
            predicate = predicates.get(person["id"])
            spot = place(predicate, potential["level"] if potential else None, boxes_of(talent))
            entry = {"employee_id": person["id"], "name": person["name"], "position": person["position"],
                     "rank": person["rank"], "predicate": predicate, "performance": spot.performance,
                     "potential": spot.potential,
                     "potential_assessment_id": potential["id"] if potential else None,
                     "potential_assessed_on": potential["assessed_on"] if potential else None}
            if spot.box is None:
                unplaced.append({**entry, "missing": list(spot.missing)})
            else:
                boxes[spot.box]["members"].append(entry)
        cells = [{**cell, "count": len(cell["members"])} for cell in boxes.values()]
        return {"unit": unit, "employees": len(staff), "placed": len(staff) - len(unplaced),
                "performance_by_predicate": dict(PERFORMANCE_BY_PREDICATE), "boxes": cells, "unplaced": unplaced}

    def _latest_potentials(self, conn: Connection, employee_ids: list[UUID]) -> dict[UUID, dict[str, Any]]:
        if not employee_ids:
            return {}
        ranked = select(potentials.c.id, potentials.c.employee_id, potentials.c.level, potentials.c.assessed_on,
                        func.row_number().over(partition_by=potentials.c.employee_id,
                                               order_by=(potentials.c.assessed_on.desc(),
                                                         potentials.c.position.desc())).label("n")
                        ).where(potentials.c.employee_id.in_(employee_ids)).subquery()
        stmt = select(ranked.c.id, ranked.c.employee_id, ranked.c.level, ranked.c.assessed_on).where(ranked.c.n == 1)
        return {r.employee_id: dict(r._mapping) for r in conn.execute(stmt)}

    def _potential_rows(self) -> Select[Any]:
        return (select(potentials, employees.c.name.label("employee_name"))
                .outerjoin(employees, employees.c.id == potentials.c.employee_id))

    # --- mentoring and awards --------------------------------------------------------------------------------

    def mentorings(self, employee_id: UUID | None, status: str | None, limit: int, viewer: UUID | None = None,
                   visible_to: set[UUID] | None = None, cursor: str | None = None) -> Any:
        """Assignments, latest first; ``employee_id`` matches the mentor or the mentee. With ``visible_to``, only
        assignments of those mentees or where ``viewer`` is the mentor (with a ``cursor``: one Page)."""
        stmt = self._mentoring_rows()
        if employee_id is not None:
            stmt = stmt.where(or_(mentorings.c.mentor_id == employee_id, mentorings.c.mentee_id == employee_id))
        if status is not None:
            stmt = stmt.where(mentorings.c.status == status)
        if visible_to is not None:
            stmt = stmt.where(or_(mentorings.c.mentee_id.in_(visible_to), mentorings.c.mentor_id == viewer))
        keys = [(mentorings.c.starts_on, True), (mentorings.c.assigned_at, True), (mentorings.c.id, False)]
        return self._listed(stmt, keys, limit, cursor)

    def mentoring(self, mentoring_id: UUID) -> dict[str, Any] | None:
        """One assignment with its sessions in date order."""
        rows = self._rows(self._mentoring_rows().where(mentorings.c.id == mentoring_id))
        if not rows:
            return None
        logged = self._rows(select(sessions).where(sessions.c.mentoring_id == mentoring_id)
                            .order_by(sessions.c.held_on, sessions.c.logged_at))
        return {**rows[0], "session_log": logged}

    def awards(self, employee_id: UUID | None, limit: int, visible_to: set[UUID] | None = None,
               cursor: str | None = None) -> Any:
        """Awards, latest first (with a ``cursor``: one Page)."""
        stmt = self._award_rows()
        if employee_id is not None:
            stmt = stmt.where(awards.c.employee_id == employee_id)
        if visible_to is not None:
            stmt = stmt.where(awards.c.employee_id.in_(visible_to))
        keys = [(awards.c.awarded_on, True), (awards.c.granted_at, True), (awards.c.id, False)]
        return self._listed(stmt, keys, limit, cursor)

    def award(self, award_id: UUID) -> dict[str, Any] | None:
        """One award."""
        rows = self._rows(self._award_rows().where(awards.c.id == award_id))
        return rows[0] if rows else None

    def _mentoring_rows(self) -> Select[Any]:
        mentor, mentee = employees.alias("mentor"), employees.alias("mentee")
        return (select(mentorings, mentor.c.name.label("mentor_name"), mentee.c.name.label("mentee_name"))
                .outerjoin(mentor, mentor.c.id == mentorings.c.mentor_id)
                .outerjoin(mentee, mentee.c.id == mentorings.c.mentee_id))

    def _award_rows(self) -> Select[Any]:
        return (select(awards, employees.c.name.label("employee_name"))
                .outerjoin(employees, employees.c.id == awards.c.employee_id))

    def _listed(self, stmt: Select[Any], keys: Sequence[SortKey], limit: int, cursor: str | None) -> Any:
        """The rows in the keys' order: a plain list without a cursor; with one (``""``: the first page) a Page."""
        if cursor is None:
            order = [expr.desc() if descending else expr.asc() for expr, descending in keys]
            return self._rows(stmt.order_by(*order).limit(limit))
        with self.engine.connect() as conn:
            return keyset_page(conn, stmt, keys, limit, cursor or None)

    def _rows(self, stmt: Select[Any]) -> list[dict[str, Any]]:
        with self.engine.connect() as conn:
            return [dict(r._mapping) for r in conn.execute(stmt)]

