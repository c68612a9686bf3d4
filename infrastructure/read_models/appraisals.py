"""Appraisal read model: one row per appraisal with its stage, predicates and objection, for lists and the
unit predicate distribution."""


from __future__ import annotations

import functools
from collections.abc import Iterable, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import fields
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
    Update,
    Uuid,
    bindparam,
    func,
    or_,
    select,
    update,
)

from application.queries.filters import AppraisalFilter, Page
from domain.appraisal import Appraisal, AppraisalStatus, is_annual
from infrastructure import people_index
from infrastructure.database import UTCDateTime
from infrastructure.kept_count import KeptCount, kept_count_table
from infrastructure.paging import keyset_page
from infrastructure.pending_rows import LOAD_FROM, PendingRows
from infrastructure.projection import Projected, Projection

metadata = MetaData()
# who the rows are about: names and current units, from the registration and move events this model reads too
people = people_index.people_table("appraisals_people", metadata)

appraisals = Table(
    "appraisals",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("employee_id", Uuid, nullable=False),
    # the employee's name (fixed at registration), copied from ``people`` so the list's order has an index
    Column("employee_name", Text, nullable=False, default="", server_default=""),
    Column("period", String(10), nullable=False),
    Column("annual", Boolean, nullable=False),
    Column("unit", String(20), nullable=False),
    Column("assessor_id", Uuid, nullable=False),
    Column("assessor_basis", String(12), nullable=False),
    Column("status", String(10), nullable=False),
    Column("targets", Integer, nullable=False),
    Column("notes", Integer, nullable=False),
    Column("work_results", String(12), nullable=True),
    Column("behaviour", String(12), nullable=True),
    Column("original_predicate", String(20), nullable=True),
    Column("predicate", String(20), nullable=True),
    Column("rule_set_version", Integer, nullable=True),
    Column("feedback_round_id", Uuid, nullable=True),
    Column("finalised_on", Date, nullable=True),
    Column("objection", String(10), nullable=True),
    Column("objection_filed_on", Date, nullable=True),
    Column("decider_id", Uuid, nullable=True),
    Column("objection_decided_on", Date, nullable=True),
    Column("opened_at", UTCDateTime(), nullable=False),
    Column("updated_at", UTCDateTime(), nullable=False),
    Column("version", Integer, nullable=False),
    Index("ix_appraisals_employee", "employee_id", "period"),
    Index("ix_appraisals_unit", "unit", "period", "status"),
    Index("ix_appraisals_assessor", "assessor_id"),
    Index("ix_appraisals_decider", "decider_id"),
)
# the list's order (latest period first, then by name): a page reads its rows from here instead of sorting them all
Index("ix_appraisals_listed", appraisals.c.period.desc(), appraisals.c.employee_name, appraisals.c.id)
# how many appraisals there are, kept as they are opened (a row is never removed): the unfiltered list's total
opened_kept = kept_count_table("appraisals_kept", metadata)
_KEPT = KeptCount(opened_kept)


