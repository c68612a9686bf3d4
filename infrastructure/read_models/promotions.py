"""Promotion read model: one row per case (for lists) and one per committee decision (the auditors' history)."""


from __future__ import annotations

from collections.abc import Sequence
from collections.abc import Set as AbstractSet
from datetime import date, datetime
from functools import lru_cache
from typing import Any
from uuid import UUID

from sqlalchemy import (
    Boolean,
    Column,
    Connection,
    Date,
    Engine,
    Index,
    Integer,
    MetaData,
    Select,
    String,
    Table,
    Text,
    Uuid,
    bindparam,
    func,
    literal,
    select,
    tuple_,
    update,
)

from application.ledger import event_meta
from application.queries.filters import CaseFilter, Page
from domain.eligibility import PromotionKind
from domain.promotion_case import CaseStatus, PromotionCase
from infrastructure import people_index
from infrastructure.cursor import BadCursor, decode_cursor, encode_cursor
from infrastructure.database import UTCDateTime
from infrastructure.paging import keyset_page, like_escaped
from infrastructure.prepared import Prepared
from infrastructure.projection import Projected, Projection

metadata = MetaData()
# who the rows are about: names and current units, from the registration and move events this model reads too
people = people_index.people_table("promotion_people", metadata)

cases = Table(
    "promotion_cases",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("candidate_id", Uuid, nullable=False),
    Column("unit", String(20), nullable=False),
    Column("kind", String(10), nullable=False),
    Column("position_title", String(200), nullable=True),
    Column("period", String(7), nullable=False),
    Column("effective", Date, nullable=False),
    Column("from_rank", String(6), nullable=False),
    Column("to_rank", String(6), nullable=True),
    Column("reason", Text, nullable=False),
    Column("status", String(10), nullable=False),
    Column("assessments", Integer, nullable=False),
    Column("eligible", Boolean, nullable=True),
    Column("rule_set_version", Integer, nullable=True),
    Column("decisions", Integer, nullable=False),
    Column("outcome", String(10), nullable=True),
    Column("contrary", Boolean, nullable=False),
    Column("decided_at", UTCDateTime(), nullable=True),
    Column("rank_applied", Boolean, nullable=False),
    Column("proposed_by", String(200), nullable=True),
    Column("proposed_at", UTCDateTime(), nullable=False),
    Column("version", Integer, nullable=False),
    Column("rank_kind", String(24), nullable=True),
    Column("stage", String(12), nullable=False),
    Index("ix_promotion_cases_proposed", "proposed_at", "id"),
    Index("ix_promotion_cases_candidate", "candidate_id"),
    Index("ix_promotion_cases_due", "outcome", "rank_applied", "effective"),
)

decisions = Table(
    "promotion_decisions",
    metadata,
    Column("case_id", Uuid, primary_key=True),
    Column("number", Integer, primary_key=True, autoincrement=False),
    Column("candidate_id", Uuid, nullable=False),
    Column("unit", String(20), nullable=False),
    Column("kind", String(10), nullable=False),
    Column("period", String(7), nullable=False),
    Column("outcome", String(10), nullable=False),
    Column("eligible", Boolean, nullable=False),
    Column("contrary", Boolean, nullable=False),
    Column("justification", Text, nullable=True),
    Column("rationale", Text, nullable=False),
    Column("members_present", Text, nullable=False),
    Column("assessment_number", Integer, nullable=False),
    Column("rule_set_version", Integer, nullable=False),
    Column("decided_on", Date, nullable=False),
    Column("decided_at", UTCDateTime(), nullable=False),
    Column("decided_by", String(200), nullable=True),
    Column("position", Integer, nullable=False),
    Index("ix_promotion_decisions_time", "decided_at", "case_id", "number"),
    Index("ix_promotion_decisions_unit", "unit", "decided_at"),
)


