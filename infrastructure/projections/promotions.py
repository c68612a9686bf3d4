"""Promotion read model: one row per case (for lists) and one per committee decision (the auditors' history)."""

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
    Text,
    Uuid,
    update,
)

from application.ledger import event_meta
from domain.promotion_case import PromotionCase
from infrastructure.database import UTCDateTime
from infrastructure.projection import Projected, Projection

metadata = MetaData()

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
    handles = (PromotionCase.Proposed, PromotionCase.Assessed, PromotionCase.Decided, PromotionCase.RankApplied,
               PromotionCase.Reopened, PromotionCase.PertekRecorded, PromotionCase.SkRecorded)

    def process(self, conn: Connection, batch: Sequence[Projected]) -> None:
        """Fold each case event into its row, in log order."""
        for item in batch:
            e: Any = item.event
            meta = event_meta(e)
            if isinstance(e, PromotionCase.Proposed):
                conn.execute(cases.insert().values(
                    id=e.originator_id, candidate_id=e.candidate_id, unit=e.unit, kind=e.kind,
                    position_title=e.position, period=e.period, effective=e.effective, from_rank=e.from_rank,
                    to_rank=e.to_rank, reason=e.reason, status="proposed", assessments=0, decisions=0,
                    contrary=False, rank_applied=False, proposed_by=meta.get("actor_name"),
                    proposed_at=e.timestamp, version=e.originator_version, rank_kind=e.rank_kind, stage="proposed"))
                continue
            values: dict[str, Any] = {"version": e.originator_version}
            if isinstance(e, PromotionCase.Assessed):
                values.update(status="assessed", assessments=e.number, eligible=e.eligible,
                              rule_set_version=e.rule_set_version, stage="assessed")
            elif isinstance(e, PromotionCase.Decided):
                values.update(status=e.outcome, decisions=e.number, outcome=e.outcome, contrary=e.contrary,
                              decided_at=e.timestamp, stage="recommended" if e.outcome == "approved" else e.outcome)
                self._history(conn, item.position, e, meta)
            elif isinstance(e, PromotionCase.RankApplied):
                values.update(rank_applied=True, stage="effective")
            elif isinstance(e, PromotionCase.PertekRecorded):
                values.update(stage="pertek")
            elif isinstance(e, PromotionCase.SkRecorded):
                values.update(stage="sk")
            else:
                values.update(status="reopened", stage="reopened")
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