class AppraisalProjection(Projection):
    """Keeps one row per appraisal current, event by event."""

    name = "appraisals"
    metadata = metadata
    people = people  # the module's table: its copy of names and units
    handles = (
        Appraisal.Opened,
        Appraisal.TargetAgreed,
        Appraisal.NoteRecorded,
        Appraisal.Assessed,
        Appraisal.Finalised,
        Appraisal.ObjectionFiled,
        Appraisal.ObjectionDecided,
    ) + people_index.EVENTS

    def only_writes(self, batch: Sequence[Projected]) -> bool:
        """A batch below ``LOAD_FROM`` reads no row: its rows are added in memory or changed by key."""
        return len(batch) < LOAD_FROM

    def process(self, conn: Connection, batch: Sequence[Projected]) -> None:
        """Apply each event in order; an appraisal opened in this batch is changed in memory and inserted at the
        batch's end (``PendingRows``)."""
        pending = PendingRows()
        if len(batch) >= LOAD_FROM:
            pending.load(conn, appraisals, (i.event.originator_id for i in batch if isinstance(i.event, _CHANGES)))
        for item in batch:
            e: Any = item.event
            if people_index.record(conn, people, e):
                continue
            if isinstance(e, Appraisal.Opened):
                pending.add(appraisals, e.originator_id, {
                    "id": e.originator_id, "employee_id": e.employee_id, "period": e.period,
                    "annual": is_annual(e.period), "unit": e.unit, "assessor_id": e.assessor_id,
                    "assessor_basis": e.assessor_basis, "status": AppraisalStatus.PLANNING.value, "targets": 0,
                    "notes": 0, "opened_at": e.timestamp, "updated_at": e.timestamp, "version": e.originator_version})
                continue
            changes = self._changes(e)
            values = {k: v for k, v in changes.items() if k not in COUNTERS}
            values.update(updated_at=e.timestamp, version=e.originator_version)
            pending.update(conn, appraisals, e.originator_id, _update_of(tuple(changes)), values,
                           counters={k: 1 for k in changes if k in COUNTERS},
                           params={f"v_{k}": v for k, v in values.items()})
        pending.flush(conn)
        opened = [item.event.originator_id for item in batch if isinstance(item.event, Appraisal.Opened)]
        if opened:
            conn.execute(_NAMED.where(appraisals.c.id.in_(opened)))
            _KEPT.add(conn, len(opened))

    def with_people(self, conn: Connection) -> None:
        """Every row's name from ``people``, written after the rows in a one-pass rebuild."""
        conn.execute(_NAMED)

    @staticmethod
    def _changes(e: Any) -> dict[str, Any]:
        if isinstance(e, Appraisal.TargetAgreed):
            return {"targets": None}
        if isinstance(e, Appraisal.NoteRecorded):
            return {"notes": None}
        if isinstance(e, Appraisal.Assessed):
            return {"status": AppraisalStatus.ASSESSED.value, "work_results": e.work_results, "behaviour": e.behaviour,
                    "original_predicate": e.predicate, "predicate": e.predicate,
                    "rule_set_version": e.rule_set_version, "feedback_round_id": e.feedback_round_id}
        if isinstance(e, Appraisal.Finalised):
            return {"status": AppraisalStatus.FINAL.value, "finalised_on": e.finalised_on, "unit": e.unit}
        if isinstance(e, Appraisal.ObjectionFiled):
            return {"objection": "pending", "objection_filed_on": e.filed_on, "decider_id": e.decider_id}
        if isinstance(e, Appraisal.ObjectionDecided):
            changes: dict[str, Any] = {"objection": e.outcome, "objection_decided_on": e.decided_on}
            if e.outcome == "upheld":
                changes["predicate"] = e.predicate
            return changes
        return {}


# the employee's name from the model's copy of the directory (a write: no row is read back)
_NAMED = update(appraisals).values(employee_name=func.coalesce(
    select(people.c.name).where(people.c.id == appraisals.c.employee_id).scalar_subquery(), ""))
_CHANGES = (Appraisal.TargetAgreed, Appraisal.NoteRecorded, Appraisal.Assessed, Appraisal.Finalised,
            Appraisal.ObjectionFiled, Appraisal.ObjectionDecided)  # the events changing an opened appraisal's row
COUNTERS = frozenset({"targets", "notes"})  # columns an event adds one to (their value in ``_changes`` is unused)


@functools.cache
def _update_of(columns: tuple[str, ...]) -> Update:
    """The row update setting these columns, built once per kind of event (values bound as ``v_<column>``,
    counters add one), so no statement is built per event."""
    values: dict[str, Any] = {"updated_at": bindparam("v_updated_at"), "version": bindparam("v_version")}
    for name in columns:
        values[name] = appraisals.c[name] + 1 if name in COUNTERS else bindparam(f"v_{name}")
    return update(appraisals).where(appraisals.c.id == bindparam("b_id")).values(**values)


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
        appraisals.c.employee_id.in_(ids), appraisals.c.annual.is_(True), appraisals.c.status == AppraisalStatus.FINAL.value,
        appraisals.c.predicate.is_not(None))
    latest: dict[UUID, tuple[str, str]] = {}
    for employee_id, period, predicate in conn.execute(stmt):
        if employee_id not in latest or period > latest[employee_id][0]:
            latest[employee_id] = (str(period), str(predicate))
    return latest


def latest_annual_predicates(conn: Connection, employee_ids: Iterable[UUID]) -> dict[UUID, str]:
    """Each employee's latest final annual predicate (employees without one are absent)."""
    return {emp: predicate for emp, (_period, predicate) in latest_annual_appraisals(conn, employee_ids).items()}