class PromotionProjection(Projection):
    """Keeps the case rows current and appends a history row per decision."""

    name = "promotions"
    metadata = metadata
    people = people  # the module's table: its copy of names and units
    handles = (PromotionCase.Proposed, PromotionCase.Assessed, PromotionCase.Decided, PromotionCase.RankApplied,
               PromotionCase.Reopened, PromotionCase.PertekRecorded, PromotionCase.SkRecorded) + people_index.EVENTS

    def process(self, conn: Connection, batch: Sequence[Projected]) -> None:
        """Fold each case event into its row, in log order."""
        for item in batch:
            e: Any = item.event
            if people_index.record(conn, people, e):
                continue
            meta = event_meta(e)
            if isinstance(e, PromotionCase.Proposed):
                conn.execute(cases.insert().values(
                    id=e.originator_id, candidate_id=e.candidate_id, unit=e.unit, kind=e.kind,
                    position_title=e.position, period=e.period, effective=e.effective, from_rank=e.from_rank,
                    to_rank=e.to_rank, reason=e.reason, status=CaseStatus.PROPOSED.value, assessments=0, decisions=0,
                    contrary=False, rank_applied=False, proposed_by=meta.get("actor_name"),
                    proposed_at=e.timestamp, version=e.originator_version, rank_kind=e.rank_kind, stage=CaseStatus.PROPOSED.value))
                continue
            values: dict[str, Any] = {"version": e.originator_version}
            if isinstance(e, PromotionCase.Assessed):
                values.update(status=CaseStatus.ASSESSED.value, assessments=e.number, eligible=e.eligible,
                              rule_set_version=e.rule_set_version, stage=CaseStatus.ASSESSED.value)
            elif isinstance(e, PromotionCase.Decided):
                values.update(status=e.outcome, decisions=e.number, outcome=e.outcome, contrary=e.contrary,
                              decided_at=e.timestamp, stage="recommended" if e.outcome == CaseStatus.APPROVED else e.outcome)
                self._history(conn, item.position, e, meta)
            elif isinstance(e, PromotionCase.RankApplied):
                values.update(rank_applied=True, stage="effective")
            elif isinstance(e, PromotionCase.PertekRecorded):
                values.update(stage="pertek")
            elif isinstance(e, PromotionCase.SkRecorded):
                values.update(stage="sk")
            else:
                values.update(status=CaseStatus.REOPENED.value, stage=CaseStatus.REOPENED.value)
            conn.execute(update(cases).where(cases.c.id == e.originator_id).values(**values))

    @staticmethod
    def _history(conn: Connection, position: int, e: Any, meta: dict[str, Any]) -> None:
        row = conn.execute(cases.select().where(cases.c.id == e.originator_id)).mappings().one()
        conn.execute(decisions.insert().values(
            case_id=e.originator_id, number=e.number, candidate_id=row["candidate_id"], unit=row["unit"],
            kind=row["kind"], period=row["period"], outcome=e.outcome, eligible=e.eligible, contrary=e.contrary,
            justification=e.justification, rationale=e.rationale, members_present="; ".join(e.members_present),
            assessment_number=e.assessment_number, rule_set_version=row["rule_set_version"] or 0,
            decided_on=e.decided_on, decided_at=e.timestamp, decided_by=meta.get("actor_name"), position=position))


_CASE = Prepared(select(cases).where(cases.c.id == bindparam("b_id", type_=Uuid)))


