"""Read-side queries for promotion cases: lists, the decision history, due rank changes, and evidence lookup."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from uuid import UUID

from sqlalchemy import Engine, Select, Uuid, bindparam, func, literal, or_, select, tuple_

from infrastructure.cursor import BadCursor, decode_cursor, encode_cursor
from infrastructure.projections.directory import employees
from infrastructure.projections.feedback import rounds
from infrastructure.projections.promotions import cases, decisions
from infrastructure.projections.talent import awards
from infrastructure.projections.trainings import trainings
from infrastructure.views import Page, count_of


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


_CASE = select(cases).where(cases.c.id == bindparam("b_id", type_=Uuid))  # built once: a statement's cache key


class PromotionView:
    """Promotion cases and decisions as the promotions projection holds them."""

    def __init__(self, engine: Engine):
        self.engine = engine

    def cases(self, flt: CaseFilter, limit: int, cursor: str | None = None,
              visible_to: set[UUID] | None = None) -> Page:
        """Cases, newest proposal first, one page at a time (``visible_to``: only these candidates)."""
        stmt = (select(cases, employees.c.name.label("candidate_name"))
                .outerjoin(employees, employees.c.id == cases.c.candidate_id))
        stmt = _case_filtered(stmt, flt, visible_to)
        total = count_of(self.engine, stmt)
        if cursor:
            moment, last_id, _ = _cursor(cursor, 2)
            stmt = stmt.where(tuple_(cases.c.proposed_at, cases.c.id) < tuple_(*_bound(cases, proposed_at=moment,
                                                                                       id=last_id)))
        rows = self._rows(stmt.order_by(cases.c.proposed_at.desc(), cases.c.id.desc()).limit(limit + 1))
        more = len(rows) > limit
        rows = rows[:limit]
        nxt = encode_cursor([rows[-1]["proposed_at"].isoformat(), str(rows[-1]["id"])]) if more else None
        return Page(rows, nxt, total)

    def count_cases(self, flt: CaseFilter, visible_to: set[UUID] | None = None) -> int:
        """How many cases match the filter (of the candidates given; None: all)."""
        stmt = _case_filtered(select(func.count()).select_from(cases), flt, visible_to)
        with self.engine.connect() as conn:
            return int(conn.execute(stmt).scalar() or 0)

    def case(self, case_id: UUID) -> dict[str, Any] | None:
        """One case row."""
        with self.engine.connect() as conn:
            row = conn.execute(_CASE, {"b_id": case_id}).first()
        return dict(row._mapping) if row else None

    def decisions(self, flt: CaseFilter, limit: int, cursor: str | None = None) -> Page:
        """Every committee decision across cases, newest first, filtered, one page at a time."""
        stmt = (select(decisions, employees.c.name.label("candidate_name"))
                .outerjoin(employees, employees.c.id == decisions.c.candidate_id))
        stmt = _filtered(stmt, decisions, flt)
        if flt.kind is not None:
            stmt = stmt.where(decisions.c.kind == flt.kind)
        total = count_of(self.engine, stmt)
        if cursor:
            moment, last_id, number = _cursor(cursor, 3)
            key = tuple_(decisions.c.decided_at, decisions.c.case_id, decisions.c.number)
            stmt = stmt.where(key < tuple_(*_bound(decisions, decided_at=moment, case_id=last_id, number=number)))
        order = (decisions.c.decided_at.desc(), decisions.c.case_id.desc(), decisions.c.number.desc())
        rows = self._rows(stmt.order_by(*order).limit(limit + 1))
        more = len(rows) > limit
        rows = rows[:limit]
        for row in rows:
            row["members_present"] = row["members_present"].split("; ") if row["members_present"] else []
        nxt = (encode_cursor([rows[-1]["decided_at"].isoformat(), str(rows[-1]["case_id"]), rows[-1]["number"]])
               if more else None)
        return Page(rows, nxt, total)

    def due_rank_changes(self, today: date) -> list[UUID]:
        """Approved rank cases whose TMT has come and whose rank change is not recorded yet."""
        stmt = select(cases.c.id).where(cases.c.kind == "rank", cases.c.outcome == "approved",
                                        cases.c.rank_applied.is_(False), cases.c.effective <= today)
        with self.engine.connect() as conn:
            return list(conn.execute(stmt.order_by(cases.c.effective, cases.c.id)).scalars())

    # --- the evidence index: inputs without natural ids --------------------------------------------------------

    def trainings_of(self, employee_id: UUID, year: int) -> list[UUID]:
        """Training completions of an employee ending in a year (any status)."""
        stmt = select(trainings.c.id).where(trainings.c.employee_id == employee_id, trainings.c.year == year)
        with self.engine.connect() as conn:
            return list(conn.execute(stmt).scalars())

    def awards_of(self, employee_id: UUID) -> list[UUID]:
        """Awards granted to an employee (ids; the command loads each from the event store)."""
        stmt = select(awards.c.id).where(awards.c.employee_id == employee_id)
        with self.engine.connect() as conn:
            return list(conn.execute(stmt).scalars())

    def feedback_rounds_of(self, employee_id: UUID, years: set[int]) -> list[UUID]:
        """360 rounds of a reviewee whose period (2026, 2026-Q3) falls in one of the years."""
        if not years:
            return []
        prefixes = [rounds.c.period.startswith(str(y), autoescape=True) for y in sorted(years)]
        stmt = select(rounds.c.id).where(rounds.c.reviewee_id == employee_id, or_(*prefixes))
        with self.engine.connect() as conn:
            return list(conn.execute(stmt).scalars())

    def _rows(self, stmt: Select[Any]) -> list[dict[str, Any]]:
        with self.engine.connect() as conn:
            return [dict(r._mapping) for r in conn.execute(stmt)]


def _filtered(stmt: Select[Any], table: Any, flt: CaseFilter) -> Select[Any]:
    """Apply the filters cases and decisions share."""
    if flt.unit:
        stmt = stmt.where(table.c.unit == flt.unit)
    if flt.period:
        column = table.c.period
        stmt = stmt.where(column == flt.period if len(flt.period) > 4
                          else column.startswith(flt.period + "-", autoescape=True))
    if flt.outcome:
        stmt = stmt.where(table.c.outcome == flt.outcome)
    if flt.flagged is not None:
        stmt = stmt.where(table.c.contrary.is_(flt.flagged))
    return stmt


def _case_filtered(stmt: Select[Any], flt: CaseFilter, visible_to: set[UUID] | None) -> Select[Any]:
    """Apply a case filter (and the candidates the caller may see) to a statement over cases."""
    stmt = _filtered(stmt, cases, flt)
    for column in ("kind", "status", "candidate_id"):
        value = getattr(flt, column)
        if value is not None:
            stmt = stmt.where(cases.c[column] == value)
    return stmt if visible_to is None else stmt.where(cases.c.candidate_id.in_(visible_to))


def _bound(table: Any, **values: Any) -> list[Any]:
    """Cursor values bound with their columns' types (so timestamps compare as the column stores them)."""
    return [literal(value, table.c[name].type) for name, value in values.items()]


def _cursor(cursor: str, arity: int) -> tuple[datetime, UUID, int]:
    """A cursor's sort key: timestamp, id and (for decisions) number."""
    values = decode_cursor(cursor, arity)
    try:
        number = int(values[2]) if arity == 3 else 0
        return datetime.fromisoformat(str(values[0])), UUID(str(values[1])), number
    except (ValueError, TypeError):
        raise BadCursor("cursor is not valid") from None