class AppraisalView:
    """Appraisal lists and the predicates of a unit's final appraisals."""

    def __init__(self, engine: Engine):
        self.engine = engine

    def appraisals(self, flt: AppraisalFilter, limit: int, viewer: UUID | None = None,
                   visible_to: AbstractSet[UUID] | None = None) -> list[dict[str, Any]]:
        """Appraisals by period (newest first) and employee name. With ``visible_to``, only appraisals of those
        employees or where ``viewer`` is the assessor or the objection's decider."""
        stmt = _filtered(self._listing(), flt, viewer, visible_to)
        stmt = stmt.order_by(appraisals.c.period.desc(), appraisals.c.employee_name, appraisals.c.id).limit(limit)
        return self._rows(stmt)

    def page(self, flt: AppraisalFilter, limit: int, cursor: str | None = None, viewer: UUID | None = None,
             visible_to: AbstractSet[UUID] | None = None) -> Page:
        """One page of ``appraisals``' list after a cursor, and how many there are in all."""
        keys = [(appraisals.c.period, True), (appraisals.c.employee_name, False), (appraisals.c.id, False)]
        with self.engine.connect() as conn:
            return keyset_page(conn, _filtered(self._listing(), flt, viewer, visible_to), keys, limit, cursor,
                               count=_filtered(select(appraisals.c.id), flt, viewer, visible_to),  # without the join
                               kept_total=_KEPT.total if _unfiltered(flt, visible_to) else None)

    def count(self, flt: AppraisalFilter, viewer: UUID | None = None, visible_to: AbstractSet[UUID] | None = None) -> int:
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

    @staticmethod
    def _listing() -> Select[Any]:
        """Appraisals (with the employee's name) and the assessor's name."""
        assessor = people.alias("assessor")
        return (select(appraisals, assessor.c.name.label("assessor_name"))
                .outerjoin(assessor, assessor.c.id == appraisals.c.assessor_id))

    def latest_annual_predicates(self, employee_ids: Iterable[UUID]) -> dict[UUID, str]:
        """Each employee's latest final annual predicate (employees without one are absent)."""
        with self.engine.connect() as conn:
            return latest_annual_predicates(conn, employee_ids)

    def predicate_history(self, employee_id: UUID) -> list[dict[str, Any]]:
        """The employee's annual appraisals, latest period first, with their current predicate and objection."""
        stmt = (select(appraisals.c.id, appraisals.c.period, appraisals.c.status, appraisals.c.predicate,
                       appraisals.c.original_predicate, appraisals.c.objection, appraisals.c.finalised_on)
                .where(appraisals.c.employee_id == employee_id, appraisals.c.annual.is_(True))
                .order_by(appraisals.c.period.desc()))
        return self._rows(stmt)

    def final_predicates(self, unit: str, period: str) -> list[str]:
        """The current predicate of each final appraisal counted for a unit and period."""
        stmt = select(appraisals.c.predicate).where(appraisals.c.unit == unit, appraisals.c.period == period,
                                                    appraisals.c.status == AppraisalStatus.FINAL.value)
        with self.engine.connect() as conn:
            return [str(p) for p in conn.execute(stmt).scalars()]

    def pending_objections(self, unit: str, period: str) -> int:
        """How many of the unit's final appraisals for the period have an undecided objection."""
        stmt = select(appraisals.c.id).where(appraisals.c.unit == unit, appraisals.c.period == period,
                                             appraisals.c.status == AppraisalStatus.FINAL.value, appraisals.c.objection == "pending")
        with self.engine.connect() as conn:
            return len(conn.execute(stmt).all())

    def _rows(self, stmt: Select[Any]) -> list[dict[str, Any]]:
        with self.engine.connect() as conn:
            return [dict(r._mapping) for r in conn.execute(stmt)]


def _unfiltered(flt: AppraisalFilter, visible_to: AbstractSet[UUID] | None) -> bool:
    """Whether ``_filtered`` keeps every appraisal (no field of the filter set: a filter added later counts too)."""
    return visible_to is None and all(getattr(flt, f.name) in (None, False) for f in fields(flt))


def _filtered(stmt: Select[Any], flt: AppraisalFilter, viewer: UUID | None, visible_to: AbstractSet[UUID] | None
              ) -> Select[Any]:
    """Apply the filter, and with ``visible_to`` keep appraisals of those employees or assessed or decided by
    ``viewer``."""
    for column in ("employee_id", "unit", "period", "status", "assessor_id", "decider_id", "objection"):
        value = getattr(flt, column)
        if value is not None:
            stmt = stmt.where(appraisals.c[column] == value)
    if flt.unfinished:
        stmt = stmt.where(appraisals.c.status != AppraisalStatus.FINAL)
    if visible_to is not None:
        stmt = stmt.where(or_(appraisals.c.employee_id.in_(visible_to), appraisals.c.assessor_id == viewer,
                              appraisals.c.decider_id == viewer))
    return stmt