class PromotionView:
    """Promotion cases and decisions as the promotions projection holds them."""

    def __init__(self, engine: Engine):
        self.engine = engine

    def cases(self, flt: CaseFilter, limit: int, cursor: str | None = None,
              visible_to: AbstractSet[UUID] | None = None) -> Page:
        """Cases, newest proposal first, one page at a time (``visible_to``: only these candidates)."""
        stmt = (select(cases, people.c.name.label("candidate_name"))
                .outerjoin(people, people.c.id == cases.c.candidate_id))
        stmt = _case_filtered(stmt, flt, visible_to)
        total = self._count(stmt)
        if cursor:
            moment, last_id, _ = _cursor(cursor, 2)
            stmt = stmt.where(tuple_(cases.c.proposed_at, cases.c.id) < tuple_(*_bound(cases, proposed_at=moment,
                                                                                       id=last_id)))
        rows = self._rows(stmt.order_by(cases.c.proposed_at.desc(), cases.c.id.desc()).limit(limit + 1))
        more = len(rows) > limit
        rows = rows[:limit]
        nxt = encode_cursor([rows[-1]["proposed_at"].isoformat(), str(rows[-1]["id"])]) if more else None
        return Page(rows, nxt, total)

    def count_cases(self, flt: CaseFilter, visible_to: AbstractSet[UUID] | None = None) -> int:
        """How many cases match the filter (of the candidates given; None: all)."""
        return self._count(_case_filtered(select(cases.c.id), flt, visible_to))

    def case(self, case_id: UUID) -> dict[str, Any] | None:
        """One case row."""
        return _CASE.one_off(self.engine, {"b_id": case_id})

    def decisions(self, flt: CaseFilter, limit: int, cursor: str | None = None) -> Page:
        """Every committee decision across cases, newest first, filtered, one page at a time."""
        given = (bool(flt.unit), flt.period[4:] != "" if flt.period else None, bool(flt.outcome),
                 flt.flagged is not None, flt.kind is not None)
        params = {"f_unit": flt.unit, "f_outcome": flt.outcome, "f_flagged": flt.flagged, "f_kind": flt.kind,
                  "f_period": flt.period if flt.period and len(flt.period) > 4 else _year_pattern(flt.period)}
        with self.engine.connect() as conn:
            page = keyset_page(conn, _decision_listing(given), _DECISION_ORDER, limit, cursor, params,
                               count=_decision_count(given))
        for row in page.items:
            row["members_present"] = row["members_present"].split("; ") if row["members_present"] else []
        return page

    def due_rank_changes(self, today: date) -> list[UUID]:
        """Approved rank cases whose TMT has come and whose rank change is not recorded yet."""
        stmt = select(cases.c.id).where(cases.c.kind == PromotionKind.RANK.value, cases.c.outcome == CaseStatus.APPROVED.value,
                                        cases.c.rank_applied.is_(False), cases.c.effective <= today)
        with self.engine.connect() as conn:
            return list(conn.execute(stmt.order_by(cases.c.effective, cases.c.id)).scalars())

    def _rows(self, stmt: Select[Any]) -> list[dict[str, Any]]:
        with self.engine.connect() as conn:
            return [dict(r._mapping) for r in conn.execute(stmt)]

    def _count(self, stmt: Select[Any]) -> int:
        """How many rows a (filtered, unpaged) list statement has."""
        with self.engine.connect() as conn:
            return int(conn.execute(select(func.count()).select_from(stmt.order_by(None).subquery())).scalar() or 0)


def _case_filtered(stmt: Select[Any], flt: CaseFilter, visible_to: AbstractSet[UUID] | None) -> Select[Any]:
    """Apply a case filter (and the candidates the caller may see) to a statement over cases."""
    stmt = _filtered(stmt, cases, flt)
    for column in ("kind", "status", "candidate_id"):
        value = getattr(flt, column)
        if value is not None:
            stmt = stmt.where(cases.c[column] == value)
    return stmt if visible_to is None else stmt.where(cases.c.candidate_id.in_(visible_to))


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


_DECISION_ORDER = [(decisions.c.decided_at, True), (decisions.c.case_id, True), (decisions.c.number, True)]


@lru_cache(maxsize=64)
def _decision_listing(given: tuple[bool | None, ...]) -> Select[Any]:
    """The decision history with the candidates' names, filtered as ``given`` says (unit; period: None, a year
    or a month; outcome; flagged; kind), the values bound (``f_unit`` ...): built once per combination."""
    return _decisions_where(select(decisions, people.c.name.label("candidate_name"))
                            .outerjoin(people, people.c.id == decisions.c.candidate_id), given)


@lru_cache(maxsize=64)
def _decision_count(given: tuple[bool | None, ...]) -> Select[Any]:
    """The same filtered decisions without the names, to count (the join would look a name up per decision)."""
    return _decisions_where(select(decisions.c.case_id), given)


def _decisions_where(stmt: Select[Any], given: tuple[bool | None, ...]) -> Select[Any]:
    """``stmt`` filtered as ``given`` says, the values bound."""
    unit, period, outcome, flagged, kind = given
    if unit:
        stmt = stmt.where(decisions.c.unit == bindparam("f_unit", type_=String))
    if period is not None:  # a month exactly; a year as the months it starts (escaped LIKE)
        pattern = bindparam("f_period", type_=String)
        stmt = stmt.where(decisions.c.period == pattern if period else decisions.c.period.like(pattern, escape="/"))
    if outcome:
        stmt = stmt.where(decisions.c.outcome == bindparam("f_outcome", type_=String))
    if flagged:
        stmt = stmt.where(decisions.c.contrary == bindparam("f_flagged", type_=Boolean))
    if kind:
        stmt = stmt.where(decisions.c.kind == bindparam("f_kind", type_=String))
    return stmt


def _year_pattern(period: str | None) -> str | None:
    """A year's periods (2026-01 ...) as a LIKE pattern escaped with ``/``."""
    return like_escaped(period) + "-%" if period else None


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
