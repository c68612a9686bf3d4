"""Appraisal read model: one row per appraisal with its stage, predicates and objection, for lists and the
unit predicate distribution."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import (
    Boolean,
    Column,
    Connection,
    Date,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Uuid,
    update,
)

from domain.appraisal import Appraisal, is_annual
from infrastructure.database import UTCDateTime
from infrastructure.projection import Projected, Projection

metadata = MetaData()

appraisals = Table(
    "appraisals",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("employee_id", Uuid, nullable=False),
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


class AppraisalProjection(Projection):
    """Keeps one row per appraisal current, event by event."""

    name = "appraisals"
    metadata = metadata
    handles = (
        Appraisal.Opened,
        Appraisal.TargetAgreed,
        Appraisal.NoteRecorded,
        Appraisal.Assessed,
        Appraisal.Finalised,
        Appraisal.ObjectionFiled,
        Appraisal.ObjectionDecided,
    )

    def process(self, conn: Connection, batch: Sequence[Projected]) -> None:
        """Apply each event in order."""
        for item in batch:
            e: Any = item.event
            if isinstance(e, Appraisal.Opened):
                conn.execute(appraisals.insert().values(
                    id=e.originator_id, employee_id=e.employee_id, period=e.period, annual=is_annual(e.period),
                    unit=e.unit, assessor_id=e.assessor_id, assessor_basis=e.assessor_basis, status="planning",
                    targets=0, notes=0, opened_at=e.timestamp, updated_at=e.timestamp, version=e.originator_version))
            else:
                values = self._changes(e)
                conn.execute(update(appraisals).where(appraisals.c.id == e.originator_id).values(
                    updated_at=e.timestamp, version=e.originator_version, **values))

    @staticmethod
    def _changes(e: Any) -> dict[str, Any]:
        if isinstance(e, Appraisal.TargetAgreed):
            return {"targets": appraisals.c.targets + 1}
        if isinstance(e, Appraisal.NoteRecorded):
            return {"notes": appraisals.c.notes + 1}
        if isinstance(e, Appraisal.Assessed):
            return {"status": "assessed", "work_results": e.work_results, "behaviour": e.behaviour,
                    "original_predicate": e.predicate, "predicate": e.predicate,
                    "rule_set_version": e.rule_set_version, "feedback_round_id": e.feedback_round_id}
        if isinstance(e, Appraisal.Finalised):
            return {"status": "final", "finalised_on": e.finalised_on, "unit": e.unit}
        if isinstance(e, Appraisal.ObjectionFiled):
            return {"objection": "pending", "objection_filed_on": e.filed_on, "decider_id": e.decider_id}
        if isinstance(e, Appraisal.ObjectionDecided):
            changes: dict[str, Any] = {"objection": e.outcome, "objection_decided_on": e.decided_on}
            if e.outcome == "upheld":
                changes["predicate"] = e.predicate
            return changes
        return {}
